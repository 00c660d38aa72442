import type { DataFrame, Field } from '@grafana/data';
import { catchError, map, Observable, of, startWith, switchMap } from 'rxjs';

import { emptyDiagnostics, type Exemplar, type HotspotReport, type HotspotRow } from '../engine';
import { DsQueryTarget, postDsQuery, QueryResult } from './dsQuery';
import { classifyError } from './errors';
import { type ExemplarFollowUp, exemplarFollowUps, promWindow, RANKING_REFS, rankingExpressions } from './promql';
import { costliestExemplars, EXEMPLARS_PER_ROW } from './rowExemplars';
import type { ExemplarLookup, MetricsRanking, MetricsRankingState, TimeRangeMs, UnavailableStatistics } from './types';

/**
 * The Hotspots page's "every trace" source: the ranking from `hotpath stream`'s metrics in Prometheus, asked
 * through Grafana's `/api/ds/query` (one POST, the questions of src/data/promql.ts), read into the same
 * `HotspotReport` the table renders for a Jaeger sample.
 *
 * What Grafana's Prometheus data source answers (grafana/grafana pkg/promlib, as stored):
 * - an instant query (`instant: true`): one frame per series, fields `Time` and `Value`, the series labels on the
 *   `Value` field, `meta.custom.resultType: "vector"` (converter/testdata/prom-vector-frame.jsonc); NaN and ±Inf
 *   travel as null plus `data.entities` and come back as numbers from `toDataQueryResponse`. No series: no frame.
 * - `exemplar: true` on a range query: besides the matrix frames, one frame named `exemplar` in long format —
 *   `Time`, `Value`, then one string field per label of any exemplar's series or exemplar labels (here `service`,
 *   `operation`, `le`, `trace_id`, …) (querydata/exemplar/framer.go; testdata/exemplar.result.golden.jsonc).
 *   Grafana samples them first (querydata/exemplar/sampler_stddev.go): per step, across all series, the largest
 *   value and those more than two standard deviations below the one kept before. So from that one query many
 *   operations get no exemplar, and some get a cheaper one while their costliest was dropped for another
 *   operation's costlier one. The first rows are therefore asked again, each alone (promql.ts `exemplarFollowUps`):
 *   a second POST; meanwhile the rows show the sampled exemplars, then each asked row takes the costliest of its
 *   own answer and of those. If it fails, the rows keep the sampled exemplars (or "–") and the ranking stands.
 */
const REQUEST_TIMEOUT_MS = 60_000;
/**
 * The exemplar query's resolution. Grafana's sampler keeps about one exemplar per step across all series, so the
 * step is made as fine as Prometheus allows: at most 11,000 points per series (its range-query limit, Grafana's
 * "safe resolution"), and a 1 s minimum step (`interval`) instead of the data source's scrape interval, which
 * would otherwise be the floor (pkg/promlib/models/query.go `calculatePrometheusInterval`).
 */
const EXEMPLAR_POINTS = 11_000;
const EXEMPLAR_MIN_STEP = '1s';
/** Rows kept at most (largest critical-path time first): Prometheus may hold more pairs than one guard allows. */
export const MAX_RANKED_OPERATIONS = 5000;
/** Jaeger trace IDs: hex, up to 128 bits. An exemplar label that is not one gets no link. */
const TRACE_ID = /^[0-9a-f]{1,32}$/i;

export const NO_METRICS_MESSAGE =
  'No hotpath stream metrics in this range: is hotpath stream running and scraped by this Prometheus?';

/** What the metrics cannot say, and why (shown as the "—" cells' tooltips). */
const NOT_EXPORTED = 'hotpath stream does not export';
export const UNAVAILABLE_OPERATIONS: UnavailableStatistics = {
  spanDuration: `${NOT_EXPORTED} span durations: switch to the sample (Jaeger search) for them.`,
  selfTime: `${NOT_EXPORTED} self time: switch to the sample (Jaeger search) for it.`,
  calls: `${NOT_EXPORTED} span counts: switch to the sample (Jaeger search) for them.`,
  errors: `${NOT_EXPORTED} span errors: switch to the sample (Jaeger search) for them.`,
};
export const UNAVAILABLE_SERVICES: UnavailableStatistics = {
  ...UNAVAILABLE_OPERATIONS,
  criticalPathPerTrace:
    'The histogram counts one operation per trace; a service’s time per trace (its operations together) is not exported.',
  traces: 'Traces are counted per operation; a trace with two operations of a service would count twice.',
};

