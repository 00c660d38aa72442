import { testIds } from '../../src/components/testIds';
import {
  EXEMPLAR_FOLLOW_UP_REF,
  MAX_EXEMPLAR_FOLLOW_UPS,
  operationExemplarExpression,
  RANKING_REFS,
} from '../../src/data/promql';
import { exemplarRows, readPrometheusRecording, recordedFrames } from '../../src/data/testing/prometheusFrames';
import type { WireFrame } from '../../src/testing/grafanaFrames';
import { DsQuery, DsQueryBody, dsQueryResponder, Gate } from '../support/grafanaApi';
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
 * The BUILT app's Hotspots page switched to "Every trace (Prometheus)": Grafana's `/api/ds/query` answers with the
 * frames its Prometheus data source makes of answers a real Prometheus gave for `hotpath stream`'s metrics over the
 * demo's slow-redis run (test/fixtures/prometheus/, recorded by e2e/servers/prometheus-ranking.test.ts; frames per
 * src/data/testing/prometheusFrames.ts), and each row's follow-up exemplar question with that row's recorded
 * exemplars.
 */
const APP = '/a/hotpath-latency-app';
const DATASOURCES: HarnessScenario['datasources'] = [
  { uid: 'jaeger', type: 'jaeger', name: 'Jaeger' },
  { uid: 'loki', type: 'loki', name: 'Loki' },
  { uid: 'prometheus', type: 'prometheus', name: 'Prometheus' },
];
const SETTINGS = { jaegerUid: 'jaeger', lokiUid: 'loki', prometheusUid: 'prometheus', maxTraces: 500 };
const DONE = { timeout: 30_000 };
const recording = readPrometheusRecording();

type Vector = { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };

/** `service|operation` by recorded counter increase, largest first: the order the page must show. */
const byCounter = (recording.answers[RANKING_REFS.criticalPath].body as Vector).data.result
  .map((s) => ({ key: `${s.metric.service}|${s.metric.operation}`, value: Number(s.value[1]) }))
  .sort((a, b) => b.value - a.value);

/** The costliest exemplar of an operation among those Grafana's sampling kept in `frames` ('' if none). */
function costliestExemplar(frames: WireFrame[], service: string, operation: string): string {
  const own = exemplarRows(frames).filter((e) => e.service === service && e.operation === operation);
  return own.sort((a, b) => b.value - a.value)[0]?.traceId ?? '';
}

/** What Grafana answers to a query: the recorded frames for it, or a per-query error for one never recorded. */
const recorded = (query: { refId: string; expr?: unknown }) =>
  recordedFrames(recording.answers, query) ?? { error: `not recorded: ${String(query.expr)}` };

/** The frames of the ranking's exemplar question, and of one row's own follow-up question. */
const rankingExemplars = recordedFrames(recording.answers, {
  refId: RANKING_REFS.exemplars,
  expr: recording.answers[RANKING_REFS.exemplars].params.query,
})!;
const ownExemplars = (service: string, operation: string) =>
  recordedFrames(recording.answers, {
    refId: `${EXEMPLAR_FOLLOW_UP_REF}0`,
    expr: operationExemplarExpression(service, operation),
  })!;

const prometheusQueries = (seen: SeenRequest[]): DsQuery[] =>
  seen
    .filter((r) => r.path === '/api/ds/query' && r.query.ds_type === 'prometheus')
    .flatMap((r) => (r.body as DsQueryBody).queries);

