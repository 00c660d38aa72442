/**
 * `npm run bench` → "from a live Jaeger": the real Jaeger v2 (tools/bin/jaeger, `npm run tools`) running the bundle's
 * deploy/jaeger/config.yaml, fed by the real demo (Redis, frontend, backend, OTLP/HTTP protobuf) under the load
 * generator until it holds 1,000 frontend traces; then those 1,000 are fetched through Jaeger's HTTP API as
 * `hotpath analyze --jaeger` fetches them, and analysed. Fetching (HTTP, including Jaeger's own search and JSON
 * encoding) and analysis (bytes → model → critical path → aggregation) are timed apart, in this process; the whole
 * CLI is also timed as a process. Numbers only: nothing here asserts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { runLoad } from '../demo/loadgen/loadgen';
import { JAEGER_BIN } from '../e2e/servers/lib/jaeger';
import { searchJaeger, startJourney, type Journey } from '../e2e/servers/lib/journey';
import { jaegerQueryFrom } from '../src/cli/jaegerOptions';
import { fetchJaegerTraces } from '../src/cli/jaegerSource';
import { analyzeTrace, HotspotAggregator, OperationTable, readTraceBytes } from '../src/engine';

const TRACES = 1000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Drives the demo until Jaeger holds at least `count` frontend traces (requests are skipped on a busy machine). */
async function fillJaeger(journey: Journey, count: number): Promise<number> {
  let held = 0;
  for (let round = 0; round < 10 && held < count; round++) {
    const missing = count - held;
    await runLoad({
      target: journey.frontendUrl,
      rate: 200,
      concurrency: 32,
      durationMs: Math.max(1000, Math.ceil((missing / 200) * 1000) + 500),
      timeoutMs: 10_000,
      mix: { 'visits-get': 2, 'visits-post': 1, checkout: 2 },
    });
    // Spans land a few hundred ms after their request (batching in the services and in Jaeger).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    held = (await searchJaeger(journey.queryUrl, { service: 'frontend', lookback: '1h', limit: String(count * 2) }))
      .traces;
  }
  return held;
}

function analyse(bytes: Uint8Array): { traces: number; spans: number; ms: number } {
  const t = performance.now();
  const operations = new OperationTable();
  const aggregator = new HotspotAggregator(operations);
  const { traces } = readTraceBytes(bytes, operations, 'jaeger');
  let spans = 0;
  for (const trace of traces) {
    spans += trace.size;
    aggregator.add(analyzeTrace(trace));
  }
  aggregator.report();
  return { traces: traces.length, spans, ms: performance.now() - t };
}

export async function liveJaegerBench(repeat: number, root: string): Promise<void> {
  console.log('\nfrom a live Jaeger: the real demo → real Jaeger 2.12 (deploy/jaeger/config.yaml, in-memory storage);');
  console.log(
    `${TRACES.toLocaleString('en-US')} frontend traces fetched through GET /api/traces (limit=${TRACES}), as`
  );
  console.log('`hotpath analyze --jaeger` fetches them. fetch = HTTP round trip incl. Jaeger searching and encoding;');
  console.log('analysis = bytes → model → critical path → aggregation, in this process: warm = median of 10 after');
  console.log('300,000 spans, cold = the first; fetch = median of 5 after one dropped;');
  console.log(
    'CLI process = `node bin/hotpath.js analyze --jaeger … --format json`, wall clock, Node start-up included.'
  );
  if (!existsSync(JAEGER_BIN)) {
    console.log(`skipped: ${JAEGER_BIN} is missing (npm run tools builds it)`);
    return;
  }
  const journey = await startJourney({ prometheus: false });
  try {
    const loadStarted = performance.now();
    const held = await fillJaeger(journey, TRACES);
    const loadS = (performance.now() - loadStarted) / 1000;
    const query = jaegerQueryFrom(
      { jaeger: journey.queryUrl, service: 'frontend', lookback: '1h', limit: String(TRACES) },
      []
    );
    if (query === undefined) {
      throw new Error('no query');
    }
    const quiet = { write: () => true };
    // Fetches: one extra first run, dropped (it warms Node's HTTP client and Jaeger's own code paths).
    const fetches: number[] = [];
    let bytes: Uint8Array = new Uint8Array(0);
    for (let r = 0; r < Math.max(5, repeat) + 1; r++) {
      const t = performance.now();
      bytes = await fetchJaegerTraces(query, quiet);
      if (r > 0) {
        fetches.push(performance.now() - t);
      }
    }
    // Analysis of the fetched bytes: the first in this process (cold: the engine still being compiled), then warm
    // (after 300,000 spans, as the engine sets are measured warm), the median of 10.
    const first = analyse(bytes);
    const shape = { traces: first.traces, spans: first.spans, bytes: bytes.length };
    for (let spans = first.spans; spans < 300_000; spans += first.spans) {
      analyse(bytes);
    }
    const warm = Array.from({ length: 10 }, () => analyse(bytes).ms);
    const cliMs: number[] = [];
    for (let r = 0; r < Math.max(3, repeat); r++) {
      const t = performance.now();
      execFileSync(
        process.execPath,
        [
          join(root, 'bin', 'hotpath.js'),
          'analyze',
          '--jaeger',
          journey.queryUrl,
          '--service',
          'frontend',
          '--limit',
          String(TRACES),
          '--format',
          'json',
        ],
        { maxBuffer: 1 << 26, stdio: ['ignore', 'ignore', 'ignore'] }
      );
      cliMs.push(performance.now() - t);
    }
    const fetchMs = median(fetches);
    const analysisMs = median(warm);
    const spansPerS = (ms: number) => Math.round(shape.spans / (ms / 1000)).toLocaleString('en-US');
    console.log(
      `loaded: ${held.toLocaleString('en-US')} traces in Jaeger after ${loadS.toFixed(1)} s of demo load; ` +
        `fetched ${shape.traces.toLocaleString('en-US')} traces, ${shape.spans.toLocaleString('en-US')} spans, ` +
        `${(shape.bytes / 1e6).toFixed(1)} MB`
    );
    const header = ['stage', 'ms', 'share', 'spans/s'];
    const rows = [
      [
        'fetch (HTTP)',
        fetchMs.toFixed(0),
        `${((100 * fetchMs) / (fetchMs + analysisMs)).toFixed(0)} %`,
        spansPerS(fetchMs),
      ],
      [
        'analysis, warm',
        analysisMs.toFixed(0),
        `${((100 * analysisMs) / (fetchMs + analysisMs)).toFixed(0)} %`,
        spansPerS(analysisMs),
      ],
      ['fetch + analysis', (fetchMs + analysisMs).toFixed(0), '100 %', spansPerS(fetchMs + analysisMs)],
      ['analysis, cold', first.ms.toFixed(0), '', spansPerS(first.ms)],
      ['CLI process', median(cliMs).toFixed(0), '', spansPerS(median(cliMs))],
    ];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
    for (const row of [header, ...rows]) {
      console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
    }
  } finally {
    await journey.stop();
  }
}
