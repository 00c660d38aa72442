import { lastValueFrom, toArray } from 'rxjs';

import {
  NO_METRICS_MESSAGE,
  prometheusRanking$,
  UNAVAILABLE_OPERATIONS,
  type PrometheusRankingRequest,
} from './promRanking';
import { RANKING_REFS } from './promql';
import {
  HOSTILE_OPERATION,
  HOSTILE_SERVICE,
  readPrometheusRecording,
  recordedResults,
  type RecordedAnswer,
} from './testing/prometheusFrames';
import { dsQueryReply, RecordedBackend, type RecordedRequest, type Reply } from './testing/recordedBackend';
import type { MetricsRankingState } from './types';

/**
 * The "every trace" ranking from answers a real Prometheus gave for the metrics of `hotpath stream` over the demo's
 * slow-redis run (test/fixtures/prometheus/, recorded by e2e/servers/prometheus-ranking.test.ts), turned into the
 * frames Grafana's Prometheus data source returns (src/data/testing/prometheusFrames.ts).
 */
const recording = readPrometheusRecording();
let backend: RecordedBackend;

afterEach(() => {
  expect(backend.violations).toEqual([]);
});

function serve(answer: (request: RecordedRequest) => Reply) {
  backend = new RecordedBackend(answer).install();
}

/** Grafana answers each query with the recorded answer whose expression it asked (a mismatch fails the query). */
function serveRecorded(answers: Record<string, RecordedAnswer>) {
  serve((request) => {
    const results = recordedResults(answers);
    for (const query of request.body.queries) {
      if (answers[query.refId]?.params.query !== query.expr) {
        return dsQueryReply({
          [query.refId]: { status: 400, error: `unexpected ${String(query.expr)}`, errorSource: '' },
        });
      }
    }
    return dsQueryReply(results);
  });
}

const request = (extra: Partial<PrometheusRankingRequest> = {}): PrometheusRankingRequest => ({
  prometheusUid: 'prometheus',
  range: recording.range,
  ...extra,
});

async function finalState(req: PrometheusRankingRequest): Promise<MetricsRankingState> {
  const states = await lastValueFrom(prometheusRanking$(req).pipe(toArray()));
  expect(states[0].phase).toBe('loading');
  return states[states.length - 1];
}

const seriesValue = (answer: RecordedAnswer, service: string, operation: string): number => {
  const { result } = (
    answer.body as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } }
  ).data;
  const series = result.find((s) => s.metric.service === service && s.metric.operation === operation);
  return Number(series?.value[1]);
};

