/** @jest-environment node */
import fc from 'fast-check';

import { arbitraryTrace } from '../../testing/arbitraryTraces';
import { grafanaTraceFrame, jaegerTrace, otlpTrace } from '../../testing/traces';
import { readTraces } from '../adapters/detect';
import { OperationTable } from '../model/operations';
import { criticalPath, CriticalPathOptions } from './criticalPath';

function analyse(input: unknown, options?: CriticalPathOptions) {
  const operations = new OperationTable();
  const { traces, problems } = readTraces(input, operations);
  expect(problems).toEqual([]);
  const trace = traces[0];
  const path = criticalPath(trace, options);
  const bySpan: Record<string, number> = {};
  for (let i = 0; i < trace.size; i++) {
    bySpan[trace.spanIds[i]] = (bySpan[trace.spanIds[i]] ?? 0) + path.spanPathUs[i];
  }
  const segments = Array.from(path.segmentSpan, (s, k) => [trace.spanIds[s], path.segmentStart[k], path.segmentEnd[k]]);
  return { trace, path, bySpan, segments, operations };
}

const MODES: CriticalPathOptions[] = [{}, { window: 'full' }, { asyncBlocking: true }];

describe.each(MODES)('critical path properties with %j', (options) => {
  it('segments are disjoint, in order, and cover the analysed window exactly', () => {
    fc.assert(
      fc.property(arbitraryTrace, (spans) => {
        const { path } = analyse(jaegerTrace(spans), options);
        const { segmentStart, segmentEnd, windowStart, windowEnd } = path;
        if (windowEnd > windowStart) {
          expect(segmentStart[0]).toBe(windowStart);
          expect(segmentEnd[segmentEnd.length - 1]).toBe(windowEnd);
        } else {
          expect(segmentStart).toHaveLength(0);
        }
        for (let k = 0; k < segmentStart.length; k++) {
          expect(segmentEnd[k]).toBeGreaterThan(segmentStart[k]);
          if (k > 0) {
            expect(segmentStart[k]).toBe(segmentEnd[k - 1]);
          }
        }
      })
    );
  });

  it('per-operation critical-path times sum to the window', () => {
    fc.assert(
      fc.property(arbitraryTrace, (spans) => {
        const { trace, path, operations } = analyse(jaegerTrace(spans), options);
        const perOperation = new Float64Array(operations.size);
        for (let i = 0; i < trace.size; i++) {
          perOperation[trace.operation[i]] += path.spanPathUs[i];
        }
        const sum = perOperation.reduce((a, b) => a + b, 0);
        expect(sum).toBeCloseTo(path.windowEnd - path.windowStart, 6);
      })
    );
  });

  it('does not depend on span order', () => {
    fc.assert(
      fc.property(arbitraryTrace, fc.nat(), (spans, seed) => {
        const shuffled = [...spans];
        let state = seed;
        for (let i = shuffled.length - 1; i > 0; i--) {
          state = (state * 1103515245 + 12345) % 2147483648;
          const j = state % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
        }
        const a = analyse(jaegerTrace(spans), options);
        const b = analyse(jaegerTrace(shuffled), options);
        expect(b.segments).toEqual(a.segments);
        expect(b.bySpan).toEqual(a.bySpan);
        expect(b.path.diagnostics).toEqual(a.path.diagnostics);
      })
    );
  });

  it('does not depend on where the trace sits in time', () => {
    fc.assert(
      fc.property(arbitraryTrace, fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }), (spans, shift) => {
        const a = analyse(jaegerTrace(spans), options);
        const b = analyse(jaegerTrace(spans.map((s) => ({ ...s, start: s.start + shift }))), options);
        expect(b.bySpan).toEqual(a.bySpan);
        expect(b.segments).toEqual(
          a.segments.map(([span, from, to]) => [span, Number(from) + shift, Number(to) + shift])
        );
      })
    );
  });

  it('gives the same answer from Jaeger JSON, OTLP JSON and a Grafana trace frame', () => {
    fc.assert(
      fc.property(arbitraryTrace, (spans) => {
        const jaeger = analyse(jaegerTrace(spans), options);
        const otlp = analyse(otlpTrace(spans), options);
        const frame = analyse(grafanaTraceFrame(spans), options);
        expect(otlp.segments).toEqual(jaeger.segments);
        expect(frame.segments).toEqual(jaeger.segments);
        expect(otlp.path.diagnostics).toEqual(jaeger.path.diagnostics);
        expect(frame.path.diagnostics).toEqual(jaeger.path.diagnostics);
        const errorsById = (t: typeof jaeger.trace) => Object.fromEntries(t.spanIds.map((s, i) => [s, t.error[i]]));
        expect(errorsById(otlp.trace)).toEqual(errorsById(jaeger.trace));
        expect(errorsById(frame.trace)).toEqual(errorsById(jaeger.trace));
      })
    );
  });
});
