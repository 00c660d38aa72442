import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { expect, Locator, Page, Request, Route, test as base } from '@playwright/test';

import { DEFAULT_RUNTIME } from '../harness/runtimes';
import { startHarnessServer } from '../harness/server';
import type { HarnessScenario } from '../harness/main';

export type { HarnessScenario };

/** A request the plugin made, as the harness saw it. */
export interface SeenRequest {
  method: string;
  /** The URL's path, e.g. `/api/ds/query`. */
  path: string;
  /** The JSON body (parsed), or the raw text when it is not JSON. */
  body: unknown;
  /** The URL's query parameters, e.g. `{ds_type: 'jaeger'}`. */
  query: Record<string, string>;
  /** Request headers, lower-case names (as Playwright reports them). */
  headers: Record<string, string>;
}

export type Responder = (request: SeenRequest, route: Route) => Promise<void> | void;

/**
 * Same-origin files the harness serves: its own build, the plugin's `dist/`, and @grafana/ui's icons (requested from
 * `/public/build/img/icons/`, where Grafana serves them). Anything else the page asks for fails the test.
 */
const HARNESS_FILES = /^\/(harness|dist|public\/build\/img\/icons)\//;
/** Grafana's page routes the harness page is served at (first load, or a reload after the app changed the URL). */
const PAGE_ROUTES = /^\/($|index\.html$|a\/|plugins\/)/;
/**
 * @grafana/ui's GlobalStyles declares Grafana's web fonts under `/public/fonts/`; Grafana serves them from its own
 * build, no npm package ships them, so the harness answers 404 and the browser uses its fallback font.
 */
const GRAFANA_FONTS = /^\/public\/fonts\//;
/**
 * Chromium's console line for a response with an error status. Not a fault of the page: every request is judged by
 * the routes above (an unexpected one is recorded there), and some tests answer with errors on purpose.
 */
const HTTP_STATUS_LINE = /^Failed to load resource: the server responded with a status of \d+/;

/**
 * Opens the harness with a scenario. Every request to the Grafana API (`/api/…`) must be answered by one of the
 * `responders` (matched by path); any other API request FAILS the test. All API requests are recorded in order.
 * The network is closed: a request to any other origin is aborted, and a same-origin request for anything but the
 * harness's own files is refused — both are recorded as unexpected too, so `unexpectedRequests(seen)` is empty only
 * when the page asked for nothing but the API calls the test answered.
 * App and config scenarios open at their Grafana URL (`scenario.path`), so a reload stays on the page the app wrote.
 */
export async function openHarness(
  page: Page,
  baseUrl: string,
  scenario: HarnessScenario,
  responders: Record<string, Responder> = {}
): Promise<SeenRequest[]> {
  const seen: SeenRequest[] = [];
  const unexpected: string[] = [];
  (seen as SeenRequest[] & { unexpected?: string[] }).unexpected = unexpected;
  opened.push(seen);
  const origin = new URL(baseUrl).origin;
  await page.addInitScript((s) => {
    (window as unknown as { hotpathScenario: unknown }).hotpathScenario = s;
  }, scenario);
  // Registered first, so it runs last: Playwright tries routes in the reverse order of registration.
  await page.route('**/*', async (route: Route, request: Request) => {
    const url = new URL(request.url());
    if (url.origin === origin) {
      if (HARNESS_FILES.test(url.pathname) || (request.isNavigationRequest() && PAGE_ROUTES.test(url.pathname))) {
        await route.continue();
        return;
      }
      if (GRAFANA_FONTS.test(url.pathname)) {
        await route.fulfill({ status: 404, body: 'Grafana fonts are not part of the harness' });
        return;
      }
      unexpected.push(`${request.method()} ${url.pathname}${url.search}`);
      await route.fulfill({ status: 404, body: 'not a harness file' });
      return;
    }
    unexpected.push(`blocked: ${request.method()} ${request.url()}`);
    await route.abort('blockedbyclient');
  });
  await page.route(
    (url) => url.origin === origin && url.pathname.startsWith('/api/'),
    async (route: Route, request: Request) => {
      const url = new URL(request.url());
      const entry: SeenRequest = {
        method: request.method(),
        path: url.pathname,
        body: parseBody(request),
        query: Object.fromEntries(url.searchParams),
        headers: request.headers(),
      };
      seen.push(entry);
      const responder = responders[url.pathname];
      if (!responder) {
        unexpected.push(`${entry.method} ${entry.path}`);
        await route.fulfill({ status: 599, body: 'unexpected request in the harness' });
        return;
      }
      await responder(entry, route);
    }
  );
  page.on('pageerror', (error) => unexpected.push(`page error: ${error.message}`));
  // React reports deprecated and removed APIs, key and hook mistakes as console errors and warnings (in its
  // development build: one harness runtime uses it), @grafana/ui and the plugin report failures there too.
  page.on('console', (message) => {
    const type = message.type();
    if ((type === 'error' || type === 'warning') && !HTTP_STATUS_LINE.test(message.text())) {
      unexpected.push(`console ${type}: ${message.text()}`);
    }
  });
  const path = scenario.view === 'panel' ? '/' : (scenario.path ?? '/');
  await page.goto(`${baseUrl}${path}`);
  await page.waitForFunction(() => {
    const w = window as unknown as { hotpathReady?: boolean; hotpathError?: string };
    return w.hotpathReady === true || w.hotpathError !== undefined;
  });
  const error = await page.evaluate(() => (window as unknown as { hotpathError?: string }).hotpathError);
  if (error) {
    throw new Error(`harness failed to load the plugin: ${error}`);
  }
  return seen;
}

