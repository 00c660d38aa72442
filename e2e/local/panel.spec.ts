import { Page } from '@playwright/test';

import { testIds } from '../../src/components/testIds';
import {
  BOOKINFO_FILE,
  engineTop,
  fixtureTrace,
  JaegerTrace,
  manyTraces,
  missingTrace,
  searchTable,
  SMARTTHINGS_FILE,
} from '../support/fixtures';
import { explorePanes, linkState } from '../support/explore';
import { DsQueryBody, dsQueryResponder, DsQueryOptions, Gate } from '../support/grafanaApi';
import { expect, HarnessScenario, openHarness, SeenRequest, test, unexpectedRequests } from '../support/harness';

/**
 * The BUILT hotspots panel (dist/panels/hotspots/module.js) in Chromium, fed the Jaeger search table Grafana's
 * Jaeger data source returns, fetching the traces from a recorded-payload double of /api/ds/query.
 */
const DATASOURCES: HarnessScenario['datasources'] = [
  { uid: 'jaeger', type: 'jaeger', name: 'Jaeger' },
  { uid: 'loki', type: 'loki', name: 'Loki' },
];
const RANGE = { from: 1_500_000_000_000, to: 1_800_000_000_000 };
const DONE = { timeout: 30_000 };

function panel(search: JaegerTrace[], options: Record<string, unknown> = {}, jaegerUid = 'jaeger'): HarnessScenario {
  return {
    view: 'panel',
    series: [searchTable(search, jaegerUid) as never],
    options: { lokiUid: 'loki', ...options },
    timeRange: RANGE,
    datasources: DATASOURCES,
  };
}

async function open(page: Page, url: string, scenario: HarnessScenario, traces: JaegerTrace[], o: DsQueryOptions = {}) {
  return openHarness(page, url, scenario, { '/api/ds/query': dsQueryResponder(traces, o) });
}

/**
 * The table's rows as "service|operation", read in one go: row by row (a count, then one round trip per cell) a
 * re-render in between shifted rows under the reader (a clean-clone run saw a row twice and one missing).
 */
async function tableRows(page: Page): Promise<string[]> {
  return page
    .getByTestId(testIds.view.table)
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((row) => {
        const cells = row.querySelectorAll('td');
        // Column 0 is the table's row expander.
        const text = (cell: Element | undefined) => (cell instanceof HTMLElement ? cell.innerText : '');
        return `${text(cells[1])}|${text(cells[2])}`;
      })
    );
}

const view = (page: Page) => page.getByTestId(testIds.view.root);
const sample = (page: Page) => page.getByTestId(testIds.view.sample);
const jaegerRequests = (seen: SeenRequest[]) =>
  seen.filter((r) => r.path === '/api/ds/query' && (r.body as DsQueryBody).queries[0].datasource.type === 'jaeger');
const lokiRequests = (seen: SeenRequest[]) =>
  seen.filter((r) => r.path === '/api/ds/query' && (r.body as DsQueryBody).queries[0].datasource.type === 'loki');

