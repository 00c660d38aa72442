import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { analyzeTrace, HotspotAggregator, OperationTable, readJaeger } from '../../src/engine';
import { JaegerTrace, searchTableFrame } from '../../src/testing/grafanaFrames';
import { dsQueryResponder } from '../support/grafanaApi';
import { expect, HarnessScenario, openHarness, test, unexpectedRequests } from '../support/harness';

const FIXTURES = resolve(__dirname, '../../../shared/fixtures/jaeger');
/** The recorded real traces (one per file). */
const REAL = readdirSync(FIXTURES).filter((name) => /^(zipkin|kiali|grafana)-.*\.json$/.test(name));
const traceOf = (name: string): JaegerTrace => {
  const json = JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as { data: JaegerTrace[] };
  return json.data[0];
};
const TRACES = REAL.map(traceOf);
const DATASOURCES: HarnessScenario['datasources'] = [
  { uid: 'jaeger', type: 'jaeger', name: 'Jaeger' },
  { uid: 'loki', type: 'loki', name: 'Loki' },
];
const RANGE = { from: 1_500_000_000_000, to: 1_800_000_000_000 };

function panel(traces: JaegerTrace[], options: Record<string, unknown> = {}): HarnessScenario {
  const table = searchTableFrame(traces);
  // Grafana's Jaeger search table carries an internal link to the data source on its traceID field.
  table.schema.fields[0].config = { links: [{ title: 'Trace', url: '', internal: { datasourceUid: 'jaeger', datasourceName: 'Jaeger', query: { query: '${__value.raw}' } } }] };
  return { view: 'panel', series: [table as never], options: { lokiUid: 'loki', ...options }, timeRange: RANGE, datasources: DATASOURCES };
}

/** The ranking the engine computes from the same files: what the panel must show. */
function expectedTop(traces: JaegerTrace[], n: number): string[] {
  const operations = new OperationTable();
  const aggregator = new HotspotAggregator(operations);
  for (const trace of traces) {
    for (const model of readJaeger({ data: [trace] }, operations).traces) {
      aggregator.add(analyzeTrace(model));
    }
  }
  return aggregator.report().operations.slice(0, n).map((row) => `${row.service}|${row.operation}`);
}

async function tableRows(page: import('@playwright/test').Page): Promise<string[]> {
  const rows = page.getByTestId('hotpath-table').locator('tbody tr');
  const out: string[] = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const cells = rows.nth(i).locator('td');
    out.push(`${await cells.nth(1).innerText()}|${await cells.nth(2).innerText()}`);
  }
  return out;
}

test('ranks the recorded traces as the engine does, batching /api/ds/query requests', async ({ page, harnessUrl }) => {
  const seen = await openHarness(page, harnessUrl, panel(TRACES, { topN: 5 }), {
    '/api/ds/query': dsQueryResponder(TRACES, { lokiLines: 3 }),
  });
  await expect(page.getByTestId('hotpath-view')).toHaveAttribute('data-phase', 'done', { timeout: 20_000 });
  expect(await tableRows(page)).toEqual(expectedTop(TRACES, 5));
  const traceQueries = seen.filter((r) => r.path === '/api/ds/query' && JSON.stringify(r.body).includes('"jaeger"'));
  const ids = traceQueries.flatMap((r) => (r.body as { queries: Array<{ query: string }> }).queries.map((q) => q.query));
  expect(ids.sort()).toEqual(TRACES.map((t) => t.traceID).sort());
  for (const request of traceQueries) {
    expect((request.body as { queries: unknown[] }).queries.length).toBeLessThanOrEqual(25);
  }
  await expect(page.getByTestId('hotpath-sample')).toContainText(`analysed ${TRACES.length}`);
  await page.screenshot({ path: 'docs/screenshots/panel-hotspots.png' });
  expect(unexpectedRequests(seen)).toEqual([]);
});

