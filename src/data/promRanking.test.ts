import { lastValueFrom, toArray } from 'rxjs';

import {
  NO_METRICS_MESSAGE,
  prometheusRanking$,
  UNAVAILABLE_OPERATIONS,
  type PrometheusRankingRequest,
} from './promRanking';
import { EXEMPLAR_FOLLOW_UP_REF, exemplarFollowUps, MAX_EXEMPLAR_FOLLOW_UPS, RANKING_REFS } from './promql';
import {
  answerToFrames,
  HOSTILE_OPERATION,
  HOSTILE_SERVICE,
  operationExemplarAnswer,
  readPrometheusRecording,
  recordedResults,
  type RecordedAnswer,
} from './testing/prometheusFrames';
import { isExemplarFollowUp, recordedPrometheusReply } from './testing/prometheusBackend';
import {
  dsQueryReply,
  RecordedBackend,
  type RecordedRequest,
  type Reply,
  type ResultEntry,
} from './testing/recordedBackend';
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

function serveRecorded(answers: Record<string, RecordedAnswer>) {
  serve((request) => recordedPrometheusReply(answers, request));
}

/** The recording, except that the follow-up's `index`-th question gets `entry`; returns that question's refId. */
function serveWithFollowUpEntry(index: number, entry: (refId: string) => ResultEntry): { refId: string } {
  const replaced = { refId: '' };
  serve((req) => {
    const reply = recordedPrometheusReply(recording.answers, req);
    if (!isExemplarFollowUp(req) || reply.kind !== 'http') {
      return reply;
    }
    replaced.refId = req.body.queries[index].refId;
    const { results } = reply.body as { results: Record<string, ResultEntry> };
    return dsQueryReply({ ...results, [replaced.refId]: entry(replaced.refId) });
  });
  return replaced;
}

const request = (extra: Partial<PrometheusRankingRequest> = {}): PrometheusRankingRequest => ({
  prometheusUid: 'prometheus',
  range: recording.range,
  ...extra,
});

async function allStates(req: PrometheusRankingRequest): Promise<MetricsRankingState[]> {
  const states = await lastValueFrom(prometheusRanking$(req).pipe(toArray()));
  expect(states[0].phase).toBe('loading');
  return states;
}

async function finalState(req: PrometheusRankingRequest): Promise<MetricsRankingState> {
  const states = await allStates(req);
  return states[states.length - 1];
}

type ExemplarSeries = Array<{
  seriesLabels: Record<string, string>;
  exemplars: Array<{ labels: Record<string, string>; value: string; timestamp: number }>;
}>;

/** The trace IDs Prometheus recorded as an operation's exemplars, costliest first. */
function recordedExemplarIds(service: string, operation: string): string[] {
  const { data } = recording.answers[RANKING_REFS.exemplars].body as { data: ExemplarSeries };
  return data
    .filter((s) => s.seriesLabels.service === service && s.seriesLabels.operation === operation)
    .flatMap((s) => s.exemplars)
    .sort((a, b) => Number(b.value) - Number(a.value))
    .map((e) => e.labels.trace_id);
}

const keyOf = (row: { service: string; operation?: string }) => `${row.service}|${row.operation ?? ''}`;

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
      if (isExemplarFollowUp(req)) {
        return { kind: 'network' };
      }
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
    // The row was asked again, and its own answer's hostile labels got no link either.
    expect(backend.requests[1].body.queries.map((q) => q.expr)).toContain(
      'count(hotpath_trace_critical_path_seconds_bucket{service="backend",operation="redis.slow_down"})'
    );
  });
});

