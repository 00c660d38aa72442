/**
 * One Kafka message from Jaeger v2's collector (the OTel collector's `kafka` exporter, encodings `otlp_proto` and
 * `otlp_json`: an `ExportTraceServiceRequest` per message) → its spans split per trace, each trace's part in the
 * OTLP/JSON shape the engine's reader takes (src/engine/adapters/otlp.ts readOtlp). The exporter sends one trace per
 * message when `partition_traces_by_id` is on, but nothing here relies on that: a message may carry many traces.
 * Input is hostile: anything undecodable is an error for the caller to count; spans without a trace ID are counted.
 */
import { normalizeId } from '../../engine';
import { SpanFacts } from '../../engine/adapters/semantics';
import Long from 'long';
import { util as protobufUtil, configure as configureProtobuf } from 'protobufjs/light';

import { anyValue, exportTraceServiceRequestForReading, traceIdsOfRequest } from './otlpProto';

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

/**
 * A message holding the spans of one trace only (what the collector writes with partition_traces_by_id), kept as its
 * bytes while the trace is open and decoded when it is finalised (resourceSpansOf). Open traces held as objects took
 * about 1 KB per span and, living past the young generation, most of the garbage collector's time; encoded, a span
 * takes the ~170 bytes it has on the wire.
 */
export class EncodedTrace {
  constructor(readonly bytes: Buffer) {}
}

/** A trace's collected parts as OTLP/JSON ResourceSpans: the encoded messages among them decoded now. */
export function resourceSpansOf(parts: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const part of parts) {
    if (part instanceof EncodedTrace) {
      for (const fragment of decodeProto(part.bytes).fragments) {
        out.push(...fragment.resourceSpans);
      }
    } else {
      out.push(part);
    }
  }
  return out;
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
    if (encoding === 'otlp_proto') {
      return peekProto(value) ?? decodeProto(value);
    }
    request = JSON.parse(value.toString('utf8'));
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
        appendTo(perTrace, traceId, span);
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
/** A key-value as read (exportTraceServiceRequestForReading): the value still encoded, decoded only when kept. */
export interface ProtoKeyValue {
  key: string;
  value: Uint8Array;
}
export interface ProtoSpan {
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
export interface ProtoRequest {
  resourceSpans: Array<{
    resource: { attributes: ProtoKeyValue[] } | null;
    scopeSpans: Array<{ spans: ProtoSpan[] }>;
  }>;
}

/**
 * Hex of a bytes field: a Buffer slice when set (protobufjs reads bytes as Buffers under Node: no second view is
 * made for it); protobufjs's default (an empty array, not a Buffer) when absent.
 */
export function hex(bytes: Uint8Array | number[]): string {
  if (bytes.length === 0) {
    return '';
  }
  if (Buffer.isBuffer(bytes)) {
    return bytes.toString('hex');
  }
  return bytes instanceof Uint8Array
    ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
    : Buffer.from(bytes).toString('hex');
}

const TWO_TO_32 = 4294967296;

/**
 * A fixed64 of epoch nanoseconds split exactly into whole microseconds and the nanoseconds left over. Long's own
 * toString(10) emulates 64-bit division digit group by digit group and was the single largest cost of decoding in
 * the bench's profile, so the value is split here with two exact double divisions instead:
 * ns = high·2³² + low = (q·1000 + r)·2³² + low, so ns / 1000 = q·2³² + (r·2³² + low) / 1000, where
 * r·2³² + low < 1000·2³² < 2⁵³ stays exact. Undefined for what this does not cover: a high word of 0 (the low word
 * alone is the value), a negative signed value, microseconds beyond 2⁵³ (after the year 2255).
 */
export function splitNanos(value: Long): { micros: number; nanos: number } | undefined {
  const high = value.high >>> 0;
  if (high === 0 || (value.high < 0 && !value.unsigned)) {
    return undefined;
  }
  const rest = (high % 1000) * TWO_TO_32 + (value.low >>> 0);
  const micros = Math.floor(high / 1000) * TWO_TO_32 + Math.floor(rest / 1000);
  return micros > Number.MAX_SAFE_INTEGER ? undefined : { micros, nanos: rest % 1000 };
}

/** A fixed64 of epoch nanoseconds as the decimal string OTLP/JSON carries (splitNanos, else Long's toString). */
export function nanosText(value: Long | number): string {
  if (typeof value === 'number') {
    return String(value);
  }
  if (value.high === 0) {
    return String(value.low >>> 0);
  }
  const split = splitNanos(value);
  if (split === undefined) {
    return value.toString();
  }
  const { micros, nanos } = split;
  return `${micros}${nanos < 10 ? '00' : nanos < 100 ? '0' : ''}${nanos}`;
}

export function anyValueJson(bytes: Uint8Array): unknown {
  const value = bytes.length === 0 ? null : (anyValue.decode(bytes) as unknown as ProtoAnyValue);
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

/**
 * The attributes the engine reads, as OTLP/JSON: of a span, only the keys SpanFacts looks at (its contract: every
 * other tag may be dropped unread); of a resource, only service.name. Everything else would be objects built for the
 * garbage collector.
 */
export function attributesJson(attributes: ProtoKeyValue[], keep: (key: string) => boolean): unknown[] {
  const out: unknown[] = [];
  for (const attribute of attributes) {
    if (keep(attribute.key)) {
      out.push({ key: attribute.key, value: anyValueJson(attribute.value) });
    }
  }
  return out;
}

const spanKey = (key: string) => SpanFacts.KEYS.has(key);
export const resourceKey = (key: string) => key === 'service.name';

function spanJson(span: ProtoSpan, traceId: string): unknown {
  return {
    traceId,
    spanId: hex(span.spanId),
    parentSpanId: hex(span.parentSpanId),
    name: span.name,
    kind: span.kind,
    startTimeUnixNano: nanosText(span.startTimeUnixNano),
    endTimeUnixNano: nanosText(span.endTimeUnixNano),
    attributes: span.attributes.length === 0 ? [] : attributesJson(span.attributes, spanKey),
    links:
      span.links.length === 0
        ? []
        : span.links.map((link) => ({ traceId: hex(link.traceId), spanId: hex(link.spanId) })),
    status: span.status === null ? undefined : { code: span.status.code },
  };
}

interface TraceIdsOnly {
  resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ traceId: Uint8Array }> }> }>;
}

