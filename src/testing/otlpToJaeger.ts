import { nanosToMicros, normalizeId } from '../engine/adapters/otlp';
import type { JaegerTrace } from './grafanaFrames';

/**
 * Test-only: OTLP/JSON trace exports (what an OTLP/HTTP receiver gets) → traces as Jaeger's query API returns
 * them after storing the same spans, so that recorded OTLP can be served through Grafana's Jaeger frames
 * (grafanaFrames.ts). The mapping is Jaeger's, checked against its own pair of fixtures
 * (test/fixtures/otlp/jaeger-otlp2jaeger-in.json → jaeger/jaeger-otlp2jaeger-out.json, from
 * jaegertracing/jaeger cmd/jaeger/internal/extension/jaegerquery/internal/fixture) and described for the OTel
 * collector's translator (opentelemetry-collector-contrib pkg/translator/jaeger, traces_to_jaegerproto.go):
 * - IDs in lower-case hex (base64 decoded); `parentSpanId` → the first reference, CHILD_OF; `links` → FOLLOWS_FROM;
 * - tags: `otel.scope.name`/`otel.scope.version`, the span's attributes, `span.kind`, `otel.status_code`
 *   (+ `error=true` on ERROR) and `otel.status_description`, `w3c.tracestate`, in that order;
 * - events → logs whose first field is `event` = the event's name; nanoseconds → µs, truncated;
 * - the resource → the process: `service.name` is its serviceName, the other attributes its tags; equal
 *   processes of one trace share one key `p1`, `p2`, … (numbered in order of first appearance).
 */
export type JaegerApiTrace = JaegerTrace & { warnings: null };
type JaegerSpan = JaegerTrace['spans'][number];
type JaegerKeyValue = NonNullable<JaegerSpan['tags']>[number];

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);

const KINDS: Record<string, string> = {
  '1': 'internal',
  '2': 'server',
  '3': 'client',
  '4': 'producer',
  '5': 'consumer',
  SPAN_KIND_INTERNAL: 'internal',
  SPAN_KIND_SERVER: 'server',
  SPAN_KIND_CLIENT: 'client',
  SPAN_KIND_PRODUCER: 'producer',
  SPAN_KIND_CONSUMER: 'consumer',
};
const STATUS: Record<string, 'OK' | 'ERROR'> = {
  '1': 'OK',
  '2': 'ERROR',
  STATUS_CODE_OK: 'OK',
  STATUS_CODE_ERROR: 'ERROR',
};

/** A plain value of an OTLP AnyValue (arrays and maps as Jaeger shows them: their JSON, in a string tag). */
function plain(value: unknown): unknown {
  if (!isObject(value)) {
    return undefined;
  }
  if ('arrayValue' in value) {
    return list(isObject(value.arrayValue) ? value.arrayValue.values : undefined).map(plain);
  }
  if ('kvlistValue' in value) {
    const out: Json = {};
    for (const kv of list(isObject(value.kvlistValue) ? value.kvlistValue.values : undefined)) {
      out[String(kv.key)] = plain(kv.value);
    }
    return out;
  }
  return value.stringValue ?? value.boolValue ?? value.intValue ?? value.doubleValue ?? value.bytesValue;
}

function keyValue(key: string, value: unknown): JaegerKeyValue {
  if (!isObject(value)) {
    return { key, type: 'string', value: '' };
  }
  if ('boolValue' in value) {
    return { key, type: 'bool', value: Boolean(value.boolValue) };
  }
  if ('intValue' in value) {
    return { key, type: 'int64', value: Number(value.intValue) };
  }
  if ('doubleValue' in value) {
    return { key, type: 'float64', value: Number(value.doubleValue) };
  }
  if ('bytesValue' in value) {
    return { key, type: 'binary', value: value.bytesValue };
  }
  const decoded = plain(value);
  return { key, type: 'string', value: typeof decoded === 'string' ? decoded : JSON.stringify(decoded ?? '') };
}

const tagsOf = (attributes: unknown): JaegerKeyValue[] =>
  list(attributes)
    .filter((kv) => typeof kv.key === 'string')
    .map((kv) => keyValue(String(kv.key), kv.value));

/**
 * Whole µs, truncated as Jaeger does, in integer arithmetic: epoch nanoseconds exceed 2^53, and a float µs value
 * near 1.7e15 cannot hold the sub-µs part (…001.999 would round up to …002).
 */
function bigNanos(nanos: unknown): bigint | undefined {
  return (typeof nanos === 'string' && /^\d+$/.test(nanos)) || Number.isInteger(nanos)
    ? BigInt(nanos as string | number)
    : undefined;
}
const micros = (nanos: unknown): number => {
  const exact = bigNanos(nanos);
  return exact === undefined ? Math.floor(nanosToMicros(nanos)) : Number(exact / BigInt(1000));
};
const durationMicros = (start: unknown, end: unknown): number => {
  const [from, to] = [bigNanos(start), bigNanos(end)];
  return from === undefined || to === undefined ? micros(end) - micros(start) : Number((to - from) / BigInt(1000));
};

