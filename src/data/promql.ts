/**
 * The PromQL the Hotspots page's "every trace" source asks Prometheus, over the metrics `hotpath stream` exports
 * (src/cli/stream/metrics.ts). Pure (no Grafana import), so the e2e/servers tests run these exact expressions
 * against a real Prometheus.
 */
import { logqlString } from './logql';

/** The metric names, as src/cli/stream/metrics.ts registers them. */
export const STREAM_METRICS = {
  criticalPath: 'hotpath_critical_path_seconds_total',
  perTrace: 'hotpath_trace_critical_path_seconds',
  traces: 'hotpath_traces_total',
} as const;

/**
 * A PromQL double-quoted string literal that decodes to exactly `value`. PromQL reads "…" as LogQL does — both are
 * Go's text/scanner plus `strconv.Unquote` rules (prometheus/prometheus `promql/parser/lex.go` `lexString` and
 * `lexEscape`: a raw newline ends the string with an error; `\\ \" \n \r \t`, `\xHH`, `\uHHHH` are escapes) — so
 * the one escaper of src/data/logql.ts serves both. A hostile label value stays the text of one string.
 */
export const promqlString = logqlString;

/** The refIds of one ranking request, one per question. */
export const RANKING_REFS = {
  criticalPath: 'hotpath-cp',
  criticalPathAll: 'hotpath-cp-all',
  p50: 'hotpath-cp-p50',
  p95: 'hotpath-cp-p95',
  p99: 'hotpath-cp-p99',
  traces: 'hotpath-traces',
  tracesAll: 'hotpath-traces-all',
  exemplars: 'hotpath-exemplars',
} as const;
export type RankingRef = (typeof RANKING_REFS)[keyof typeof RANKING_REFS];

/**
 * How a question is asked: instant (evaluated at the range's end over `[window]`); a range query asked only for
 * its exemplars; or an instant query asked only for its exemplars over the range (the per-row follow-up below:
 * Grafana runs the exemplar query whatever the query type, so an instant query gets the same exemplars without a
 * matrix to throw away).
 */
export type QueryKind = 'instant' | 'exemplars' | 'instant-exemplars';

export interface RankingExpression {
  refId: RankingRef;
  expr: string;
  kind: Exclude<QueryKind, 'instant-exemplars'>;
}

/** The range selector for a time range: its length in whole seconds (at least 1), e.g. `3600s`. */
export function promWindow(range: { from: number; to: number }): string {
  return `${Math.max(1, Math.round((range.to - range.from) / 1000))}s`;
}

/** `{service="…"}` for a service filter, or nothing. */
export function serviceMatcher(service: string | undefined): string {
  return service ? `{service=${promqlString(service)}}` : '';
}

/**
 * Every question of one ranking. Totals and trace counts are `increase()` over the whole range at its end; the
 * percentiles are `histogram_quantile` of the per-trace histogram's bucket rates over the same window; the
 * share's denominator and the traces analysed are asked without the service filter, so a filtered table still
 * shows each operation's share of all requests' latency. Exemplars come from a range query over the bucket series
 * (`exemplarExpression`), followed up per row by `exemplarFollowUps`.
 */
export function rankingExpressions(window: string, service?: string): RankingExpression[] {
  const filter = serviceMatcher(service);
  const { criticalPath, perTrace, traces } = STREAM_METRICS;
  const quantile = (q: number, refId: RankingRef): RankingExpression => ({
    refId,
    kind: 'instant',
    expr: `histogram_quantile(${q}, sum by (le, service, operation) (rate(${perTrace}_bucket${filter}[${window}])))`,
  });
  return [
    {
      refId: RANKING_REFS.criticalPath,
      kind: 'instant',
      expr: `sum by (service, operation) (increase(${criticalPath}${filter}[${window}]))`,
    },
    { refId: RANKING_REFS.criticalPathAll, kind: 'instant', expr: `sum(increase(${criticalPath}[${window}]))` },
    quantile(0.5, RANKING_REFS.p50),
    quantile(0.95, RANKING_REFS.p95),
    quantile(0.99, RANKING_REFS.p99),
    {
      refId: RANKING_REFS.traces,
      kind: 'instant',
      expr: `sum by (service, operation) (increase(${perTrace}_count${filter}[${window}]))`,
    },
    { refId: RANKING_REFS.tracesAll, kind: 'instant', expr: `sum(increase(${traces}[${window}]))` },
    { refId: RANKING_REFS.exemplars, kind: 'exemplars', expr: exemplarExpression(filter) },
  ];
}

/**
 * The exemplar question over the per-trace histogram's bucket series a matcher selects (`count(…)` keeps its own
 * answer to one series; Prometheus returns the exemplars of every series the selector matches, with their full
 * label sets: prometheus docs/querying/api.md "Querying exemplars").
 */
function exemplarExpression(matcher: string): string {
  return `count(${STREAM_METRICS.perTrace}_bucket${matcher})`;
}

/**
 * Rows whose exemplars are looked up again, each on its own: the first this many in ranking order, whether or not the
 * ranking's exemplars linked them (Grafana's sampling across all series can keep a row's cheaper trace and drop its
 * costliest). Twice and a half the table's default top 20, so the rows on screen (and a "top 50") link their
 * costliest trace; one question per row, all in one request that Grafana runs one query after another (unless its
 * `prometheusRunQueriesInParallel` toggle is on: grafana/grafana pkg/promlib/querydata/request.go `Execute`), each
 * costing Prometheus an exemplar scan of the row's bucket series over the range. Rows further down (after "Show all")
 * keep only the ranking's own sampled exemplars, which may miss their costliest trace or have none.
 */
export const MAX_EXEMPLAR_FOLLOW_UPS = 50;

/** The refId prefix of the follow-up questions, one per row: `hotpath-exemplars-row-<i>`. */
export const EXEMPLAR_FOLLOW_UP_REF = 'hotpath-exemplars-row-';

export interface ExemplarFollowUp {
  refId: string;
  service: string;
  operation: string;
  /** One row's exemplar question, filtered on exactly its service and operation (each an escaped PromQL string). */
  expr: string;
  kind: 'instant-exemplars';
}

/**
 * The follow-up exemplar questions for a ranking: one per row among its first MAX_EXEMPLAR_FOLLOW_UPS
 * (`operations` in ranking order), linked or not. Grafana samples the exemplars of each query on its own
 * (grafana/grafana pkg/promlib/querydata/response.go `processExemplars` makes a new sampler per response) and its
 * sampler always keeps each step's largest value, so a row asked alone gets its costliest exemplar instead of losing
 * it to another row's costlier one kept first in that step.
 */
export function exemplarFollowUps(
  operations: ReadonlyArray<{ service: string; operation?: string }>
): ExemplarFollowUp[] {
  return operations.slice(0, MAX_EXEMPLAR_FOLLOW_UPS).map(({ service, operation = '' }, i) => ({
    refId: `${EXEMPLAR_FOLLOW_UP_REF}${i}`,
    service,
    operation,
    expr: operationExemplarExpression(service, operation),
    kind: 'instant-exemplars',
  }));
}

/** One operation's exemplar question: its bucket series, matched on exactly its service and operation. */
export function operationExemplarExpression(service: string, operation: string): string {
  return exemplarExpression(`{service=${promqlString(service)},operation=${promqlString(operation)}}`);
}