/**
 * A message of one trace's spans as one fragment that keeps the message encoded (a copy: the client's buffer holds
 * a whole fetch); undefined when the message has spans of several traces, none, or IDs of unusual lengths, which
 * decodeProto then reads in full.
 */
function peekProto(value: Buffer): DecodedMessage | undefined {
  const request = traceIdsOfRequest.decode(value) as unknown as TraceIdsOnly;
  let traceId: string | undefined;
  let spans = 0;
  for (const resourceSpans of request.resourceSpans) {
    for (const scope of resourceSpans.scopeSpans) {
      for (const span of scope.spans) {
        const id = hex(span.traceId);
        if ((id.length !== 32 && id.length !== 16) || (traceId !== undefined && id !== traceId)) {
          return undefined;
        }
        traceId = id;
        spans++;
      }
    }
  }
  if (traceId === undefined) {
    return undefined;
  }
  return { fragments: [{ traceId, resourceSpans: [new EncodedTrace(Buffer.from(value))], spans }], malformedSpans: 0 };
}

/**
 * otlp_proto straight to trace fragments: the same result as splitByTrace over the OTLP/JSON rendering of the
 * message, built in one pass (one object per span, the resource's JSON once per resource).
 */
function decodeProto(value: Buffer): DecodedMessage {
  const request = exportTraceServiceRequestForReading.decode(value) as unknown as ProtoRequest;
  const byTrace = new Map<string, TraceFragment>();
  let malformedSpans = 0;
  for (const resourceSpans of request.resourceSpans) {
    const resource = { attributes: attributesJson(resourceSpans.resource?.attributes ?? [], resourceKey) };
    const perTrace = new Map<string, unknown[]>();
    for (const scope of resourceSpans.scopeSpans) {
      for (const span of scope.spans) {
        const raw = hex(span.traceId);
        // Bytes give lower-case hex; only odd lengths need normalizeId's rules to agree with the JSON path.
        const traceId = raw.length === 32 || raw.length === 16 ? raw : normalizeId(raw);
        if (traceId === null) {
          malformedSpans++;
          continue;
        }
        appendTo(perTrace, traceId, spanJson(span, raw));
      }
    }
    for (const [traceId, spans] of perTrace) {
      let fragment = byTrace.get(traceId);
      if (fragment === undefined) {
        fragment = { traceId, resourceSpans: [], spans: 0 };
        byTrace.set(traceId, fragment);
      }
      fragment.resourceSpans.push({ resource, scopeSpans: [{ spans }] });
      fragment.spans += spans.length;
    }
  }
  return { fragments: [...byTrace.values()], malformedSpans };
}

/** Adds `value` to the list `map` holds under `key`, starting the list if there is none. */
function appendTo<V>(map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key);
  if (list === undefined) {
    map.set(key, [value]);
  } else {
    list.push(value);
  }
}
