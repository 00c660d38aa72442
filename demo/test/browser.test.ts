/**
 * The page in real Chromium: its spans travel through the frontend's same-origin relay, and one click is one
 * trace across three processes (browser → frontend → backend → Redis), parent links intact at each hop.
 */
import { chromium, type Browser } from 'playwright-core';
import { chromiumLaunchOptions } from '../../e2e/support/chromium';
import { request } from './harness/http';
import { Cleanup } from './harness/process';
import type { CapturedSpan, OtlpReceiver } from './harness/receiver';
import type { Demo } from './harness/services';
import { startDemoWithDeps } from './harness/stack';

const cleanup = new Cleanup();
let receiver: OtlpReceiver;
let demo: Demo;
let browser: Browser;

beforeAll(async () => {
  ({ receiver, demo } = await startDemoWithDeps(cleanup));
  // CHROMIUM: the demo's own override (demo/README.md), next to the repository's CHROMIUM_PATH.
  browser = await chromium.launch({ ...chromiumLaunchOptions(process.env.CHROMIUM || undefined), timeout: 30_000 });
  cleanup.add(() => browser.close());
}, 60_000);
afterAll(() => cleanup.run());

interface PageState {
  actions: number;
  lastTraceId?: string;
}

test('a click is one trace from the browser through the frontend to the backend and Redis', async () => {
  const page = await browser.newPage();
  const url = demo.frontend?.url ?? '';
  await page.goto(`${url}/`);
  await page.waitForFunction(() => typeof window.hotpathDemo === 'object');
  const state = () =>
    page.evaluate((): PageState => ({
      actions: window.hotpathDemo.actions,
      lastTraceId: window.hotpathDemo.lastTraceId,
    }));

  await page.click('#visit');
  await page.waitForFunction(() => window.hotpathDemo.actions === 1);
  const visit = await state();
  await page.click('#checkout');
  await page.waitForFunction(() => window.hotpathDemo.actions === 2);
  const checkout = await state();
  expect(await page.textContent('#status')).toMatch(/^order [0-9a-f-]{36}: /);
  expect(await page.textContent('#trace')).toBe(checkout.lastTraceId);
  await page.evaluate(() => window.hotpathDemo.flush());

  for (const [action, traceId, route] of [
    ['visit', visit.lastTraceId, '/api/visits'],
    ['checkout', checkout.lastTraceId, '/api/checkout'],
  ]) {
    const spans = await receiver.waitForSpans(`the ${action} trace in all three services`, (all) => {
      const trace = all.filter((s) => s.traceId === traceId);
      // The browser's fetch span ends (and is exported) a little after the response, once its timing is known.
      return (
        trace.some((s) => s.service === 'frontend-web' && s.kind === 3) &&
        trace.some((s) => s.service === 'frontend' && s.kind === 2) &&
        trace.some((s) => s.service === 'backend' && s.name.startsWith('request handler'))
      );
    });
    const trace = spans.filter((s) => s.traceId === traceId);
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const parent = (span: CapturedSpan | undefined) => (span?.parentSpanId ? byId.get(span.parentSpanId) : undefined);

    // Browser: ui.<action> (root) → fetch span (CLIENT).
    const ui = trace.find((s) => s.service === 'frontend-web' && s.name === `ui.${action}`);
    expect(ui?.parentSpanId).toBeUndefined();
    const fetchSpan = trace.find((s) => s.service === 'frontend-web' && s.kind === 3);
    expect(parent(fetchSpan)).toBe(ui);
    expect(String(fetchSpan?.attributes['http.url'] ?? fetchSpan?.attributes['url.full'])).toContain(route);

    // Across the first process boundary: the frontend's server span is the child of the browser's fetch span.
    const frontendServer = trace.find((s) => s.service === 'frontend' && s.kind === 2);
    expect(frontendServer?.name).toBe(`POST ${route}`);
    expect(parent(frontendServer)).toBe(fetchSpan);
    // Across the second: frontend client span → backend server span.
    const backendServer = trace.find((s) => s.service === 'backend' && s.kind === 2);
    expect(parent(parent(backendServer))).toBe(frontendServer);
    expect(parent(backendServer)?.kind).toBe(3);
    // And on to Redis.
    expect(trace.some((s) => s.service === 'backend' && s.attributes['db.system.name'] === 'redis')).toBe(true);
  }

  // The document load joined the trace of the server span that rendered the page (<meta name="traceparent">).
  const spans = receiver.spans();
  const documentLoad = spans.find((s) => s.service === 'frontend-web' && s.name === 'documentLoad');
  const pageServer = spans.find((s) => s.service === 'frontend' && s.name === 'GET /');
  expect(documentLoad).toBeDefined();
  expect(documentLoad?.traceId).toBe(pageServer?.traceId);
  expect(documentLoad?.parentSpanId).toBe(pageServer?.spanId);
  // The page's static files are not traced: no one-span "GET" traces.
  expect(spans.filter((s) => s.service === 'frontend' && s.kind === 2 && s.name === 'GET')).toEqual([]);
  expect(receiver.rejected).toEqual([]);
  await page.close();
});

test('the relay passes only OTLP content types on', async () => {
  const before = receiver.exports.length;
  const answer = await request(`${demo.frontend?.url ?? ''}/otlp/v1/traces`, {
    method: 'POST',
    body: 'x',
    headers: { 'content-type': 'text/plain' },
  });
  expect(answer.status).toBe(415);
  // A JSON body that is not an export is relayed, and the collector's answer comes back.
  const bad = await request(`${demo.frontend?.url ?? ''}/otlp/v1/traces`, {
    method: 'POST',
    body: '[]',
    headers: { 'content-type': 'application/json' },
  });
  expect(bad.status).toBe(400);
  expect(receiver.exports.length).toBe(before);
  expect(receiver.rejected.at(-1)).toContain('undecodable traces export');
});
