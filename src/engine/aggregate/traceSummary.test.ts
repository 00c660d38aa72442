/** @jest-environment node */
import { emptyDiagnostics } from '../model/diagnostics';
import { TraceContribution, TraceSummarizer } from './traceSummary';

function contribution(traceId: string, ops: number[], durations: number[]): TraceContribution {
  return {
    traceId,
    size: ops.length,
    operation: Int32Array.from(ops),
    duration: Float64Array.from(durations),
    error: Uint8Array.from(ops, (op) => (op === 7 ? 1 : 0)),
    selfUs: Float64Array.from(durations, (d) => d / 2),
    spanPathUs: Float64Array.from(durations, (d) => d / 4),
    latencyUs: 1000,
    diagnostics: emptyDiagnostics(),
  };
}

describe('TraceSummarizer', () => {
  it('sums per operation in order of first appearance and groups the durations the same way', () => {
    const summarizer = new TraceSummarizer();
    const summary = summarizer.summarize(contribution('t1', [3, 7, 3, 500, 7, 3], [10, 20, 30, 40, 50, 60]));
    expect(Array.from(summary.operations)).toEqual([3, 7, 500]);
    expect(Array.from(summary.calls)).toEqual([3, 2, 1]);
    expect(Array.from(summary.durations)).toEqual([10, 30, 60, 20, 50, 40]);
    expect(Array.from(summary.selfUs)).toEqual([50, 35, 20]);
    expect(Array.from(summary.criticalPathUs)).toEqual([25, 17.5, 10]);
    expect(Array.from(summary.errors)).toEqual([0, 2, 0]);
    expect(summary.spans).toBe(6);
  });

  it('starts each trace afresh although it reuses its buffers (and grows them for a larger trace)', () => {
    const summarizer = new TraceSummarizer();
    summarizer.summarize(contribution('t1', [1, 2], [5, 6]));
    const big = Array.from({ length: 300 }, (_, i) => i % 90);
    const second = summarizer.summarize(
      contribution(
        't2',
        big,
        big.map(() => 1)
      )
    );
    expect(second.operations).toHaveLength(90);
    expect(Array.from(second.calls).every((calls, k) => calls === (k < 30 ? 4 : 3))).toBe(true);
    const third = summarizer.summarize(contribution('t3', [2, 1], [8, 9]));
    expect(Array.from(third.operations)).toEqual([2, 1]);
    expect(Array.from(third.durations)).toEqual([8, 9]);
    expect(Array.from(third.selfUs)).toEqual([4, 4.5]);
  });
});
