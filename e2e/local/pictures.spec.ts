/**
 * The README's pictures (and the plugin catalogue's: src/plugin.json `info.screenshots`), each made by a test that
 * checks what it shows: the BUILT panel inside Grafana's panel frame at the sizes dashboards give it, and the app's
 * pages at a laptop's browser size, fed the traces the demo really exported with its `slow-redis` fault on (and one
 * real public trace for the coverage banner). `npm run screenshots` writes them to src/img/screenshots/; a plain
 * layer-1 run writes them under test-results/ and leaves the committed ones alone.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

import { Locator, Page } from '@playwright/test';

import { testIds } from '../../src/components/testIds';
import { examplePath } from '../../src/testing/fixtures';
import { readYaml } from '../static/lib/repo';
import { chromiumLaunchOptions } from '../support/chromium';
import {
  DEMO_RUN_FILES,
  demoTraces,
  engineTop,
  fixtureTrace,
  JaegerTrace,
  searchTable,
  SMARTTHINGS_FILE,
} from '../support/fixtures';
import { dsQueryResponder, pluginSettingsResponder } from '../support/grafanaApi';
import { expect, HarnessScenario, openHarness, saveScreenshot, test, unexpectedRequests } from '../support/harness';

// Scrollbars as a user's browser draws them (Playwright hides them in headless Chromium by default): a picture of a
// panel whose rows continue below must show that they do.
test.use({ launchOptions: { ...chromiumLaunchOptions(), ignoreDefaultArgs: ['--hide-scrollbars'] } });

const APP = '/a/hotpath-latency-app';
const DONE = { timeout: 30_000 };
/** A laptop's browser window, for the app's pages. */
const BROWSER = { width: 1440, height: 900 };
/** Panel sizes on a 1920 px wide dashboard: half of its 24 grid columns, and all of them. */
const HALF_WIDTH = { width: 900, height: 500 };
const FULL_WIDTH = { width: 1800, height: 900 };
/** The demo's recordings were made on 2026-12-04: the day around them. */
const DAY = { from: Date.UTC(2026, 11, 4), to: Date.UTC(2026, 11, 5) };
/**
 * Log lines Loki holds for one service in one demo trace: the demo's frontend and backend each log one `request`
 * line per request they serve (demo/lib/http.ts), with its trace_id, over OTLP.
 */
const LOG_LINES = 1;

/** The data sources and app settings Grafana gets from provisioning/ (what the Configuration page opens with). */
interface ProvisionedDataSources {
  datasources: Array<{ name: string; type: string; uid: string }>;
}
const DATASOURCES: HarnessScenario['datasources'] = readYaml<ProvisionedDataSources>(
  'provisioning/datasources/datasources.yaml'
).datasources.map(({ name, type, uid }) => ({ name, type, uid }));
const APP_SETTINGS = readYaml<{ apps: Array<{ jsonData: Record<string, unknown> }> }>('provisioning/plugins/apps.yaml')
  .apps[0].jsonData;

function panel(
  traces: JaegerTrace[],
  size: { width: number; height: number },
  title: string,
  options: Record<string, unknown>
): HarnessScenario {
  return {
    view: 'panel',
    series: [searchTable(traces) as never],
    options: { lokiUid: 'loki', ...options },
    timeRange: DAY,
    datasources: DATASOURCES,
    title,
    ...size,
  };
}

/** Opens a panel scenario with the demo's traces served by the recorded-payload /api/ds/query. */
async function openPanel(page: Page, harnessUrl: string, scenario: HarnessScenario, traces: JaegerTrace[]) {
  await page.setViewportSize({ width: (scenario.width ?? 0) + 16, height: (scenario.height ?? 0) + 16 });
  const seen = await openHarness(page, harnessUrl, scenario, {
    '/api/ds/query': dsQueryResponder(traces, { lokiLines: LOG_LINES }),
  });
  await expect(page.getByTestId(testIds.view.root)).toHaveAttribute('data-phase', 'done', DONE);
  return seen;
}

