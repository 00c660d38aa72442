import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

import { Page } from '@playwright/test';

import { testIds } from '../../src/components/testIds';
import { fixturePath } from '../../src/testing/fixtures';
import { BOOKINFO_FILE, engineTop, fixtureTrace, JaegerTrace, realTraces, SMARTTHINGS_FILE } from '../support/fixtures';
import { DsQuery, DsQueryBody, dsQueryResponder, pluginSettingsResponder } from '../support/grafanaApi';
import { expect, HarnessScenario, openHarness, SeenRequest, test, unexpectedRequests } from '../support/harness';

/**
 * The BUILT app (dist/module.js): its configuration page and its Hotspots, Compare and Import pages, rendered the
 * way Grafana renders them (the app root under `/a/:pluginId/*`, the config page's body with the plugin).
 */
const APP = '/a/hotpath-latency-app';
const DATASOURCES: HarnessScenario['datasources'] = [
  { uid: 'jaeger', type: 'jaeger', name: 'Jaeger' },
  { uid: 'loki', type: 'loki', name: 'Loki' },
  { uid: 'prometheus', type: 'prometheus', name: 'Prometheus' },
];
const SETTINGS = { jaegerUid: 'jaeger', lokiUid: 'loki', maxTraces: 500 };
const DONE = { timeout: 30_000 };

/** Traces whose spans include the service: what Jaeger's search for that service finds. */
function tracesOf(service: string): JaegerTrace[] {
  return realTraces().filter((t) => Object.values(t.processes).some((p) => p.serviceName === service));
}
const searches = (seen: SeenRequest[]): DsQuery[] =>
  seen
    .filter((r) => r.path === '/api/ds/query')
    .flatMap((r) => (r.body as DsQueryBody).queries)
    .filter((q) => q.queryType === 'search');
const urlParams = (page: Page) => Object.fromEntries(new URL(page.url()).searchParams);

test('the configuration page saves the data sources and limit in the app’s jsonData', async ({ page, harnessUrl }) => {
  const seen = await openHarness(
    page,
    harnessUrl,
    {
      view: 'config',
      path: '/plugins/hotpath-latency-app',
      appJsonData: { jaegerUid: 'jaeger', maxTraces: 500 },
      datasources: DATASOURCES,
    },
    { '/api/plugins/hotpath-latency-app/settings': pluginSettingsResponder() }
  );
  const form = page.getByTestId(testIds.appConfig.form);
  await expect(form).toBeVisible();
  await expect(form.locator('#hotpath-config-jaeger').locator('xpath=ancestor::div[2]')).toContainText('Jaeger');
  // Pick Loki in Grafana's data source picker, as a user does: type, then choose the match.
  await page.locator('#hotpath-config-loki').fill('Loki');
  await page.locator('#hotpath-config-loki').press('Enter');
  await page.getByTestId(testIds.appConfig.maxTraces).fill('800');
  await page.getByTestId(testIds.appConfig.submit).click();

  await expect.poll(() => seen.filter((r) => r.path.endsWith('/settings')).length).toBe(1);
  const [save] = seen.filter((r) => r.path.endsWith('/settings'));
  expect(save.method).toBe('POST');
  expect(save.path).toBe('/api/plugins/hotpath-latency-app/settings');
  expect(save.body).toEqual({
    enabled: true,
    pinned: true,
    jsonData: { jaegerUid: 'jaeger', lokiUid: 'loki', maxTraces: 800 },
  });
  // Grafana keeps plugin settings in its boot data: the page reloads to pick them up.
  await page.waitForURL(`${harnessUrl}/plugins/hotpath-latency-app`);
  await expect(page.getByTestId(testIds.appConfig.form)).toBeVisible();
  expect(unexpectedRequests(seen)).toEqual([]);
});

