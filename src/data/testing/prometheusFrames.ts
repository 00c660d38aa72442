/**
 * Test-only: what Grafana's Prometheus data source makes of Prometheus HTTP API answers, so that answers recorded
 * from a real Prometheus (test/fixtures/prometheus/, written by e2e/servers/prometheus-ranking.test.ts) can be served
 * through the `/api/ds/query` doubles. Grafana does this conversion inside its server (grafana/grafana pkg/promlib);
 * this re-implements its documented output, as read from its golden files:
 * - instant vector (`converter/testdata/prom-vector-frame.jsonc`): one frame per series, no name, meta
 *   `{type: 'numeric-multi', typeVersion: [0, 1], custom: {resultType: 'vector'}}`, fields `Time` (time, ms) and
 *   `Value` (float64, the series labels on it); NaN and ±Inf sent as null plus `entities` (`NaN`, `Inf`, `NegInf`).
 * - range matrix (`converter/testdata/prom-matrix-frame.jsonc`): the same per series, meta type `timeseries-multi`
 *   and `custom.resultType: 'matrix'`.
 * - exemplars (`querydata/exemplar/framer.go`, `labels.go`, `sampler_stddev.go`; `testdata/exemplar.result.golden
 *   .jsonc`): after the matrix frames, one frame named `exemplar`, meta `{typeVersion: [0, 0], custom: {resultType:
 *   'exemplar'}}`, fields `Time`, `Value`, then one string field per label name of any exemplar or its series,
 *   sorted; rows as Grafana's standard-deviation sampler keeps them — per step-aligned bucket of time, across all
 *   series, the largest value, then each value more than two standard deviations (of all values) below the
 *   previous one kept — ordered by time.
 */
import type { WireFrame } from '../../testing/grafanaFrames';
import { readFixture } from '../../testing/fixtures';
import { operationExemplarExpression, RANKING_REFS } from '../promql';

/** The recording's path under test/fixtures/. */
export const PROMETHEUS_RECORDING = 'prometheus/hotpath-stream-demo-slow-redis.json';

/** The hostile names of the recording's extra trace: a quote, a brace, a backslash and a newline. */
export const HOSTILE_SERVICE = 'evil"} or vector(1) #\\\nsvc';
export const HOSTILE_OPERATION = 'GET /"{{.}}"\\\n';

/** One Prometheus HTTP API answer: what was asked (path and parameters) and the JSON body it returned. */
export interface RecordedAnswer {
  path: string;
  params: Record<string, string>;
  body: unknown;
  /** Exemplar questions: the range query Grafana runs alongside (its matrix frames come first). */
  range?: { params: Record<string, string>; body: unknown };
}

/**
 * What Prometheus answers to one row's follow-up exemplar question (src/data/promql.ts `exemplarFollowUps`): the
 * series of the recorded unfiltered exemplar answer that carry exactly that service and operation. A selector's
 * exemplars are those of the series it matches (prometheus docs/querying/api.md "Querying exemplars"), and these
 * bucket series differ only in `le` within a row; e2e/servers/prometheus-ranking.test.ts checks this against a real
 * Prometheus. Only the exemplar side: the instant `count(…)` Grafana runs alongside is not read by the ranking.
 */
export function operationExemplarAnswer(
  unfiltered: RecordedAnswer,
  service: string,
  operation: string
): RecordedAnswer {
  const { data } = unfiltered.body as { data: ExemplarSeries[] };
  const params = { ...unfiltered.params, query: operationExemplarExpression(service, operation) };
  const mine = data.filter((s) => s.seriesLabels.service === service && (s.seriesLabels.operation ?? '') === operation);
  return { path: '/api/v1/query_exemplars', params, body: { status: 'success', data: mine } };
}