export interface PrometheusRankingRequest {
  prometheusUid: string;
  range: TimeRangeMs;
  /** Only this service's operations (exact match); shares stay shares of all traces. */
  service?: string;
}

export function rankingQueries(request: PrometheusRankingRequest): DsQueryTarget[] {
  const datasource = dataSourceOf(request);
  const window = promWindow(request.range);
  return rankingExpressions(window, request.service).map(({ refId, expr, kind }) =>
    kind === 'instant'
      ? { refId, datasource, expr, instant: true, range: false, exemplar: false }
      : { refId, datasource, expr, instant: false, range: true, exemplar: true, ...exemplarResolution(request.range) }
  );
}

/**
 * The follow-up's queries: instant ones with `exemplar: true`, at the ranking's exemplar resolution. Grafana runs
 * the exemplar query of any query with `exemplar` set, instant or range (pkg/promlib/querydata/request.go `fetch`),
 * over the query's range aligned to its step (client/client.go `QueryExemplars`, models/query.go `TimeRange`), and
 * samples with that step whatever the type (response.go `addMetadataToMultiFrame` sets it on every frame): the same
 * exemplars as a range query's, with one value per row instead of a matrix of up to 11,000 points to throw away.
 */
function followUpQueries(request: PrometheusRankingRequest, followUps: ExemplarFollowUp[]): DsQueryTarget[] {
  const datasource = dataSourceOf(request);
  return followUps.map(({ refId, expr }) => ({
    refId,
    datasource,
    expr,
    instant: true,
    range: false,
    exemplar: true,
    ...exemplarResolution(request.range),
  }));
}

const dataSourceOf = (request: PrometheusRankingRequest) => ({ type: 'prometheus', uid: request.prometheusUid });

function exemplarResolution(range: TimeRangeMs) {
  const intervalMs = Math.max(1000, Math.ceil((range.to - range.from) / EXEMPLAR_POINTS));
  return { interval: EXEMPLAR_MIN_STEP, intervalMs, maxDataPoints: EXEMPLAR_POINTS };
}

/**
 * Loading, then the ranking (with the sampled exemplars and its lookup under way), its empty answer or the error;
 * then the ranking again with the first rows' own costliest exemplars (or with a failed lookup). Unsubscribing
 * cancels whichever request is under way.
 */
export function prometheusRanking$(request: PrometheusRankingRequest): Observable<MetricsRankingState> {
  const { range } = request;
  return postDsQuery(range, rankingQueries(request), { timeoutMs: REQUEST_TIMEOUT_MS }).pipe(
    map((results) => {
      const state = rankingState(results, range, promWindow(range));
      return { state, followUps: state.ranking ? followUpsFor(state.ranking, results) : [] };
    }),
    catchError((err: unknown) => {
      const { error } = classifyError(err, {
        target: 'Prometheus data source',
        uid: request.prometheusUid,
        timeoutMs: REQUEST_TIMEOUT_MS,
      });
      const state: MetricsRankingState = { phase: 'error', error, range };
      return of({ state, followUps: [] });
    }),
    switchMap(({ state, followUps }) =>
      state.ranking && followUps.length > 0 ? exemplarFollowUp$(request, state, state.ranking, followUps) : of(state)
    ),
    startWith<MetricsRankingState>({ phase: 'loading', range })
  );
}

/**
 * The rows to ask again: the first MAX_EXEMPLAR_FOLLOW_UPS (promql.ts). None when the ranking's exemplar question answered without a single exemplar: Grafana's
 * sampler keeps at least one per step that has any (sampler_stddev.go `Sample`), and every row's series are among
 * the ones that question selected over the same aligned range, so Prometheus has none for any row (e.g. exemplar
 * storage off) and 50 more questions would only say so again.
 */
function followUpsFor(ranking: MetricsRanking, results: Map<string, QueryResult>): ExemplarFollowUp[] {
  const answer = results.get(RANKING_REFS.exemplars);
  if (answer?.answered && !answer.error && exemplarFrames(answer.frames).every((frame) => frame.length === 0)) {
    return [];
  }
  return exemplarFollowUps(ranking.report.operations);
}

/**
 * The ranking with its lookup under way (its rows show the sampled exemplars meanwhile), then with the rows' own
 * costliest; a failed lookup never fails the ranking.
 */