test('the Hotspots page ranks every trace from Prometheus: largest counter first, links carry the exemplar trace', async ({
  page,
  harnessUrl,
}) => {
  // Wide enough for every column, so the unavailable ones are on screen.
  await page.setViewportSize({ width: 1900, height: 1000 });
  const path = `${APP}/hotspots?source=prometheus&from=${recording.range.from}&to=${recording.range.to}`;
  // The follow-up waits at the gate until the ranking has been checked without its links.
  const followUpGate = new Gate();
  // Only the questions that were recorded are answered: the page must ask exactly those.
  const respond = dsQueryResponder([], { lokiLines: 3, prometheus: recorded });
  const seen = await openHarness(
    page,
    harnessUrl,
    { view: 'app', path, appJsonData: SETTINGS, datasources: DATASOURCES },
    {
      '/api/ds/query': async (request, route) => {
        const { queries } = request.body as DsQueryBody;
        if (queries.every((q) => q.refId.startsWith(EXEMPLAR_FOLLOW_UP_REF))) {
          await followUpGate.wait(request);
        }
        await respond(request, route);
      },
    }
  );
  const view = page.getByTestId(testIds.view.root);
  await expect(view).toHaveAttribute('data-phase', 'done', DONE);
  const rankingRefs = prometheusQueries(seen)
    .map((q) => q.refId)
    .filter((refId) => !refId.startsWith(EXEMPLAR_FOLLOW_UP_REF));
  expect(rankingRefs.sort()).toEqual(Object.values(RANKING_REFS).sort());

  const rows = page.getByTestId(testIds.view.table).locator('tbody tr');
  await expect(rows).toHaveCount(20);
  for (const [i, { key }] of byCounter.slice(0, 5).entries()) {
    const [service, operation] = key.split('|');
    await expect(rows.nth(i).locator('td').nth(1)).toHaveText(service);
    await expect(rows.nth(i).locator('td').nth(2)).toHaveText(operation);
  }
  const [service, operation] = byCounter[0].key.split('|');
  expect([service, operation]).toEqual(['backend', 'redis.slow_down']);

  // "Open trace" and "Logs" of the top row: while its own question is held, the exemplar Grafana's sampling across
  // all series kept for it (40 ms: another row's 149 ms trace was kept first in that step, its 126 ms one dropped).
  const sampledId = costliestExemplar(rankingExemplars, service, operation);
  const costliestId = costliestExemplar(ownExemplars(service, operation), service, operation);
  expect(sampledId).toMatch(/^[0-9a-f]{32}$/);
  expect(costliestId).toBe('27ba8e9270b8ac194d7e183428226c2b');
  const top = rows.first();
  const topLinks = async (traceId: string) => {
    const openTrace = top.getByTestId(testIds.view.openTrace);
    await expect(openTrace).toHaveAttribute('href', new RegExp(traceId));
    expect(decodeURIComponent((await openTrace.getAttribute('href')) ?? '')).toContain(`"query":"${traceId}"`);
    const logs = top.getByTestId(testIds.view.logs);
    await expect(logs).toBeVisible();
    expect(decodeURIComponent((await logs.getAttribute('href')) ?? '')).toContain(traceId);
  };
  await topLinks(sampledId);

  // The second row: Grafana's sampling across all series kept none of its exemplars, so "–" while its own
  // question is under way, then its own costliest trace.
  const [second, secondOperation] = byCounter[1].key.split('|');
  expect(costliestExemplar(rankingExemplars, second, secondOperation)).toBe('');
  const ownTraceId = costliestExemplar(ownExemplars(second, secondOperation), second, secondOperation);
  expect(ownTraceId).toMatch(/^[0-9a-f]{32}$/);
  const lookup = page.getByTestId(testIds.view.exemplarLookup);
  await expect(lookup).toHaveText(
    `Looking up the costliest exemplar traces of the top ${byCounter.length} operations by critical-path time…`
  );
  await expect(rows.nth(1).getByTestId(testIds.view.openTrace)).toHaveCount(0);
  expect(followUpGate.held).toBe(1);
  followUpGate.releaseAll();
  await expect(lookup).toHaveCount(0, DONE);
  const ownOpenTrace = rows.nth(1).getByTestId(testIds.view.openTrace);
  await expect(ownOpenTrace).toBeVisible();
  expect(decodeURIComponent((await ownOpenTrace.getAttribute('href')) ?? '')).toContain(`"query":"${ownTraceId}"`);
  // The top row now links its costliest trace, the 126 ms one.
  await topLinks(costliestId);
  // One follow-up request: one question per row (all of the recording's, fewer than the bound), linked or not, in
  // ranking order, each its own service and operation.
  const followUp = prometheusQueries(seen).filter((q) => q.refId.startsWith(EXEMPLAR_FOLLOW_UP_REF));
  expect(byCounter.length).toBeLessThanOrEqual(MAX_EXEMPLAR_FOLLOW_UPS);
  expect(followUp.map((q) => q.expr)).toEqual(
    byCounter.map(({ key }) => operationExemplarExpression(...(key.split('|') as [string, string])))
  );
  expect(followUp.every((q) => q.instant === true && q.exemplar === true)).toBe(true);
  // Every row on screen now links a trace.
  await expect(page.getByTestId(testIds.view.table).getByTestId(testIds.view.openTrace)).toHaveCount(20);

  // What the metrics do not carry says so, on every row: span p95, self, calls, errors.
  await expect(top.getByTestId(testIds.view.unavailable)).toHaveCount(4);
  await expect(top.locator('td', { hasText: 'NaN' })).toHaveCount(0);

  await saveScreenshot(page, 'app-hotspots-every-trace');

  // Back to the sample: the URL forgets the source, the Jaeger search's fields are back.
  await page.getByLabel('Sample (Jaeger search)', { exact: true }).click();
  await expect(page.locator('#hotpath-service')).toBeVisible();
  expect(new URL(page.url()).searchParams.get('source')).toBeNull();
  expect(unexpectedRequests(seen)).toEqual([]);
});
