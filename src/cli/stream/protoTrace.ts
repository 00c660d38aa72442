/**
 * A finalised trace → the engine's model. The usual trace (every part a one-trace protobuf message kept encoded,
 * decode.ts EncodedTrace) is read straight from protobufjs's decoded spans into the engine's TraceBuilder; anything
 * else goes through the OTLP/JSON reader (readOtlp). The direct reader exists for speed: rendering each span as
 * OTLP/JSON (hex and decimal strings, objects) only for readOtlp to parse it back took half of `hotpath stream`'s
 * time in the bench's profile. It must build exactly the model readOtlp builds from that rendering (same IDs, same
 * floating-point times, same facts, same rejections), so that the metrics keep equalling `hotpath analyze`: only the
 * reading of fields is its own; the rules are readOtlp's (`addOtlpSpan`). protoTrace.test.ts compares the two on the
 * demo's and recorded traces.
 */
import type Long from 'long';

import { nanosToMicros, normalizeId, OperationTable, readOtlp, TraceBuilder, type ParsedTraces } from '../../engine';
import { addOtlpSpan, anyValue, serviceName } from '../../engine/adapters/otlp';
import { SpanFacts } from '../../engine/adapters/semantics';
import {
  anyValueJson,
  attributesJson,
  EncodedTrace,
  hex,
  nanosText,
  resourceKey,
  resourceSpansOf,
  splitNanos,
  type ProtoRequest,
  type ProtoSpan,
} from './decode';
import type { OpenTrace } from './openTraces';
import { exportTraceServiceRequestForReading } from './otlpProto';

/**
 * Epoch nanoseconds → µs, the very number `nanosToMicros(nanosText(value))` gives (the JSON path), without the
 * string: ⌊ns / 1000⌋ + (ns mod 1000) / 1000 from the same exact split (splitNanos).
 */
export function protoNanosToMicros(value: Long | number): number {
  const split = typeof value === 'number' ? undefined : splitNanos(value);
  return split === undefined ? nanosToMicros(nanosText(value)) : split.micros + split.nanos / 1000;
}

/** A span or trace ID of protobuf bytes as readOtlp's normalizeId has it from the hex rendering. */
function protoId(bytes: Uint8Array): string | null {
  const raw = hex(bytes);
  return raw.length === 16 || raw.length === 32 ? raw : normalizeId(raw);
}

function firstLinkInTrace(span: ProtoSpan, traceId: string): string | null {
  for (const link of span.links) {
    if (protoId(link.traceId) === traceId) {
      const spanId = protoId(link.spanId);
      if (spanId !== null) {
        return spanId;
      }
    }
  }
  return null;
}

function addProtoSpan(
  builder: TraceBuilder,
  facts: SpanFacts,
  span: ProtoSpan,
  traceId: string,
  service: string,
  path: () => string
): void {
  facts.reset();
  facts.observe('span.kind', span.kind);
  for (const attribute of span.attributes) {
    // Only the keys SpanFacts reads are decoded (the JSON rendering kept only those too).
    if (SpanFacts.KEYS.has(attribute.key)) {
      facts.observe(attribute.key, anyValue(anyValueJson(attribute.value)));
    }
  }
  const parentId = protoId(span.parentSpanId);
  const fields = {
    spanId: protoId(span.spanId),
    parentId,
    linkParentId: parentId === null ? firstLinkInTrace(span, traceId) : null,
    name: span.name,
    startUs: protoNanosToMicros(span.startTimeUnixNano),
    endUs: protoNanosToMicros(span.endTimeUnixNano),
    statusError: span.status !== null && span.status.code === 2,
  };
  addOtlpSpan(builder, fields, facts, path, service);
}

/** One trace's encoded one-trace messages → its model (and the problems of its rejected spans). */
export function readEncodedTrace(
  traceId: string,
  parts: readonly EncodedTrace[],
  operations: OperationTable
): ParsedTraces {
  const builder = new TraceBuilder(traceId, operations);
  const facts = new SpanFacts();
  parts.forEach((part, m) => {
    const request = exportTraceServiceRequestForReading.decode(part.bytes) as unknown as ProtoRequest;
    request.resourceSpans.forEach((resourceSpans, r) => {
      const attributes = attributesJson(resourceSpans.resource?.attributes ?? [], resourceKey);
      const service = serviceName({ attributes });
      resourceSpans.scopeSpans.forEach((scope, s) => {
        scope.spans.forEach((span, i) => {
          const path = () => `message ${m + 1}: resourceSpans[${r}].scopeSpans[${s}].spans[${i}]`;
          addProtoSpan(builder, facts, span, traceId, service, path);
        });
      });
    });
  });
  const model = builder.build();
  return { traces: model ? [model] : [], problems: [...builder.problems] };
}

/** A finalised trace's model: read directly when every part is an encoded one-trace message, else as OTLP/JSON. */
export function readFinalisedTrace(trace: OpenTrace, operations: OperationTable): ParsedTraces {
  const parts = trace.resourceSpans;
  if (parts.length > 0 && parts.every((part) => part instanceof EncodedTrace)) {
    return readEncodedTrace(trace.traceId, parts as EncodedTrace[], operations);
  }
  return readOtlp({ resourceSpans: resourceSpansOf(parts) }, operations);
}
