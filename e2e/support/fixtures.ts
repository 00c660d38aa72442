/**
 * The recorded traces the layer-1 specs feed to the built plugin, and what the engine (src/engine, the same code the
 * plugin bundles) makes of them — the oracle the browser's ranking is compared with.
 */
import { analyzeTrace, HotspotAggregator, OperationTable, readJaeger } from '../../src/engine';
import { readFixture } from '../../src/testing/fixtures';
import { JaegerTrace, linkedSearchTableFrame, WireFrame } from '../../src/testing/grafanaFrames';

export { manyTraces, realTraces } from '../../src/testing/jaegerTraces';
export type { JaegerTrace };

export const SMARTTHINGS_FILE = 'jaeger/zipkin-smartthings-mobile-web-install.jaeger.json';
export const BOOKINFO_FILE = 'jaeger/kiali-istio-bookinfo.jaeger.json';

/** The one trace of a Jaeger API fixture file (`{"data": [trace]}`). */
export function fixtureTrace(relative: string): JaegerTrace {
  return readFixture<{ data: JaegerTrace[] }>(relative).data[0];
}

/** `service|operation` of the engine's top `n` rows for these traces (root window, async not blocking: the defaults). */
export function engineTop(traces: readonly JaegerTrace[], n: number): string[] {
  const operations = new OperationTable();
  const aggregator = new HotspotAggregator(operations);
  for (const trace of traces) {
    for (const model of readJaeger({ data: [trace] }, operations).traces) {
      aggregator.add(analyzeTrace(model));
    }
  }
  return aggregator
    .report()
    .operations.slice(0, n)
    .map((row) => `${row.service}|${row.operation}`);
}

/** What Grafana's Jaeger data source returns for a search: the `traces` table, its trace IDs linked to `jaegerUid`. */
export function searchTable(traces: readonly JaegerTrace[], jaegerUid = 'jaeger'): WireFrame {
  return linkedSearchTableFrame([...traces], jaegerUid);
}

/** A search hit whose trace Jaeger no longer has (one span, so the search table can list it; oldest first). */
export function missingTrace(traceID: string): JaegerTrace {
  return {
    traceID,
    processes: { p1: { serviceName: 'gone' } },
    spans: [{ traceID, spanID: '1', operationName: 'gone', startTime: 1, duration: 1, processID: 'p1' }],
  } as JaegerTrace;
}
