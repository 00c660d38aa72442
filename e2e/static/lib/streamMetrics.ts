/**
 * The Prometheus series `hotpath stream` exports, read from its own registry (src/cli/stream/metrics.ts) rather than
 * written down again: sample names as Prometheus stores them (a counter's `_total`, a histogram's `_bucket`, `_sum`,
 * `_count`) and each one's labels. The dashboard and alert checks test their PromQL against these.
 */
import { Counter, Gauge, Histogram } from 'prom-client';

import { CardinalityGuard } from '../../../src/cli/stream/cardinality';
import { StreamMetrics } from '../../../src/cli/stream/metrics';
import { promqlMetricNames } from './configs';

/** Labels Prometheus adds or a histogram's buckets carry, on every stream series. */
const IMPLICIT_LABELS = ['job', 'instance'];

function exported(): Map<string, string[]> {
  const series = new Map<string, string[]>();
  for (const metric of new StreamMetrics(new CardinalityGuard(1)).registry.getMetricsAsArray()) {
    // prom-client's metric objects keep their options' name and labelNames (typed as internals).
    const { name, labelNames = [] } = metric as unknown as { name: string; labelNames?: string[] };
    const labels = [...labelNames, ...IMPLICIT_LABELS];
    if (metric instanceof Histogram) {
      // trace_id is the exemplar label (prom-client wants it among labelNames); no series carries it.
      const own = labels.filter((label) => label !== 'trace_id');
      series.set(`${name}_bucket`, [...own, 'le']);
      series.set(`${name}_sum`, own);
      series.set(`${name}_count`, own);
    } else if (metric instanceof Counter || metric instanceof Gauge) {
      series.set(name, labels);
    } else {
      throw new Error(`${name}: a metric type the dashboard checks do not know`);
    }
  }
  return series;
}

/** Series name -> its label names, for every series `hotpath stream` exports. */
export const STREAM_SERIES: ReadonlyMap<string, string[]> = exported();

/** Whether a PromQL expression reads `hotpath stream`'s metrics (those queries need the stream to have data). */
export function readsStreamMetrics(expr: string): boolean {
  return promqlMetricNames(expr).some((name) => STREAM_SERIES.has(name));
}

/**
 * Label names a PromQL expression uses (in `by (…)`, `without (…)`, `on (…)`, `ignoring (…)`, `group_left (…)`,
 * `group_right (…)` and selectors' matchers) that no stream series has: a misspelt label still returns series
 * (aggregated into one), so only this check catches it. String literals are skipped.
 */
export function unknownStreamLabels(expr: string): string[] {
  const known = new Set([...STREAM_SERIES.values()].flat());
  const stripped = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const used = new Set<string>();
  for (const [, list] of stripped.matchAll(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g)) {
    list
      .split(',')
      .map((label) => label.trim())
      .filter(Boolean)
      .forEach((label) => used.add(label));
  }
  for (const [, matchers] of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*\s*\{([^}]*)\}/g)) {
    for (const [, label] of matchers.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(?:=|!=)/g)) {
      used.add(label);
    }
  }
  return [...used].filter((label) => !known.has(label));
}
