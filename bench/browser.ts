/**
 * `npm run bench:browser`: the BUILT panel in Debian's Chromium (the layer-1 harness, e2e/harness), fed 1,000
 * generated traces × 50 spans (bench/generate.mjs) through a routed /api/ds/query that answers at once. Per run it
 * measures, in the page's own clock:
 *   - after fetch: from the last trace /api/ds/query response body received to the view's `data-phase="done"` (the
 *     table holds the final ranking), and to the next frame after it;
 *   - main-thread long tasks (PerformanceObserver `longtask`, > 50 ms) between the first request and done: a long
 *     one means the page froze;
 *   - Web Workers created and the plugin scripts loaded (the panel is meant to use neither a worker nor a lazy
 *     chunk: a nested panel's chunks 404 in Grafana, grafana/plugin-tools#2172).
 * Prints the median of the runs. Numbers only: nothing here asserts a time (target: < 2 s after fetch).
 *
 * Needs the builds: `npm run build && node e2e/harness/build.mjs grafana-12`.
 *   npm run bench:browser              5 runs
 *   npm run bench:browser -- --runs=3
 *   npm run bench:browser -- --profile   also where the page's main thread spent its time (CPU profile; the
 *                                        last run's is left in test-results/bench-browser.cpuprofile)
 *   npm run bench:browser -- --import-huge  instead: ONE generated trace of 200,000 spans dropped on the app's
 *                                        Import page (which time-slices between traces, not inside one); prints
 *                                        the drop → done time and the longest main-thread task (how long the
 *                                        page was frozen at most)
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { join, relative, resolve } from 'node:path';

import { chromium, type Page } from '@playwright/test';

import { DEFAULT_RUNTIME, harnessBuildDir } from '../e2e/harness/runtimes';
import { startHarnessServer } from '../e2e/harness/server';
import { chromiumLaunchOptions } from '../e2e/support/chromium';
import { hotspotsPanel } from '../e2e/support/demoStack';
import { dsQueryResponder } from '../e2e/support/grafanaApi';
import { openHarness, unexpectedRequests } from '../e2e/support/harness';
import type { JaegerTrace } from '../src/testing/grafanaFrames';
import { generateTraces } from './generate.mjs';

// Bundled by bench/build.mjs, which gives each source its own __dirname: this file's is bench/.
const ROOT = resolve(__dirname, '..');
const TRACES = 1000;
const SPANS = 50;

interface PageMarks {
  firstRequest?: number;
  lastResponse?: number;
  responses: number;
  done?: number;
  painted?: number;
  longTasks: Array<{ start: number; duration: number }>;
  workers: number;
}

interface Run {
  fetchMs: number;
  afterFetchMs: number;
  afterFetchPaintedMs: number;
  firstRequestToDoneMs: number;
  longTasks: number;
  longTaskMs: number;
  longestTaskMs: number;
  workers: number;
  scripts: string[];
}

/**
 * Runs in the page before any of its scripts: timestamps around window.fetch (what the harness's BackendSrv
 * calls), the moment the view says `done`, long tasks and Worker construction.
 */
function instrument(): void {
  const marks: PageMarks = { responses: 0, longTasks: [], workers: 0 };
  (window as unknown as { benchMarks: PageMarks }).benchMarks = marks;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      marks.longTasks.push({ start: entry.startTime, duration: entry.duration });
    }
  }).observe({ type: 'longtask', buffered: true });
  const fetch = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    // Only the trace fetches: the Loki log-count queries the panel sends once the ranking is done come later.
    if (!url.includes('/api/ds/query') || !String(init?.body ?? '').includes('"type":"jaeger"')) {
      return fetch(input, init);
    }
    marks.firstRequest ??= performance.now();
    const response = await fetch(input, init);
    // The body is what the data layer waits for: stamp when it has been read.
    const text = response.text.bind(response);
    response.text = async () => {
      const body = await text();
      marks.lastResponse = performance.now();
      marks.responses++;
      return body;
    };
    return response;
  };
  const NativeWorker = window.Worker;
  window.Worker = class extends NativeWorker {
    constructor(...args: ConstructorParameters<typeof Worker>) {
      super(...args);
      marks.workers++;
    }
  };
  new MutationObserver(() => {
    if (marks.done === undefined && document.querySelector('[data-testid="hotpath-view"][data-phase="done"]')) {
      marks.done = performance.now();
      requestAnimationFrame(() => setTimeout(() => (marks.painted = performance.now()), 0));
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-phase'] });
}

/** The parts of a V8 CPU profile (CDP `Profiler.stop`) used here. */
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: CallFrame }>;
  samples?: number[];
  timeDeltas?: number[];
}

