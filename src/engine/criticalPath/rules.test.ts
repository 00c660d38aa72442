/** @jest-environment node */
import { jaegerTrace, SpanSpec } from '../../testing/traces';
import { readJaeger } from '../adapters/jaeger';
import { OperationTable } from '../model/operations';
import { criticalPath, CriticalPathOptions } from './criticalPath';

/** Per-span critical-path µs (by span ID, zeros left out) and the diagnostics. */
function pathOf(spans: SpanSpec[], options?: CriticalPathOptions) {
  const { traces, problems } = readJaeger(jaegerTrace(spans), new OperationTable());
  expect(problems).toEqual([]);
  const trace = traces[0];
  const path = criticalPath(trace, options);
  const bySpan: Record<string, number> = {};
  for (let i = 0; i < trace.size; i++) {
    if (path.spanPathUs[i] > 0) {
      bySpan[trace.spanIds[i]] = (bySpan[trace.spanIds[i]] ?? 0) + path.spanPathUs[i];
    }
  }
  return { bySpan, diagnostics: path.diagnostics, path, trace };
}

const A = { id: 'A', start: 1000, duration: 100 };

describe('critical-path rules (README, "Critical path")', () => {
  it('walks the README example: A 0–30, D 30–45, A 45–50, C 50–80, A 80–100; B overlaps D and is off the path', () => {
    const { path, trace } = pathOf([
      { id: 'A', start: 0, duration: 100 },
      { id: 'B', parent: 'A', start: 10, duration: 30 },
      { id: 'D', parent: 'A', start: 30, duration: 15 },
      { id: 'C', parent: 'A', start: 50, duration: 30 },
    ]);
    const segments = Array.from(
      path.segmentSpan,
      (s, k) => `${trace.spanIds[s]} ${path.segmentStart[k]}–${path.segmentEnd[k]}`
    );
    expect(segments).toEqual(['A 0–30', 'D 30–45', 'A 45–50', 'C 50–80', 'A 80–100']);
  });

  it('keeps children that touch end-to-start: they are sequential work (jaeger-ui drops B here)', () => {
    const { bySpan } = pathOf([
      A,
      { id: 'B', parent: 'A', start: 1010, duration: 40 },
      { id: 'C', parent: 'A', start: 1050, duration: 40 },
    ]);
    expect(bySpan).toEqual({ A: 20, B: 40, C: 40 });
  });

  it('follows one chain of overlapping siblings: the later-ending one wins, the parent waits out the rest', () => {
    const { bySpan } = pathOf([
      A,
      { id: 'B', parent: 'A', start: 1010, duration: 50 },
      { id: 'C', parent: 'A', start: 1040, duration: 50 },
    ]);
    expect(bySpan).toEqual({ A: 50, C: 50 });
  });

  it('clips a child that outlives its parent, and counts it', () => {
    const { bySpan, diagnostics } = pathOf([A, { id: 'B', parent: 'A', start: 1050, duration: 100 }]);
    expect(bySpan).toEqual({ A: 50, B: 50 });
    expect(diagnostics).toMatchObject({ clippedChildren: 1, clippedUs: 50, outsideParent: 0 });
  });

  it('clips a child that starts before its parent and reports the skew', () => {
    const { bySpan, diagnostics } = pathOf([A, { id: 'B', parent: 'A', start: 950, duration: 100 }]);
    expect(bySpan).toEqual({ A: 50, B: 50 });
    expect(diagnostics).toMatchObject({ skewedChildren: 1, maxSkewUs: 50, clippedChildren: 1 });
  });

  it('leaves a child wholly outside its parent off the path, with its subtree, and counts it', () => {
    const { bySpan, diagnostics } = pathOf([
      A,
      { id: 'B', parent: 'A', start: 1200, duration: 10 },
      { id: 'C', parent: 'B', start: 1201, duration: 5 },
    ]);
    expect(bySpan).toEqual({ A: 100 });
    expect(diagnostics).toMatchObject({ outsideParent: 1, spansOutsideWindow: 2 });
  });

  it('does not wait for FOLLOWS_FROM children by default, and does when asked', () => {
    const spans = [A, { id: 'B', parent: 'A', follows: true, start: 1060, duration: 40 }];
    expect(pathOf(spans).bySpan).toEqual({ A: 100 });
    expect(pathOf(spans).diagnostics.asyncChildren).toBe(1);
    expect(pathOf(spans, { asyncBlocking: true }).bySpan).toEqual({ A: 60, B: 40 });
  });

  it('does not wait for a CONSUMER under a PRODUCER, even as CHILD_OF', () => {
    const spans: SpanSpec[] = [
      { ...A, kind: 'producer' },
      { id: 'B', parent: 'A', start: 1060, duration: 40, kind: 'consumer' },
    ];
    expect(pathOf(spans).bySpan).toEqual({ A: 100 });
    expect(pathOf(spans, { asyncBlocking: true }).bySpan).toEqual({ A: 60, B: 40 });
  });

  it('hangs orphans under the root, counted, and keeps their time', () => {
    const { bySpan, diagnostics } = pathOf([A, { id: 'X', parent: 'missing', start: 1050, duration: 50 }]);
    expect(bySpan).toEqual({ A: 50, X: 50 });
    expect(diagnostics).toMatchObject({ orphans: 1, extraRoots: 0 });
  });

  it('picks the earliest of several roots and hangs the others under it, counted', () => {
    const { bySpan, diagnostics, trace } = pathOf([{ id: 'R2', start: 1050, duration: 30 }, A]);
    expect(trace.spanIds[trace.root]).toBe('A');
    expect(bySpan).toEqual({ A: 70, R2: 30 });
    expect(diagnostics.extraRoots).toBe(1);
  });

  it('breaks a reference cycle deterministically at its smallest span ID', () => {
    const { bySpan, diagnostics, trace } = pathOf([
      A,
      { id: 'C1', parent: 'C2', start: 1010, duration: 20 },
      { id: 'C2', parent: 'C1', start: 1040, duration: 20 },
    ]);
    expect(diagnostics.cyclesBroken).toBe(1);
    // C1 is re-attached under A; C2 stays C1's child and lies outside it, so it is off the path.
    expect(trace.spanIds[trace.parent[trace.spanIds.indexOf('C1')]]).toBe('A');
    expect(bySpan).toEqual({ A: 80, C1: 20 });
  });

  it('survives a trace that is nothing but a cycle', () => {
    const { diagnostics, path } = pathOf([
      { id: 'b', parent: 'a', start: 10, duration: 5 },
      { id: 'a', parent: 'b', start: 0, duration: 20 },
    ]);
    expect(diagnostics.cyclesBroken).toBe(1);
    expect(path.windowEnd - path.windowStart).toBe(20);
  });

  it('counts duplicate span IDs; children attach to the earliest of them', () => {
    const { diagnostics, trace } = pathOf([
      A,
      { id: 'D', parent: 'A', start: 1050, duration: 10 },
      { id: 'D', parent: 'A', start: 1010, duration: 10 },
      { id: 'E', parent: 'D', start: 1012, duration: 5 },
    ]);
    expect(diagnostics.duplicateSpanIds).toBe(1);
    const e = trace.spanIds.indexOf('E');
    expect(trace.start[trace.parent[e]]).toBe(1010);
  });

  it('analyses negative durations as zero and counts them and zero-length spans', () => {
    const { bySpan, diagnostics } = pathOf([
      A,
      { id: 'N', parent: 'A', start: 1050, duration: -30 },
      { id: 'Z', parent: 'A', start: 1060, duration: 0 },
    ]);
    expect(bySpan).toEqual({ A: 100 });
    expect(diagnostics).toMatchObject({ negativeDurations: 1, zeroDurations: 1 });
  });

  it('reports coverage, and `full` analyses work after the root returned', () => {
    const spans: SpanSpec[] = [
      { id: 'R', start: 0, duration: 10 },
      { id: 'S', parent: 'R', start: 5, duration: 100 },
      { id: 'T', parent: 'S', start: 60, duration: 40 },
    ];
    const root = pathOf(spans);
    expect(root.bySpan).toEqual({ R: 5, S: 5 });
    expect(root.diagnostics.spanTimeUs).toBe(150);
    expect(root.diagnostics.spanTimeInWindowUs).toBe(15);
    const full = pathOf(spans, { window: 'full' });
    expect(full.path.windowEnd - full.path.windowStart).toBe(105);
    expect(full.bySpan).toEqual({ R: 5, S: 60, T: 40 });
    expect(full.diagnostics.spanTimeInWindowUs).toBe(150);
  });
});

