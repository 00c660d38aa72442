import { OperationTable } from '../model/operations';
import { TraceRecord } from './aggregator';
import { percentileOfSorted } from './percentile';

/** How to split traces into slow and baseline: above a latency percentile, or above a fixed threshold. */
export type SlowSplit = { percentile: number } | { thresholdUs: number };

export interface ComparisonRow {
  service: string;
  operation: string;
  /** Mean CP time per slow trace minus mean CP time per baseline trace, µs (traces without it count as 0). */
  deltaUs: number;
  slowMeanUs: number;
  baselineMeanUs: number;
  /** deltaUs ÷ the difference in mean latency between the two sides: how much of the slowdown it explains. */
  shareOfSlowdown: number;
}

export interface Comparison {
  /** The latency (µs) at or above which a trace counts as slow. */
  thresholdUs: number;
  slowTraces: number;
  baselineTraces: number;
  slowMeanLatencyUs: number;
  baselineMeanLatencyUs: number;
  /** Set when either side has fewer than `MIN_TRUSTED_SAMPLE` traces: the ranking is then anecdotal. */
  warning?: string;
  /** Ranked by deltaUs, largest increase first. */
  rows: ComparisonRow[];
}

/** Below this many traces on a side, means are too noisy to rank by; we still rank, and say so. */
export const MIN_TRUSTED_SAMPLE = 20;

/**
 * Slow vs baseline: which operations' critical-path time grows in slow traces. A trace is slow when its
 * latency is at or above the threshold (default: the p90 of the set, nearest rank — so the slowest ~10 %,
 * ties included).
 */
export function compareSlowToBaseline(
  records: readonly TraceRecord[],
  operations: OperationTable,
  split: SlowSplit = { percentile: 90 }
): Comparison {
  const thresholdUs = slowThresholdUs(
    records.map((r) => r.latencyUs),
    split
  );
  const slowSum = new Map<number, number>();
  const baseSum = new Map<number, number>();
  let slowTraces = 0;
  let slowLatency = 0;
  let baseLatency = 0;
  for (const record of records) {
    const slow = isSlowTrace(record, thresholdUs);
    const sums = slow ? slowSum : baseSum;
    if (slow) {
      slowTraces++;
      slowLatency += record.latencyUs;
    } else {
      baseLatency += record.latencyUs;
    }
    for (let k = 0; k < record.operations.length; k++) {
      const op = record.operations[k];
      sums.set(op, (sums.get(op) ?? 0) + record.criticalPathUs[k]);
    }
  }
  const baselineTraces = records.length - slowTraces;
  const slowMeanLatencyUs = slowTraces > 0 ? slowLatency / slowTraces : 0;
  const baselineMeanLatencyUs = baselineTraces > 0 ? baseLatency / baselineTraces : 0;
  const slowdown = slowMeanLatencyUs - baselineMeanLatencyUs;
  const rows: ComparisonRow[] = [];
  for (const op of new Set([...slowSum.keys(), ...baseSum.keys()])) {
    const slowMeanUs = slowTraces > 0 ? (slowSum.get(op) ?? 0) / slowTraces : 0;
    // (A side without traces has no mean; 0 keeps the row, and `warning` says the ranking cannot be trusted.)
    const baselineMeanUs = baselineTraces > 0 ? (baseSum.get(op) ?? 0) / baselineTraces : 0;
    const deltaUs = slowMeanUs - baselineMeanUs;
    rows.push({
      service: operations.service(op),
      operation: operations.operation(op),
      deltaUs,
      slowMeanUs,
      baselineMeanUs,
      // Meaningless without both sides: a missing side's mean would count as 0.
      shareOfSlowdown: slowdown > 0 && slowTraces > 0 && baselineTraces > 0 ? deltaUs / slowdown : 0,
    });
  }
  rows.sort(byLargestIncrease);
  const comparison: Comparison = {
    thresholdUs,
    slowTraces,
    baselineTraces,
    slowMeanLatencyUs,
    baselineMeanLatencyUs,
    rows,
  };
  return withSlowBaselineWarning(comparison);
}

/** The latency (µs) at or above which a trace counts as slow under `split`, given the traces' latencies. */
export function slowThresholdUs(latenciesUs: ArrayLike<number>, split: SlowSplit): number {
  return 'thresholdUs' in split
    ? split.thresholdUs
    : percentileOfSorted(Float64Array.from(latenciesUs).sort(), split.percentile);
}

/**
 * Ranking order of every comparison: largest increase of mean CP time per trace first; ties by service, then
 * operation (rows without an operation — service rollups — first), so equal inputs always rank the same.
 */
export function byLargestIncrease(
  a: { deltaUs: number; service: string; operation?: string },
  b: { deltaUs: number; service: string; operation?: string }
): number {
  return (
    b.deltaUs - a.deltaUs || a.service.localeCompare(b.service) || (a.operation ?? '').localeCompare(b.operation ?? '')
  );
}

/** The warning of a comparison with fewer than `MIN_TRUSTED_SAMPLE` traces on a side; `sides` names both counts. */
export function lowSampleWarning(first: number, second: number, sides: string): string | undefined {
  return first < MIN_TRUSTED_SAMPLE || second < MIN_TRUSTED_SAMPLE
    ? `only ${sides}: fewer than ${MIN_TRUSTED_SAMPLE} on a side makes this ranking unreliable`
    : undefined;
}

/** A slow-vs-baseline comparison (by operation or by calling context), with its low-sample warning if it has one. */
export function withSlowBaselineWarning<T extends { slowTraces: number; baselineTraces: number; warning?: string }>(
  comparison: T
): T {
  const { slowTraces, baselineTraces } = comparison;
  const warning = lowSampleWarning(
    slowTraces,
    baselineTraces,
    `${slowTraces} slow and ${baselineTraces} baseline traces`
  );
  if (warning) {
    comparison.warning = warning;
  }
  return comparison;
}

/** The one rule of every slow-vs-baseline split: a trace is slow when its latency is at or above the threshold. */
export function isSlowTrace(record: { latencyUs: number }, thresholdUs: number): boolean {
  return record.latencyUs >= thresholdUs;
}