/**
 * Elements inside `root` (itself included) whose content is wider than their box and that clip or scroll it
 * sideways: what a user would not see without scrolling, or not at all (the panel frame hides its overflow).
 */
function horizontalOverflow(root: Locator): Promise<string[]> {
  return root.evaluate((top) =>
    [top, ...Array.from(top.querySelectorAll('*'))]
      .filter(
        (el) =>
          el.clientWidth > 1 && el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible'
      )
      .map((el) => `<${el.tagName.toLowerCase()} class="${el.className}">: ${el.scrollWidth} > ${el.clientWidth} px`)
  );
}

/** `service|operation` of the table's body rows (cell 0 is the row expander). */
async function tableRows(page: Page): Promise<string[]> {
  return page
    .getByTestId(testIds.view.table)
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows
        .filter((row) => row.querySelectorAll('td').length > 2)
        .map((row) => {
          const cells = row.querySelectorAll('td');
          return `${cells[1].textContent}|${cells[2].textContent}`;
        })
    );
}

/**
 * A page's picture at the browser's width, as tall as the page: the window grows to fit it first (a full-page
 * capture of a taller page drops some of Grafana's inline icons in Chromium).
 */
async function savePagePicture(page: Page, name: string) {
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: BROWSER.width, height: Math.max(BROWSER.height, height) });
  await saveScreenshot(page, name);
}

const headers = (page: Page) => page.getByTestId(testIds.view.table).locator('thead th').allInnerTexts();
const panelContent = (page: Page) => page.getByTestId('data-testid panel content');

test('panel at half width (900×500): the fault ranks first, and the columns that do not fit are named, not clipped', async ({
  page,
  harnessUrl,
}) => {
  const traces = demoTraces('slow-redis');
  const scenario = panel(traces, HALF_WIDTH, 'Critical-path hotspots — frontend', { topN: 5 });
  const seen = await openPanel(page, harnessUrl, scenario, traces);
  // The demo's fault: the backend waits 40 ms before each Redis step, in its own span.
  expect(await tableRows(page)).toEqual(engineTop(traces, 5));
  expect((await tableRows(page))[0]).toBe('backend|redis.slow_down');
  expect(await horizontalOverflow(panelContent(page))).toEqual([]);
  // What fits 900 px: the ranking, the CP time and the costliest trace's links; the rest is counted.
  expect(await headers(page)).toEqual([
    'Row expander',
    'Service',
    'Operation',
    'CP share',
    'CP total ms',
    'Costliest trace',
  ]);
  await expect(page.getByTestId(testIds.view.columns)).toHaveText('6 more columns');
  await saveScreenshot(page.getByTestId('harness-panel'), 'panel-half-width');

  // An expanded row shows what the narrow table leaves out, for that row.
  await page
    .getByTestId(testIds.view.table)
    .locator('tbody tr')
    .first()
    .locator('td')
    .first()
    .locator('button')
    .click();
  const details = page.getByTestId(testIds.view.rowDetails);
  await expect(details).toContainText('CP/trace p50 · p95 · p99 ms');
  await expect(details).toContainText('Self ms');
  await expect(details).toContainText('Traces150');
  // The column chooser brings a column back, whatever the width.
  await page.getByTestId(testIds.view.columns).click();
  await page.getByRole('checkbox', { name: 'Calls' }).check({ force: true });
  await expect.poll(() => headers(page)).toContain('Calls');
  expect(unexpectedRequests(seen)).toEqual([]);
});

