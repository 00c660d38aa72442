import { testIds } from '../../src/components/testIds';
import { RANKING_REFS } from '../../src/data/promql';
import { readPrometheusRecording, recordedResults } from '../../src/data/testing/prometheusFrames';
import type { WireFrame } from '../../src/testing/grafanaFrames';
import { DsQuery, DsQueryBody, dsQueryResponder } from '../support/grafanaApi';
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
 * src/data/testing/prometheusFrames.ts).
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
const frames = recordedResults(recording.answers);

type Vector = { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };

/** `service|operation` by recorded counter increase, largest first: the order the page must show. */
const byCounter = (recording.answers[RANKING_REFS.criticalPath].body as Vector).data.result
  .map((s) => ({ key: `${s.metric.service}|${s.metric.operation}`, value: Number(s.value[1]) }))
  .sort((a, b) => b.value - a.value);

/** The costliest exemplar of an operation among those Grafana's sampling kept (what the page can link to). */
function costliestExemplar(service: string, operation: string): string {
  const frame = frames[RANKING_REFS.exemplars].frames.find((f: WireFrame) => f.schema.name === 'exemplar')!;
  const column = (name: string) => frame.data.values[frame.schema.fields.findIndex((f) => f.name === name)];
  const [values, services, operations, ids] = ['Value', 'service', 'operation', 'trace_id'].map(column);
  let best = { id: '', value: -1 };
  values.forEach((value, i) => {
    if (services[i] === service && operations[i] === operation && Number(value) > best.value) {
      best = { id: String(ids[i]), value: Number(value) };
    }
  });
  return best.id;
}

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
  const seen = await openHarness(
    page,
    harnessUrl,
    { view: 'app', path, appJsonData: SETTINGS, datasources: DATASOURCES },
    {
      '/api/ds/query': dsQueryResponder([], {
        lokiLines: 3,
        // Only the questions that were recorded are answered: the page must ask exactly those.
        prometheus: (query) =>
          recording.answers[query.refId]?.params.query === query.expr
            ? frames[query.refId].frames
            : { error: `not recorded: ${String(query.expr)}` },
      }),
    }
  );
  const view = page.getByTestId(testIds.view.root);
  await expect(view).toHaveAttribute('data-phase', 'done', DONE);
  expect(
    prometheusQueries(seen)
      .map((q) => q.refId)
      .sort()
  ).toEqual(Object.values(RANKING_REFS).sort());

  const rows = page.getByTestId(testIds.view.table).locator('tbody tr');
  await expect(rows).toHaveCount(20);
  for (const [i, { key }] of byCounter.slice(0, 5).entries()) {
    const [service, operation] = key.split('|');
    await expect(rows.nth(i).locator('td').nth(1)).toHaveText(service);
    await expect(rows.nth(i).locator('td').nth(2)).toHaveText(operation);
  }
  const [service, operation] = byCounter[0].key.split('|');
  expect([service, operation]).toEqual(['backend', 'redis.slow_down']);

  // "Open trace" and "Logs" of the top row carry its costliest exemplar's trace ID.
  const traceId = costliestExemplar(service, operation);
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  const top = rows.first();
  const openTrace = top.getByTestId(testIds.view.openTrace);
  expect(decodeURIComponent((await openTrace.getAttribute('href')) ?? '')).toContain(`"query":"${traceId}"`);
  const logs = top.getByTestId(testIds.view.logs);
  await expect(logs).toBeVisible();
  expect(decodeURIComponent((await logs.getAttribute('href')) ?? '')).toContain(traceId);

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