test('the Hotspots page opens a shared URL as shared, writes changes to the URL, and a reload restores them', async ({
  page,
  harnessUrl,
}) => {
  const shared = `${APP}/hotspots?service=productpage.bookinfo&from=1500000000000&to=1800000000000&window=full&top=5`;
  const pool = realTraces();
  const seen = await openHarness(
    page,
    harnessUrl,
    { view: 'app', path: shared, appJsonData: SETTINGS, datasources: DATASOURCES },
    { '/api/ds/query': dsQueryResponder(pool, { search: (q) => tracesOf(q.service ?? ''), lokiLines: 1 }) }
  );
  // Loaded with query params → the controls and the search show them.
  await expect(page.locator('#hotpath-service')).toHaveValue('productpage.bookinfo');
  await expect(page.getByLabel('Full trace')).toBeChecked();
  await expect(page.getByTestId(testIds.view.root)).toHaveAttribute('data-phase', 'done', DONE);
  expect(searches(seen)).toEqual([
    {
      refId: 'search',
      datasource: { type: 'jaeger', uid: 'jaeger' },
      queryType: 'search',
      service: 'productpage.bookinfo',
      // One more than it fetches (500), to know whether the limit cut the sample.
      limit: 501,
    },
  ]);
  const searchRequest = seen.find((r) => (r.body as DsQueryBody | undefined)?.queries?.[0]?.queryType === 'search');
  expect([(searchRequest?.body as DsQueryBody).from, (searchRequest?.body as DsQueryBody).to]).toEqual([
    '1500000000000',
    '1800000000000',
  ]);
  await expect(page.getByTestId(testIds.view.table).locator('tbody tr').first()).toContainText('productpage.bookinfo');

  // Change controls → the URL follows (keeping what the page does not own).
  await page.locator('#hotpath-service').fill('coreSrv');
  await page.getByRole('button', { name: 'Run search' }).click();
  await page.getByLabel('Root span').check();
  await expect
    .poll(() => urlParams(page))
    .toEqual({
      service: 'coreSrv',
      from: '1500000000000',
      to: '1800000000000',
      top: '5',
    });
  await expect(page.getByTestId(testIds.view.root)).toHaveAttribute('data-phase', 'done', DONE);
  expect(searches(seen).map((q) => q.service)).toContain('coreSrv');

  // Reload → the same state, from the URL alone.
  const before = searches(seen).length;
  await page.reload();
  await expect(page.locator('#hotpath-service')).toHaveValue('coreSrv');
  await expect(page.getByLabel('Root span')).toBeChecked();
  await expect(page.getByTestId(testIds.view.root)).toHaveAttribute('data-phase', 'done', DONE);
  expect(searches(seen).slice(before)).toEqual([
    {
      refId: 'search',
      datasource: { type: 'jaeger', uid: 'jaeger' },
      queryType: 'search',
      service: 'coreSrv',
      limit: 501,
    },
  ]);
  expect(urlParams(page)).toEqual({ service: 'coreSrv', from: '1500000000000', to: '1800000000000', top: '5' });
  const rows = page.getByTestId(testIds.view.table).locator('tbody tr');
  await expect(rows).toHaveCount(5);
  await expect(rows.first().locator('td').nth(1)).toHaveText(engineTop(tracesOf('coreSrv'), 1)[0].split('|')[0]);
  expect(unexpectedRequests(seen)).toEqual([]);
});

test('the Compare page ranks the change between two time ranges', async ({ page, harnessUrl }) => {
  const pool = realTraces();
  const before = [fixtureTrace('jaeger/zipkin-yelp.jaeger.json'), fixtureTrace(BOOKINFO_FILE)];
  const after = [
    fixtureTrace(BOOKINFO_FILE),
    fixtureTrace('jaeger/zipkin-smartthings-oauth-authorization.jaeger.json'),
  ];
  const path =
    `${APP}/compare?service=frontend&from=1700000000000&to=1700003600000` + `&afrom=1600000000000&ato=1600003600000`;
  const seen = await openHarness(
    page,
    harnessUrl,
    { view: 'app', path, appJsonData: SETTINGS, datasources: DATASOURCES },
    {
      '/api/ds/query': dsQueryResponder(pool, {
        // The reference range ("before") finds one set of traces, the compared range another.
        search: (_q, body) => (body.from === '1600000000000' ? before : after),
        lokiLines: 1,
      }),
    }
  );
  await expect(page.getByTestId(testIds.compare.container)).toBeVisible();
  await expect(page.getByTestId(testIds.view.reportCompare)).toBeVisible(DONE);
  expect(searches(seen)).toHaveLength(2);
  expect(unexpectedRequests(seen)).toEqual([]);
});

test('the Import page analyses dropped Jaeger JSON files with the network closed', async ({ page, harnessUrl }) => {
  // No data source at all, and no responder: any /api/ request, and any request leaving the harness, fails the test.
  const seen = await openHarness(page, harnessUrl, { view: 'app', path: `${APP}/import` });
  await expect(page.getByTestId(testIds.import.container)).toBeVisible();
  const files = [SMARTTHINGS_FILE, BOOKINFO_FILE].map((f) => ({
    name: basename(f),
    text: readFileSync(fixturePath(f), 'utf8'),
  }));
  // A real drop: a DataTransfer holding the files, dropped on Grafana's FileDropzone.
  const dataTransfer = await page.evaluateHandle((list) => {
    const transfer = new DataTransfer();
    for (const file of list) {
      transfer.items.add(new File([file.text], file.name, { type: 'application/json' }));
    }
    return transfer;
  }, files);
  await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer });

  const view = page.getByTestId(testIds.view.root);
  await expect(view).toHaveAttribute('data-phase', 'done', DONE);
  await expect(page.getByTestId(testIds.view.sample)).toContainText('traces read 2 · files failed 0 · analysed 2');
  const expected = engineTop([fixtureTrace(SMARTTHINGS_FILE), fixtureTrace(BOOKINFO_FILE)], 3);
  const rows = page.getByTestId(testIds.view.table).locator('tbody tr');
  for (const [i, row] of expected.entries()) {
    const [service, operation] = row.split('|');
    await expect(rows.nth(i).locator('td').nth(1)).toHaveText(service);
    await expect(rows.nth(i).locator('td').nth(2)).toHaveText(operation);
  }
  await expect(page.getByTestId(testIds.view.diagnostics)).toContainText('Low coverage');
  expect(seen).toHaveLength(0);
  expect(unexpectedRequests(seen)).toEqual([]);
});