/**
 * What the test did not expect: unrouted API calls, blocked or refused requests, page errors, and console errors
 * and warnings (React's among them).
 */
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

const REPO = resolve(__dirname, '..', '..');

/**
 * Saves a screenshot of the page (or of one element). With `HOTPATH_SCREENSHOTS_DIR` set (`npm run screenshots`
 * sets src/img/screenshots), there — the README's images are made only this way; otherwise under test-results/, so a
 * normal run leaves the committed images alone.
 */
export async function saveScreenshot(target: Page | Locator, name: string): Promise<string> {
  // One folder per harness runtime under test-results/, so the second run does not overwrite the first's pictures.
  const project = base.info().project.name;
  const dir = resolve(
    REPO,
    process.env.HOTPATH_SCREENSHOTS_DIR ?? join('test-results', 'local', 'screenshots', project || DEFAULT_RUNTIME)
  );
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  // @grafana/ui fetches its icons when they first render: let them arrive before the picture is taken.
  const page = 'mouse' in target ? target : target.page();
  await page.waitForLoadState('networkidle');
  await page.mouse.move(0, 0);
  if ('mouse' in target) {
    await target.screenshot({ path, animations: 'disabled', fullPage: true });
  } else {
    await target.screenshot({ path, animations: 'disabled' });
  }
  return path;
}

/** What `openHarness` recorded in the running test (tests of a worker run one after another). */
const opened: SeenRequest[][] = [];

/** The harness runtime a Playwright project runs with (e2e/harness/runtimes.json; e2e/local.config.ts sets it). */
export interface HarnessOptions {
  harnessRuntime: string;
}

/**
 * Playwright test with a per-worker harness server for the project's runtime. Every test also fails, after its own
 * assertions, if any page it opened made a request no responder answered (or one the closed network refused), threw,
 * or wrote an error or warning to the console — even if it never asked.
 */
export const test = base.extend<{ harnessGuard: void }, { harnessUrl: string } & HarnessOptions>({
  harnessRuntime: [DEFAULT_RUNTIME, { option: true, scope: 'worker' }],
  harnessGuard: [
    async ({}, use) => {
      opened.length = 0;
      await use();
      expect(opened.flatMap(unexpectedRequests), 'what the harness did not expect').toEqual([]);
    },
    { auto: true },
  ],
  harnessUrl: [
    async ({ harnessRuntime }, use) => {
      const { url, server } = await startHarnessServer(harnessRuntime);
      await use(url);
      await new Promise((done) => server.close(done));
    },
    { scope: 'worker' },
  ],
});

export { expect } from '@playwright/test';