function exemplarFollowUp$(
  request: PrometheusRankingRequest,
  state: MetricsRankingState,
  ranking: MetricsRanking,
  followUps: ExemplarFollowUp[]
): Observable<MetricsRankingState> {
  const withRanking = (next: MetricsRanking): MetricsRankingState => ({ ...state, ranking: next });
  const withLookup = (exemplarLookup: ExemplarLookup) => withRanking({ ...ranking, exemplarLookup });
  return postDsQuery(state.range, followUpQueries(request, followUps), { timeoutMs: REQUEST_TIMEOUT_MS }).pipe(
    map((results) => withRanking(withFollowUpExemplars(ranking, followUps, results))),
    catchError((err: unknown) => {
      const { error } = classifyError(err, {
        target: 'Prometheus data source',
        uid: request.prometheusUid,
        timeoutMs: REQUEST_TIMEOUT_MS,
      });
      return of(withLookup({ phase: 'failed', operations: followUps.length, message: error.message }));
    }),
    startWith(withLookup({ phase: 'loading', operations: followUps.length }))
  );
}

/**
 * The ranking with the follow-up's exemplars merged into the rows it asked about: each row takes only exemplars of
 * its own (service, operation) with valid trace IDs from its answer, together with those the ranking's sampling had
 * given it (rowExemplars.ts `costliestExemplars`); the per-service rows are rolled up again.
 * A question that failed leaves its row as it was (the sampled exemplars) and is counted in `exemplarLookup`.
 */
function withFollowUpExemplars(
  ranking: MetricsRanking,
  followUps: ExemplarFollowUp[],
  results: Map<string, QueryResult>
): MetricsRanking {
  const found = new Map<string, Exemplar[]>();
  const failures: string[] = [];
  for (const { refId, service, operation } of followUps) {
    const result = results.get(refId);
    if (!result?.answered || result.error) {
      failures.push(result?.error?.message ?? 'no answer');
      continue;
    }
    const key = keyOf(service, operation);
    const exemplars = exemplarsByOperation(result.frames).get(key);
    if (exemplars) {
      found.set(key, exemplars);
    }
  }
  const { report, exemplarLookup: _lookup, ...rest } = ranking;
  const operations = report.operations.map((row) => {
    const own = found.get(keyOf(row.service, row.operation ?? ''));
    return own ? { ...row, exemplars: costliestExemplars([...own, ...row.exemplars]) } : row;
  });
  const lookup: ExemplarLookup = { phase: 'failed', operations: failures.length, message: failures[0] };
  return {
    ...rest,
    report: { ...report, operations, services: rollUp(operations, report.traces) },
    ...(failures.length > 0 ? { exemplarLookup: lookup } : {}),
  };
}

/** The state for one `/api/ds/query` answer: a failed question fails the ranking (no number from half a query). */
export function rankingState(
  results: Map<string, QueryResult>,
  range: TimeRangeMs,
  window: string
): MetricsRankingState {
  for (const result of results.values()) {
    if (result.error && result.refId !== RANKING_REFS.exemplars) {
      return {
        phase: 'error',
        range,
        error: {
          title: 'Prometheus query failed',
          message: `Prometheus could not answer the ranking: ${result.error.message}`,
          ...(result.error.status ? { status: result.error.status } : {}),
        },
      };
    }
  }
  const frames = (ref: string) => results.get(ref)?.frames ?? [];
  const ranking = buildRanking(
    {
      criticalPath: frames(RANKING_REFS.criticalPath),
      criticalPathAll: frames(RANKING_REFS.criticalPathAll),
      p50: frames(RANKING_REFS.p50),
      p95: frames(RANKING_REFS.p95),
      p99: frames(RANKING_REFS.p99),
      traces: frames(RANKING_REFS.traces),
      tracesAll: frames(RANKING_REFS.tracesAll),
      // Exemplars are a bonus: without them the rows stand, with no "Open trace".
      exemplars: results.get(RANKING_REFS.exemplars)?.error ? [] : frames(RANKING_REFS.exemplars),
    },
    window
  );
  if (!ranking) {
    return { phase: 'empty', range, error: { title: 'No metrics', message: NO_METRICS_MESSAGE } };
  }
  return { phase: 'done', range, ranking };
}

export interface RankingFrames {
  criticalPath: DataFrame[];
  criticalPathAll: DataFrame[];
  p50: DataFrame[];
  p95: DataFrame[];
  p99: DataFrame[];
  traces: DataFrame[];
  tracesAll: DataFrame[];
  exemplars: DataFrame[];
}