describe('prometheusRanking$ — the follow-up for the first rows’ own costliest exemplars', () => {
  /** The ranking as it first arrives (before the follow-up answers). */
  const firstRanking = (states: MetricsRankingState[]) => states.find((s) => s.phase === 'done')!.ranking!;
  const ids = (row: { exemplars: Array<{ traceId: string }> }) => row.exemplars.map((e) => e.traceId);
  /** The recorded top row's exemplars in Prometheus: 126 ms, then 40 ms (test/fixtures/prometheus/). */
  const TOP_COSTLIEST = { traceId: '27ba8e9270b8ac194d7e183428226c2b', criticalPathUs: 126368.5 };
  const TOP_SAMPLED = { traceId: 'f77efc010e77b2d5ae5c2aae51908fe3', criticalPathUs: 40334 };

  it('shows the ranking at once with the sampled exemplars, then asks one instant exemplar query for each of the first rows', async () => {
    serveRecorded(recording.answers);
    const states = await allStates(request());
    expect(states.map((s) => [s.phase, s.ranking?.exemplarLookup?.phase])).toEqual([
      ['loading', undefined],
      ['done', 'loading'],
      ['done', undefined],
    ]);
    const ranked = firstRanking(states).report.operations;
    expect(ranked.length).toBeLessThanOrEqual(MAX_EXEMPLAR_FOLLOW_UPS);
    // Grafana's sampler, across all series, linked some rows of the recording and left most without an exemplar;
    // all of them are asked, linked or not.
    const linked = ranked.filter((o) => o.exemplars.length > 0);
    expect(linked.length).toBeGreaterThan(0);
    expect(linked.length).toBeLessThan(ranked.length / 2);
    expect(firstRanking(states).exemplarLookup).toEqual({ phase: 'loading', operations: ranked.length });

    expect(backend.requests).toHaveLength(2);
    const followUp = backend.requests[1];
    expect(followUp.url).toBe('/api/ds/query?ds_type=prometheus');
    expect([followUp.body.from, followUp.body.to]).toEqual([String(recording.range.from), String(recording.range.to)]);
    // In ranking order, each row's own question, exactly its service and operation.
    expect(followUp.body.queries.map((q) => q.expr)).toEqual(ranked.map((o) => exemplarFollowUps([o])[0].expr));
    expect(followUp.body.queries[0].expr).toBe(
      'count(hotpath_trace_critical_path_seconds_bucket{service="backend",operation="redis.slow_down"})'
    );
    expect(new Set(followUp.body.queries.map((q) => q.refId)).size).toBe(ranked.length);
    // Instant (one value, not a matrix), with exemplars at the ranking's resolution.
    const ranking = backend.requests[0].body.queries.find((q) => q.refId === RANKING_REFS.exemplars)!;
    for (const query of followUp.body.queries) {
      expect(query).toMatchObject({
        datasource: { type: 'prometheus', uid: 'prometheus' },
        instant: true,
        range: false,
        exemplar: true,
        interval: ranking.interval,
        intervalMs: ranking.intervalMs,
        maxDataPoints: ranking.maxDataPoints,
      });
    }
  });

  it('the recorded top row links its 126 ms trace, which the sampling across all series had dropped for a 40 ms one', async () => {
    serveRecorded(recording.answers);
    const states = await allStates(request());
    const before = firstRanking(states).report.operations[0];
    const after = states[states.length - 1].ranking!.report.operations[0];
    expect([after.service, after.operation]).toEqual(['backend', 'redis.slow_down']);
    expect(recordedExemplarIds('backend', 'redis.slow_down')[0]).toBe(TOP_COSTLIEST.traceId);
    // Another row's 149 ms trace was kept first in that step: the sampled "costliest" was the 40 ms one.
    expect(before.exemplars).toEqual([TOP_SAMPLED]);
    // After the follow-up: the costliest over both answers, the 40 ms trace once (it was in both).
    expect(after.exemplars).toEqual([
      { traceId: TOP_COSTLIEST.traceId, criticalPathUs: expect.closeTo(TOP_COSTLIEST.criticalPathUs, 6) },
      before.exemplars[0],
    ]);
  });

  it('links every asked row with its own costliest recorded trace, keeps what the sampling gave, and rolls the services up again', async () => {
    serveRecorded(recording.answers);
    const states = await allStates(request());
    const before = firstRanking(states);
    const after = states[states.length - 1].ranking!;
    expect(after.exemplarLookup).toBeUndefined();
    for (const [i, row] of after.report.operations.entries()) {
      const recorded = recordedExemplarIds(row.service, row.operation ?? '');
      // A row asked alone: Grafana's sampler always keeps the largest, so its first link is its costliest trace.
      expect(row.exemplars[0].traceId).toBe(recorded[0]);
      expect(row.exemplars.length).toBeLessThanOrEqual(3);
      expect(new Set(ids(row)).size).toBe(row.exemplars.length);
      for (const exemplar of row.exemplars) {
        expect(recorded).toContain(exemplar.traceId);
      }
      const values = row.exemplars.map((e) => e.criticalPathUs);
      expect(values).toEqual([...values].sort((a, b) => b - a));
      // The sampled exemplars stay, unless three costlier ones leave no room; everything else is unchanged.
      const { exemplars, ...rest } = before.report.operations[i];
      for (const sampled of exemplars) {
        if (row.exemplars.length < 3 || sampled.criticalPathUs > values[2]) {
          expect(row.exemplars).toContainEqual(sampled);
        }
      }
      expect(row).toEqual({ ...rest, exemplars: row.exemplars });
    }
    const frontend = (r: typeof after) => r.report.services.find((s) => s.service === 'frontend')!;
    expect(frontend(before).exemplars).toEqual([]);
    expect(frontend(after).exemplars.length).toBeGreaterThan(0);
    expect(frontend(after).criticalPathUs).toBe(frontend(before).criticalPathUs);
    const backendService = after.report.services.find((s) => s.service === 'backend')!;
    expect(backendService.exemplars[0].traceId).toBe(TOP_COSTLIEST.traceId);
  });

  it('escapes hostile service and operation names in a row’s question and links the trace that answers it', async () => {
    // The ranking's sampled exemplars miss the hostile row (its series' exemplars are taken out of that answer);
    // its own question is answered from the untouched recording.
    const tampered = JSON.parse(JSON.stringify(recording.answers)) as typeof recording.answers;
    const exemplars = tampered[RANKING_REFS.exemplars].body as { data: ExemplarSeries };
    exemplars.data = exemplars.data.filter((s) => s.seriesLabels.service !== HOSTILE_SERVICE);
    serve((req) => recordedPrometheusReply(isExemplarFollowUp(req) ? recording.answers : tampered, req));
    const state = await finalState(request());
    const hostileQuery = backend.requests[1].body.queries.find((q) => String(q.expr).includes('evil'));
    expect(hostileQuery?.expr).toBe(
      'count(hotpath_trace_critical_path_seconds_bucket{service="evil\\"} or vector(1) #\\\\\\nsvc",' +
        'operation="GET /\\"{{.}}\\"\\\\\\n"})'
    );
    const hostile = state.ranking!.report.operations.find((o) => o.service === HOSTILE_SERVICE)!;
    expect(hostile.operation).toBe(HOSTILE_OPERATION);
    expect(ids(hostile)).toEqual(['feedfacefeedfacefeedfacefeedface']);
  });

  it('merges a row’s own valid exemplars with its sampled ones: one per trace ID, costliest first, at most three', async () => {
    const top = { service: 'backend', operation: 'redis.slow_down' };
    const ownAnswer = operationExemplarAnswer(recording.answers[RANKING_REFS.exemplars], top.service, top.operation);
    const [series] = (ownAnswer.body as { data: ExemplarSeries }).data;
    const at = series.exemplars[0].timestamp;
    const exemplar = (traceId: string, value: number, i: number) => ({
      labels: { trace_id: traceId },
      value: String(value),
      timestamp: at + i / 100,
    });
    /** The top row's merged exemplars when its own answer holds `own` (with a hostile ID and another row's trace). */
    const mergedWith = async (own: Array<[string, number]>) => {
      const tampered: RecordedAnswer = {
        ...ownAnswer,
        body: {
          status: 'success',
          data: [
            {
              seriesLabels: series.seriesLabels,
              exemplars: [
                exemplar('"><img src=x onerror=alert(1)>', 9, 0),
                ...own.map(([id, seconds], i) => exemplar(id, seconds, i + 1)),
              ],
            },
            // Another operation's series, costlier: not this row's trace.
            {
              seriesLabels: { ...series.seriesLabels, operation: 'payment.charge' },
              exemplars: [exemplar('b1', 8, own.length + 1)],
            },
          ],
        },
      };
      // A 10 ms step keeps every exemplar through Grafana's sampler: what is checked here is our reading of them.
      serveWithFollowUpEntry(0, (refId) => ({ status: 200, frames: answerToFrames(tampered, refId, 10) }));
      const states = await allStates(request());
      expect(backend.requests[1].body.queries[0].expr).toContain('operation="redis.slow_down"');
      // What the ranking's sampling had given the row: its 40 ms trace.
      expect(firstRanking(states).report.operations[0].exemplars).toEqual([TOP_SAMPLED]);
      return states[states.length - 1].ranking!.report.operations.find((o) => keyOf(o) === keyOf(top))!.exemplars;
    };
    const sampled = TOP_SAMPLED.criticalPathUs / 1e6;
    // The sampled trace is in the row's own answer too: it appears once.
    expect(
      await mergedWith([
        ['a1', 0.01],
        ['a2', 0.02],
        ['a3', 0.05],
        ['a4', 0.03],
        [TOP_SAMPLED.traceId, sampled],
      ])
    ).toEqual([{ traceId: 'a3', criticalPathUs: 5e4 }, TOP_SAMPLED, { traceId: 'a4', criticalPathUs: 3e4 }]);
    // The row's own answer lacks it (e.g. below two standard deviations of its costliest): it is kept at its rank.
    expect(
      await mergedWith([
        ['a1', 0.01],
        ['a2', 0.02],
        ['a3', 0.05],
      ])
    ).toEqual([{ traceId: 'a3', criticalPathUs: 5e4 }, TOP_SAMPLED, { traceId: 'a2', criticalPathUs: 2e4 }]);
  });

  it('a failed follow-up leaves the rows as the ranking had them (sampled exemplars kept) and says so, never an error over the table', async () => {
    serve((req) => (isExemplarFollowUp(req) ? { kind: 'network' } : recordedPrometheusReply(recording.answers, req)));
    const states = await allStates(request());
    const last = states[states.length - 1];
    expect(last.phase).toBe('done');
    expect(last.error).toBeUndefined();
    const before = firstRanking(states);
    expect(last.ranking!.report).toEqual(before.report);
    expect(ids(last.ranking!.report.operations[0])).toEqual([TOP_SAMPLED.traceId]);
    expect(last.ranking!.exemplarLookup).toEqual({
      phase: 'failed',
      operations: before.exemplarLookup!.operations,
      message: expect.stringContaining('could not reach Grafana'),
    });

    // One row's question failing: that row keeps what the sampling gave it, the others get their costliest.
    const failed = serveWithFollowUpEntry(0, () => ({
      status: 400,
      error: 'query timed out in expression evaluation',
      errorSource: 'downstream',
    }));
    const partial = await finalState(request());
    const failedExpr = backend.requests[1].body.queries.find((q) => q.refId === failed.refId)!.expr;
    expect(failedExpr).toContain('operation="redis.slow_down"');
    const [top, ...others] = partial.ranking!.report.operations;
    expect(ids(top)).toEqual([TOP_SAMPLED.traceId]);
    for (const row of others) {
      expect(row.exemplars[0].traceId).toBe(recordedExemplarIds(row.service, row.operation ?? '')[0]);
    }
    expect(partial.ranking!.exemplarLookup).toEqual({
      phase: 'failed',
      operations: 1,
      message: 'query timed out in expression evaluation',
    });
  });

  it('unsubscribing while the follow-up is under way cancels it', async () => {
    backend = new RecordedBackend((req) => recordedPrometheusReply(recording.answers, req), 'manual').install();
    const seen: MetricsRankingState[] = [];
    const subscription = prometheusRanking$(request()).subscribe((state) => seen.push(state));
    expect(backend.release(1)).toBe(1);
    expect(backend.heldCount).toBe(1);
    expect(seen[seen.length - 1].ranking?.exemplarLookup?.phase).toBe('loading');
    subscription.unsubscribe();
    expect(backend.cancelled).toBe(1);
    expect(backend.inFlight).toBe(0);
  });

  it('asks nothing more when the ranking’s exemplar question answered without a single exemplar', async () => {
    const none = JSON.parse(JSON.stringify(recording.answers)) as typeof recording.answers;
    (none[RANKING_REFS.exemplars].body as { data: ExemplarSeries }).data = [];
    serveRecorded(none);
    const state = await finalState(request());
    expect(state.phase).toBe('done');
    expect(backend.requests).toHaveLength(1);
    expect(state.ranking!.exemplarLookup).toBeUndefined();
  });
});

