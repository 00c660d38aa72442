import { SlowSplit, slowThresholdUs, withSlowBaselineWarning } from './compare';
import { ContextAggregator, depthFirst, frameOf, subtreeTotals } from './contexts';

/** Critical-path time in one context, as a mean per trace of one side (traces that never reached it count as 0). */
export interface ContextMeans {
  selfUs: number;
  totalUs: number;
}

/** One frame of a differential flame graph: a context and how its critical-path time differs between the sides. */
export interface ContextComparisonNode {
  /** Position of the parent frame in `ContextComparison.nodes`; -1 for a root operation (or "other"). */
  parent: number;
  depth: number;
  service: string;
  operation: string;
  other: boolean;
  slow: ContextMeans;
  baseline: ContextMeans;
  /** slow.totalUs − baseline.totalUs: how much more time per trace the path spends here and below, µs. */
  deltaTotalUs: number;
  /** slow.selfUs − baseline.selfUs, µs. */
  deltaSelfUs: number;
}

export interface ContextComparison {
  /** The latency (µs) at or above which a trace counts as slow (the same split as `compareSlowToBaseline`'s). */
  thresholdUs: number;
  slowTraces: number;
  baselineTraces: number;
  warning?: string;
  /** Every context either side reached, in `ContextReport`'s order (depth first, siblings by name). */
  nodes: ContextComparisonNode[];
}

/**
 * Slow vs baseline per calling context: which paths grew. Means per trace of each side, as the per-operation
 * comparison takes them, so a context's delta is its share of that operation's delta (they add up to it).
 */
export function compareContexts(
  aggregator: ContextAggregator,
  split: SlowSplit = { percentile: 90 }
): ContextComparison {
  const records = aggregator.traceRecords();
  const tree = aggregator.tree();
  const thresholdUs = slowThresholdUs(records.latencyUs, split);
  const slowSelf = new Float64Array(tree.size);
  const baselineSelf = new Float64Array(tree.size);
  let slowTraces = 0;
  for (let t = 0; t < records.traces; t++) {
    const slow = records.latencyUs[t] >= thresholdUs;
    slowTraces += slow ? 1 : 0;
    const sums = slow ? slowSelf : baselineSelf;
    for (let k = records.offset[t]; k < records.offset[t + 1]; k++) {
      sums[records.nodes[k]] += records.selfUs[k];
    }
  }
  const baselineTraces = records.traces - slowTraces;
  const slowTotal = subtreeTotals(tree, slowSelf);
  const baselineTotal = subtreeTotals(tree, baselineSelf);
  const mean = (sum: number, traces: number) => (traces > 0 ? sum / traces : 0);
  const nodes: ContextComparisonNode[] = [];
  const positionOf = new Int32Array(tree.size);
  for (const node of depthFirst(tree, aggregator.operations)) {
    positionOf[node] = nodes.length;
    const up = tree.parent[node];
    const slow = { selfUs: mean(slowSelf[node], slowTraces), totalUs: mean(slowTotal[node], slowTraces) };
    const baseline = {
      selfUs: mean(baselineSelf[node], baselineTraces),
      totalUs: mean(baselineTotal[node], baselineTraces),
    };
    nodes.push({
      parent: up < 0 ? -1 : positionOf[up],
      depth: up < 0 ? 0 : nodes[positionOf[up]].depth + 1,
      ...frameOf(tree, aggregator.operations, node),
      slow,
      baseline,
      deltaTotalUs: slow.totalUs - baseline.totalUs,
      deltaSelfUs: slow.selfUs - baseline.selfUs,
    });
  }
  const comparison: ContextComparison = { thresholdUs, slowTraces, baselineTraces, nodes };
  return withSlowBaselineWarning(comparison);
}
