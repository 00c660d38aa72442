/**
 * One Kafka message from Jaeger v2's collector (the OTel collector's `kafka` exporter, encodings `otlp_proto` and
 * `otlp_json`: an `ExportTraceServiceRequest` per message) → its spans split per trace, each trace's part in the
 * OTLP/JSON shape the engine's reader takes (src/engine/adapters/otlp.ts readOtlp). The exporter sends one trace per
 * message when `partition_traces_by_id` is on, but nothing here relies on that: a message may carry many traces.
 * Input is hostile: anything undecodable is an error for the caller to count; spans without a trace ID are counted.
 */
import { normalizeId } from '../../engine';
import Long from 'long';
import { util as protobufUtil, configure as configureProtobuf } from 'protobufjs/light';

import { exportTraceServiceRequest } from './otlpProto';

// 64-bit integers as long.js Longs, never as lossy numbers: epoch nanoseconds exceed 2^53. protobufjs looks long.js
// up itself when it can (it does in this bundle); without it, it would decode them to numbers silently, so it is
// given explicitly rather than left to that lookup.
protobufUtil.Long = Long;
configureProtobuf();

export type Encoding = 'otlp_proto' | 'otlp_json';
export const ENCODINGS: readonly Encoding[] = ['otlp_proto', 'otlp_json'];

/** One trace's spans of one message, as one OTLP/JSON `ResourceSpans` per resource they came from. */
export interface TraceFragment {
  traceId: string;
  resourceSpans: unknown[];
  spans: number;
}

export interface DecodedMessage {
  fragments: TraceFragment[];
  /** Spans with no usable trace ID (they cannot be grouped). */
  malformedSpans: number;
}

export class MalformedMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedMessageError';
  }
}

export function decodeMessage(value: Buffer | null, encoding: Encoding): DecodedMessage {
  if (value === null || value.length === 0) {
    throw new MalformedMessageError('empty message');
  }
  let request: unknown;
  try {
    request = encoding === 'otlp_proto' ? protoToJson(value) : JSON.parse(value.toString('utf8'));
  } catch (error) {
    throw new MalformedMessageError(`not ${encoding}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return splitByTrace(request);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Groups the spans of an OTLP/JSON export request by trace ID, keeping each span's resource. */
export function splitByTrace(request: unknown): DecodedMessage {
  const resources = isRecord(request) ? request.resourceSpans : undefined;
  if (!Array.isArray(resources)) {
    throw new MalformedMessageError('no resourceSpans');
  }
  const byTrace = new Map<string, TraceFragment>();
  let malformedSpans = 0;
  for (const resourceSpans of resources) {
    if (!isRecord(resourceSpans) || !Array.isArray(resourceSpans.scopeSpans)) {
      continue;
    }
    // This resource's spans per trace: one ResourceSpans (same resource) per trace it touches.
    const perTrace = new Map<string, unknown[]>();
    for (const scope of resourceSpans.scopeSpans) {
      const spans = isRecord(scope) ? scope.spans : undefined;
      if (!Array.isArray(spans)) {
        continue;
      }
      for (const span of spans) {
        const traceId = isRecord(span) ? normalizeId(span.traceId) : null;
        if (traceId === null) {
          malformedSpans++;
          continue;
        }
        let list = perTrace.get(traceId);
        if (list === undefined) {
          list = [];
          perTrace.set(traceId, list);
        }
        list.push(span);
      }
    }
    for (const [traceId, spans] of perTrace) {
      let fragment = byTrace.get(traceId);
      if (fragment === undefined) {
        fragment = { traceId, resourceSpans: [], spans: 0 };
        byTrace.set(traceId, fragment);
      }
      fragment.resourceSpans.push({ resource: resourceSpans.resource, scopeSpans: [{ spans }] });
      fragment.spans += spans.length;
    }
  }
  return { fragments: [...byTrace.values()], malformedSpans };
}

// ---- otlp_proto: protobufjs's decoded message → the OTLP/JSON shape (hex IDs, nanoseconds as decimal strings) ----

interface ProtoAnyValue {
  value?: string;
  stringValue: string;
  boolValue: boolean;
  intValue: Long | number;
  doubleValue: number;
}
interface ProtoKeyValue {
  key: string;
  value: ProtoAnyValue | null;
}
interface ProtoSpan {
  traceId: Uint8Array;
  spanId: Uint8Array;
  parentSpanId: Uint8Array;
  name: string;
  kind: number;
  startTimeUnixNano: Long | number;
  endTimeUnixNano: Long | number;
  attributes: ProtoKeyValue[];
  links: Array<{ traceId: Uint8Array; spanId: Uint8Array }>;
  status: { code: number } | null;
}
interface ProtoRequest {
  resourceSpans: Array<{
    resource: { attributes: ProtoKeyValue[] } | null;
    scopeSpans: Array<{ spans: ProtoSpan[] }>;
  }>;
}

/** Hex of a bytes field: a Buffer slice when set; protobufjs's default (an empty array, not a Buffer) when absent. */
function hex(bytes: Uint8Array | number[]): string {
  if (bytes.length === 0) {
    return '';
  }
  return bytes instanceof Uint8Array
    ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
    : Buffer.from(bytes).toString('hex');
}

function anyValueJson(value: ProtoAnyValue | null): unknown {
  switch (value?.value) {
    case 'stringValue':
      return { stringValue: value.stringValue };
    case 'boolValue':
      return { boolValue: value.boolValue };
    case 'intValue':
      return { intValue: value.intValue.toString() };
    case 'doubleValue':
      return { doubleValue: value.doubleValue };
    default:
      return {};
  }
}

function attributesJson(attributes: ProtoKeyValue[]): unknown[] {
  return attributes.map((attribute) => ({ key: attribute.key, value: anyValueJson(attribute.value) }));
}

function spanJson(span: ProtoSpan): unknown {
  return {
    traceId: hex(span.traceId),
    spanId: hex(span.spanId),
    parentSpanId: hex(span.parentSpanId),
    name: span.name,
    kind: span.kind,
    startTimeUnixNano: span.startTimeUnixNano.toString(),
    endTimeUnixNano: span.endTimeUnixNano.toString(),
    attributes: attributesJson(span.attributes),
    links: span.links.map((link) => ({ traceId: hex(link.traceId), spanId: hex(link.spanId) })),
    status: span.status === null ? undefined : { code: span.status.code },
  };
}

function protoToJson(value: Buffer): unknown {
  const request = exportTraceServiceRequest.decode(value) as unknown as ProtoRequest;
  return {
    resourceSpans: request.resourceSpans.map((resourceSpans) => ({
      resource: { attributes: attributesJson(resourceSpans.resource?.attributes ?? []) },
      scopeSpans: resourceSpans.scopeSpans.map((scope) => ({ spans: scope.spans.map(spanJson) })),
    })),
  };
}
