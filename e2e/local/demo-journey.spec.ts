/**
 * The demo's lesson, end to end in Chromium: a user clicks through the demo page while the backend's `slow-redis`
 * fault is on; the spans the demo really exports (browser, frontend, backend, over OTLP/HTTP) are served as
 * Grafana's Jaeger data source would serve them, to the BUILT panel in the harness, which must rank the fault's
 * operation first. The same journey without the fault must not show any fault operation. That the page's spans
 * join the services' traces is proven in detail by demo/test/browser.test.ts; here it is checked on what the
 * panel gets (Jaeger references), since a broken link would split each journey into separate traces.
 */
import {
  browserJourney,
  DemoStack,
  FAULT_OPERATIONS,
  hotspotsPanel,
  rankedRows,
  startDemoStack,
} from '../support/demoStack';
import { dsQueryResponder } from '../support/grafanaApi';
import { expect, openHarness, test, unexpectedRequests } from '../support/harness';
import type { JaegerTrace } from '../../src/testing/grafanaFrames';

/** Two of each action: every click reads or writes Redis in the backend. */
const JOURNEY = ['visit', 'refresh', 'checkout', 'visit', 'refresh', 'checkout'] as const;
/** More rows than the demo has operations, so that the table shows them all. */
const ALL_ROWS = 100;
const FAULT_ROWS = Object.values(FAULT_OPERATIONS).map((operation) => `backend|${operation}`);

let stack: DemoStack;

test.beforeAll(async () => {
  test.setTimeout(90_000);
  stack = await startDemoStack();
});
test.afterAll(async () => {
  await stack?.stop();
});

type JaegerSpan = JaegerTrace['spans'][number];
const parentOf = (span: JaegerSpan) => span.references?.find((ref) => ref.refType === 'CHILD_OF')?.spanID;

/** The services from `span` up to the trace's root, consecutive repeats merged (process hops only). */
function hops(trace: JaegerTrace, span: JaegerSpan): string[] {
  const byId = new Map(trace.spans.map((s) => [s.spanID, s]));
  const services: string[] = [];
  for (let at: JaegerSpan | undefined = span; at; at = byId.get(parentOf(at) ?? '')) {
    const service = trace.processes[at.processID].serviceName;
    if (services.at(-1) !== service) {
      services.push(service);
    }
  }
  return services;
}

async function panelRanking(
  page: import('@playwright/test').Page,
  harnessUrl: string,
  traces: JaegerTrace[]
): Promise<string[]> {
  const seen = await openHarness(page, harnessUrl, hotspotsPanel(traces, { topN: ALL_ROWS }), {
    '/api/ds/query': dsQueryResponder(traces),
  });
  await expect(page.getByTestId('hotpath-view')).toHaveAttribute('data-phase', 'done', { timeout: 20_000 });
  await expect(page.getByTestId('hotpath-sample')).toContainText(`analysed ${traces.length}`);
  const rows = await rankedRows(page.getByTestId('hotpath-table'));
  expect(rows.length).toBeGreaterThan(0);
  expect(rows.length).toBeLessThan(ALL_ROWS);
  expect(unexpectedRequests(seen)).toEqual([]);
  return rows;
}

test('slow-redis on: the journey is one trace per click across browser and services, and backend / redis.slow_down ranks first', async ({
  browser,
  page,
  harnessUrl,
}) => {
  await stack.setFaults('slow-redis=40ms');
  const demoPage = await browser.newPage();
  const traces = await browserJourney(demoPage, stack, [...JOURNEY]);
  await demoPage.close();

  for (const [i, trace] of traces.entries()) {
    expect(new Set(trace.spans.map((span) => span.traceID))).toEqual(new Set([trace.traceID]));
    const serviceOf = (span: JaegerSpan) => trace.processes[span.processID].serviceName;
    const root = trace.spans.filter((span) => parentOf(span) === undefined);
    expect(root.map((span) => `${serviceOf(span)} ${span.operationName}`)).toEqual([`frontend-web ui.${JOURNEY[i]}`]);
    // The backend's server span reaches the browser's root through parent links across both process boundaries.
    const backendServer = trace.spans.find(
      (span) =>
        serviceOf(span) === 'backend' && span.tags?.some((tag) => tag.key === 'span.kind' && tag.value === 'server')
    );
    expect(backendServer && hops(trace, backendServer)).toEqual(['backend', 'frontend', 'frontend-web']);
    expect(
      trace.spans.some((span) => serviceOf(span) === 'backend' && span.operationName === FAULT_OPERATIONS['slow-redis'])
    ).toBe(true);
  }

  const rows = await panelRanking(page, harnessUrl, traces);
  expect(rows[0]).toBe(`backend|${FAULT_OPERATIONS['slow-redis']}`);
  await page.screenshot({ path: 'test-results/local/demo-journey-slow-redis.png' });
});

test('no fault: the same journey ranks no fault operation at all', async ({ browser, page, harnessUrl }) => {
  await stack.setFaults('none');
  const demoPage = await browser.newPage();
  const traces = await browserJourney(demoPage, stack, [...JOURNEY]);
  await demoPage.close();

  const rows = await panelRanking(page, harnessUrl, traces);
  expect(rows.filter((row) => FAULT_ROWS.includes(row))).toEqual([]);
  // The journey still reached Redis through all three processes.
  expect(rows.some((row) => row.startsWith('backend|'))).toBe(true);
  expect(rows.some((row) => row.startsWith('frontend-web|'))).toBe(true);
});