/**
 * Grafana's frames for a query of the recorded ranking, as `/api/ds/query` would return them: a ranking question
 * by its refId when it asks exactly the recorded expression, a row's follow-up exemplar question when its
 * expression is the one for a recorded (service, operation); undefined for anything else (a question that was not
 * recorded must not be answered as if it had been).
 */
export function recordedFrames(
  answers: Record<string, RecordedAnswer>,
  query: { refId: string; expr?: unknown },
  stepMs = 1000
): WireFrame[] | undefined {
  const answer = answers[query.refId];
  if (answer && answer.params.query === query.expr) {
    return answerToFrames(answer, query.refId, stepMs);
  }
  const { data } = answers[RANKING_REFS.criticalPath].body as { data: { result: Series[] } };
  for (const { metric } of data.result) {
    const operation = metric.operation ?? '';
    if (operationExemplarExpression(metric.service, operation) === query.expr) {
      const exemplars = answers[RANKING_REFS.exemplars];
      return answerToFrames(operationExemplarAnswer(exemplars, metric.service, operation), query.refId, stepMs);
    }
  }
  return undefined;
}

/** One row of Grafana's `exemplar` frames (wire format): the labels the ranking reads, and the value in seconds. */
export interface ExemplarRow {
  service: string;
  operation: string;
  traceId: string;
  value: number;
}

/** The rows of every `exemplar` frame among `frames`, as Grafana sent them (after its sampling). */
export function exemplarRows(frames: readonly WireFrame[]): ExemplarRow[] {
  return frames
    .filter((frame) => frame.schema.name === 'exemplar')
    .flatMap((frame) => {
      const column = (name: string) => frame.data.values[frame.schema.fields.findIndex((f) => f.name === name)] ?? [];
      const [values, services, operations, ids] = ['Value', 'service', 'operation', 'trace_id'].map(column);
      return values.map((value, i) => ({
        service: String(services[i]),
        operation: String(operations[i] ?? ''),
        traceId: String(ids[i]),
        value: Number(value),
      }));
    });
}

export interface PrometheusRecording {
  /** Prometheus's version (status/buildinfo). */
  prometheus: string;
  /** The page's time range (ms since the epoch) and its PromQL window. */
  range: { from: number; to: number };
  window: string;
  /** By refId (src/data/promql.ts RANKING_REFS), without a service filter. */
  answers: Record<string, RecordedAnswer>;
  /** The same questions filtered on the hostile service. */
  filtered: { service: string; answers: Record<string, RecordedAnswer> };
}

export function readPrometheusRecording(): PrometheusRecording {
  return readFixture<PrometheusRecording>(PROMETHEUS_RECORDING);
}

type Sample = [number, string];
interface Series {
  metric: Record<string, string>;
  value?: Sample;
  values?: Sample[];
}
interface ExemplarSeries {
  seriesLabels: Record<string, string>;
  exemplars: Array<{ labels: Record<string, string>; value: string; timestamp: number }>;
}

/** A number as Grafana's JSON carries it: finite as is, the rest null plus an entity. */
function encodeValues(texts: string[]): { values: Array<number | null>; entity?: Record<string, number[]> } {
  const entity: Record<string, number[]> = {};
  const values = texts.map((text, row) => {
    const value = Number(text);
    if (Number.isFinite(value)) {
      return value;
    }
    const name = Number.isNaN(value) ? 'NaN' : value > 0 ? 'Inf' : 'NegInf';
    (entity[name] ??= []).push(row);
    return null;
  });
  return Object.keys(entity).length > 0 ? { values, entity } : { values };
}

function seriesFrames(series: Series[], refId: string, resultType: 'vector' | 'matrix'): WireFrame[] {
  return series.map((s) => {
    const samples = s.values ?? (s.value ? [s.value] : []);
    const { values, entity } = encodeValues(samples.map(([, v]) => v));
    return {
      schema: {
        refId,
        meta: {
          type: resultType === 'vector' ? 'numeric-multi' : 'timeseries-multi',
          typeVersion: [0, 1],
          custom: { resultType },
        },
        fields: [
          { name: 'Time', type: 'time', typeInfo: { frame: 'time.Time' } },
          { name: 'Value', type: 'number', typeInfo: { frame: 'float64' }, labels: s.metric },
        ],
      },
      data: {
        values: [samples.map(([t]) => Math.round(t * 1000)), values],
        ...(entity ? { entities: [null, entity] } : {}),
      },
    } as WireFrame;
  });
}

