/** @jest-environment node */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Long from 'long';

import { nanosToMicros, normalizeId, OperationTable, readOtlp, type ParsedTraces } from '../../engine';
import { fixture, REPO_ROOT } from '../testing/fixtures';
import { decodeMessage, EncodedTrace, nanosText, resourceSpansOf, splitByTrace } from './decode';
import type { OpenTrace } from './openTraces';
import { exportTraceServiceRequest } from './otlpProto';
import { protoNanosToMicros, readEncodedTrace, readFinalisedTrace } from './protoTrace';

const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);

/** OTLP/JSON → protobuf bytes as the collector's exporter writes them (IDs as bytes, whatever their JSON spelling). */
function protoBytes(request: { resourceSpans: unknown[] }): Buffer {
  const withBytes = JSON.parse(JSON.stringify(request), (key, value: unknown) => {
    if (!ID_KEYS.has(key) || typeof value !== 'string') {
      return value;
    }
    const id = normalizeId(value) ?? '';
    return Buffer.from(/^([0-9a-f]{2})*$/.test(id) ? id : '', 'hex');
  });
  return Buffer.from(exportTraceServiceRequest.encode(exportTraceServiceRequest.fromObject(withBytes)).finish());
}

/** Each trace of an OTLP/JSON file as the stream holds it: one encoded message per part (two when `split`). */
function encodedTraces(request: unknown, split = false): OpenTrace[] {
  return splitByTrace(request).fragments.map((fragment) => {
    const halves = split && fragment.resourceSpans.length > 1 ? 2 : 1;
    const cut = Math.ceil(fragment.resourceSpans.length / halves);
    const parts = [fragment.resourceSpans.slice(0, cut), fragment.resourceSpans.slice(cut)].filter((p) => p.length);
    const resourceSpans = parts.flatMap((part) => {
      const [decoded] = decodeMessage(protoBytes({ resourceSpans: part }), 'otlp_proto').fragments;
      return decoded.resourceSpans;
    });
    expect(resourceSpans.every((part) => part instanceof EncodedTrace)).toBe(true);
    return {
      traceId: fragment.traceId,
      resourceSpans,
      spans: fragment.spans,
      lastSeenMs: 0,
      firstOffsets: new Map(),
      lastOffsets: new Map(),
    };
  });
}

/**
 * What the model and the problems say, without the problems' paths (the two readers name spans differently), and
 * each span's operation by name (each reader numbers operations in a table of its own).
 */
function comparable(parsed: ParsedTraces, operations: OperationTable) {
  return {
    traces: parsed.traces,
    operationNames: parsed.traces.map((trace) =>
      Array.from(trace.operation, (op) => `${operations.service(op)} ${operations.operation(op)}`)
    ),
    problems: parsed.problems.map(({ path: _path, ...problem }) => problem),
  };
}

/** The direct reader and the OTLP/JSON reader over the same encoded trace, each with a table of its own. */
function bothReaders(trace: OpenTrace) {
  const jsonTable = new OperationTable();
  const viaJson = readOtlp({ resourceSpans: resourceSpansOf(trace.resourceSpans) }, jsonTable);
  const directTable = new OperationTable();
  const direct = readFinalisedTrace(trace, directTable);
  return { viaJson: comparable(viaJson, jsonTable), direct: comparable(direct, directTable) };
}

function jsonLines(file: string): unknown[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}

