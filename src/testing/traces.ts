/**
 * Test-only builders: describe a trace as a short list of spans and get it in each of the engine's three input
 * formats, laid out as the real producers lay them out (Jaeger's query API, OTLP/JSON, Grafana's Jaeger trace
 * frame as in test/fixtures/jaeger/grafana-frames/).
 */
export interface SpanSpec {
  id: string;
  parent?: string;
  /** FOLLOWS_FROM instead of CHILD_OF. */
  follows?: boolean;
  service?: string;
  op?: string;
  /** µs */
  start: number;
  /** µs */
  duration: number;
  kind?: 'server' | 'client' | 'producer' | 'consumer' | 'internal';
  error?: boolean;
}

export const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';

export function jaegerTrace(spans: SpanSpec[], traceID = TRACE_ID) {
  const services = [...new Set(spans.map((s) => s.service ?? 'svc'))];
  return {
    traceID,
    spans: spans.map((s) => ({
      traceID,
      spanID: s.id,
      operationName: s.op ?? s.id,
      references: s.parent ? [{ refType: s.follows ? 'FOLLOWS_FROM' : 'CHILD_OF', traceID, spanID: s.parent }] : [],
      startTime: s.start,
      duration: s.duration,
      tags: [
        ...(s.kind ? [{ key: 'span.kind', type: 'string', value: s.kind }] : []),
        ...(s.error ? [{ key: 'error', type: 'bool', value: true }] : []),
      ],
      processID: `p${services.indexOf(s.service ?? 'svc') + 1}`,
    })),
    processes: Object.fromEntries(services.map((name, i) => [`p${i + 1}`, { serviceName: name, tags: [] }])),
  };
}

const OTLP_KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

/** OTLP/JSON with upper-case hex IDs (as the proto example uses) and string nanoseconds. */
export function otlpTrace(spans: SpanSpec[], traceID = TRACE_ID) {
  const services = [...new Set(spans.map((s) => s.service ?? 'svc'))];
  return {
    resourceSpans: services.map((service) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [
        {
          scope: { name: 'test' },
          spans: spans
            .filter((s) => (s.service ?? 'svc') === service)
            .map((s) => ({
              traceId: traceID.toUpperCase(),
              spanId: s.id.toUpperCase(),
              ...(s.parent && !s.follows ? { parentSpanId: s.parent.toUpperCase() } : {}),
              ...(s.parent && s.follows ? { links: [{ traceId: traceID, spanId: s.parent }] } : {}),
              name: s.op ?? s.id,
              kind: s.kind ? OTLP_KIND[s.kind] : 0,
              startTimeUnixNano: `${s.start}000`,
              endTimeUnixNano: `${s.start + s.duration}000`,
              attributes: [],
              status: s.error ? { code: 2 } : {},
            })),
        },
      ],
    })),
  };
}

/** The wire form of Grafana's Jaeger trace frame: ms floats, parent in parentSpanID, FOLLOWS_FROM in references. */
export function grafanaTraceFrame(spans: SpanSpec[], traceID = TRACE_ID) {
  const column = <T>(pick: (s: SpanSpec) => T) => spans.map(pick);
  const fields: Array<[string, unknown[]]> = [
    ['traceID', column(() => traceID)],
    ['spanID', column((s) => s.id)],
    ['parentSpanID', column((s) => (s.parent && !s.follows ? s.parent : null))],
    ['operationName', column((s) => s.op ?? s.id)],
    ['serviceName', column((s) => s.service ?? 'svc')],
    ['serviceTags', column(() => [])],
    ['startTime', column((s) => s.start / 1000)],
    ['duration', column((s) => s.duration / 1000)],
    ['logs', column(() => [])],
    [
      'references',
      column((s) => (s.parent && s.follows ? [{ refType: 'FOLLOWS_FROM', traceID, spanID: s.parent }] : [])),
    ],
    [
      'tags',
      column((s) => [
        ...(s.kind ? [{ key: 'span.kind', type: 'string', value: s.kind }] : []),
        ...(s.error ? [{ key: 'error', type: 'bool', value: true }] : []),
      ]),
    ],
  ];
  return {
    schema: {
      name: traceID,
      meta: { preferredVisualisationType: 'trace', custom: { traceFormat: 'jaeger' } },
      fields: fields.map(([name]) => ({ name })),
    },
    data: { values: fields.map(([, values]) => values) },
  };
}
