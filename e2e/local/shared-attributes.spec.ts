import {
  analyzeTrace,
  AttributeCollector,
  collectAttributes,
  compareSlowToBaseline,
  findSharedAttributes,
  HotspotAggregator,
  OperationTable,
  readJaeger,
} from '../../src/engine';
import { testIds } from '../../src/components/testIds';
import { jaegerTagsJson } from '../../src/data/testing/goLogfmt';
import { demoTraces, JaegerTrace, searchTable } from '../support/fixtures';
import { DsQuery, dsQueryResponder } from '../support/grafanaApi';
import {
  expect,
  HarnessScenario,
  openHarness,
  saveScreenshot,
  SeenRequest,
  test,
  unexpectedRequests,
} from '../support/harness';

/**
 * "What the slow requests share" in the BUILT panel (issue #16), over the demo run where only the requests with
 * `x-customer-tier: gold` met the `slow-redis` fault (examples/demo-slow-redis-gold/, README there): the planted
 * attribute comes first, as the engine ranks it, and "Filter to this" sends the panel's Jaeger search again with
 * that tag — the request Grafana receives is asserted, and what Jaeger would receive for its tags.
 */
const DATASOURCES = [
  { uid: 'jaeger', type: 'jaeger', name: 'Jaeger' },
  { uid: 'loki', type: 'loki', name: 'Loki' },
];
/** The dashboard's query: a Jaeger search of the backend (whose server spans carry `customer.tier`). */
const SEARCH = { refId: 'A', datasource: { type: 'jaeger', uid: 'jaeger' }, queryType: 'search', service: 'backend' };

/** The engine's first row for these traces, as the panel computes it (slow: p90 and above, the panel's default). */
function engineFirstRow(traces: readonly JaegerTrace[]) {
  const operations = new OperationTable();
  const aggregator = new HotspotAggregator(operations);
  for (const model of readJaeger({ data: [...traces] }, operations).traces) {
    aggregator.add(analyzeTrace(model));
  }
  const records = aggregator.traceRecords();
  const comparison = compareSlowToBaseline(records, operations, { percentile: 90 });
  const collector = new AttributeCollector();
  collectAttributes({ data: [...traces] }, collector);
  return findSharedAttributes(records, collector, comparison, operations).rows[0];
}

/** Jaeger's search semantics for one service: a span of it carries every tag (span or process tags). */
function jaegerSearch(traces: readonly JaegerTrace[], query: DsQuery): JaegerTrace[] {
  const wanted = Object.entries(JSON.parse(jaegerTagsJson(String(query.tags ?? ''))) as Record<string, string>);
  return traces.filter((trace) =>
    trace.spans.some((span) => {
      const process = trace.processes[span.processID];
      if (process?.serviceName !== query.service) {
        return false;
      }
      const tags = [...(span.tags ?? []), ...(process.tags ?? [])];
      return wanted.every(([key, value]) => tags.some((tag) => tag.key === key && String(tag.value) === value));
    })
  );
}

const searches = (seen: SeenRequest[]) =>
  seen.flatMap((request) =>
    request.path === '/api/ds/query'
      ? (request.body as { queries: DsQuery[] }).queries.filter((q) => q.queryType === 'search')
      : []
  );

test('slow vs baseline: the planted tier comes first, and "Filter to this" searches that cohort', async ({
  page,
  harnessUrl,
}) => {
  const traces = demoTraces('slow-redis-gold');
  const expected = engineFirstRow(traces);
  expect(`${expected.service} ${expected.key}=${expected.value}`).toBe('backend customer.tier=gold');

  await page.setViewportSize({ width: 1300, height: 900 });
  const scenario: HarnessScenario = {
    view: 'panel',
    series: [searchTable(traces) as never],
    targets: [SEARCH],
    options: { lokiUid: 'loki', mode: 'compare', topN: 5 },
    datasources: DATASOURCES,
    width: 1280,
    height: 860,
    title: 'Slow vs baseline — backend',
  };
  const seen = await openHarness(page, harnessUrl, scenario, {
    '/api/ds/query': dsQueryResponder(traces, { search: (query) => jaegerSearch(traces, query), lokiLines: 1 }),
  });
  await expect(page.getByTestId(testIds.view.root)).toHaveAttribute('data-phase', 'done', { timeout: 30_000 });
  const section = page.getByTestId(testIds.view.sharedAttributes);
  await expect(section.getByRole('heading')).toHaveText('What the slow requests share');
  const first = section.locator('tbody tr').first();
  await expect(first.locator('td').nth(0)).toHaveText('backend');
  await expect(first.locator('td').nth(1)).toContainText(/^customer\.tier=gold/);
  await expect(first.locator('td').nth(2)).toHaveText(
    `${expected.slowTraces} (${(expected.slowShare * 100).toFixed(1)} %)`
  );
  await section.scrollIntoViewIfNeeded();
  await saveScreenshot(section, 'panel-shared-attributes');
  // The dashboard's query ran in Grafana, not here: no search yet.
  expect(searches(seen)).toEqual([]);

  await first.getByRole('button', { name: 'Filter to this' }).click();
  await expect.poll(() => searches(seen).length).toBe(1);
  const [search] = searches(seen);
  // The panel's trace budget (500) plus one, to know whether Jaeger had more (src/data/README.md, Limits).
  expect(search).toMatchObject({ refId: 'search', queryType: 'search', service: 'backend', limit: 501 });
  expect(search.tags).toBe('customer.tier="gold"');
  expect(JSON.parse(jaegerTagsJson(String(search.tags)))).toEqual({ 'customer.tier': 'gold' });
  await expect(page.getByTestId(testIds.hotspotsPanel.cohort)).toContainText('customer.tier="gold"');
  const gold = jaegerSearch(traces, search);
  await expect(page.getByTestId(testIds.view.root)).toHaveAttribute('data-phase', 'done', { timeout: 30_000 });
  await expect(page.getByTestId(testIds.view.sample)).toContainText(`analysed ${gold.length}`);

  // Back to the dashboard query's own results, without another search.
  await page.getByRole('button', { name: 'Clear filter' }).click();
  await expect(page.getByTestId(testIds.hotspotsPanel.cohort)).toHaveCount(0);
  await expect(page.getByTestId(testIds.view.sample)).toContainText(`analysed ${traces.length}`);
  expect(searches(seen)).toHaveLength(1);
  expect(unexpectedRequests(seen)).toEqual([]);
});