function spanTags(span: Json, scope: Json): JaegerKeyValue[] {
  const tags: JaegerKeyValue[] = [];
  if (typeof scope.name === 'string' && scope.name !== '') {
    tags.push({ key: 'otel.scope.name', type: 'string', value: scope.name });
  }
  if (typeof scope.version === 'string' && scope.version !== '') {
    tags.push({ key: 'otel.scope.version', type: 'string', value: scope.version });
  }
  tags.push(...tagsOf(span.attributes));
  const kind = KINDS[String(span.kind ?? '')];
  if (kind) {
    tags.push({ key: 'span.kind', type: 'string', value: kind });
  }
  const status = isObject(span.status) ? span.status : {};
  const code = STATUS[String(status.code ?? '')];
  if (code) {
    tags.push({ key: 'otel.status_code', type: 'string', value: code });
  }
  if (code === 'ERROR') {
    tags.push({ key: 'error', type: 'bool', value: true });
  }
  if (typeof status.message === 'string' && status.message !== '') {
    tags.push({ key: 'otel.status_description', type: 'string', value: status.message });
  }
  if (typeof span.traceState === 'string' && span.traceState !== '') {
    tags.push({ key: 'w3c.tracestate', type: 'string', value: span.traceState });
  }
  return tags;
}

interface Building {
  trace: JaegerApiTrace;
  processKeys: Map<string, string>;
}

/** Traces in order of their first span; spans in export order. Accepts one export or a list (JSON lines). */
export function otlpToJaeger(input: unknown): JaegerApiTrace[] {
  const traces = new Map<string, Building>();
  for (const exported of Array.isArray(input) ? input : [input]) {
    const resources = isObject(exported) ? (exported.resourceSpans ?? exported.batches) : undefined;
    for (const resourceSpans of list(resources)) {
      const resource = isObject(resourceSpans.resource) ? resourceSpans.resource : {};
      const attributes = list(resource.attributes);
      const service = plain(attributes.find((kv) => kv.key === 'service.name')?.value);
      const process = {
        serviceName: typeof service === 'string' ? service : 'unknown_service',
        tags: tagsOf(attributes.filter((kv) => kv.key !== 'service.name')),
      };
      const processJson = JSON.stringify(process);
      for (const scopeSpans of list(resourceSpans.scopeSpans ?? resourceSpans.instrumentationLibrarySpans)) {
        const scope = isObject(scopeSpans.scope ?? scopeSpans.instrumentationLibrary)
          ? ((scopeSpans.scope ?? scopeSpans.instrumentationLibrary) as Json)
          : {};
        for (const span of list(scopeSpans.spans)) {
          const traceID = normalizeId(span.traceId);
          const spanID = normalizeId(span.spanId);
          if (traceID === null || spanID === null) {
            continue;
          }
          let building = traces.get(traceID);
          if (!building) {
            building = { trace: { traceID, spans: [], processes: {}, warnings: null }, processKeys: new Map() };
            traces.set(traceID, building);
          }
          let processID = building.processKeys.get(processJson);
          if (processID === undefined) {
            processID = `p${building.processKeys.size + 1}`;
            building.processKeys.set(processJson, processID);
            building.trace.processes[processID] = process;
          }
          const parent = normalizeId(span.parentSpanId);
          const references = [
            ...(parent === null ? [] : [{ refType: 'CHILD_OF', traceID, spanID: parent }]),
            ...list(span.links).flatMap((link) => {
              const linkTrace = normalizeId(link.traceId);
              const linkSpan = normalizeId(link.spanId);
              return linkTrace && linkSpan ? [{ refType: 'FOLLOWS_FROM', traceID: linkTrace, spanID: linkSpan }] : [];
            }),
          ];
          const jaegerSpan: JaegerSpan = {
            traceID,
            spanID,
            operationName: typeof span.name === 'string' ? span.name : '',
            references,
            startTime: micros(span.startTimeUnixNano),
            duration: durationMicros(span.startTimeUnixNano, span.endTimeUnixNano),
            tags: spanTags(span, scope),
            logs: list(span.events).map((event) => ({
              timestamp: micros(event.timeUnixNano),
              fields: [
                ...(typeof event.name === 'string' && event.name !== ''
                  ? [{ key: 'event', type: 'string', value: event.name }]
                  : []),
                ...tagsOf(event.attributes),
              ],
            })),
            processID,
            warnings: null,
          };
          building.trace.spans.push(jaegerSpan);
        }
      }
    }
  }
  return [...traces.values()].map((b) => b.trace);
}
