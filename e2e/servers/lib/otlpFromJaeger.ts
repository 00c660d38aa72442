/**
 * Jaeger query-API traces (bench/generate.mjs's output) as OTLP/JSON export requests, to send them through a real
 * collector's OTLP receiver. Follows Jaeger's own model→OTLP translation in outline: one ResourceSpans per process,
 * CHILD_OF → parentSpanId, FOLLOWS_FROM → a link, `span.kind` tag → kind, `error=true` → status ERROR, other tags →
 * attributes. Times: µs → ns (as decimal strings). `hotpath analyze` reads the same JSON in the tests, so the
 * comparison does not depend on how faithful this translation is.
 */
interface JaegerTag {
  key: string;
  type?: string;
  value: unknown;
}
interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references?: Array<{ refType: string; spanID: string }>;
  startTime: number;
  duration: number;
  tags?: JaegerTag[];
  processID: string;
}
export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

const KINDS: Record<string, number> = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };

function attributeValue(tag: JaegerTag): unknown {
  if (tag.type === 'bool' || typeof tag.value === 'boolean') {
    return { boolValue: Boolean(tag.value) };
  }
  if (tag.type === 'int64') {
    return { intValue: String(tag.value) };
  }
  if (tag.type === 'float64') {
    return { doubleValue: Number(tag.value) };
  }
  return { stringValue: String(tag.value) };
}

function otlpSpan(span: JaegerSpan): unknown {
  const tags = span.tags ?? [];
  const parent = span.references?.find((reference) => reference.refType === 'CHILD_OF');
  const follows = span.references?.filter((reference) => reference.refType === 'FOLLOWS_FROM') ?? [];
  const kind = tags.find((tag) => tag.key === 'span.kind');
  const error = tags.some((tag) => tag.key === 'error' && (tag.value === true || tag.value === 'true'));
  const startNs = BigInt(span.startTime) * 1000n;
  return {
    traceId: span.traceID.padStart(32, '0'),
    spanId: span.spanID,
    parentSpanId: parent?.spanID ?? '',
    name: span.operationName,
    kind: typeof kind?.value === 'string' ? (KINDS[kind.value] ?? 0) : 0,
    startTimeUnixNano: String(startNs),
    endTimeUnixNano: String(startNs + BigInt(span.duration) * 1000n),
    attributes: tags
      .filter((tag) => tag.key !== 'span.kind' && tag.key !== 'error')
      .map((tag) => ({ key: tag.key, value: attributeValue(tag) })),
    links: follows.map((reference) => ({ traceId: span.traceID.padStart(32, '0'), spanId: reference.spanID })),
    status: error ? { code: 2 } : {},
  };
}

/** One export request holding the given traces. */
export function otlpExport(traces: JaegerTrace[]): { resourceSpans: unknown[] } {
  const resourceSpans: unknown[] = [];
  for (const trace of traces) {
    const byProcess = new Map<string, unknown[]>();
    for (const span of trace.spans) {
      const list = byProcess.get(span.processID) ?? [];
      list.push(otlpSpan(span));
      byProcess.set(span.processID, list);
    }
    for (const [processId, spans] of byProcess) {
      const serviceName = trace.processes[processId]?.serviceName ?? 'unknown_service';
      resourceSpans.push({
        resource: { attributes: [{ key: 'service.name', value: { stringValue: serviceName } }] },
        scopeSpans: [{ scope: { name: 'hotpath-e2e' }, spans }],
      });
    }
  }
  return { resourceSpans };
}
