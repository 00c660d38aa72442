/**
 * The recorded traces the layer-1 specs feed to the built plugin, and what the engine (src/engine, the same code the
 * plugin bundles) makes of them — the oracle the browser's ranking is compared with.
 */
import { analyzeTrace, HotspotAggregator, OperationTable, readJaeger } from '../../src/engine';
import { readFileSync } from 'node:fs';

import { examplePath, readFixture } from '../../src/testing/fixtures';
import { JaegerTrace, linkedSearchTableFrame, WireFrame } from '../../src/testing/grafanaFrames';
import { otlpToJaeger } from '../../src/testing/otlpToJaeger';

export { manyTraces, realTraces } from '../../src/testing/jaegerTraces';
export type { JaegerTrace };

export const SMARTTHINGS_FILE = 'jaeger/zipkin-smartthings-mobile-web-install.jaeger.json';
export const BOOKINFO_FILE = 'jaeger/kiali-istio-bookinfo.jaeger.json';

/** The one trace of a Jaeger API fixture file (`{"data": [trace]}`). */
export function fixtureTrace(relative: string): JaegerTrace {
  return readFixture<{ data: JaegerTrace[] }>(relative).data[0];
}

/**
 * The demo's recorded runs in examples/ (OTLP JSON lines): demo-slow-redis/, one 150-request load each; and
 * demo-slow-redis-gold/, 299 checkouts where only those with `x-customer-tier: gold` meet the fault.
 */
export type DemoRun = 'baseline' | 'slow-redis' | 'slow-redis-gold';
export const DEMO_RUN_FILES: Record<DemoRun, string> = {
  baseline: 'demo-slow-redis/baseline.otlp.jsonl',
  'slow-redis': 'demo-slow-redis/slow-redis.otlp.jsonl',
  'slow-redis-gold': 'demo-slow-redis-gold/slow-redis-gold.otlp.jsonl',
};

/**
 * A demo run's traces as Jaeger's query API returns them after storing the same spans (what Grafana's Jaeger data
 * source then turns into frames): frontend, backend and its Redis calls, with the run's fault on or off.
 */
export function demoTraces(run: DemoRun): JaegerTrace[] {
  const lines = readFileSync(examplePath(DEMO_RUN_FILES[run]), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  return otlpToJaeger(lines.map((line) => JSON.parse(line)));
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
