/** @jest-environment node */
import { readFixtureText } from '../../testing/fixtures';
import { criticalPath } from '../criticalPath/criticalPath';
import { OperationTable } from '../model/operations';
import { TraceInputError } from '../model/problems';
import { readTraceText } from './detect';

function analyzeFixture(relative: string) {
  const operations = new OperationTable();
  const parsed = readTraceText(readFixtureText(relative), operations, relative);
  return { ...parsed, operations, paths: parsed.traces.map((t) => criticalPath(t)) };
}

/**
 * Every real and upstream trace in test/fixtures reads without a problem, and the engine reports what the
 * fixtures' README says each one contains (counts cross-checked there: e.g. SmartThings' 943 of 957 spans after
 * the root, 41 children wholly outside their parent; kafka's 23 children ending after their parent = 12 + 11).
 * Fields not listed are 0.
 */
const EXPECTED: Record<string, Record<string, number>> = {
  'jaeger/grafana-complex-trace.json': { spans: 3 },
  'jaeger/grafana-loki-cas-trace.json': { spans: 2 },
  'jaeger/jaeger-otlp2jaeger-out.json': { spans: 2, orphans: 2, duplicateSpanIds: 1 },
  'jaeger/jaeger-ui-duplicate-span-ids.json': {
    spans: 4,
    extraRoots: 3,
    duplicateSpanIds: 1,
    outsideParent: 1,
    spansOutsideWindow: 1,
  },
  'jaeger/jaeger-ui-genai-trace.json': { spans: 57, clippedChildren: 1 },
  'jaeger/jaeger-ui-otlp2jaeger-multi-out.json': { spans: 4 },
  'jaeger/jaeger-ui-overlapping-children-longer-than-parent.json': {
    spans: 4,
    outsideParent: 2,
    spansOutsideWindow: 2,
  },
  'jaeger/jaeger-ui-petclinic-spans-among-each-other.json': { spans: 12 },
  'jaeger/jaeger-ui-producer-consumer-follows-from.json': {
    spans: 11,
    outsideParent: 1,
    asyncChildren: 1,
    spansOutsideWindow: 1,
  },
  'jaeger/jaeger-ui-span-longer-than-parent.json': { spans: 8, clippedChildren: 2 },
  'jaeger/jaeger-uimodel-ui_01.json': { spans: 5, extraRoots: 1, duplicateSpanIds: 1 },
  'jaeger/kiali-istio-bookinfo.jaeger.json': { spans: 8 },
  'jaeger/zipkin-ascend.jaeger.json': { spans: 8, outsideParent: 1 },
  'jaeger/zipkin-messaging-kafka.jaeger.json': {
    spans: 28,
    clippedChildren: 12,
    outsideParent: 11,
    skewedChildren: 3,
    maxSkewUs: 21,
    asyncChildren: 6,
    spansOutsideWindow: 26,
  },
  'jaeger/zipkin-messaging2.jaeger.json': { spans: 11, orphans: 6, outsideParent: 7, spansOutsideWindow: 7 },
  'jaeger/zipkin-skew.jaeger.json': { spans: 4, clippedChildren: 1, skewedChildren: 1, maxSkewUs: 65441 },
  'jaeger/zipkin-smartthings-mobile-web-install.jaeger.json': {
    spans: 957,
    zeroDurations: 91,
    clippedChildren: 16,
    outsideParent: 41,
    skewedChildren: 1,
    maxSkewUs: 221,
    spansOutsideWindow: 943,
  },
  'jaeger/zipkin-smartthings-oauth-authorization.jaeger.json': {
    spans: 175,
    zeroDurations: 19,
    clippedChildren: 3,
    outsideParent: 51,
    spansOutsideWindow: 174,
  },
  'jaeger/zipkin-yelp.jaeger.json': { spans: 16 },
  'jaeger/grafana-frames/complex-trace.frame.json': { spans: 3 },
  'otlp/jaeger-otlp2jaeger-in.json': { spans: 2, orphans: 2, duplicateSpanIds: 1 },
  'otlp/jaeger-ui-otlp2jaeger-multi-in-combined.json': { spans: 4 },
  'otlp/jaeger-ui-otlp2jaeger-multi-in.jsonl': { spans: 4 },
  'otlp/kiali-tempo-istio-bookinfo-trace.json': { spans: 8 },
  'otlp/otel-proto-example-trace.json': { spans: 1, orphans: 1 },
};

const IGNORED = new Set(['spanTimeUs', 'spanTimeInWindowUs', 'clippedUs']);

describe('every recorded trace analyses with the expected diagnostics', () => {
  it.each(Object.entries(EXPECTED))('%s', (relative, expected) => {
    const { traces, problems, paths } = analyzeFixture(relative);
    expect(problems).toEqual([]);
    expect(traces).toHaveLength(1);
    const nonZero = Object.fromEntries(
      Object.entries(paths[0].diagnostics).filter(([key, value]) => value !== 0 && !IGNORED.has(key))
    );
    expect(nonZero).toEqual(expected);
  });

  it('shows how little of a SmartThings journey the root window covers', () => {
    const { paths } = analyzeFixture('jaeger/zipkin-smartthings-mobile-web-install.jaeger.json');
    const { spanTimeInWindowUs, spanTimeUs } = paths[0].diagnostics;
    expect(spanTimeInWindowUs / spanTimeUs).toBeLessThan(0.002);
    expect(paths[0].windowEnd - paths[0].windowStart).toBe(36713);
  });
});

