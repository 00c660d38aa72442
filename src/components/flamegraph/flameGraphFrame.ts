import { createDataFrame, DataFrame, FieldType } from '@grafana/data';

import { contextFrameName, type ContextComparison, type ContextReport } from '../../engine';

/** The frame at a row of the flame graph's data: a calling context, or the root that stands for all traces. */
export type FlameRow = { kind: 'root' } | { kind: 'context'; node: number };

export interface FlameGraphData {
  frame: DataFrame;
  /** Per row of `frame`: what it shows (`node` indexes `ContextReport.nodes` or `ContextComparison.nodes`). */
  rows: FlameRow[];
}

export const ROOT_LABEL = 'all traces';

/**
 * The "nested set" DataFrame that `@grafana/flamegraph` draws (its FlameGraphDataContainer, src/FlameGraph/
 * dataTransform.ts in grafana/grafana packages/grafana-flamegraph, read at 11.3.1): rows depth first, fields
 * `label` (string), `level` (depth; a row's parent is the last row before it one level up), `value` (the frame's
 * total) and `self`. It builds one tree from `levels[0][0]`, so a single root row comes first: the traces' sum, as
 * the contexts start at several root operations. Values are critical-path µs (field unit `µs`).
 */
export function contextFlameGraph(report: ContextReport): FlameGraphData {
  const rows: FlameRow[] = [{ kind: 'root' }];
  const label = [ROOT_LABEL];
  const level = [0];
  const value = [report.totalUs];
  const self = [0];
  report.nodes.forEach((node, k) => {
    rows.push({ kind: 'context', node: k });
    label.push(contextFrameName(node));
    level.push(node.depth + 1);
    value.push(node.totalUs);
    self.push(node.selfUs);
  });
  return { rows, frame: nestedSet(label, level, [value, self]) };
}

/**
 * The diff form of the same frame: `value`/`self` are the baseline's per-trace means and `valueRight`/`selfRight`
 * the slow traces' (the component then colours each frame by how its share of the total changed, and draws it as
 * wide as both sides together). Means, not sums, so that the many baseline traces do not drown the few slow ones.
 */
export function contextDiffFlameGraph(comparison: ContextComparison): FlameGraphData {
  const rows: FlameRow[] = [{ kind: 'root' }];
  const label = [ROOT_LABEL];
  const level = [0];
  let baselineTotal = 0;
  let slowTotal = 0;
  for (const node of comparison.nodes) {
    if (node.depth === 0) {
      baselineTotal += node.baseline.totalUs;
      slowTotal += node.slow.totalUs;
    }
  }
  const value = [baselineTotal];
  const self = [0];
  const valueRight = [slowTotal];
  const selfRight = [0];
  comparison.nodes.forEach((node, k) => {
    rows.push({ kind: 'context', node: k });
    label.push(contextFrameName(node));
    level.push(node.depth + 1);
    value.push(node.baseline.totalUs);
    self.push(node.baseline.selfUs);
    valueRight.push(node.slow.totalUs);
    selfRight.push(node.slow.selfUs);
  });
  return { rows, frame: nestedSet(label, level, [value, self, valueRight, selfRight]) };
}

const VALUE_FIELDS = ['value', 'self', 'valueRight', 'selfRight'];

function nestedSet(label: string[], level: number[], values: number[][]): DataFrame {
  return createDataFrame({
    name: 'critical path by calling context',
    fields: [
      { name: 'level', type: FieldType.number, values: level },
      ...values.map((column, k) => ({
        name: VALUE_FIELDS[k],
        type: FieldType.number,
        values: column,
        config: { unit: 'µs' },
      })),
      { name: 'label', type: FieldType.string, values: label },
    ],
  });
}