describe('prometheusRanking$', () => {
  it('asks one /api/ds/query of the Prometheus data source: instant questions at the range end, exemplars over it', async () => {
    serveRecorded(recording.answers);
    await finalState(request());
    expect(backend.requests).toHaveLength(1);
    const [sent] = backend.requests;
    expect(sent.url).toBe('/api/ds/query?ds_type=prometheus');
    expect(sent.headers).toEqual({ 'X-Plugin-Id': 'prometheus', 'X-Datasource-Uid': 'prometheus' });
    expect([sent.body.from, sent.body.to]).toEqual([String(recording.range.from), String(recording.range.to)]);
    const byRef = Object.fromEntries(sent.body.queries.map((q) => [q.refId, q]));
    expect(Object.keys(byRef).sort()).toEqual(Object.values(RANKING_REFS).sort());
    expect(byRef[RANKING_REFS.criticalPath]).toEqual({
      refId: RANKING_REFS.criticalPath,
      datasource: { type: 'prometheus', uid: 'prometheus' },
      expr: `sum by (service, operation) (increase(hotpath_critical_path_seconds_total[${recording.window}]))`,
      instant: true,
      range: false,
      exemplar: false,
    });
    // Exemplars: a range query at the finest step Prometheus allows (Grafana keeps ~one exemplar per step).
    expect(byRef[RANKING_REFS.exemplars]).toMatchObject({
      range: true,
      instant: false,
      exemplar: true,
      interval: '1s',
      intervalMs: 1000,
      maxDataPoints: 11000,
    });
  });

  it('ranks the recorded answer: largest counter first, shares of all, percentiles, traces, exemplar traces', async () => {
    serveRecorded(recording.answers);
    const state = await finalState(request());
    expect(state.phase).toBe('done');
    const report = state.ranking!.report;
    const cp = recording.answers[RANKING_REFS.criticalPath];
    const top = report.operations[0];
    // The demo's fault (Redis slowed down) is what requests waited on.
    expect([top.service, top.operation]).toEqual(['backend', 'redis.slow_down']);
    expect(top.criticalPathUs).toBeCloseTo(seriesValue(cp, 'backend', 'redis.slow_down') * 1e6, 3);
    for (let i = 1; i < report.operations.length; i++) {
      expect(report.operations[i - 1].criticalPathUs).toBeGreaterThanOrEqual(report.operations[i].criticalPathUs);
    }
    const all = Number(
      (recording.answers[RANKING_REFS.criticalPathAll].body as { data: { result: Array<{ value: [number, string] }> } })
        .data.result[0].value[1]
    );
    expect(top.criticalPathShare).toBeCloseTo(top.criticalPathUs / 1e6 / all, 9);
    expect(top.criticalPathPerTraceUs.p95).toBeCloseTo(
      seriesValue(recording.answers[RANKING_REFS.p95], 'backend', 'redis.slow_down') * 1e6,
      3
    );
    expect(top.traces).toBe(
      Math.round(seriesValue(recording.answers[RANKING_REFS.traces], 'backend', 'redis.slow_down'))
    );
    expect(top.exemplars.length).toBeGreaterThan(0);
    const exemplarSeries = (
      recording.answers[RANKING_REFS.exemplars].body as {
        data: Array<{ seriesLabels: Record<string, string>; exemplars: Array<{ labels: { trace_id: string } }> }>;
      }
    ).data;
    const recordedIds = exemplarSeries
      .filter((s) => s.seriesLabels.operation === 'redis.slow_down')
      .flatMap((s) => s.exemplars.map((e) => e.labels.trace_id));
    expect(recordedIds).toContain(top.exemplars[0].traceId);
    // What the metrics do not carry is NaN and listed, never 0.
    expect([top.selfTimeUs, top.calls, top.errors, top.errorRate, top.spanDurationUs.p95]).toEqual([
      NaN,
      NaN,
      NaN,
      NaN,
      NaN,
    ]);
    expect(state.ranking!.unavailable.operations).toEqual(UNAVAILABLE_OPERATIONS);
    // Per service: the counter adds up over its operations.
    const backendRow = report.services.find((s) => s.service === 'backend')!;
    const backendSum = report.operations
      .filter((o) => o.service === 'backend')
      .reduce((sum, o) => sum + o.criticalPathUs, 0);
    expect(backendRow.criticalPathUs).toBeCloseTo(backendSum, 3);
    expect(backendRow.traces).toBeNaN();
  });

  it('filters on a hostile service name as one escaped PromQL string and keeps its labels as text', async () => {
    serveRecorded(recording.filtered.answers);
    const state = await finalState(request({ service: HOSTILE_SERVICE }));
    const cpQuery = backend.requests[0].body.queries.find((q) => q.refId === RANKING_REFS.criticalPath)!;
    expect(cpQuery.expr).toBe(
      `sum by (service, operation) (increase(hotpath_critical_path_seconds_total{service="evil\\"} or vector(1) #\\\\\\nsvc"}[${recording.window}]))`
    );
    expect(state.phase).toBe('done');
    expect(state.ranking!.report.operations.map((o) => [o.service, o.operation])).toEqual([
      [HOSTILE_SERVICE, HOSTILE_OPERATION],
    ]);
    // Its share is of all traces (the denominator is asked without the filter), not 100 %.
    expect(state.ranking!.report.operations[0].criticalPathShare).toBeLessThan(0.1);
  });

  it('says what to check when Prometheus has no hotpath stream metrics in the range', async () => {
    serve((req) =>
      dsQueryReply(Object.fromEntries(req.body.queries.map((q) => [q.refId, { status: 200, frames: [] }])))
    );
    const state = await finalState(request());
    expect(state).toEqual({
      phase: 'empty',
      range: recording.range,
      error: { title: 'No metrics', message: NO_METRICS_MESSAGE },
    });
    expect(NO_METRICS_MESSAGE).toMatch(/is hotpath stream running and scraped/);
  });

  it('reports an unreachable Grafana and a missing data source in words', async () => {
    serve(() => ({ kind: 'network' }));
    const unreachable = await finalState(request());
    expect(unreachable.phase).toBe('error');
    expect(unreachable.error?.title).toBe('Grafana server unreachable');

    serve(() => ({ kind: 'http', status: 404, body: { message: 'Data source not found' } }));
    const missing = await finalState(request({ prometheusUid: 'gone' }));
    expect(missing.phase).toBe('error');
    expect(missing.error?.title).toBe('Data source not found');
    expect(missing.error?.message).toContain('Prometheus data source');
  });

  it('fails the ranking when one of its questions fails (no number from half an answer), but not for exemplars', async () => {
    serve((req) => {
      const results = recordedResults(recording.answers);
      return dsQueryReply({
        ...Object.fromEntries(req.body.queries.map((q) => [q.refId, results[q.refId]])),
        [RANKING_REFS.p95]: { status: 400, error: 'parse error: unexpected character', errorSource: 'downstream' },
      });
    });
    const failed = await finalState(request());
    expect(failed.phase).toBe('error');
    expect(failed.error?.message).toContain('parse error: unexpected character');

    serve((req) => {
      const results = recordedResults(recording.answers);
      return dsQueryReply({
        ...Object.fromEntries(req.body.queries.map((q) => [q.refId, results[q.refId]])),
        [RANKING_REFS.exemplars]: { status: 500, error: 'exemplar storage off', errorSource: 'downstream' },
      });
    });
    const noExemplars = await finalState(request());
    expect(noExemplars.phase).toBe('done');
    expect(noExemplars.ranking!.report.operations.every((o) => o.exemplars.length === 0)).toBe(true);
  });

  it('drops exemplars whose trace_id is not a trace ID (no link from a hostile label)', async () => {
    const tampered = JSON.parse(JSON.stringify(recording.answers)) as typeof recording.answers;
    const series = (
      tampered[RANKING_REFS.exemplars].body as {
        data: Array<{
          seriesLabels: Record<string, string>;
          exemplars: Array<{ labels: { trace_id: string }; value: string }>;
        }>;
      }
    ).data;
    for (const s of series.filter((x) => x.seriesLabels.operation === 'redis.slow_down')) {
      for (const e of s.exemplars) {
        e.labels.trace_id = '"><script>alert(1)</script>';
        e.value = '1000';
      }
    }
    serveRecorded(tampered);
    const state = await finalState(request());
    expect(state.ranking!.report.operations[0].exemplars).toEqual([]);
  });
});
