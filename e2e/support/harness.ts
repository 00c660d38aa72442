import { Page, Request, Route, test as base } from '@playwright/test';

import { startHarnessServer } from '../harness/server';
import type { HarnessScenario } from '../harness/main';

export type { HarnessScenario };

/** A request the plugin made, as the harness saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  body: unknown;
}

export type Responder = (request: SeenRequest, route: Route) => Promise<void> | void;

/**
 * Opens the harness with a scenario. Every request to the Grafana API (`/api/…`) must be answered by one of the
 * `responders` (matched by path); any other API request FAILS the test. All API requests are recorded in order.
 */
export async function openHarness(
  page: Page,
  baseUrl: string,
  scenario: HarnessScenario,
  responders: Record<string, Responder> = {}
): Promise<SeenRequest[]> {
  const seen: SeenRequest[] = [];
  const unexpected: string[] = [];
  await page.addInitScript((s) => {
    (window as unknown as { hotpathScenario: unknown }).hotpathScenario = s;
  }, scenario);
  await page.route(/\/api\//, async (route: Route, request: Request) => {
    const url = new URL(request.url());
    const entry: SeenRequest = { method: request.method(), path: url.pathname, body: parseBody(request) };
    seen.push(entry);
    const responder = responders[url.pathname];
    if (!responder) {
      unexpected.push(`${entry.method} ${entry.path}`);
      await route.fulfill({ status: 599, body: 'unexpected request in the harness' });
      return;
    }
    await responder(entry, route);
  });
  page.on('pageerror', (error) => unexpected.push(`page error: ${error.message}`));
  await page.goto(`${baseUrl}/`);
  await page.waitForFunction(() => {
    const w = window as unknown as { hotpathReady?: boolean; hotpathError?: string };
    return w.hotpathReady === true || w.hotpathError !== undefined;
  });
  const error = await page.evaluate(() => (window as unknown as { hotpathError?: string }).hotpathError);
  if (error) {
    throw new Error(`harness failed to load the plugin: ${error}`);
  }
  (seen as SeenRequest[] & { unexpected?: string[] }).unexpected = unexpected;
  return seen;
}

/** Requests the test did not expect (unrouted API calls, page errors). Call at the end of each test. */
export function unexpectedRequests(seen: SeenRequest[]): string[] {
  return (seen as SeenRequest[] & { unexpected?: string[] }).unexpected ?? [];
}

function parseBody(request: Request): unknown {
  const text = request.postData();
  if (!text) {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Playwright test with a per-worker harness server. */
export const test = base.extend<object, { harnessUrl: string }>({
  harnessUrl: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const { url, server } = await startHarnessServer();
      await use(url);
      await new Promise((done) => server.close(done));
    },
    { scope: 'worker' },
  ],
});

export { expect } from '@playwright/test';