test('hand-checked: the SmartThings journey puts coreSrv get /login/tokenauth first and warns about coverage', async ({
  page,
  harnessUrl,
}) => {
  const smartthings = [traceOf('zipkin-smartthings-mobile-web-install.jaeger.json')];
  const seen = await openHarness(page, harnessUrl, panel(smartthings), { '/api/ds/query': dsQueryResponder(smartthings) });
  await expect(page.getByTestId('hotpath-view')).toHaveAttribute('data-phase', 'done', { timeout: 20_000 });
  expect((await tableRows(page))[0]).toBe('coreSrv|get /login/tokenauth');
  await expect(page.getByTestId('hotpath-diagnostics')).toContainText('Low coverage: 0.1 % of span time analysed');
  await page.screenshot({ path: 'docs/screenshots/panel-coverage.png' });
  expect(unexpectedRequests(seen)).toEqual([]);
});

test('shows progress while responses are delayed', async ({ page, harnessUrl }) => {
  const seen = await openHarness(page, harnessUrl, panel(TRACES), { '/api/ds/query': dsQueryResponder(TRACES, { delayMs: 1500 }) });
  await expect(page.getByTestId('hotpath-sample')).toContainText(/Fetched \d+ of \d+ traces/);
  await expect(page.getByTestId('hotpath-view')).toHaveAttribute('data-phase', 'done', { timeout: 20_000 });
  expect(unexpectedRequests(seen)).toEqual([]);
});

test('says what failed on a 500, and names an unknown data source', async ({ page, harnessUrl }) => {
  await openHarness(page, harnessUrl, panel(TRACES), { '/api/ds/query': dsQueryResponder(TRACES, { status: 500 }) });
  await expect(page.getByTestId('hotpath-error')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('hotpath-error')).toContainText('500');

  const unknown = panel(TRACES);
  unknown.datasources = [];
  await openHarness(page, harnessUrl, unknown, { '/api/ds/query': dsQueryResponder(TRACES) });
  await expect(page.getByTestId('hotpath-error')).toBeVisible({ timeout: 20_000 });
});

test('an empty search result is an empty state, not a blank panel', async ({ page, harnessUrl }) => {
  const seen = await openHarness(page, harnessUrl, panel([]));
  await expect(page.getByTestId('hotpath-empty')).toBeVisible({ timeout: 20_000 });
  expect(unexpectedRequests(seen)).toEqual([]);
});

test('"Open trace" and "Logs" links are exact Explore URLs; zero log lines say "no logs"', async ({ page, harnessUrl }) => {
  const bookinfo = [traceOf('kiali-istio-bookinfo.jaeger.json')];
  await openHarness(page, harnessUrl, panel(bookinfo), { '/api/ds/query': dsQueryResponder(bookinfo, { lokiLines: 4 }) });
  await expect(page.getByTestId('hotpath-view')).toHaveAttribute('data-phase', 'done', { timeout: 20_000 });
  const open = await page.getByTestId('hotpath-open-trace').first().getAttribute('href');
  const panes = JSON.parse(new URL(open!, 'http://grafana').searchParams.get('panes')!);
  const [pane] = Object.values(panes) as Array<{ datasource: string; queries: Array<{ query: string; datasource: unknown }> }>;
  expect(pane.datasource).toBe('jaeger');
  expect(pane.queries[0]).toMatchObject({ refId: 'A', datasource: { type: 'jaeger', uid: 'jaeger' }, query: bookinfo[0].traceID });
  const logs = page.getByTestId('hotpath-logs').first();
  await expect(logs).toContainText('Logs (4)');
  const logsPanes = JSON.parse(new URL((await logs.getAttribute('href'))!, 'http://grafana').searchParams.get('panes')!);
  const [logsPane] = Object.values(logsPanes) as Array<{ queries: Array<{ expr: string }> }>;
  expect(logsPane.queries[0].expr).toBe(`{service_name="productpage.bookinfo"} | trace_id="${bookinfo[0].traceID}"`);

  await openHarness(page, harnessUrl, panel(bookinfo), { '/api/ds/query': dsQueryResponder(bookinfo, { lokiLines: 0 }) });
  await expect(page.getByTestId('hotpath-no-logs').first()).toBeVisible({ timeout: 20_000 });
});
