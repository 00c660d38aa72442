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

export interface RankingExpression {
  refId: RankingRef;
  expr: string;
  /** Instant (evaluated at the range's end over `[window]`), or a range query asked only for its exemplars. */
  kind: 'instant' | 'exemplars';
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
 * (`count(…)` keeps its own answer to one series; Prometheus returns the exemplars of every series the selector
 * matches, with their full label sets: prometheus docs/querying/api.md "Querying exemplars").
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
    { refId: RANKING_REFS.exemplars, kind: 'exemplars', expr: `count(${perTrace}_bucket${filter})` },
  ];
}
