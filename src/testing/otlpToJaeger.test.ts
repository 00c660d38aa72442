import { analyzeTrace, HotspotAggregator, OperationTable, readJaeger, readOtlp } from '../engine';
import { readFixture } from './fixtures';
import { otlpToJaeger } from './otlpToJaeger';

describe('otlpToJaeger', () => {
  test("gives exactly Jaeger's own output for its OTLP fixture (duplicate span IDs, missing parent kept)", () => {
    const expected = readFixture<{ data: unknown[] }>('jaeger/jaeger-otlp2jaeger-out.json').data;
    expect(otlpToJaeger(readFixture('otlp/jaeger-otlp2jaeger-in.json'))).toEqual(expected);
  });

  test('gives the recorded Jaeger form of the Tempo bookinfo trace (base64 IDs, events, error status)', () => {
    const expected = readFixture<{ data: unknown[] }>('jaeger/kiali-istio-bookinfo.jaeger.json').data;
    expect(otlpToJaeger(readFixture('otlp/kiali-tempo-istio-bookinfo-trace.json'))).toEqual(expected);
  });

  test('maps links, events, status, typed attributes and epoch nanoseconds beyond 2^53', () => {
    const traceId = 'AAAAAAAAAAAAAAAAAAAAAQ=='; // base64 of 15 zero bytes and 0x01
    // A fresh object per export, as parsing two exports gives: the same process must be found by content.
    const apiResource = () => ({
      attributes: [
        { key: 'host.name', value: { stringValue: 'h1' } },
        { key: 'service.name', value: { stringValue: 'api' } },
      ],
    });
    const [trace] = otlpToJaeger([
      {
        resourceSpans: [
          {
            resource: apiResource(),
            scopeSpans: [
              {
                scope: { name: 'lib', version: '2.0' },
                spans: [
                  {
                    traceId,
                    spanId: '00000000000000AA',
                    links: [{ traceId: 'ff'.repeat(16), spanId: 'bb'.repeat(8) }],
                    name: 'consume',
                    kind: 'SPAN_KIND_CONSUMER',
                    startTimeUnixNano: '1763000000000001999',
                    endTimeUnixNano: '1763000000000503998',
                    attributes: [
                      { key: 'n', value: { intValue: '7' } },
                      { key: 'ratio', value: { doubleValue: 0.5 } },
                      { key: 'ok', value: { boolValue: false } },
                      { key: 'list', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 1 }] } } },
                    ],
                    events: [
                      {
                        name: 'exception',
                        timeUnixNano: '1763000000000002500',
                        attributes: [{ key: 'exception.message', value: { stringValue: 'boom' } }],
                      },
                    ],
                    status: { code: 2, message: 'failed' },
                  },
                ],
              },
            ],
          },
        ],
      },
      // A second export of the same trace, from the same process: one process entry, not two.
      {
        resourceSpans: [
          {
            resource: apiResource(),
            scopeSpans: [
              {
                spans: [
                  {
                    traceId,
                    spanId: '00000000000000cc',
                    parentSpanId: '00000000000000aa',
                    name: 'child',
                    startTimeUnixNano: '1763000000000100000',
                    endTimeUnixNano: '1763000000000100999',
                  },
                ],
              },
            ],
          },
        ],
      },
    ]);
    const id = '00000000000000000000000000000001';
    expect(trace.traceID).toBe(id);
    expect(trace.processes).toEqual({
      p1: { serviceName: 'api', tags: [{ key: 'host.name', type: 'string', value: 'h1' }] },
    });
    const [consume, child] = trace.spans;
    expect(consume).toMatchObject({
      spanID: '00000000000000aa',
      references: [{ refType: 'FOLLOWS_FROM', traceID: 'ff'.repeat(16), spanID: 'bb'.repeat(8) }],
      startTime: 1763000000000001,
      duration: 501,
      processID: 'p1',
    });
    expect(consume.tags).toEqual([
      { key: 'otel.scope.name', type: 'string', value: 'lib' },
      { key: 'otel.scope.version', type: 'string', value: '2.0' },
      { key: 'n', type: 'int64', value: 7 },
      { key: 'ratio', type: 'float64', value: 0.5 },
      { key: 'ok', type: 'bool', value: false },
      { key: 'list', type: 'string', value: '["a",1]' },
      { key: 'span.kind', type: 'string', value: 'consumer' },
      { key: 'otel.status_code', type: 'string', value: 'ERROR' },
      { key: 'error', type: 'bool', value: true },
      { key: 'otel.status_description', type: 'string', value: 'failed' },
    ]);
    expect(consume.logs).toEqual([
      {
        timestamp: 1763000000000002,
        fields: [
          { key: 'event', type: 'string', value: 'exception' },
          { key: 'exception.message', type: 'string', value: 'boom' },
        ],
      },
    ]);
    expect(child).toMatchObject({
      references: [{ refType: 'CHILD_OF', traceID: id, spanID: '00000000000000aa' }],
      startTime: 1763000000000100,
      duration: 0,
      tags: [],
      processID: 'p1',
    });
  });

  test('the engine ranks the converted traces as it ranks the OTLP it came from', () => {
    const otlp = readFixture('otlp/kiali-tempo-istio-bookinfo-trace.json');
    const rank = (read: (operations: OperationTable) => ReturnType<typeof readOtlp>) => {
      const operations = new OperationTable();
      const aggregator = new HotspotAggregator(operations);
      read(operations).traces.forEach((model) => aggregator.add(analyzeTrace(model)));
      return aggregator.report().operations.map((row) => [row.service, row.operation, row.criticalPathShare]);
    };
    const fromOtlp = rank((operations) => readOtlp(otlp, operations));
    expect(fromOtlp.length).toBeGreaterThan(3);
    expect(rank((operations) => readJaeger({ data: otlpToJaeger(otlp) }, operations))).toEqual(fromOtlp);
  });
});