describe('size limits: no recursion anywhere', () => {
  it('walks a chain 5,000 spans deep', () => {
    const spans: SpanSpec[] = Array.from({ length: 5000 }, (_, i) => ({
      id: `s${i}`,
      parent: i > 0 ? `s${i - 1}` : undefined,
      start: 1000 + i,
      duration: 20000 - 2 * i,
    }));
    const { path, bySpan } = pathOf(spans);
    expect(path.segmentSpan.length).toBe(2 * 5000 - 1);
    expect(bySpan.s4999).toBe(10002);
  });

  it('walks a root with 20,000 sequential children', () => {
    const children: SpanSpec[] = Array.from({ length: 20000 }, (_, i) => ({
      id: `c${i}`,
      parent: 'root',
      start: 10 + 10 * i,
      duration: 10,
    }));
    const { path, bySpan } = pathOf([{ id: 'root', start: 0, duration: 200020 }, ...children]);
    expect(path.segmentSpan.length).toBe(20002);
    expect(bySpan.root).toBe(20);
    expect(Object.keys(bySpan)).toHaveLength(20001);
  });

  it('analyses a single 80,000-span trace', () => {
    // A balanced 4-ary tree: each span lasts its children plus 1 µs of its own at each end.
    const n = 80000;
    const spans: SpanSpec[] = [];
    for (let i = 0; i < n; i++) {
      spans.push({ id: `n${i}`, parent: i > 0 ? `n${Math.floor((i - 1) / 4)}` : undefined, start: i, duration: 1 });
    }
    const { path, diagnostics } = pathOf(spans, { window: 'full' });
    expect(diagnostics.spans).toBe(n);
    let total = 0;
    for (let k = 0; k < path.segmentSpan.length; k++) {
      total += path.segmentEnd[k] - path.segmentStart[k];
    }
    expect(total).toBe(path.windowEnd - path.windowStart);
  });
});
