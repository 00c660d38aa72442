import { expect, PluginFixture, test } from '@grafana/plugin-e2e';
import type { Locator, Page, Request } from '@playwright/test';

import { testIds } from '../../src/components/testIds';
import {
  analysedTopRow,
  expectFaultRow,
  FAULT,
  FAULT_SPEC,
  PANEL_ID,
  dataSourceUid,
  jaegerTraceQuery,
  lokiLogQuery,
  readDashboardJson,
  responseColumn,
  responseRows,
  showPanel,
  shownTitle,
} from './support';

/**
 * The journey users judge Hotpath by, on the real stack with the demo's fault switched on (scripts/e2e-stack.sh):
 * the Hotpath panel ranks the fault's operation first → "Open trace" shows that trace in Explore → "Logs" shows the
 * trace's Loki lines → the Loki derived field links back to the trace; and metrics → exemplar → trace on the RED
 * dashboard. Each step checks both what Grafana shows and what its /api/ds/query answered, so an empty Explore
 * pane cannot pass.
 */

const HOTSPOTS_FILE = 'hotpath-hotspots.json';
const RED_FILE = 'service-red.json';
const hotspotsJson = readDashboardJson(HOTSPOTS_FILE);
const redJson = readDashboardJson(RED_FILE);
/** The dashboard's ranked-hotspots panel (the other Hotpath panel there shows slow vs baseline, without links). */
const hotspotsPanel = hotspotsJson.panels.find((p) => p.type === PANEL_ID && p.options?.mode === 'hotspots');
/** The RED panel whose query asks for exemplars (spanmetrics p95 by operation). */
const exemplarPanel = redJson.panels.find((p) => p.type === 'timeseries' && p.targets?.some((t) => t.exemplar));
const jaegerUid = dataSourceUid('jaeger');
const lokiUid = dataSourceUid('loki');

/**
 * One trace, however its ID is spelled: OTLP (logs, exemplars) always writes 32 hex digits, and so does Jaeger
 * today (jaeger-idl model/v1 TraceID.String, "%016x%016x"), but older Jaeger releases dropped leading zeros
 * ("%x%016x"). Compared as 128-bit numbers.
 */
const sameTrace = (a: unknown, b: unknown) =>
  String(a).toLowerCase().padStart(32, '0') === String(b).toLowerCase().padStart(32, '0');

/** A request made by Explore (not by a dashboard panel, which may query the same data source). */
const fromExplore = (request: Request) => new URL(request.frame().page().url()).pathname.endsWith('/explore');

type DashboardFixtures = Pick<PluginFixture, 'gotoDashboardPage' | 'readProvisionedDashboard'>;

/** Opens the Hotpath dashboard, waits for the hotspots panel's analysis and returns its first (top-ranked) row. */
async function topHotspot({ gotoDashboardPage, readProvisionedDashboard }: DashboardFixtures): Promise<Locator> {
  if (!hotspotsPanel) {
    throw new Error(`${HOTSPOTS_FILE} has no ${PANEL_ID} panel in hotspots mode`);
  }
  const dashboardPage = await gotoDashboardPage(await readProvisionedDashboard({ fileName: HOTSPOTS_FILE }));
  const panel = await showPanel(dashboardPage, hotspotsPanel.title);
  return analysedTopRow(panel.locator.getByTestId(testIds.view.root));
}

/** The trace ID behind a row's "Open trace" link (the Explore pane's trace-by-ID query). */
async function rowTraceId(row: Locator): Promise<string> {
  const href = await row.getByTestId(testIds.view.openTrace).getAttribute('href');
  const panes = JSON.parse(new URL(href ?? '', 'http://grafana').searchParams.get('panes') ?? '{}') as Record<
    string,
    { queries?: Array<{ query?: string }> }
  >;
  const traceId = Object.values(panes)[0]?.queries?.[0]?.query;
  expect(traceId).toMatch(/^[0-9a-f]{1,32}$/);
  return traceId ?? '';
}

/**
 * Clicks `link` and returns the trace Explore then loads: the query (ID and type), the page it ran in (the same
 * tab, or a new one for a link that opens a new tab), and the spans' trace IDs and operations from the response.
 */
async function openedTrace(page: Page, link: Locator) {
  // Only Explore's query: the dashboard's Hotpath panels fetch traces by ID too (a batch may hold one query).
  const requested = page.context().waitForEvent('request', {
    predicate: (request) => jaegerTraceQuery(request, jaegerUid) !== undefined && fromExplore(request),
  });
  await link.click();
  const request = await requested;
  const query = jaegerTraceQuery(request, jaegerUid);
  const response = await request.response();
  expect(response?.status()).toBe(200);
  const refId = query?.refId ?? 'A';
  return {
    traceId: query?.query ?? '',
    queryType: query?.queryType,
    page: request.frame().page(),
    spanTraceIds: response ? await responseColumn(response, refId, 'traceID') : [],
    operations: response ? await responseColumn(response, refId, 'operationName') : [],
  };
}

/** Explore's query for the trace answered with spans, every one of them from `traceId` (not an empty pane). */
function expectOnlySpansOf(opened: { spanTraceIds: unknown[]; queryType?: string }, traceId: string): void {
  expect(
    opened.spanTraceIds.length,
    `Jaeger returned no spans for trace ${traceId} (queryType ${String(opened.queryType)})`
  ).toBeGreaterThan(0);
  expect(opened.spanTraceIds.every((id) => sameTrace(id, traceId))).toBe(true);
}