describe('the same trace in different formats gives the same answer', () => {
  function perSpan(relative: string) {
    const { traces, paths, operations } = analyzeFixture(relative);
    const t = traces[0];
    return Object.fromEntries(
      t.spanIds.map((id, i) => [
        id,
        [operations.service(t.operation[i]), operations.operation(t.operation[i]), paths[0].spanPathUs[i], t.error[i]],
      ])
    );
  }

  it("Grafana's golden trace frame = the Jaeger JSON it was made from (incl. a non-hex span ID and error tags)", () => {
    const frame = perSpan('jaeger/grafana-frames/complex-trace.frame.json');
    expect(frame).toEqual(perSpan('jaeger/grafana-complex-trace.json'));
    expect(frame['1a2b3c4d5e6f7g8h']).toEqual(['tempo-storage', 'db.query', 500, 1]);
  });

  it("Tempo's base64 OTLP = Jaeger's conversion of it (kiali bookinfo)", () => {
    expect(perSpan('otlp/kiali-tempo-istio-bookinfo-trace.json')).toEqual(
      perSpan('jaeger/kiali-istio-bookinfo.jaeger.json')
    );
  });

  it('OTLP JSON lines = the combined export = jaeger-ui’s conversion', () => {
    const lines = perSpan('otlp/jaeger-ui-otlp2jaeger-multi-in.jsonl');
    expect(lines).toEqual(perSpan('otlp/jaeger-ui-otlp2jaeger-multi-in-combined.json'));
    // jaeger-ui truncates nanoseconds to whole µs; Hotpath keeps the fraction, so allow under 1 µs per span.
    const jaeger = perSpan('jaeger/jaeger-ui-otlp2jaeger-multi-out.json');
    expect(Object.keys(lines).sort()).toEqual(Object.keys(jaeger).sort());
    for (const [id, [service, operation, pathUs]] of Object.entries(lines)) {
      expect([service, operation]).toEqual(jaeger[id].slice(0, 2));
      expect(Math.abs(Number(pathUs) - Number(jaeger[id][2]))).toBeLessThan(1);
    }
  });

  it('upper-case hex OTLP IDs are read as lower case', () => {
    const { traces } = analyzeFixture('otlp/otel-proto-example-trace.json');
    expect(traces[0].traceId).toBe('5b8efff798038103d269b633813fc60c');
    expect(traces[0].spanIds).toEqual(['eee19b7ec3c1b174']);
  });
});

describe('bad input gets a message that says what and where', () => {
  const read = (text: string) => readTraceText(text, new OperationTable(), 'input.json');

  it('names the file when the text is not JSON', () => {
    expect(() => read('{"data": [')).toThrow(TraceInputError);
    expect(() => read('{"data": [')).toThrow(/^input\.json: not valid JSON/);
  });

  it('names the formats it expected when the shape is unknown', () => {
    expect(() => read('{"hello": 1}')).toThrow(/expected Jaeger JSON .* found an object with keys "hello"/);
    expect(() => read('[]')).toThrow(/found an empty array/);
  });

  it('reports bad spans by trace, span and path, and keeps the rest of the trace', () => {
    const { traces, problems } = read(
      JSON.stringify({
        data: [
          {
            traceID: 't1',
            spans: [
              { spanID: 'a', operationName: 'root', startTime: 10, duration: 100, references: [], processID: 'p1' },
              { spanID: 'b', operationName: 'x', startTime: 'soon', duration: 5, references: [], processID: 'p1' },
              { operationName: 'y', startTime: 20, duration: 5 },
            ],
            processes: { p1: { serviceName: 'api' } },
          },
          { traceID: 't2' },
        ],
      })
    );
    expect(traces).toHaveLength(1);
    expect(traces[0].structure.invalidSpans).toBe(2);
    expect(problems).toEqual([
      {
        source: 'input.json',
        traceId: 't1',
        spanId: 'b',
        path: 'data[0].spans[1].startTime',
        message: 'startTime (µs) is not a number',
      },
      { source: 'input.json', traceId: 't1', path: 'data[0].spans[2].spanID', message: 'spanID is missing' },
      { source: 'input.json', path: 'data[1]', message: 'expected a trace object with a "spans" array' },
    ]);
  });

  it('says so when a frame is not a trace frame', () => {
    const { traces, problems } = read(JSON.stringify({ fields: [{ name: 'traceID', values: ['x'] }] }));
    expect(traces).toEqual([]);
    expect(problems[0].message).toMatch(/not a trace frame: missing field\(s\) spanID, operationName/);
  });

  it('reads an empty result as no traces, not as an error', () => {
    expect(read('{"data": []}')).toEqual({ traces: [], problems: [] });
  });
});
