import { TraceBuilder } from '../model/builder';
import { OperationTable } from '../model/operations';
import { InputProblem, TraceInputError } from '../model/problems';
import { ParentLink } from '../model/trace';
import { SpanFacts } from './semantics';
import { isRecord, ParsedTraces } from './types';

/**
 * OTLP/JSON (opentelemetry-proto `ExportTraceServiceRequest` in its JSON mapping): `resourceSpans[]` →
 * `scopeSpans[]` (or the older `instrumentationLibrarySpans[]`) → `spans[]`; Tempo's trace-by-ID flavour uses
 * `batches` instead of `resourceSpans`. IDs are hex (any case) or base64 (as protobuf's JSON mapping and Tempo
 * emit them); times are nanoseconds, usually as decimal strings beyond 2^53. An array stands for JSON lines
 * (one export per line, as the collector's file exporter writes them); spans are grouped by trace ID across all.
 *
 * Parent rule (same as Jaeger's OTLP translator): `parentSpanId` is a CHILD_OF parent; a span without one
 * takes its first link into the same trace as a FOLLOWS_FROM parent.
 */
export function readOtlp(input: unknown, operations: OperationTable, source?: string): ParsedTraces {
  const exports = Array.isArray(input) ? input : [input];
  const builders = new Map<string, TraceBuilder>();
  const problems: InputProblem[] = [];
  const facts = new SpanFacts();
  exports.forEach((exported, line) => {
    const linePath = Array.isArray(input) ? `line ${line + 1}: ` : '';
    const resources = isRecord(exported) ? (exported.resourceSpans ?? exported.batches) : undefined;
    if (!Array.isArray(resources)) {
      throw new TraceInputError('expected OTLP JSON: {"resourceSpans":[…]} (or Tempo\'s {"batches":[…]})', {
        source,
        path: linePath ? linePath.slice(0, -2) : undefined,
      });
    }
    resources.forEach((resourceSpans, r) => {
      if (!isRecord(resourceSpans)) {
        return;
      }
      const service = serviceName(resourceSpans.resource);
      const scopes = resourceSpans.scopeSpans ?? resourceSpans.instrumentationLibrarySpans;
      if (!Array.isArray(scopes)) {
        return;
      }
      scopes.forEach((scope, s) => {
        const spans = isRecord(scope) ? scope.spans : undefined;
        if (!Array.isArray(spans)) {
          return;
        }
        spans.forEach((span, i) => {
          const path = `${linePath}resourceSpans[${r}].scopeSpans[${s}].spans[${i}]`;
          if (!isRecord(span)) {
            problems.push({ source, path, message: 'a span must be an object' });
            return;
          }
          const traceId = normalizeId(span.traceId);
          if (traceId === null) {
            problems.push({ source, path: `${path}.traceId`, message: 'traceId is missing' });
            return;
          }
          let builder = builders.get(traceId);
          if (builder === undefined) {
            builder = new TraceBuilder(traceId, operations, source);
            builders.set(traceId, builder);
          }
          facts.reset();
          facts.observe('span.kind', span.kind);
          if (Array.isArray(span.attributes)) {
            for (const attribute of span.attributes) {
              if (isRecord(attribute) && typeof attribute.key === 'string') {
                facts.observe(attribute.key, anyValue(attribute.value));
              }
            }
          }
          const parentId = normalizeId(span.parentSpanId);
          addOtlpSpan(
            builder,
            {
              spanId: normalizeId(span.spanId),
              parentId,
              linkParentId: parentId === null ? firstLinkInTrace(span.links, traceId) : null,
              name: typeof span.name === 'string' ? span.name : '',
              startUs: nanosToMicros(span.startTimeUnixNano),
              endUs: nanosToMicros(span.endTimeUnixNano),
              statusError:
                isRecord(span.status) && (span.status.code === 2 || span.status.code === 'STATUS_CODE_ERROR'),
            },
            facts,
            () => path,
            service
          );
        });
      });
    });
  });
  const result: ParsedTraces = { traces: [], problems };
  for (const builder of builders.values()) {
    const model = builder.build();
    problems.push(...builder.problems);
    if (model) {
      result.traces.push(model);
    }
  }
  return result;
}

/** One OTLP span's fields, read from either encoding (OTLP/JSON here, protobuf in `hotpath stream`). */
export interface OtlpSpanFields {
  /** Normalised (normalizeId); null when missing. */
  spanId: string | null;
  parentId: string | null;
  /** When there is no parentId: the span ID of the first link into the same trace, else null. */
  linkParentId: string | null;
  name: string;
  startUs: number;
  endUs: number;
  /** Status code ERROR. */
  statusError: boolean;
}

