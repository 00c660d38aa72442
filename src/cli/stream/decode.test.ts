/** @jest-environment node */
import Long from 'long';

import { decodeMessage, EncodedTrace, MalformedMessageError, nanosText, resourceSpansOf } from './decode';
import { exportTraceServiceRequest } from './otlpProto';

const TRACE_A = '0af7651916cd43dd8448eb211c80319c';
const TRACE_B = '4bf92f3577b34da6a3ce929d0e0e4736';
/** 2^53 + 1 ns and more: a Number would lose the last digits. */
const START_NS = '1763000000072993123';
const END_NS = '1763000000095000457';

function span(traceId: string, spanId: string, extra: Record<string, unknown> = {}) {
  return {
    traceId: Buffer.from(traceId, 'hex'),
    spanId: Buffer.from(spanId, 'hex'),
    name: `op-${spanId.slice(0, 2)}`,
    kind: 2,
    startTimeUnixNano: START_NS,
    endTimeUnixNano: END_NS,
    ...extra,
  };
}

/** Protobuf bytes made by protobufjs from the same schema (the e2e test feeds what Jaeger's collector writes). */
function protoMessage(request: Record<string, unknown>): Buffer {
  const message = exportTraceServiceRequest.fromObject(request);
  return Buffer.from(exportTraceServiceRequest.encode(message).finish());
}

const service = (name: string) => ({ attributes: [{ key: 'service.name', value: { stringValue: name } }] });

describe('decodeMessage', () => {
  it('reads otlp_proto into OTLP/JSON split per trace, with exact nanoseconds, hex IDs and the attributes read', () => {
    const bytes = protoMessage({
      resourceSpans: [
        {
          resource: service('web'),
          scopeSpans: [
            {
              spans: [
                span(TRACE_A, '00f067aa0ba902b7', {
                  attributes: [
                    { key: 'http.status_code', value: { intValue: 503 } },
                    { key: 'peer', value: { stringValue: 'db' } },
                  ],
                  status: { code: 2 },
                }),
                span(TRACE_B, '53995c3f42cd8ad8'),
              ],
            },
          ],
        },
        {
          resource: service('db'),
          scopeSpans: [
            { spans: [span(TRACE_A, 'b7ad6b7169203331', { parentSpanId: Buffer.from('00f067aa0ba902b7', 'hex') })] },
          ],
        },
      ],
    });
    const { fragments, malformedSpans } = decodeMessage(bytes, 'otlp_proto');
    expect(malformedSpans).toBe(0);
    expect(fragments.map((f) => [f.traceId, f.spans, f.resourceSpans.length])).toEqual([
      [TRACE_A, 2, 2],
      [TRACE_B, 1, 1],
    ]);
    expect(fragments[0].resourceSpans[0]).toEqual({
      resource: service('web'),
      scopeSpans: [
        {
          spans: [
            {
              traceId: TRACE_A,
              spanId: '00f067aa0ba902b7',
              parentSpanId: '',
              name: 'op-00',
              kind: 2,
              startTimeUnixNano: START_NS,
              endTimeUnixNano: END_NS,
              // Only what the engine reads (SpanFacts.KEYS): 'peer' is dropped unread.
              attributes: [{ key: 'http.status_code', value: { intValue: '503' } }],
              links: [],
              status: { code: 2 },
            },
          ],
        },
      ],
    });
    expect(fragments[0].resourceSpans[1]).toMatchObject({
      resource: service('db'),
      scopeSpans: [{ spans: [{ spanId: 'b7ad6b7169203331', parentSpanId: '00f067aa0ba902b7' }] }],
    });
  });

  it('keeps a message of one trace encoded until the trace is finalised, then reads it as the full decoding does', () => {
    const spans = [span(TRACE_A, '00f067aa0ba902b7', { attributes: [{ key: 'error', value: { boolValue: true } }] })];
    const oneTrace = {
      resourceSpans: [
        { resource: service('web'), scopeSpans: [{ spans }] },
        { resource: service('db'), scopeSpans: [{ spans: [span(TRACE_A, 'b7ad6b7169203331')] }] },
      ],
    };
    const { fragments } = decodeMessage(protoMessage(oneTrace), 'otlp_proto');
    expect(fragments.map((f) => [f.traceId, f.spans])).toEqual([[TRACE_A, 2]]);
    expect(fragments[0].resourceSpans).toEqual([expect.any(EncodedTrace)]);
    // The same spans with a second trace's span added are decoded at once: compare what both give for TRACE_A.
    const withB = {
      resourceSpans: [
        ...oneTrace.resourceSpans,
        { resource: service('x'), scopeSpans: [{ spans: [span(TRACE_B, '53995c3f42cd8ad8')] }] },
      ],
    };
    const [eager] = decodeMessage(protoMessage(withB), 'otlp_proto').fragments;
    expect(eager.resourceSpans.some((part) => part instanceof EncodedTrace)).toBe(false);
    expect(resourceSpansOf(fragments[0].resourceSpans)).toEqual(eager.resourceSpans);
  });

  it('reads otlp_json and counts spans without a trace ID instead of grouping them', () => {
    const json = {
      resourceSpans: [
        {
          resource: service('web'),
          scopeSpans: [{ spans: [{ traceId: TRACE_A, spanId: '00f067aa0ba902b7' }, { spanId: 'ab' }, 'junk'] }],
        },
      ],
    };
    const { fragments, malformedSpans } = decodeMessage(Buffer.from(JSON.stringify(json)), 'otlp_json');
    expect(fragments.map((f) => [f.traceId, f.spans])).toEqual([[TRACE_A, 1]]);
    expect(malformedSpans).toBe(2);
  });

  it.each([
    ['otlp_proto', Buffer.from([0x0a, 0xff, 0xff, 0x01])],
    ['otlp_proto', null],
    ['otlp_json', Buffer.from('{"resourceSpans": [')],
    ['otlp_json', Buffer.from('{"batches": []}')],
    ['otlp_json', Buffer.from('null')],
  ] as const)('rejects a malformed %s message with MalformedMessageError', (encoding, bytes) => {
    expect(() => decodeMessage(bytes, encoding)).toThrow(MalformedMessageError);
  });

  it('writes fixed64 nanoseconds exactly as Long does, around every boundary of the split', () => {
    const values = [
      '0',
      '999',
      '1000',
      '4294967295',
      '4294967296',
      '4294967296999',
      START_NS,
      END_NS,
      '9007199254740993000', // µs just above 2^53: Long's path
      '18446744073709551615',
    ];
    let seed = 7;
    for (let i = 0; i < 2000; i++) {
      // mulberry-ish: values spread over the whole unsigned 64-bit range and over epoch nanoseconds
      seed = (seed * 1103515245 + 12345) >>> 0;
      const high = i % 2 === 0 ? seed : 400_000_000 + (seed % 20_000_000);
      values.push(Long.fromBits((seed * 2654435761) >>> 0, high >>> 0, true).toString());
    }
    for (const text of values) {
      expect(nanosText(Long.fromString(text, true))).toBe(text);
    }
  });
});