test('panel at full width (1800×900): every column, nothing clipped', async ({ page, harnessUrl }) => {
  const traces = demoTraces('slow-redis');
  const scenario = panel(traces, FULL_WIDTH, 'Critical-path hotspots — frontend', { topN: 10 });
  const seen = await openPanel(page, harnessUrl, scenario, traces);
  expect(await tableRows(page)).toEqual(engineTop(traces, 10));
  expect(await headers(page)).toEqual([
    'Row expander',
    'Service',
    'Operation',
    'CP share',
    'CP total ms',
    'Costliest trace',
    'CP/trace p50 · p95 · p99 ms',
    'Span p95 ms',
    'Self ms',
    'Calls',
    'Errors',
    'Traces',
  ]);
  await expect(page.getByTestId(testIds.view.columns)).toHaveText('Columns');
  expect(await horizontalOverflow(panelContent(page))).toEqual([]);
  // The panel is taller than its content: the parts stay together (no empty band under the data notes).
  // (The Alert's first child is the box it draws.)
  // Top to bottom: the data notes, the Table / Flame graph switch, the table; no more than a gap between each.
  const banner = await page.getByTestId(testIds.view.diagnostics).locator('> div').first().boundingBox();
  const viewSwitch = await page.getByTestId(testIds.view.viewSwitch).boundingBox();
  const table = await page.getByTestId(testIds.view.table).boundingBox();
  expect(viewSwitch!.y - (banner!.y + banner!.height)).toBeLessThanOrEqual(32);
  expect(table!.y - (viewSwitch!.y + viewSwitch!.height)).toBeLessThanOrEqual(32);
  await saveScreenshot(page.getByTestId('harness-panel'), 'panel-full-width');
  expect(unexpectedRequests(seen)).toEqual([]);
});

test('panel on a real trace with low coverage: the banner says so and how to fix it', async ({ page, harnessUrl }) => {
  const smartthings = [fixtureTrace(SMARTTHINGS_FILE)];
  const scenario = panel(smartthings, { width: 1200, height: 600 }, 'Critical-path hotspots — coreSrv', { topN: 5 });
  const seen = await openPanel(page, harnessUrl, scenario, smartthings);
  await expect(page.getByTestId(testIds.view.diagnostics)).toContainText('Low coverage: 0.1 % of span time analysed');
  await expect(page.getByTestId(testIds.view.diagnostics)).toContainText('Set “Window” to “Full trace”');
  expect(await horizontalOverflow(panelContent(page))).toEqual([]);
  await saveScreenshot(page.getByTestId('harness-panel'), 'panel-coverage');
  expect(unexpectedRequests(seen)).toEqual([]);
});

test('Hotspots page (1440×900): the demo with the fault on, searched by service', async ({ page, harnessUrl }) => {
  const traces = demoTraces('slow-redis');
  await page.setViewportSize(BROWSER);
  const path = `${APP}/hotspots?service=frontend&from=${DAY.from}&to=${DAY.to}&top=8`;
  const seen = await openHarness(
    page,
    harnessUrl,
    { view: 'app', path, appJsonData: APP_SETTINGS, datasources: DATASOURCES },
    { '/api/ds/query': dsQueryResponder(traces, { search: () => traces, lokiLines: LOG_LINES }) }
  );
  await expect(page.getByTestId(testIds.view.root)).toHaveAttribute('data-phase', 'done', DONE);
  expect(await tableRows(page)).toEqual(engineTop(traces, 8));
  expect(await horizontalOverflow(page.locator('body'))).toEqual([]);
  await savePagePicture(page, 'app-hotspots');
  expect(unexpectedRequests(seen)).toEqual([]);
});