test.describe(`with the fault ${FAULT_SPEC} on`, () => {
  test(`the Hotpath panel ranks ${FAULT.service} / ${FAULT.operation} #1`, async ({
    gotoDashboardPage,
    readProvisionedDashboard,
  }) => {
    await expectFaultRow(await topHotspot({ gotoDashboardPage, readProvisionedDashboard }));
  });

  test('"Open trace" shows that trace in Explore', async ({
    gotoDashboardPage,
    readProvisionedDashboard,
    page,
    selectors,
  }) => {
    const row = await topHotspot({ gotoDashboardPage, readProvisionedDashboard });
    const expected = await rowTraceId(row);

    const opened = await openedTrace(page, row.getByTestId(testIds.view.openTrace));
    await expect(opened.page).toHaveURL(/\/explore\?/);
    expect(opened.traceId).toBe(expected);
    expectOnlySpansOf(opened, expected);
    // The costliest trace for the fault's operation contains that operation.
    expect(opened.operations).toContain(FAULT.operation);
    // …and Explore draws it: span bars, with the fault's span among them.
    await expect(opened.page.getByTestId(selectors.components.TraceViewer.spanBar).first()).toBeVisible();
    await expect(opened.page.getByText(FAULT.operation).first()).toBeVisible();
  });

  test('"Logs" shows at least one Loki line with that trace_id', async ({
    gotoDashboardPage,
    readProvisionedDashboard,
    page,
  }) => {
    const row = await topHotspot({ gotoDashboardPage, readProvisionedDashboard });
    const traceId = await rowTraceId(row);
    const logs = row.getByTestId(testIds.view.logs);
    // The panel counted the lines first: "Logs (N)" with N ≥ 1 ("no logs" would be a different element).
    await expect(logs).toHaveText(/^Logs \([1-9][\d,]*\)$/);

    const { lines } = await openLogs(page, logs, traceId);
    expect(lines.length).toBeGreaterThan(0);
    // Every line returned is one of the trace's (its trace_id structured metadata), not just "some lines".
    expect(lines.every((line) => line.includes(traceId))).toBe(true);
    await expect(page).toHaveURL(/\/explore\?/);
    await expect(page.getByText('request', { exact: true }).first()).toBeVisible();
  });

  test('the Loki derived field links a log line back to its trace', async ({
    gotoDashboardPage,
    readProvisionedDashboard,
    page,
  }) => {
    const row = await topHotspot({ gotoDashboardPage, readProvisionedDashboard });
    const traceId = await rowTraceId(row);
    await openLogs(page, row.getByTestId(testIds.view.logs), traceId);

    // The demo's per-request log line ("request", demo/lib/http.ts); its details list the derived field's link,
    // labelled with urlDisplayLabel from provisioning/datasources/datasources.yaml.
    await page.getByText('request', { exact: true }).first().click();
    const traceLink = page.getByText('View trace in Jaeger').first();
    await expect(traceLink).toBeVisible();
    const opened = await openedTrace(page, traceLink);
    expect(sameTrace(opened.traceId, traceId)).toBe(true);
    expectOnlySpansOf(opened, traceId);
  });

  test('the Service RED dashboard shows exemplars that open a trace', async ({
    gotoDashboardPage,
    readProvisionedDashboard,
    page,
    selectors,
  }) => {
    if (!exemplarPanel) {
      throw new Error(`${RED_FILE} has no time series panel that queries exemplars`);
    }
    const dashboardPage = await gotoDashboardPage(await readProvisionedDashboard({ fileName: RED_FILE }));
    const panel = await showPanel(dashboardPage, shownTitle(redJson, exemplarPanel.title));
    const markers = dashboardPage.getByGrafanaSelector(selectors.components.DataSource.Prometheus.exemplarMarker, {
      root: panel.locator,
    });
    await expect(markers.first()).toBeVisible({ timeout: 60_000 });

    // Clicking a marker pins its tooltip, which lists the exemplar's trace_id and its links. The provisioned
    // Prometheus data source has two destinations for trace_id: the data-source link "View trace in Jaeger", which
    // Grafana sends with queryType "traceql" (packages/grafana-prometheus result_transformer.ts getDataLinks) that
    // the Jaeger backend answers with nothing (pkg/jaeger/querydata.go handles only "", search and
    // dependencyGraph; grafana/grafana#111448), and a url to Explore with a plain Jaeger trace-ID query. The user
    // follows the second; openedTrace follows it into a new tab too.
    await markers.first().click();
    const traceLink = page.getByText('Open trace in Explore (Jaeger query)').first();
    await expect(traceLink).toBeVisible();
    const opened = await openedTrace(page, traceLink);
    await expect(opened.page).toHaveURL(/\/explore\?/);
    expectOnlySpansOf(opened, opened.traceId);
    await expect(opened.page.getByTestId(selectors.components.TraceViewer.spanBar).first()).toBeVisible();
  });
});

/**
 * Clicks a "Logs" link and returns the rows Loki answered to Explore's query for `{…} | trace_id="<traceId>"`
 * (each row as the JSON of its cells, labels and structured metadata included).
 */
async function openLogs(page: Page, logs: Locator, traceId: string): Promise<{ lines: string[] }> {
  // Not the panel's own line counts (instant queries): Explore's range query for the lines themselves.
  const requested = page.waitForRequest((request) => {
    const query = lokiLogQuery(request, lokiUid, `trace_id="${traceId}"`);
    return query !== undefined && query.queryType !== 'instant' && fromExplore(request);
  });
  await logs.click();
  const request = await requested;
  const response = await request.response();
  expect(response?.status()).toBe(200);
  return { lines: response ? await responseRows(response, 'A') : [] };
}