describe('exemplarFollowUps', () => {
  it('asks for each of the first MAX_EXEMPLAR_FOLLOW_UPS rows, linked or not, in ranking order, and no more', () => {
    const rows = Array.from({ length: 3 * MAX_EXEMPLAR_FOLLOW_UPS }, (_, i) => ({
      service: 'svc',
      operation: `op-${i}`,
      exemplars: i % 3 === 0 ? [{ traceId: 'abc', criticalPathUs: 1 }] : [],
    }));
    const followUps = exemplarFollowUps(rows);
    expect(followUps.map((f) => f.operation)).toEqual(rows.slice(0, MAX_EXEMPLAR_FOLLOW_UPS).map((r) => r.operation));
    expect(new Set(followUps.map((f) => f.refId)).size).toBe(MAX_EXEMPLAR_FOLLOW_UPS);
    expect(followUps.every((f) => f.refId.startsWith(EXEMPLAR_FOLLOW_UP_REF))).toBe(true);
    expect(exemplarFollowUps(rows.slice(0, 3)).map((f) => f.operation)).toEqual(['op-0', 'op-1', 'op-2']);
  });

  it('keeps every label value one PromQL string: quotes, backslashes, newlines and braces escaped', () => {
    const [followUp] = exemplarFollowUps([{ service: 'a"}\\\n{b', operation: '"} or up{x="' }]);
    expect(followUp.expr).toBe(
      'count(hotpath_trace_critical_path_seconds_bucket{service="a\\"}\\\\\\n{b",operation="\\"} or up{x=\\""})'
    );
    expect(exemplarFollowUps([{ service: 's' }])[0].expr).toContain('operation=""');
  });
});