/** Grafana's exemplar sampling (see the header), over every series' exemplars at once. */
function sampleExemplars<T extends { ms: number; value: number }>(exemplars: T[], stepMs: number): T[] {
  const values = exemplars.map((e) => e.value);
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  const deviation =
    values.length < 2 ? 0 : Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
  const buckets = new Map<number, T[]>();
  for (const exemplar of exemplars) {
    const at = Math.floor(exemplar.ms / stepMs) * stepMs;
    buckets.set(at, [...(buckets.get(at) ?? []), exemplar]);
  }
  const kept: T[] = [];
  for (const bucket of buckets.values()) {
    const sorted = [...bucket].sort((a, b) => b.value - a.value);
    let previous: T | undefined;
    for (const exemplar of sorted) {
      if (!previous || (deviation !== 0 && previous.value - exemplar.value > 2 * deviation)) {
        kept.push(exemplar);
        previous = exemplar;
      }
    }
  }
  return kept.sort((a, b) => a.ms - b.ms);
}

function exemplarFrame(series: ExemplarSeries[], refId: string, stepMs: number): WireFrame | undefined {
  const flat = series.flatMap((s) =>
    s.exemplars.map((e) => ({
      ms: Math.round(e.timestamp * 1000),
      value: Number(e.value),
      labels: { ...s.seriesLabels, ...e.labels },
    }))
  );
  const rows = sampleExemplars(flat, stepMs);
  if (rows.length === 0) {
    return undefined;
  }
  const names = [...new Set(flat.flatMap((r) => Object.keys(r.labels)))].sort();
  return {
    schema: {
      name: 'exemplar',
      refId,
      meta: { typeVersion: [0, 0], custom: { resultType: 'exemplar' } },
      fields: [
        { name: 'Time', type: 'time', typeInfo: { frame: 'time.Time' } },
        { name: 'Value', type: 'number', typeInfo: { frame: 'float64' } },
        ...names.map((name) => ({ name, type: 'string', typeInfo: { frame: 'string' } })),
      ],
    },
    data: {
      values: [
        rows.map((r) => r.ms),
        rows.map((r) => r.value),
        ...names.map((n) => rows.map((r) => r.labels[n] ?? '')),
      ],
    },
  };
}

/** The frames Grafana returns for one recorded question (refId as the query's). */
export function answerToFrames(answer: RecordedAnswer, refId: string, stepMs = 1000): WireFrame[] {
  if (answer.path === '/api/v1/query') {
    const { data } = answer.body as { data: { resultType: string; result: Series[] } };
    return seriesFrames(data.result, refId, 'vector');
  }
  const matrix = answer.range ? (answer.range.body as { data: { result: Series[] } }).data.result : [];
  const exemplars = exemplarFrame((answer.body as { data: ExemplarSeries[] }).data, refId, stepMs);
  return [...seriesFrames(matrix, refId, 'matrix'), ...(exemplars ? [exemplars] : [])];
}

/** `/api/ds/query`'s `results` for a set of recorded answers, by refId (pkg/api/metrics.go envelope). */
export function recordedResults(
  answers: Record<string, RecordedAnswer>,
  stepMs = 1000
): Record<string, { status: number; frames: WireFrame[] }> {
  return Object.fromEntries(
    Object.entries(answers).map(([refId, answer]) => [
      refId,
      { status: 200, frames: answerToFrames(answer, refId, stepMs) },
    ])
  );
}

export { RANKING_REFS };