test('Compare page (1440×900): before and after the fault, and the rows add up to the headline', async ({
  page,
  harnessUrl,
}) => {
  const before = demoTraces('baseline');
  const after = demoTraces('slow-redis');
  await page.setViewportSize(BROWSER);
  // "After" is the day of the recordings, "before" the day before it.
  const dayBefore = { from: DAY.from - 86_400_000, to: DAY.to - 86_400_000 };
  const path =
    `${APP}/compare?service=frontend&from=${DAY.from}&to=${DAY.to}` +
    `&afrom=${dayBefore.from}&ato=${dayBefore.to}&top=8`;
  const seen = await openHarness(
    page,
    harnessUrl,
    { view: 'app', path, appJsonData: APP_SETTINGS, datasources: DATASOURCES },
    {
      '/api/ds/query': dsQueryResponder([...before, ...after], {
        search: (_query, body) => (Number(body.from) === dayBefore.from ? before : after),
        lokiLines: LOG_LINES,
      }),
    }
  );
  const table = page.getByTestId(testIds.view.reportCompare);
  await expect(table).toBeVisible(DONE);
  const first = table.locator('tbody tr').first();
  await expect(first.locator('td').nth(0)).toHaveText('backend');
  await expect(first.locator('td').nth(1)).toHaveText(/^redis\.slow_down\s*new$/);
  await expect(table).toContainText(/Mean latency [\d.]+ → [\d.]+ ms \(\+[\d.]+ ms\)/);
  await expect(page.getByTestId(testIds.view.changeTotal)).toContainText(/^The 8 operations shown account for/);
  // Each change's arrow points its way (once @grafana/ui has loaded the icons), rows whose sign flipped while the
  // traces streamed in included.
  const wrongArrows = () =>
    table.locator('tbody tr').evaluateAll((rows) =>
      rows
        .map((row) => {
          const delta = row.querySelectorAll('td')[2];
          return `${delta.textContent?.[0]} ${delta.querySelector('svg')?.getAttribute('data-testid')}`;
        })
        .filter((arrow) => arrow !== '+ icon-arrow-up' && arrow !== '\u2212 icon-arrow-down')
    );
  await expect.poll(wrongArrows, { timeout: 5_000 }).toEqual([]);
  expect(await horizontalOverflow(page.locator('body'))).toEqual([]);
  await savePagePicture(page, 'app-compare');
  expect(unexpectedRequests(seen)).toEqual([]);
});

test('Import page (1440×900): a dropped demo export, analysed in the browser', async ({ page, harnessUrl }) => {
  await page.setViewportSize(BROWSER);
  const seen = await openHarness(page, harnessUrl, { view: 'app', path: `${APP}/import` });
  const file = examplePath(DEMO_RUN_FILES['slow-redis']);
  const files = [{ name: basename(file), text: readFileSync(file, 'utf8') }];
  const dataTransfer = await page.evaluateHandle((list) => {
    const transfer = new DataTransfer();
    for (const { name, text } of list) {
      transfer.items.add(new File([text], name, { type: 'application/json' }));
    }
    return transfer;
  }, files);
  await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer });
  await expect(page.getByTestId(testIds.view.root)).toHaveAttribute('data-phase', 'done', DONE);
  await expect(page.getByTestId(testIds.view.sample)).toContainText('analysed 150');
  const top = await tableRows(page);
  expect(top).toEqual(engineTop(demoTraces('slow-redis'), top.length));
  expect(await horizontalOverflow(page.locator('body'))).toEqual([]);
  await savePagePicture(page, 'app-import');
  expect(seen).toHaveLength(0);
  expect(unexpectedRequests(seen)).toEqual([]);
});

test('Configuration page (1440×900): the provisioned defaults, every picker valid', async ({ page, harnessUrl }) => {
  await page.setViewportSize(BROWSER);
  const seen = await openHarness(
    page,
    harnessUrl,
    { view: 'config', path: '/plugins/hotpath-latency-app', appJsonData: APP_SETTINGS, datasources: DATASOURCES },
    { '/api/plugins/hotpath-latency-app/settings': pluginSettingsResponder() }
  );
  const form = page.getByTestId(testIds.appConfig.form);
  await expect(form).toBeVisible();
  // Each picker shows the provisioned data source by name: none is empty, unknown or marked invalid.
  for (const [type, name] of [
    ['jaeger', 'Jaeger'],
    ['loki', 'Loki'],
    ['prometheus', 'Prometheus'],
  ]) {
    const picker = form.locator(`#hotpath-config-${type}`).locator('xpath=ancestor::div[2]');
    await expect(picker).toContainText(name);
  }
  await expect(form.getByText(/Could not find data source/)).toHaveCount(0);
  await expect(page.getByTestId(testIds.appConfig.maxTraces)).toHaveValue(String(APP_SETTINGS.maxTraces));
  await savePagePicture(page, 'app-configuration');
  expect(unexpectedRequests(seen)).toEqual([]);
});
