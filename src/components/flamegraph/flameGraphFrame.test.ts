import { checkFields } from '@grafana/flamegraph';
import { DataFrame } from '@grafana/data';
import fc from 'fast-check';

import { analyzeTrace, compareContexts, HotspotAggregator, OperationTable, readJaeger } from '../../engine';
import { arbitraryTraceSet } from '../../testing/arbitraryTraces';
import { jaegerTrace, SpanSpec } from '../../testing/traces';
import { contextDiffFlameGraph, contextFlameGraph, ROOT_LABEL } from './flameGraphFrame';

function aggregate(traces: SpanSpec[][]) {
  const operations = new OperationTable();
  const aggregator = new HotspotAggregator(operations, { callContexts: { maxContexts: 12 } });
  traces.forEach((spans, i) => {
    aggregator.add(analyzeTrace(readJaeger(jaegerTrace(spans, `trace-${i}`), operations).traces[0]));
  });
  return aggregator;
}

const column = (frame: DataFrame, name: string): unknown[] => frame.fields.find((f) => f.name === name)?.values ?? [];

/**
 * Checks the nested set as the component reads it (a row's parent is the last row before it one level up): one
 * root first, levels step down by at most one, and per value column each frame's value is its self plus its
 * children's, so children never exceed their parent.
 */
function expectConsistentNestedSet(frame: DataFrame, pairs: Array<[string, string]>, digits?: number) {
  expect(checkFields(frame)).toBeUndefined();
  const level = column(frame, 'level') as number[];
  expect(level[0]).toBe(0);
  const parentOf: number[] = [-1];
  const lastAt: number[] = [0];
  for (let k = 1; k < level.length; k++) {
    expect(level[k]).toBeGreaterThanOrEqual(1);
    expect(level[k]).toBeLessThanOrEqual(level[k - 1] + 1);
    parentOf[k] = lastAt[level[k] - 1];
    lastAt[level[k]] = k;
  }
  for (const [valueName, selfName] of pairs) {
    const value = column(frame, valueName) as number[];
    const self = column(frame, selfName) as number[];
    const children = new Array<number>(level.length).fill(0);
    for (let k = 1; k < level.length; k++) {
      expect(value[k]).toBeLessThanOrEqual(value[parentOf[k]] + 1e-9);
      children[parentOf[k]] += value[k];
    }
    for (let k = 0; k < level.length; k++) {
      if (digits === undefined) {
        expect(value[k]).toBe(self[k] + children[k]);
      } else {
        expect(value[k]).toBeCloseTo(self[k] + children[k], digits);
      }
    }
  }
}

describe('the flame graph frame for @grafana/flamegraph', () => {
  it('has one root for all traces, then the contexts one level down, with µs values', () => {
    const report = aggregate([
      [
        { id: 'a', service: 'web', op: 'GET /', start: 0, duration: 100 },
        { id: 'b', parent: 'a', service: 'redis', op: 'GET', start: 10, duration: 60 },
      ],
    ]).contextReport()!;
    const { frame, rows } = contextFlameGraph(report);
    expect(column(frame, 'label')).toEqual([ROOT_LABEL, 'web: GET /', 'redis: GET']);
    expect(column(frame, 'level')).toEqual([0, 1, 2]);
    expect(column(frame, 'value')).toEqual([100, 100, 60]);
    expect(column(frame, 'self')).toEqual([0, 40, 60]);
    expect(frame.fields.find((f) => f.name === 'value')?.config.unit).toBe('µs');
    expect(rows).toEqual([{ kind: 'root' }, { kind: 'context', node: 0 }, { kind: 'context', node: 1 }]);
  });

  it('is a consistent nested set for any trace set: children never exceed their parents (property)', () => {
    fc.assert(
      fc.property(arbitraryTraceSet, (traces) => {
        const aggregator = aggregate(traces);
        expectConsistentNestedSet(contextFlameGraph(aggregator.contextReport()!).frame, [['value', 'self']]);
        const diff = contextDiffFlameGraph(compareContexts(aggregator.callContexts()!, { percentile: 50 })).frame;
        expectConsistentNestedSet(
          diff,
          [
            ['value', 'self'],
            ['valueRight', 'selfRight'],
          ],
          6
        );
      }),
      { seed: 15_2026, numRuns: 200 }
    );
  });
});
