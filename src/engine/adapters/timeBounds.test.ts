/** @jest-environment node */
import { grafanaTraceFrame, jaegerTrace, otlpTrace, SpanSpec, TRACE_ID } from '../../testing/traces';
import { analyzeTrace } from '../analyze';
import { MAX_DURATION_US, MAX_START_US } from '../model/builder';
import { OperationTable } from '../model/operations';
import { readTraceBytes, readTraces } from './detect';
import { readJaegerBytes } from './jaegerBytes';
import { ParsedTraces } from './types';

/** OTLP's nanosecond strings for any whole µs value (BigInt: 1e308 µs has no exact float ns); else a number. */
function nanos(us: number): string | number {
  return Number.isInteger(us) && us >= 0 ? `${BigInt(us)}000` : us * 1000;
}

function otlpWithTimes(spans: SpanSpec[]) {
  const otlp = otlpTrace(spans);
  for (const resource of otlp.resourceSpans) {
    for (const span of resource.scopeSpans[0].spans) {
      const spec = spans.find((s) => s.id.toUpperCase() === span.spanId)!;
      Object.assign(span, { startTimeUnixNano: nanos(spec.start), endTimeUnixNano: nanos(spec.start + spec.duration) });
    }
  }
  return otlp;
}

const encode = (text: string) => new TextEncoder().encode(text);

/** Every way a trace reaches the engine, each given the same spans. */
const READERS: Array<[string, (spans: SpanSpec[], operations: OperationTable) => ParsedTraces]> = [
  ['Jaeger JSON, parsed', (spans, ops) => readTraces({ data: [jaegerTrace(spans)] }, ops)],
  [
    'Jaeger JSON, bytes (compact-span reader)',
    (spans, ops) => readJaegerBytes(encode(JSON.stringify({ data: [jaegerTrace(spans)] })), ops)!,
  ],
  [
    'Jaeger JSON, bytes (general walk: white space inside spans)',
    (spans, ops) => readJaegerBytes(encode(JSON.stringify({ data: [jaegerTrace(spans)] }).replace(/":/g, '": ')), ops)!,
  ],
  ['OTLP JSON', (spans, ops) => readTraceBytes(encode(JSON.stringify(otlpWithTimes(spans))), ops)],
  ['Grafana trace frame', (spans, ops) => readTraces(grafanaTraceFrame(spans), ops)],
];

const T0 = 1_763_000_000_000_000; // µs: November 2025

describe.each(READERS)('time bounds: %s', (_name, read) => {
  function readOne(spans: SpanSpec[]) {
    const operations = new OperationTable();
    const parsed = read(spans, operations);
    expect(parsed.traces).toHaveLength(1);
    return { parsed, trace: parsed.traces[0] };
  }

  it('leaves out a root lasting 1e308 µs, counts it and says why; the rest analyses to finite numbers', () => {
    const { parsed, trace } = readOne([
      { id: 'aaaaaaaaaaaaaaaa', start: T0, duration: 1e308 },
      { id: 'bbbbbbbbbbbbbbbb', parent: 'aaaaaaaaaaaaaaaa', start: T0 + 10, duration: 50 },
    ]);
    expect(trace.structure.outOfRangeSpans).toBe(1);
    expect(trace.structure.invalidSpans).toBe(0);
    expect(trace.spanIds).toEqual(['bbbbbbbbbbbbbbbb']);
    expect(parsed.problems).toEqual([
      expect.objectContaining({
        traceId: TRACE_ID,
        spanId: 'aaaaaaaaaaaaaaaa',
        message: expect.stringMatching(/^time out of range \(start .* µs, duration 1e\+308 µs\)/),
      }),
    ]);
    const analysis = analyzeTrace(trace);
    expect(analysis.latencyUs).toBe(50);
    expect(Object.values(analysis.path.diagnostics).every(Number.isFinite)).toBe(true);
  });

  it('keeps a span of exactly a year; leaves out one a µs longer, and starts before 1970 or after 2262', () => {
    const { trace } = readOne([
      { id: 'aaaaaaaaaaaaaaaa', start: T0, duration: MAX_DURATION_US },
      { id: 'bbbbbbbbbbbbbbbb', parent: 'aaaaaaaaaaaaaaaa', start: T0, duration: MAX_DURATION_US + 1 },
      { id: 'cccccccccccccccc', parent: 'aaaaaaaaaaaaaaaa', start: -1_000_000, duration: 5 },
      { id: 'dddddddddddddddd', parent: 'aaaaaaaaaaaaaaaa', start: Math.ceil(MAX_START_US) + 1_000_000, duration: 5 },
      { id: 'eeeeeeeeeeeeeeee', parent: 'aaaaaaaaaaaaaaaa', start: T0 + 1, duration: 5 },
    ]);
    expect(trace.spanIds).toEqual(['aaaaaaaaaaaaaaaa', 'eeeeeeeeeeeeeeee']);
    expect(trace.structure.outOfRangeSpans).toBe(3);
  });

  it('a trace whose every span is out of range is no trace, and not reported as "no spans"', () => {
    const operations = new OperationTable();
    const parsed = read([{ id: 'aaaaaaaaaaaaaaaa', start: T0, duration: 1e300 }], operations);
    expect(parsed.traces).toEqual([]);
    expect(parsed.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^time out of range/)]);
  });
});

describe('time bounds', () => {
  it('end − start overflowing to Infinity in OTLP is out of range, not "not a number"', () => {
    const otlp = otlpTrace([{ id: 'aaaaaaaaaaaaaaaa', start: 1, duration: 1 }]);
    Object.assign(otlp.resourceSpans[0].scopeSpans[0].spans[0], {
      startTimeUnixNano: -1.7e308,
      endTimeUnixNano: 1.7e308,
    });
    const parsed = readTraces(otlp, new OperationTable());
    expect(parsed.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^time out of range/)]);
  });

  it('the bounds: 2^63 ns (April 2262) and 366 days', () => {
    expect(new Date(MAX_START_US / 1000).toISOString()).toBe('2262-04-11T23:47:16.854Z');
    expect(MAX_DURATION_US / 86_400e6).toBe(366);
  });
});