/**
 * The rules every OTLP span goes by, whichever encoding it came in: no span ID or no usable times, rejected;
 * `parentSpanId` is a CHILD_OF parent, else the first link into the trace a FOLLOWS_FROM one; status ERROR fails
 * the span, as do the facts the caller observed (kind and attributes, after `facts.reset()`).
 */
export function addOtlpSpan(
  builder: TraceBuilder,
  span: OtlpSpanFields,
  facts: SpanFacts,
  path: () => string,
  service: string
): void {
  const { spanId, startUs, endUs } = span;
  if (spanId === null) {
    builder.rejectSpan({ path: `${path()}.spanId`, message: 'spanId is missing' });
    return;
  }
  if (!Number.isFinite(startUs) || !Number.isFinite(endUs)) {
    builder.rejectSpan({ spanId, path: path(), message: 'startTimeUnixNano or endTimeUnixNano is not a number' });
    return;
  }
  const [parentId, link] =
    span.parentId !== null
      ? [span.parentId, ParentLink.ChildOf as const]
      : [span.linkParentId, ParentLink.FollowsFrom as const];
  const isError = facts.isError || span.statusError;
  builder.addSpan(spanId, parentId, link, service, span.name, startUs, endUs - startUs, facts.kind, isError);
}

/** The resource's `service.name`, or the SDKs' fallback. Also used by the demo tests' OTLP receiver. */
export function serviceName(resource: unknown): string {
  if (isRecord(resource) && Array.isArray(resource.attributes)) {
    for (const attribute of resource.attributes) {
      if (isRecord(attribute) && attribute.key === 'service.name') {
        const value = anyValue(attribute.value);
        if (typeof value === 'string') {
          return value;
        }
      }
    }
  }
  // The OpenTelemetry SDKs' own fallback when service.name is unset.
  return 'unknown_service';
}

/** Decodes an OTLP `AnyValue` ({stringValue}, {intValue}, …) to a plain value. */
export function anyValue(value: unknown): unknown {
  if (!isRecord(value)) {
    return undefined;
  }
  if ('stringValue' in value) {
    return value.stringValue;
  }
  if ('boolValue' in value) {
    return value.boolValue;
  }
  if ('intValue' in value) {
    return numberOf(value.intValue);
  }
  if ('doubleValue' in value) {
    return numberOf(value.doubleValue);
  }
  return undefined;
}

/**
 * A number or numeric string (protobuf's JSON mapping writes int64 as a string) as a number; anything else NaN.
 * Never `Number(x)` of an object or array: that calls its toString, which recurses through nested arrays.
 */
function numberOf(value: unknown): number {
  return typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
}

const HEX_ID = /^[0-9a-fA-F]+$/;

/**
 * Lower-case hex for any ID: hex of 16 or 32 digits as is, otherwise base64 of 8 or 16 bytes decoded.
 * Anything else is kept verbatim, so that it still matches its own references.
 */
export function normalizeId(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') {
    return null;
  }
  if (HEX_ID.test(value) && (value.length === 16 || value.length === 32)) {
    return value.toLowerCase();
  }
  const hex = base64ToHex(value);
  return hex !== null && (hex.length === 16 || hex.length === 32) ? hex : value;
}

function base64ToHex(value: string): string | null {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) {
    return null;
  }
  let binary: string;
  try {
    binary = atob(value.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    return null;
  }
  let hex = '';
  for (let i = 0; i < binary.length; i++) {
    hex += binary.charCodeAt(i).toString(16).padStart(2, '0');
  }
  return hex;
}

/**
 * Nanoseconds (decimal string or number) to µs without losing precision: epoch nanoseconds exceed 2^53,
 * so a string is split into its µs part and its sub-µs remainder before converting.
 */
export function nanosToMicros(value: unknown): number {
  if (typeof value === 'number') {
    return value / 1000;
  }
  if (typeof value !== 'string' || !/^\d+$/.test(value)) {
    return NaN;
  }
  if (value.length <= 3) {
    return Number(value) / 1000;
  }
  return Number(value.slice(0, -3)) + Number(value.slice(-3)) / 1000;
}

function firstLinkInTrace(links: unknown, traceId: string): string | null {
  if (!Array.isArray(links)) {
    return null;
  }
  for (const l of links) {
    if (isRecord(l) && normalizeId(l.traceId) === traceId) {
      const spanId = normalizeId(l.spanId);
      if (spanId !== null) {
        return spanId;
      }
    }
  }
  return null;
}