describe('readFinalisedTrace', () => {
  const recorded: Array<[string, unknown[]]> = [
    [
      'the demo, slow-redis (examples)',
      jsonLines(path.join(REPO_ROOT, 'examples/demo-slow-redis/slow-redis.otlp.jsonl')),
    ],
    [
      'the demo, gold tier (examples)',
      jsonLines(path.join(REPO_ROOT, 'examples/demo-slow-redis-gold/slow-redis-gold.otlp.jsonl')),
    ],
    ['opentelemetry-proto example', [JSON.parse(readFileSync(fixture('otlp/otel-proto-example-trace.json'), 'utf8'))]],
    ['Jaeger otlp2jaeger input', [JSON.parse(readFileSync(fixture('otlp/jaeger-otlp2jaeger-in.json'), 'utf8'))]],
    [
      'Tempo (base64 IDs, batches)',
      [JSON.parse(readFileSync(fixture('otlp/kiali-tempo-istio-bookinfo-trace.json'), 'utf8'))].map((tempo) => ({
        resourceSpans: (tempo as { batches: unknown[] }).batches,
      })),
    ],
  ];

  it.each(recorded)('builds exactly the model the OTLP/JSON reader builds: %s', (_name, requests) => {
    let traces = 0;
    for (const request of requests) {
      for (const split of [false, true]) {
        for (const trace of encodedTraces(request, split)) {
          const { viaJson, direct } = bothReaders(trace);
          expect(direct).toEqual(viaJson);
          traces += viaJson.traces.length;
        }
      }
    }
    expect(traces).toBeGreaterThan(0);
  });

  it('agrees on the awkward spans: a link as parent, no span ID, odd ID lengths, errors, times out of range', () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const spans = [
      {
        traceId,
        spanId: '00f067aa0ba902b7',
        name: 'root',
        kind: 2,
        startTimeUnixNano: '1763000000000000000',
        endTimeUnixNano: '1763000000900000999',
      },
      // No parent, a link into the trace: a FOLLOWS_FROM child of the linked span.
      {
        traceId,
        spanId: '1111111111111111',
        name: 'linked',
        startTimeUnixNano: '1763000000100000001',
        endTimeUnixNano: '1763000000200000002',
        links: [{ traceId, spanId: '00f067aa0ba902b7' }],
      },
      // A parent ID of 11 bytes, which the JSON path's normalizeId reads as base64 of 16 bytes.
      {
        traceId,
        spanId: '2222222222222222',
        parentSpanId: '0123456789abcdef012345',
        name: 'odd',
        startTimeUnixNano: '1763000000300000000',
        endTimeUnixNano: '1763000000310000000',
      },
      { traceId, name: 'no span id', startTimeUnixNano: '1763000000300000000', endTimeUnixNano: '1763000000310000000' },
      {
        traceId,
        spanId: '3333333333333333',
        parentSpanId: '00f067aa0ba902b7',
        name: 'failed call',
        attributes: [
          { key: 'http.response.status_code', value: { intValue: '503' } },
          { key: 'span.kind', value: { stringValue: 'client' } },
        ],
        status: { code: 2 },
        startTimeUnixNano: '1763000000400000000',
        endTimeUnixNano: '1763000000500000000',
      },
      // Before 1970 … after 2262 in µs, and a start of a few ns (high word 0).
      {
        traceId,
        spanId: '4444444444444444',
        parentSpanId: '00f067aa0ba902b7',
        name: 'far future',
        startTimeUnixNano: '18446744073709551615',
        endTimeUnixNano: '18446744073709551615',
      },
      {
        traceId,
        spanId: '5555555555555555',
        parentSpanId: '00f067aa0ba902b7',
        name: 'epoch',
        startTimeUnixNano: '999',
        endTimeUnixNano: '123456789',
      },
    ];
    const request = { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }] };
    const [trace] = encodedTraces(request);
    const { viaJson, direct } = bothReaders(trace);
    expect(direct).toEqual(viaJson);
    expect(viaJson.traces[0].size).toBeGreaterThanOrEqual(4);
    expect(viaJson.operationNames[0]).toContain('unknown_service failed call');
    expect(viaJson.problems.length).toBeGreaterThanOrEqual(2);
  });

  it('reads a trace with a part that is not an encoded message through the OTLP/JSON reader', () => {
    const [encoded] = encodedTraces(
      jsonLines(path.join(REPO_ROOT, 'examples/demo-slow-redis/slow-redis.otlp.jsonl'))[0]
    );
    const json = resourceSpansOf(encoded.resourceSpans);
    const mixed = { ...encoded, resourceSpans: [...json] };
    const operations = new OperationTable();
    expect(comparable(readFinalisedTrace(mixed, operations), operations)).toEqual(bothReaders(encoded).viaJson);
    expect(() => readEncodedTrace(encoded.traceId, [], new OperationTable())).not.toThrow();
  });
});

describe('protoNanosToMicros', () => {
  it('is exactly nanosToMicros of the decimal text, for every size of value', () => {
    const values = [
      Long.fromString('1763000000072993123', true),
      Long.fromString('1763000000095000457', true),
      Long.fromString('999', true),
      Long.fromString('4294967296', true),
      Long.fromString('18446744073709551615', true),
      Long.fromString('-5', false),
      1234567,
    ];
    // Epoch nanoseconds of the coming centuries, spread by a fixed linear congruential sequence.
    let seed = 12345;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < 2000; i++) {
      values.push(Long.fromBits(next(), next() >>> 2, true));
    }
    for (const value of values) {
      expect(protoNanosToMicros(value)).toBe(nanosToMicros(nanosText(value)));
    }
  });
});