/**
 * Self time per function (V8 CPU profile, sampled), biggest first. Functions of the plugin's bundle are named by
 * their place in the sources, through its source map (dist/**.js.map).
 */
function selfTimes(profile: CpuProfile, top: number): string[] {
  const maps = new Map<string, SourceMap | undefined>();
  const place = (frame: CallFrame): string => {
    const path = frame.url ? new URL(frame.url).pathname : '';
    if (!maps.has(path)) {
      const file = join(ROOT, `${path}.map`);
      maps.set(
        path,
        path.startsWith('/dist/') && existsSync(file)
          ? new SourceMap(JSON.parse(readFileSync(file, 'utf8')))
          : undefined
      );
    }
    const entry = maps.get(path)?.findEntry(frame.lineNumber, frame.columnNumber) as
      { originalSource?: string; originalLine?: number } | undefined;
    if (entry?.originalSource) {
      return `${entry.originalSource.replace(/^webpack:\/\/[^/]*\//, '')}:${(entry.originalLine ?? 0) + 1}`;
    }
    return path ? `${path.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}` : '(native)';
  };
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  (profile.samples ?? []).forEach((id, i) => {
    const frame = byNode.get(id)?.callFrame;
    const key = frame ? `${frame.functionName || '(anonymous)'}  ${place(frame)}` : '?';
    totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas?.[i] ?? 0) / 1000);
  });
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, total]) => `${ms(total)}  ${key}`);
}

async function once(page: Page, harnessUrl: string, traces: JaegerTrace[], profile: boolean): Promise<Run> {
  await page.addInitScript(instrument);
  const cdp = profile ? await page.context().newCDPSession(page) : undefined;
  await cdp?.send('Profiler.enable');
  await cdp?.send('Profiler.setSamplingInterval', { interval: 1000 });
  await cdp?.send('Profiler.start');
  const seen = await openHarness(page, harnessUrl, hotspotsPanel(traces, { maxTraces: TRACES }), {
    '/api/ds/query': dsQueryResponder(traces),
  });
  await page.waitForFunction(
    () => {
      const marks = (window as unknown as { benchMarks: PageMarks }).benchMarks;
      return marks.painted !== undefined || document.querySelector('[data-testid="hotpath-error"]') !== null;
    },
    undefined,
    { timeout: 120_000 }
  );
  if (cdp) {
    const { profile: cpu } = await cdp.send('Profiler.stop');
    // For DevTools (Performance panel → load profile) or other tools.
    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    writeFileSync(join(ROOT, 'test-results', 'bench-browser.cpuprofile'), JSON.stringify(cpu));
    console.log(`CPU profile, self time (top 25):\n  ${selfTimes(cpu, 25).join('\n  ')}`);
  }
  const sample = await page.getByTestId('hotpath-sample').innerText();
  if (!sample.includes(`analysed ${TRACES.toLocaleString('en-US')}`)) {
    throw new Error(`the panel did not analyse all ${TRACES} traces: "${sample}"`);
  }
  const problems = unexpectedRequests(seen);
  if (problems.length > 0) {
    throw new Error(`unexpected requests or page errors: ${problems.join('; ')}`);
  }
  const marks = await page.evaluate(() => (window as unknown as { benchMarks: PageMarks }).benchMarks);
  const scripts = await page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .map((entry) => new URL(entry.name).pathname)
      .filter((path) => path.startsWith('/dist/') && path.endsWith('.js'))
  );
  const { firstRequest = NaN, lastResponse = NaN, done = NaN } = marks;
  return summarizeRun(marks, { start: firstRequest, dataIn: lastResponse, longTasksUntil: done, scripts });
}

