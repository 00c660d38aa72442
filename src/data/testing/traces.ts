/**
 * Test-only: real Jaeger traces from test/fixtures/jaeger/, and as many as a test needs by
 * renaming copies (new trace ID, start shifted by a second per copy — content otherwise untouched).
 */
import { dataFrameFromJSON, type DataFrame, type DataFrameJSON } from '@grafana/data';
import {
  jaegerTraceToFrame,
  linkedSearchTableFrame,
  searchTableFrame,
  type JaegerTrace,
  type WireFrame,
} from '../../testing/grafanaFrames';

// Free of @grafana/data, so the Playwright specs (Node, no window) can use them too.
export { manyTraces, realTraces, renamed } from '../../testing/jaegerTraces';

export function byId(traces: readonly JaegerTrace[]): Map<string, JaegerTrace> {
  return new Map(traces.map((t) => [t.traceID, t]));
}

/** What a panel receives for a Jaeger search: the `traces` table, as a DataFrame. */
export function searchSeries(traces: readonly JaegerTrace[], jaegerUid?: string): DataFrame {
  return wireToFrame(jaegerUid ? linkedSearchTableFrame([...traces], jaegerUid) : searchTableFrame([...traces]));
}

/** What a panel receives for a trace-by-ID query: the trace frame, as a DataFrame. */
export function traceSeries(trace: JaegerTrace, refId = 'A'): DataFrame {
  return wireToFrame(jaegerTraceToFrame(trace, refId));
}

/** A wire-format frame (as `/api/ds/query` sends it) read the way @grafana/runtime reads it. */
export function wireToFrame(wire: WireFrame | unknown): DataFrame {
  return dataFrameFromJSON(wire as DataFrameJSON);
}