/** The report from the frames; undefined when no operation spent any critical-path time in the range. */
export function buildRanking(frames: RankingFrames, window: string): MetricsRanking | undefined {
  const seconds = byOperation(frames.criticalPath);
  // Operations that occurred but were never on the critical path stay (0 %), as in a sample's table; a range in
  // which no operation spent any critical-path time has nothing to rank.
  const rows = [...seconds.entries()]
    .filter(([, value]) => Number.isFinite(value) && value >= 0)
    .sort((a, b) => b[1] - a[1]);
  if (!rows.some(([, value]) => value > 0)) {
    return undefined;
  }
  const kept = rows.slice(0, MAX_RANKED_OPERATIONS);
  const p50 = byOperation(frames.p50);
  const p95 = byOperation(frames.p95);
  const p99 = byOperation(frames.p99);
  const traceCounts = byOperation(frames.traces);
  const exemplars = exemplarsByOperation(frames.exemplars);
  const totalSeconds = single(frames.criticalPathAll) ?? rows.reduce((sum, [, value]) => sum + value, 0);
  const traces = Math.round(single(frames.tracesAll) ?? 0);

  const operations: HotspotRow[] = kept.map(([key, cpSeconds]) => {
    const [service, operation] = splitKey(key);
    const criticalPathUs = cpSeconds * 1e6;
    const traceCount = traceCounts.get(key);
    return {
      ...unmeasured(),
      service,
      operation,
      criticalPathUs,
      criticalPathShare: totalSeconds > 0 ? cpSeconds / totalSeconds : Number.NaN,
      meanCriticalPathUsPerTrace: traces > 0 ? criticalPathUs / traces : Number.NaN,
      criticalPathPerTraceUs: {
        p50: micros(p50.get(key)),
        p95: micros(p95.get(key)),
        p99: micros(p99.get(key)),
      },
      // increase() extrapolates to the window's edges: a count, rounded.
      traces: traceCount === undefined || !Number.isFinite(traceCount) ? Number.NaN : Math.round(traceCount),
      exemplars: (exemplars.get(key) ?? []).slice(0, EXEMPLARS_PER_ROW),
    };
  });
  const report: HotspotReport = {
    traces,
    spans: Number.NaN,
    totalLatencyUs: totalSeconds * 1e6,
    latencyUs: { p50: Number.NaN, p95: Number.NaN, p99: Number.NaN },
    operations,
    services: rollUp(operations, traces),
    diagnostics: emptyDiagnostics(),
    coverage: Number.NaN,
    lowCoverageTraces: 0,
  };
  return {
    report,
    unavailable: { operations: UNAVAILABLE_OPERATIONS, services: UNAVAILABLE_SERVICES },
    window,
    ...(rows.length > kept.length ? { truncated: rows.length - kept.length } : {}),
  };
}

/** Statistics the metrics do not carry: NaN (the table shows "—"), never 0. */
function unmeasured(): Pick<HotspotRow, 'spanDurationUs' | 'selfTimeUs' | 'calls' | 'errors' | 'errorRate'> {
  return {
    spanDurationUs: { p50: Number.NaN, p95: Number.NaN, p99: Number.NaN },
    selfTimeUs: Number.NaN,
    calls: Number.NaN,
    errors: Number.NaN,
    errorRate: Number.NaN,
  };
}

/**
 * Per service: critical-path time and share summed over its operations (exact: the counter is additive). The
 * exemplars are its operations' costliest traces, without a per-service time (`criticalPathUs` NaN: the exemplar's
 * value is one operation's time in that trace, not the service's).
 */
function rollUp(operations: HotspotRow[], traces: number): HotspotRow[] {
  const services = new Map<string, HotspotRow>();
  const best = new Map<string, Exemplar[]>();
  for (const row of operations) {
    const existing = services.get(row.service);
    best.set(row.service, [...(best.get(row.service) ?? []), ...row.exemplars]);
    if (existing) {
      existing.criticalPathUs += row.criticalPathUs;
      existing.criticalPathShare += row.criticalPathShare;
      continue;
    }
    services.set(row.service, {
      ...unmeasured(),
      service: row.service,
      criticalPathUs: row.criticalPathUs,
      criticalPathShare: row.criticalPathShare,
      meanCriticalPathUsPerTrace: Number.NaN,
      criticalPathPerTraceUs: { p50: Number.NaN, p95: Number.NaN, p99: Number.NaN },
      traces: Number.NaN,
      exemplars: [],
    });
  }
  const rows = [...services.values()];
  for (const row of rows) {
    row.meanCriticalPathUsPerTrace = traces > 0 ? row.criticalPathUs / traces : Number.NaN;
    row.exemplars = costliestExemplars(best.get(row.service) ?? []).map((e) => ({
      traceId: e.traceId,
      criticalPathUs: Number.NaN,
    }));
  }
  return rows.sort((a, b) => b.criticalPathUs - a.criticalPathUs);
}