/**
 * A run's figures from the page's marks: `start` (first request, or the drop) → `dataIn` (last response; the
 * same as `start` when nothing is fetched) → done → painted, and the long tasks from `start` to `longTasksUntil`.
 */
function summarizeRun(
  marks: PageMarks,
  span: { start: number; dataIn: number; longTasksUntil: number; scripts: string[] }
): Run {
  const { done = NaN, painted = NaN } = marks;
  const during = marks.longTasks.filter(
    (task) => task.start + task.duration >= span.start && task.start <= span.longTasksUntil
  );
  return {
    fetchMs: span.dataIn - span.start,
    afterFetchMs: done - span.dataIn,
    afterFetchPaintedMs: painted - span.dataIn,
    firstRequestToDoneMs: done - span.start,
    longTasks: during.length,
    longTaskMs: during.reduce((sum, task) => sum + task.duration, 0),
    longestTaskMs: Math.max(0, ...during.map((task) => task.duration)),
    workers: marks.workers,
    scripts: span.scripts,
  };
}

const HUGE_SPANS = Number(process.env.HOTPATH_BENCH_HUGE_SPANS ?? 200_000);

/** One drop of a single huge trace on the Import page: drop → done, and the long tasks in between. */
async function importHugeOnce(page: Page, harnessUrl: string): Promise<Run> {
  await page.addInitScript(instrument);
  page.on('crash', () => console.log('  the page crashed (renderer out of memory?)'));
  await openHarness(page, harnessUrl, { view: 'app', path: '/a/hotpath-latency-app/import' });
  await page.getByTestId('data-testid import-container').waitFor({ timeout: 60_000 });
  // Too large for one DevTools message (over 100 MB, for page.evaluate and page.route alike): the harness server
  // serves it from its build folder, and the page fetches it into a File first.
  const dropped = await page.evaluate(async () => {
    const blob = await (await fetch('/harness/bench-huge-trace.json')).blob();
    const transfer = new DataTransfer();
    transfer.items.add(new File([blob], 'huge-trace.json', { type: 'application/json' }));
    const zone = document.querySelector('[data-testid="dropzone"]');
    const at = performance.now();
    zone?.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: transfer }));
    return at;
  });
  await page.waitForFunction(
    () =>
      (window as unknown as { benchMarks: PageMarks }).benchMarks.painted !== undefined ||
      document.querySelector('[data-testid="hotpath-error"]') !== null,
    undefined,
    { timeout: 300_000 }
  );
  const sample = await page.getByTestId('hotpath-sample').innerText();
  if (!sample.includes('analysed 1')) {
    throw new Error(`the Import page did not analyse the trace: "${sample}"`);
  }
  const marks = await page.evaluate(() => (window as unknown as { benchMarks: PageMarks }).benchMarks);
  const { painted = NaN } = marks;
  return summarizeRun(marks, { start: dropped, dataIn: dropped, longTasksUntil: painted, scripts: [] });
}

async function importHuge(runs: number): Promise<void> {
  const [trace] = Array.from(generateTraces({ seed: 7, shape: 'huge', traces: 1, spans: HUGE_SPANS }));
  const text = JSON.stringify({ data: [trace] });
  const served = join(harnessBuildDir(DEFAULT_RUNTIME), 'bench-huge-trace.json');
  writeFileSync(served, text);
  const { url, server } = await startHarnessServer();
  const browser = await chromium.launch(chromiumLaunchOptions());
  console.log(
    `Import page in Chromium ${browser.version()}: one trace of ${HUGE_SPANS.toLocaleString('en-US')} spans ` +
      `(${(text.length / 1e6).toFixed(1)} MB of Jaeger JSON) dropped; load ${loadavg()[0].toFixed(1)}; ${runs} runs\n`
  );
  const results: Run[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      const run = await importHugeOnce(page, url);
      await page.close();
      results.push(run);
      console.log(
        `run ${i + 1}: drop → done ${ms(run.afterFetchMs)} (painted ${ms(run.afterFetchPaintedMs)}), long tasks ` +
          `${run.longTasks} (${run.longTaskMs.toFixed(0)} ms), longest ${run.longestTaskMs.toFixed(0)} ms`
      );
    }
  } finally {
    await browser.close();
    await new Promise((done) => server.close(done));
    rmSync(served, { force: true });
  }
  const pick = (key: keyof Omit<Run, 'scripts'>) => median(results.map((run) => run[key]));
  console.log(
    `\nmedian of ${runs}: drop → table done ${ms(pick('afterFetchMs'))}, longest task ${ms(pick('longestTaskMs'))}`
  );
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ms = (value: number) => `${value.toFixed(0).padStart(6)} ms`;