test('ranks 60 recorded traces as the engine does, fetching them in batches of 25, at most 3 in flight', async ({
  page,
  harnessUrl,
}) => {
  const traces = manyTraces(60);
  let inFlight = 0;
  let maxInFlight = 0;
  const answer = dsQueryResponder(traces, { lokiLines: 3 });
  const seen = await openHarness(page, harnessUrl, panel(traces, { topN: 10 }), {
    '/api/ds/query': async (request, route) => {
      if (request.query.ds_type !== 'jaeger') {
        return answer(request, route);
      }
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // Hold each answer a little, so requests the panel would send beyond its limit would overlap and be counted.
      await new Promise((resolve) => setTimeout(resolve, 250));
      await answer(request, route);
      inFlight--;
    },
  });
  await expect(view(page)).toHaveAttribute('data-phase', 'done', DONE);
  expect(await tableRows(page)).toEqual(engineTop(traces, 10));
  await expect(sample(page)).toContainText('60 traces analysed');
  await expect(sample(page)).toContainText('searched 60 · fetched 60 · failed 0 · analysed 60');

  const batches = jaegerRequests(seen);
  expect(batches.map((r) => (r.body as DsQueryBody).queries.length).sort()).toEqual([10, 25, 25]);
  expect(maxInFlight).toBeLessThanOrEqual(3);
  for (const request of batches) {
    const body = request.body as DsQueryBody;
    // As DataSourceWithBackend sends it: ds_type, the plugin headers, epoch-ms strings, trace-by-ID queries.
    expect(request.method).toBe('POST');
    expect(request.query).toEqual({ ds_type: 'jaeger' });
    expect(request.headers['x-plugin-id']).toBe('jaeger');
    expect(request.headers['x-datasource-uid']).toBe('jaeger');
    expect([body.from, body.to]).toEqual([String(RANGE.from), String(RANGE.to)]);
    expect(body.queries).toEqual(
      body.queries.map((q, i) => ({ refId: `t${i}`, datasource: { type: 'jaeger', uid: 'jaeger' }, query: q.query }))
    );
  }
  const fetched = batches.flatMap((r) => (r.body as DsQueryBody).queries.map((q) => q.query));
  expect(fetched.sort()).toEqual(traces.map((t) => t.traceID).sort());
  // Each shown row's costliest trace had its log lines counted in Loki (one instant query per distinct link).
  expect(lokiRequests(seen).length).toBeGreaterThan(0);
  for (const request of lokiRequests(seen)) {
    const [query] = (request.body as DsQueryBody).queries;
    expect(query).toMatchObject({ refId: 'hotpath-log-count', datasource: { type: 'loki', uid: 'loki' } });
    expect(query.expr).toMatch(/^sum\(count_over_time\(\{service_name=".+"\} \| trace_id="[^"]+" \[\d+ms\]\)\)$/);
  }
  expect(unexpectedRequests(seen)).toEqual([]);
});

test('hand-checked: the Istio Bookinfo request ranks productpage first at 61.9 % of the critical path', async ({
  page,
  harnessUrl,
}) => {
  const bookinfo = [fixtureTrace(BOOKINFO_FILE)];
  // By hand from kiali-istio-bookinfo.jaeger.json (times in ms from the root's start): the ingress root lasts
  // 11.932 and its only child, productpage's server span, 0.228–11.667 (11.439). productpage calls details
  // (client 3.410–4.744, 1.334) and reviews (client 7.335–10.059, 2.724) one after the other, so both calls lie on
  // the critical path and productpage itself accounts for 11.439 − 1.334 − 2.724 = 7.381 ms = 61.9 % of 11.932.
  // Next: reviews' server span 2.242 minus its ratings call 0.850 = 1.392 ms (11.7 %).
  // Wide enough for every column.
  await page.setViewportSize({ width: 1900, height: 640 });
  const seen = await open(page, harnessUrl, { ...panel(bookinfo), width: 1880, height: 620 }, bookinfo, {
    lokiLines: 1,
  });
  await expect(view(page)).toHaveAttribute('data-phase', 'done', DONE);
  const rows = page.getByTestId(testIds.view.table).locator('tbody tr');
  await expect(rows.nth(0).locator('td').nth(1)).toHaveText('productpage.bookinfo');
  await expect(rows.nth(0).locator('td').nth(2)).toHaveText('productpage.bookinfo.svc.cluster.local:9080/productpage');
  await expect(rows.nth(0).locator('td').nth(3)).toHaveText('61.9 %');
  await expect(rows.nth(0).locator('td').nth(4)).toHaveText('7.381');
  await expect(rows.nth(1).locator('td').nth(1)).toHaveText('reviews.bookinfo');
  await expect(rows.nth(1).locator('td').nth(3)).toHaveText('11.7 %');
  await expect(rows.nth(1).locator('td').nth(4)).toHaveText('1.392');
  await expect(rows.nth(0).getByTestId(testIds.view.logs)).toHaveText('Logs (1)');
  expect(unexpectedRequests(seen)).toEqual([]);
});

test('hand-checked: the SmartThings journey puts coreSrv get /login/tokenauth first and warns about coverage', async ({
  page,
  harnessUrl,
}) => {
  const smartthings = [fixtureTrace(SMARTTHINGS_FILE)];
  // The fixture README: the root (coreSrv get /login/tokenauth) lasts 36.7 ms while the journey lasts 306 s and
  // 943 of 957 spans start after the root ended — so in the root's window, that operation leads, and nearly all
  // span time lies outside the window (the banner must say so, not hide it).
  const seen = await open(page, harnessUrl, panel(smartthings), smartthings);
  await expect(view(page)).toHaveAttribute('data-phase', 'done', DONE);
  expect((await tableRows(page))[0]).toBe('coreSrv|get /login/tokenauth');
  const banner = page.getByTestId(testIds.view.diagnostics);
  await expect(banner).toContainText('Low coverage: 0.1 % of span time analysed');
  await expect(banner).toContainText('Set “Window” to “Full trace”');
  expect(unexpectedRequests(seen)).toEqual([]);
});

test('shows progress while responses are held, then partial results with the sample counts', async ({
  page,
  harnessUrl,
}) => {
  const traces = manyTraces(60);
  // Two search hits Jaeger no longer has: the oldest, so they are in the last batch.
  const listed = [
    ...traces,
    missingTrace('dead0000000000000000000000000001'),
    missingTrace('dead0000000000000000000000000002'),
  ];
  const gate = new Gate();
  const seen = await open(page, harnessUrl, panel(listed), traces, { gate, lokiLines: 2 });

  await expect.poll(() => gate.held).toBe(3);
  await expect(sample(page)).toContainText('Fetched 0 of 62 traces');
  await expect(sample(page)).toHaveAttribute('aria-busy', 'true');
  await expect(page.getByTestId(testIds.view.table)).toHaveCount(0);

  const [released] = gate.release(1);
  // One batch in: its 25 traces are ranked while the rest are still on their way.
  await expect(sample(page)).toContainText('searched 62 · fetched 25 · failed 0 · analysed 25', DONE);
  await expect(view(page)).toHaveAttribute('data-phase', 'fetching');
  await expect(sample(page)).toContainText('Fetched 25 of 62 traces');
  await expect(page.getByTestId(testIds.view.table)).toBeVisible();
  // The request the gate let through holds the traces ranked so far.
  const firstIds = new Set((released!.body as DsQueryBody).queries.map((q) => q.query));
  expect(firstIds.size).toBe(25);
  // Polled: the table may still be re-rendering from the batch it just received.
  await expect
    .poll(() => tableRows(page), DONE)
    .toEqual(
      engineTop(
        traces.filter((t) => firstIds.has(t.traceID)),
        20
      )
    );

  gate.releaseAll();
  await expect(view(page)).toHaveAttribute('data-phase', 'done', DONE);
  await expect(sample(page)).toContainText('60 traces analysed');
  await expect(sample(page)).toContainText('searched 62 · fetched 60 · failed 2 · analysed 60');
  const banner = page.getByTestId(testIds.view.diagnostics);
  await expect(banner).toContainText('2 input problems');
  await expect(banner).toContainText(
    'trace dead0000000000000000000000000001: not fetched: request failed: 404 Not Found'
  );
  expect(await tableRows(page)).toEqual(engineTop(traces, 20));
  expect(unexpectedRequests(seen)).toEqual([]);
});

test('a 500 from Grafana is an error that says what failed', async ({ page, harnessUrl }) => {
  const traces = manyTraces(10);
  const seen = await open(page, harnessUrl, panel(traces), traces, { status: 500 });
  const error = page.getByTestId(testIds.view.error);
  await expect(error).toBeVisible(DONE);
  await expect(error).toContainText('Query failed (500)');
  await expect(error).toContainText(
    'The query to the Jaeger data source "jaeger" failed on the server. Grafana said: “Query data error”.'
  );
  await expect(view(page)).toHaveAttribute('data-phase', 'error');
  expect(jaegerRequests(seen)).toHaveLength(1);
  expect(unexpectedRequests(seen)).toEqual([]);
});

test('a request Grafana never answers times out with a clear error', async ({ page, harnessUrl }) => {
  // The panel's own client-side limit (60 s per request) is what fires; the browser clock is moved past it instead
  // of waiting a minute.
  await page.clock.install();
  const traces = manyTraces(10);
  const seen = await open(page, harnessUrl, panel(traces), traces, { hang: true });
  await expect(sample(page)).toContainText('Fetched 0 of 10 traces');
  await expect.poll(() => jaegerRequests(seen).length).toBe(1);
  await page.clock.fastForward('01:01');
  const error = page.getByTestId(testIds.view.error);
  await expect(error).toBeVisible(DONE);
  await expect(error).toContainText('Request timed out');
  await expect(error).toContainText('Grafana did not answer a query to the Jaeger data source "jaeger" within 60 s.');
  expect(unexpectedRequests(seen)).toEqual([]);
});

test('an unknown data source is named in the error', async ({ page, harnessUrl }) => {
  const traces = manyTraces(10);
  // The search table links to a Jaeger data source this Grafana does not have (deleted, or another org's).
  const seen = await open(page, harnessUrl, panel(traces, {}, 'jaeger-gone'), traces, {
    knownUids: ['jaeger', 'loki'],
  });
  const error = page.getByTestId(testIds.view.error);
  await expect(error).toBeVisible(DONE);
  await expect(error).toContainText('Data source not found');
  await expect(error).toContainText('Grafana has no Jaeger data source "jaeger-gone", or you cannot see it.');
  expect(jaegerRequests(seen).map((r) => r.headers['x-datasource-uid'])).toEqual(['jaeger-gone']);
  expect(unexpectedRequests(seen)).toEqual([]);
});

test('an empty search result is an empty state, not a blank panel, and fetches nothing', async ({
  page,
  harnessUrl,
}) => {
  const seen = await openHarness(page, harnessUrl, panel([]));
  await expect(page.getByTestId(testIds.view.empty)).toBeVisible(DONE);
  await expect(page.getByTestId(testIds.view.empty)).toContainText('No traces to analyse');
  expect(seen).toHaveLength(0);
  expect(unexpectedRequests(seen)).toEqual([]);
});

test('"Open trace" and "Logs" open exactly the intended Explore state; a service Loki has no lines for says "no logs"', async ({
  page,
  harnessUrl,
}) => {
  const bookinfo = [fixtureTrace(BOOKINFO_FILE)];
  const traceId = bookinfo[0].traceID;
  // Loki has 4 lines for productpage in this trace, none for any other service.
  const seen = await open(page, harnessUrl, panel(bookinfo), bookinfo, {
    lokiLines: (expr) => (expr.includes('service_name="productpage.bookinfo"') ? 4 : 0),
  });
  await expect(view(page)).toHaveAttribute('data-phase', 'done', DONE);
  const first = page.getByTestId(testIds.view.table).locator('tbody tr').first();
  await expect(first.locator('td').nth(1)).toHaveText('productpage.bookinfo');

  // The links cover the trace itself: first span start to last span end (µs in the fixture → ms, outwards).
  const starts = bookinfo[0].spans.map((span) => span.startTime);
  const ends = bookinfo[0].spans.map((span) => span.startTime + span.duration);
  const extent = { from: Math.floor(Math.min(...starts) / 1000), to: Math.ceil(Math.max(...ends) / 1000) };
  // Explore's URL (schemaVersion 1, one pane keyed by a 3-character id), the range as epoch-ms strings.
  const openTrace = {
    hpt: {
      datasource: 'jaeger',
      queries: [{ refId: 'A', datasource: { type: 'jaeger', uid: 'jaeger' }, query: traceId }],
      range: { from: String(extent.from), to: String(extent.to) },
    },
  };
  expect(await linkState(first.getByTestId(testIds.view.openTrace))).toEqual(explorePanes(openTrace));
  // Without trace-to-logs settings on the Jaeger data source: the app's query, ±1 min around the trace.
  const expr = `{service_name="productpage.bookinfo"} | trace_id="${traceId}"`;
  const logsRange = { from: extent.from - 60_000, to: extent.to + 60_000 };
  const logs = {
    hpl: {
      datasource: 'loki',
      queries: [{ refId: 'A', datasource: { type: 'loki', uid: 'loki' }, expr, queryType: 'range' }],
      range: { from: String(logsRange.from), to: String(logsRange.to) },
    },
  };
  const logsLink = first.getByTestId(testIds.view.logs);
  await expect(logsLink).toHaveText('Logs (4)');
  expect(await linkState(logsLink)).toEqual(explorePanes(logs));
  // The count asked of Loki is exactly the link's query over the link's range, evaluated at its end.
  const count = lokiRequests(seen).find((r) => (r.body as DsQueryBody).queries[0].expr?.includes('productpage'));
  expect(count?.body).toEqual({
    from: String(logsRange.from),
    to: String(logsRange.to),
    queries: [
      {
        refId: 'hotpath-log-count',
        datasource: { type: 'loki', uid: 'loki' },
        expr: `sum(count_over_time(${expr} [${logsRange.to - logsRange.from}ms]))`,
        queryType: 'instant',
      },
    ],
  });
  expect(count?.headers['x-plugin-id']).toBe('loki');

  const reviews = page.getByTestId(testIds.view.table).locator('tbody tr').nth(1);
  await expect(reviews.locator('td').nth(1)).toHaveText('reviews.bookinfo');
  await expect(reviews.getByTestId(testIds.view.noLogs)).toHaveText('no logs');
  await expect(reviews.getByTestId(testIds.view.logs)).toHaveCount(0);
  expect(unexpectedRequests(seen)).toEqual([]);
});

/** A service and an operation named with everything a URL gives meaning to (and percent-escapes to decode twice). */
const HOSTILE_SERVICE = 'product&page#1+x%y %2F%25&orgId=2';
const HOSTILE_OPERATION = 'GET /p?a=1&b=%20#frag+';

test('links of a service and operation with hostile names open exactly their trace and logs', async ({
  page,
  harnessUrl,
}) => {
  // The Bookinfo trace with productpage (ranked first) renamed: nothing else about the trace changes.
  const original = fixtureTrace(BOOKINFO_FILE);
  const renamed: JaegerTrace = {
    ...original,
    processes: Object.fromEntries(
      Object.entries(original.processes).map(([id, p]) => [
        id,
        p.serviceName === 'productpage.bookinfo' ? { ...p, serviceName: HOSTILE_SERVICE } : p,
      ])
    ),
    spans: original.spans.map((span) =>
      span.operationName === 'productpage.bookinfo.svc.cluster.local:9080/productpage'
        ? { ...span, operationName: HOSTILE_OPERATION }
        : span
    ),
  };
  const traceId = renamed.traceID;
  const seen = await open(page, harnessUrl, panel([renamed]), [renamed], { lokiLines: 3 });
  await expect(view(page)).toHaveAttribute('data-phase', 'done', DONE);
  const first = page.getByTestId(testIds.view.table).locator('tbody tr').first();
  // The names reach the table as text, exactly.
  await expect(first.locator('td').nth(1)).toHaveText(HOSTILE_SERVICE);
  await expect(first.locator('td').nth(2)).toHaveText(HOSTILE_OPERATION);

  const starts = renamed.spans.map((span) => span.startTime);
  const ends = renamed.spans.map((span) => span.startTime + span.duration);
  const extent = { from: Math.floor(Math.min(...starts) / 1000), to: Math.ceil(Math.max(...ends) / 1000) };
  expect(await linkState(first.getByTestId(testIds.view.openTrace))).toEqual(
    explorePanes({
      hpt: {
        datasource: 'jaeger',
        queries: [{ refId: 'A', datasource: { type: 'jaeger', uid: 'jaeger' }, query: traceId }],
        range: { from: String(extent.from), to: String(extent.to) },
      },
    })
  );
  const logsLink = first.getByTestId(testIds.view.logs);
  await expect(logsLink).toHaveText('Logs (3)');
  // None of & # + % or space needs escaping in a LogQL string: the name stands in the query as it is.
  const expr = `{service_name="${HOSTILE_SERVICE}"} | trace_id="${traceId}"`;
  expect(await linkState(logsLink)).toEqual(
    explorePanes({
      hpl: {
        datasource: 'loki',
        queries: [{ refId: 'A', datasource: { type: 'loki', uid: 'loki' }, expr, queryType: 'range' }],
        range: { from: String(extent.from - 60_000), to: String(extent.to + 60_000) },
      },
    })
  );
  expect(unexpectedRequests(seen)).toEqual([]);
});