const SEPARATOR = '\u0000';
const keyOf = (service: string, operation: string) => `${service}${SEPARATOR}${operation}`;
function splitKey(key: string): [string, string] {
  const at = key.indexOf(SEPARATOR);
  return [key.slice(0, at), key.slice(at + 1)];
}

const micros = (value: number | undefined) =>
  value === undefined || !Number.isFinite(value) ? Number.NaN : value * 1e6;

/** The last value of a frame's number field (an instant vector has one). */
function lastValue(field: Field | undefined): number | undefined {
  if (!field || field.values.length === 0) {
    return undefined;
  }
  const raw: unknown = field.values[field.values.length - 1];
  return typeof raw === 'number' ? raw : raw === null ? Number.NaN : Number(raw);
}

/**
 * Instant-vector frames by (service, operation) label. A series without a string `service` label is not ours and
 * is skipped; `operation` may be missing (then ""). Several frames for one pair (e.g. replicas not summed) add up.
 */
function byOperation(frames: readonly DataFrame[]): Map<string, number> {
  const values = new Map<string, number>();
  for (const frame of frames) {
    const field = frame.fields.find((f) => f.type === 'number');
    const labels = field?.labels ?? {};
    const service = labels.service;
    if (typeof service !== 'string') {
      continue;
    }
    const value = lastValue(field);
    if (value === undefined) {
      continue;
    }
    const key = keyOf(service, typeof labels.operation === 'string' ? labels.operation : '');
    values.set(key, (values.get(key) ?? 0) + value);
  }
  return values;
}

/** The value of a label-less aggregate (`sum(...)`), if Prometheus had any series for it. */
function single(frames: readonly DataFrame[]): number | undefined {
  let total: number | undefined;
  for (const frame of frames) {
    const value = lastValue(frame.fields.find((f) => f.type === 'number'));
    if (value !== undefined && Number.isFinite(value)) {
      total = (total ?? 0) + value;
    }
  }
  return total;
}

/** The frames of an answer that carry exemplars (Grafana's `exemplar` frame), not the query's own series. */
function exemplarFrames(frames: readonly DataFrame[]): DataFrame[] {
  return frames.filter((frame) => frame.name === 'exemplar' || frame.meta?.custom?.resultType === 'exemplar');
}

/** The exemplar frames' rows by (service, operation), costliest first, one per trace ID, valid trace IDs only. */
function exemplarsByOperation(frames: readonly DataFrame[]): Map<string, Exemplar[]> {
  const byKey = new Map<string, Map<string, number>>();
  for (const frame of exemplarFrames(frames)) {
    const column = (name: string) => frame.fields.find((f) => f.name === name);
    const [value, service, operation, ids] = ['Value', 'service', 'operation', 'trace_id'].map(column);
    if (!value || !service || !ids) {
      continue;
    }
    for (let i = 0; i < frame.length; i++) {
      const id: unknown = ids.values[i];
      const seconds = Number(value.values[i]);
      const svc: unknown = service.values[i];
      const op: unknown = operation?.values[i] ?? '';
      if (typeof id !== 'string' || !TRACE_ID.test(id) || typeof svc !== 'string' || typeof op !== 'string') {
        continue;
      }
      if (!Number.isFinite(seconds)) {
        continue;
      }
      const key = keyOf(svc, op);
      const traces = byKey.get(key) ?? new Map<string, number>();
      byKey.set(key, traces);
      traces.set(id, Math.max(traces.get(id) ?? 0, seconds));
    }
  }
  const result = new Map<string, Exemplar[]>();
  for (const [key, traces] of byKey) {
    result.set(
      key,
      [...traces.entries()]
        .map(([traceId, seconds]) => ({ traceId, criticalPathUs: seconds * 1e6 }))
        .sort((a, b) => b.criticalPathUs - a.criticalPathUs)
    );
  }
  return result;
}