async function main(): Promise<void> {
  const runsArg = process.argv.find((arg) => arg.startsWith('--runs='));
  const runs = runsArg ? Number(runsArg.slice('--runs='.length)) : 5;
  const profile = process.argv.includes('--profile');
  if (process.argv.includes('--import-huge')) {
    return importHuge(runsArg ? runs : 3);
  }
  // The harness of the packages the plugin builds against (production React), as the bench has always measured.
  const harness = relative(ROOT, join(harnessBuildDir(DEFAULT_RUNTIME), 'main.js'));
  for (const built of ['dist/module.js', 'dist/panels/hotspots/module.js', harness]) {
    if (!existsSync(join(ROOT, built))) {
      throw new Error(
        `${built} is missing: run \`npm run build && node e2e/harness/build.mjs ${DEFAULT_RUNTIME}\` first`
      );
    }
  }
  const traces: JaegerTrace[] = Array.from(generateTraces({ seed: 42, traces: TRACES, spans: SPANS }));
  const { url, server } = await startHarnessServer();
  const browser = await chromium.launch(chromiumLaunchOptions());
  console.log(
    `Panel in Chromium ${browser.version()}, ${TRACES} traces × ${SPANS} spans via routed /api/ds/query, ` +
      `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()[0].toFixed(1)}; ${runs} runs ` +
      `(target: < 2 s after fetch)\n`
  );
  const results: Run[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const run = await once(page, url, traces, profile);
      await page.close();
      results.push(run);
      console.log(
        `run ${i + 1}: fetch ${ms(run.fetchMs)}, after fetch ${ms(run.afterFetchMs)} (painted ${ms(run.afterFetchPaintedMs)}), ` +
          `first request → done ${ms(run.firstRequestToDoneMs)}, long tasks ${run.longTasks} ` +
          `(${run.longTaskMs.toFixed(0)} ms, longest ${run.longestTaskMs.toFixed(0)} ms)`
      );
    }
  } finally {
    await browser.close();
    await new Promise((done) => server.close(done));
  }
  const pick = (key: keyof Omit<Run, 'scripts'>) => median(results.map((run) => run[key]));
  console.log(`\nmedian of ${runs} (load now ${loadavg()[0].toFixed(1)}: other processes skew these numbers):`);
  console.log(`  last /api/ds/query response → table done   ${ms(pick('afterFetchMs'))}`);
  console.log(`  last /api/ds/query response → next frame   ${ms(pick('afterFetchPaintedMs'))}`);
  console.log(`  first /api/ds/query request → table done   ${ms(pick('firstRequestToDoneMs'))}`);
  console.log(`  of which fetching (first → last response)  ${ms(pick('fetchMs'))}`);
  console.log(
    `  long tasks (> 50 ms) meanwhile             ${pick('longTasks')} tasks, ${pick('longTaskMs').toFixed(0)} ms ` +
      `in all, longest ${pick('longestTaskMs').toFixed(0)} ms`
  );
  console.log(`  Web Workers created                        ${Math.max(...results.map((run) => run.workers))}`);
  console.log(
    `  plugin scripts loaded                      ${[...new Set(results.flatMap((r) => r.scripts))].join(', ')}`
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
