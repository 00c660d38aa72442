/**
 * Test-only: what Grafana's Jaeger data source returns, built from real Jaeger JSON fixtures with the data
 * source's documented field layout (grafana/grafana-jaeger-datasource `pkg/jaeger/utils/client_utils.go`:
 * `TransformTraceResponse` for a trace, `TransformSearchResponse` for a search; the golden trace frame is
 * test/fixtures/jaeger/grafana-frames/complex-trace.frame.json). Wire format (`schema` + `data.values`), as
 * `/api/ds/query` sends it; turn it into a DataFrame with `dataFrameFromJSON`.
 */
interface JaegerKeyValue {
  key: string;
  type?: string;
  value: unknown;
}
interface JaegerReference {
  refType: string;
  traceID: string;
  spanID: string;
}
interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references?: JaegerReference[];
  startTime: number;
  duration: number;
  tags?: JaegerKeyValue[];
  logs?: Array<{ timestamp: number; fields: JaegerKeyValue[] }>;
  processID: string;
  warnings?: string[] | null;
}
export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags?: JaegerKeyValue[] }>;
}

export interface WireFrame {
  schema: {
    name?: string;
    refId?: string;
    meta?: Record<string, unknown>;
    fields: Array<{ name: string; type: string; config?: Record<string, unknown>; typeInfo?: { frame: string } }>;
  };
  data: { values: unknown[][] };
}

/** One trace → one trace frame: ms floats, parent in parentSpanID (first CHILD_OF), the rest in references. */
export function jaegerTraceToFrame(trace: JaegerTrace, refId = 'A'): WireFrame {
  const rows = trace.spans.map((span) => {
    const references = span.references ?? [];
    const parent = references.find((ref) => ref.refType === 'CHILD_OF');
    const process = trace.processes[span.processID];
    return [
      span.traceID,
      span.spanID,
      parent ? parent.spanID : null,
      span.operationName,
      process?.serviceName ?? '',
      process?.tags ?? [],
      span.startTime / 1000,
      span.duration / 1000,
      (span.logs ?? []).map((log) => ({ timestamp: log.timestamp / 1000, fields: log.fields, name: '' })),
      references.filter((ref) => ref !== parent),
      span.tags ?? [],
      span.warnings ?? null,
      null,
    ];
  });
  const fields: Array<[string, string]> = [
    ['traceID', 'string'],
    ['spanID', 'string'],
    ['parentSpanID', 'string'],
    ['operationName', 'string'],
    ['serviceName', 'string'],
    ['serviceTags', 'other'],
    ['startTime', 'number'],
    ['duration', 'number'],
    ['logs', 'other'],
    ['references', 'other'],
    ['tags', 'other'],
    ['warnings', 'other'],
    ['stackTraces', 'other'],
  ];
  return {
    schema: {
      name: refId,
      refId,
      meta: { typeVersion: [0, 0], custom: { traceFormat: 'jaeger' }, preferredVisualisationType: 'trace' },
      fields: fields.map(([name, type]) => ({ name, type })),
    },
    data: { values: fields.map((_, column) => rows.map((row) => row[column])) },
  };
}

/** A search result table: one row per trace (newest first), duration in µs of the earliest-starting span. */
export function searchTableFrame(traces: JaegerTrace[], refId = 'A'): WireFrame {
  const rows = traces
    .map((trace) => {
      const first = trace.spans.reduce((a, b) => (b.startTime < a.startTime ? b : a));
      const service = trace.processes[first.processID]?.serviceName ?? '';
      return {
        traceID: trace.traceID,
        name: `${service}: ${first.operationName}`,
        start: first.startTime / 1000,
        duration: first.duration,
      };
    })
    .sort((a, b) => b.start - a.start);
  return {
    schema: {
      name: 'traces',
      refId,
      meta: { preferredVisualisationType: 'table' },
      fields: [
        { name: 'traceID', type: 'string' },
        { name: 'traceName', type: 'string' },
        { name: 'startTime', type: 'time' },
        { name: 'duration', type: 'number', config: { unit: 'µs' } },
      ],
    },
    data: {
      values: [
        rows.map((r) => r.traceID),
        rows.map((r) => r.name),
        rows.map((r) => r.start),
        rows.map((r) => r.duration),
      ],
    },
  };
}

/**
 * The search table with the internal link Grafana's Jaeger data source puts on its `traceID` field
 * (grafana-jaeger-datasource pkg/jaeger/utils TransformSearchResponse): the panel reads the data source uid from it.
 */
export function linkedSearchTableFrame(traces: JaegerTrace[], jaegerUid: string): WireFrame {
  const table = searchTableFrame(traces);
  table.schema.fields[0].config = {
    displayName: 'Trace ID',
    links: [
      {
        title: 'Trace: ${__value.raw}',
        url: '',
        internal: { query: { query: '${__value.raw}' }, datasourceUid: jaegerUid, datasourceName: 'Jaeger' },
      },
    ],
  };
  return table;
}
