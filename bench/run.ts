/**
 * `npm run bench`: generates the benchmark sets (once, into bench/data/) and measures the engine on each in a
 * fresh Node process, so every set's peak RSS is its own. Prints spans/s per stage, the engine-to-JSON.parse
 * ratio and peak RSS, next to the targets from the foundation issue. Numbers only: nothing here asserts.
 *
 *   npm run bench                 all sets
 *   npm run bench -- 1k chain     only the named sets
 *   npm run bench -- --repeat=5   medians of 5 alternating runs per set (for shared, noisy machines)
 *
 * The 10k set is also run through the CLI itself (`hotpath analyze <dir> --format json`), once with `--jobs 1`
 * (everything on one thread), once with the default `--jobs` (worker threads, see src/cli/parallel.ts), both also with
 * `--format folded` (which also aggregates by calling context), alternating, and once with `--compare p90 --jobs 1`,
 * whose attribute analysis is on by default: its cost is the difference to `--jobs 1`. The
 * `10k+ctx` set is the engine on the 10k set with call contexts.
 *
 * `live` ("from a live Jaeger", bench/liveJaeger.ts): 1,000 demo traces fetched from the real Jaeger and analysed,
 * fetching and analysis timed apart (`npm run bench -- live` alone; needs `npm run tools`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

import { FileBytesReader } from '../src/cli/fileBytes';
import type * as Cli from '../src/cli/main';
import { analyzeTrace, HotspotAggregator, OperationTable, readTraceBytes } from '../src/engine';
import { liveJaegerBench } from './liveJaeger';

const ROOT = resolve(__dirname, '..');
const DATA = join(ROOT, 'bench', 'data');
const GENERATOR = join(ROOT, 'bench', 'generate.mjs');
/** The CLI bundle (`npm run build:cli`): loaded by the CLI children, and the script its worker threads run. */
const CLI_BUNDLE = join(ROOT, 'dist-cli', 'hotpath.js');
/**
 * Sets also measured warm: in the same process after passes that are not counted. A fresh
 * process spends most of a sub-second set compiling the engine (JIT warm-up); the warm figure is what a process that
 * has already analysed something (the panel, a CLI run over many files) sees. The 10k set is long enough that its
 * cold run is already mostly warm.
 */
const WARM_SETS = ['1k', 'huge', 'chain', 'wide', 'fixtures'];
/** Sets also measured through the CLI, single-threaded and with the default `--jobs`. */
const CLI_SETS = ['10k'];

interface BenchSet {
  name: string;
  path: string;
  /** Arguments for bench/generate.mjs; absent for recorded fixtures. */
  generate?: string[];
  note: string;
  /** Only files whose names match (the fixture folder also holds test-case files that are not traces). */
  only?: string;
  /** Also aggregate by calling context (the flame graph's data, `callContexts`): its cost beside the plain set. */
  callContexts?: boolean;
}

const SETS: BenchSet[] = [
  {
    name: '1k',
    path: join(DATA, '1k-x50.json'),
    generate: ['--traces=1000', '--spans=50', '--orphans=0.01'],
    note: '1,000 traces × 50 spans, one file',
  },
  {
    name: '10k',
    path: join(DATA, '10k-x100'),
    generate: ['--traces=10000', '--spans=100', '--orphans=0.01', '--shard=500'],
    note: '10,000 traces × 100 spans, a directory of 20 files',
  },
  {
    name: '10k+ctx',
    path: join(DATA, '10k-x100'),
    generate: ['--traces=10000', '--spans=100', '--orphans=0.01', '--shard=500'],
    note: 'the 10k set with call contexts aggregated too (the flame graph, --format folded)',
    callContexts: true,
  },
  {
    name: 'huge',
    path: join(DATA, 'huge-80000.json'),
    generate: ['--traces=1', '--spans=80000', '--shape=huge'],
    note: 'one 80,000-span trace',
  },
  {
    name: 'chain',
    path: join(DATA, 'chain-5000.json'),
    generate: ['--traces=1', '--spans=5000', '--shape=chain'],
    note: 'a chain 5,000 deep',
  },
  {
    name: 'wide',
    path: join(DATA, 'wide-20000.json'),
    generate: ['--traces=1', '--spans=20001', '--shape=wide'],
    note: 'a root with 20,000 sequential children',
  },
  {
    name: 'fixtures',
    path: resolve(ROOT, 'test', 'fixtures', 'jaeger'),
    note: 'the recorded real traces among the Jaeger fixtures',
    only: '^(zipkin|kiali|grafana)-',
  },
];

interface Measurement {
  files: number;
  bytes: number;
  traces: number;
  spans: number;
  readMs: number;
  /** Bytes to trace models (the selective reader + adapter). */
  modelMs: number;
  pathMs: number;
  aggregateMs: number;
  peakRssMb: number;
}

function filesOf(path: string, only: string): string[] {
  return statSync(path).isDirectory()
    ? readdirSync(path)
        .filter((name) => name.endsWith('.json') && new RegExp(only).test(name))
        .sort()
        .map((name) => join(path, name))
    : [path];
}

/**
 * Runs inside a child: the engine end to end, file by file, each file's data dropped before the next. Files are
 * read as the CLI reads them (one reused buffer).
 */
function measureEngine(path: string, only: string, callContexts: boolean): Measurement {
  const reader = new FileBytesReader();
  const files = filesOf(path, only);
  const operations = new OperationTable();
  const aggregator = new HotspotAggregator(operations, { callContexts });
  const m: Measurement = {
    files: files.length,
    bytes: 0,
    traces: 0,
    spans: 0,
    readMs: 0,
    modelMs: 0,
    pathMs: 0,
    aggregateMs: 0,
    peakRssMb: 0,
  };
  for (const file of files) {
    let t = performance.now();
    const bytes = reader.read(file);
    m.bytes += bytes.length;
    m.readMs += performance.now() - t;
    t = performance.now();
    const { traces } = readTraceBytes(bytes, operations, file);
    m.modelMs += performance.now() - t;
    for (const trace of traces) {
      t = performance.now();
      const analysis = analyzeTrace(trace);
      const t2 = performance.now();
      aggregator.add(analysis);
      m.aggregateMs += performance.now() - t2;
      m.pathMs += t2 - t;
      m.traces++;
      m.spans += trace.size;
    }
  }
  const t = performance.now();
  aggregator.report();
  aggregator.contextReport();
  m.aggregateMs += performance.now() - t;
  m.peakRssMb = process.resourceUsage().maxRSS / 1024;
  return m;
}

/** Runs inside a child: plain `JSON.parse` of the same files, the yardstick for the engine. */
function measureJsonParse(path: string, only: string): number {
  let parseMs = 0;
  for (const file of filesOf(path, only)) {
    const text = readFileSync(file, 'utf8');
    const t = performance.now();
    JSON.parse(text);
    parseMs += performance.now() - t;
  }
  return parseMs;
}

interface CliMeasurement {
  spans: number;
  wallMs: number;
  peakRssMb: number;
}

/**
 * Runs inside a child: `hotpath analyze <path> --format json [--jobs N]` through the CLI bundle, timed from the
 * call to the output. maxRSS covers the whole process, worker threads included (they share it).
 */
async function measureCli(path: string, jobs: string, format: string): Promise<CliMeasurement> {
  // Loaded at run time (not bundled into this script), as the command loads it; its workers run the same file.
  const cli = require(CLI_BUNDLE) as typeof Cli;
  let stdout = '';
  const io = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: () => true },
    stdin: (async function* () {})(),
  };
  // `compare`: one thread plus the slow-vs-baseline comparison and its attribute analysis (issue #16, on by default
  // with --compare); against `--jobs 1`, the difference is what they add.
  const options = jobs === 'default' ? [] : jobs === 'compare' ? ['--compare', 'p90', '--jobs', '1'] : ['--jobs', jobs];
  const argv = ['analyze', path, '--format', format, ...options];
  const t = performance.now();
  const code = await cli.main(argv, io, { workerScript: CLI_BUNDLE });
  const wallMs = performance.now() - t;
  if (code !== 0) {
    throw new Error(`hotpath ${argv.join(' ')} exited ${code}`);
  }
  // The folded text has no span count: the set's, as the JSON run reports it, is filled in by the caller.
  const spans = format === 'json' ? (JSON.parse(stdout) as { spans: number }).spans : 0;
  return { spans, wallMs, peakRssMb: process.resourceUsage().maxRSS / 1024 };
}

/**
 * Reads a set's files once, unmeasured, right before a measured run, so that the run reads them from the page
 * cache: this VM's memory reclaim (DAMON) evicts cold file pages between runs, and a run then measured the disk
 * (one run read the 10k set in 1.4 s instead of 0.2 s).
 */
const pageCacheReader = new FileBytesReader();
function warmPageCache(set: BenchSet): void {
  for (const file of filesOf(set.path, set.only ?? '')) {
    pageCacheReader.read(file);
  }
}

function ensureGenerated(set: BenchSet): void {
  if (!set.generate || existsSync(set.path)) {
    return;
  }
  mkdirSync(DATA, { recursive: true });
  process.stderr.write(`generating ${set.note} → ${set.path}\n`);
  execFileSync(process.execPath, [GENERATOR, '--seed=42', ...set.generate, `--out=${set.path}`], { stdio: 'inherit' });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Each stage's median over the runs (the counts are the same in every run). */
function medianMeasurement(runs: Measurement[]): Measurement {
  const stage = (key: keyof Measurement) => median(runs.map((run) => run[key]));
  return {
    ...runs[0],
    readMs: stage('readMs'),
    modelMs: stage('modelMs'),
    pathMs: stage('pathMs'),
    aggregateMs: stage('aggregateMs'),
    peakRssMb: stage('peakRssMb'),
  };
}

const rate = (spans: number, ms: number) =>
  ms > 0 ? `${Math.round(spans / (ms / 1000)).toLocaleString('en-US')}` : '∞';

async function main(): Promise<void> {
  const [, script, mode, path, only, warm, contexts] = process.argv;
  if (mode === '--engine') {
    const callContexts = contexts === 'contexts';
    // Warm: passes that are not counted until the engine has seen 300,000 spans (at least 3), enough for V8 to
    // optimise its hot functions.
    for (let passes = 0, spans = 0; warm === 'warm' && (passes < 3 || spans < 300_000); passes++) {
      spans += measureEngine(path, only, callContexts).spans;
    }
    process.stdout.write(JSON.stringify(measureEngine(path, only, callContexts)));
    return;
  }
  if (mode === '--json-parse') {
    for (let passes = 0; warm === 'warm' && passes < 3; passes++) {
      measureJsonParse(path, only);
    }
    process.stdout.write(JSON.stringify(measureJsonParse(path, only)));
    return;
  }
  if (mode === '--cli') {
    const [, , , cliPath, jobs, format] = process.argv; // --cli PATH JOBS FORMAT
    process.stdout.write(JSON.stringify(await measureCli(cliPath, jobs, format)));
    return;
  }
  const args = process.argv.slice(2);
  const wanted = args.filter((arg) => !arg.startsWith('--'));
  const repeatArg = args.find((arg) => arg.startsWith('--repeat='));
  const repeat = repeatArg ? Math.max(1, Number(repeatArg.slice('--repeat='.length)) || 1) : 1;
  const sets = wanted.length > 0 ? SETS.filter((s) => wanted.includes(s.name)) : SETS;
  const live = wanted.length === 0 || wanted.includes('live');
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`
  );
  console.log('spans/s per stage. end to end = read file + bytes→model (selective JSON reader + adapter) +');
  console.log('critical path + aggregation. JSON.parse = plain JSON.parse of the same files, measured apart as the');
  console.log('yardstick. engine/parse = (bytes→model + critical path + aggregation) ÷ that JSON.parse time: the');
  console.log('engine does its own parsing, so this counts it against the engine. (e2e−parse)/parse = (end to end −');
  console.log("JSON.parse) ÷ JSON.parse: the time beyond what JSON.parse alone would take, read as the issue's");
  console.log('"engine time (everything but JSON.parse)" for a pipeline that has no JSON.parse step of its own.');
  console.log('Before each measured run its files are read once, so that the run reads them from the page cache.');
  console.log('warm engine/parse = the same ratio in a process that has already analysed 300,000 spans of the set (a');
  console.log(
    'fresh process spends sub-second sets mostly compiling the engine). — : not measured warm (10k is long enough).'
  );
  console.log(
    repeat > 1
      ? `Each set measured ${repeat} times (engine and JSON.parse children alternating); every figure is the median.\n`
      : 'One measurement per set; on a shared machine pass --repeat=N for medians of N alternating runs.\n'
  );
  const header = [
    'set',
    'traces',
    'spans',
    'MB',
    'read+model',
    'crit. path',
    'aggregate',
    'end to end',
    'e2e MB/s',
    'JSON.parse',
    'engine/parse',
    'warm engine/parse',
    '(e2e−parse)/parse',
    'e2e wall s',
    'peak RSS MB',
  ];
  const rows: string[][] = [];
  const child = (args: string[]) =>
    execFileSync(process.execPath, [script, ...args], { maxBuffer: 1 << 20 }).toString();
  for (const set of sets) {
    ensureGenerated(set);
    // Alternating the two children spreads a noisy neighbour's load over both sides of the ratio.
    const runs: Measurement[] = [];
    const parses: number[] = [];
    const warmRuns: Measurement[] = [];
    const warmParses: number[] = [];
    const warm = WARM_SETS.includes(set.name);
    const contexts = set.callContexts ? 'contexts' : '';
    for (let r = 0; r < repeat; r++) {
      warmPageCache(set);
      runs.push(JSON.parse(child(['--engine', set.path, set.only ?? '', 'cold', contexts])) as Measurement);
      parses.push(JSON.parse(child(['--json-parse', set.path, set.only ?? ''])) as number);
      if (warm) {
        warmPageCache(set);
        warmRuns.push(JSON.parse(child(['--engine', set.path, set.only ?? '', 'warm', contexts])) as Measurement);
        warmParses.push(JSON.parse(child(['--json-parse', set.path, set.only ?? '', 'warm'])) as number);
      }
    }
    const warmRatio = () => {
      const w = medianMeasurement(warmRuns);
      return ((w.modelMs + w.pathMs + w.aggregateMs) / median(warmParses)).toFixed(2);
    };
    const m = medianMeasurement(runs);
    const jsonParseMs = median(parses);
    const engineMs = m.modelMs + m.pathMs + m.aggregateMs;
    const endToEndMs = m.readMs + engineMs;
    rows.push([
      set.name,
      m.traces.toLocaleString('en-US'),
      m.spans.toLocaleString('en-US'),
      (m.bytes / 1e6).toFixed(1),
      rate(m.spans, m.readMs + m.modelMs),
      rate(m.spans, m.pathMs),
      rate(m.spans, m.aggregateMs),
      rate(m.spans, endToEndMs),
      (m.bytes / 1e6 / (endToEndMs / 1000)).toFixed(0),
      rate(m.spans, jsonParseMs),
      (engineMs / jsonParseMs).toFixed(2),
      warm ? warmRatio() : '—',
      ((endToEndMs - jsonParseMs) / jsonParseMs).toFixed(2),
      (endToEndMs / 1000).toFixed(2),
      m.peakRssMb.toFixed(0),
    ]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  if (sets.length > 0) {
    console.log(line(header));
    rows.forEach((r) => console.log(line(r)));
  }

  const cliSets = sets.filter((set) => CLI_SETS.includes(set.name));
  if (cliSets.length > 0) {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-cli.mjs')], { stdio: 'inherit' });
    console.log(
      '\nThe CLI, whole process: hotpath analyze <set> --format json|folded, wall clock from the call to the printed'
    );
    console.log('output (worker start-up and output included); peak RSS of the process, worker threads included.');
    console.log('folded also aggregates by calling context (the flame graph); the variants run alternately.');
    const cliHeader = ['set', 'format', 'jobs', 'spans', 'end to end', 'wall s', 'peak RSS MB'];
    const cliRows: string[][] = [];
    for (const set of cliSets) {
      const files = filesOf(set.path, set.only ?? '').length;
      const defaultJobs = `${Math.min(availableParallelism(), files)} (default: min(cores, files))`;
      const variants = [
        { format: 'json', jobs: '1', label: '1 (single thread)' },
        { format: 'folded', jobs: '1', label: '1 (single thread)' },
        { format: 'json', jobs: 'default', label: defaultJobs },
        { format: 'folded', jobs: 'default', label: defaultJobs },
        { format: 'json', jobs: 'compare', label: '1 with --compare p90 (attributes included)' },
      ];
      const runs = variants.map((): CliMeasurement[] => []);
      for (let r = 0; r < repeat; r++) {
        variants.forEach((variant, v) => {
          warmPageCache(set);
          runs[v].push(JSON.parse(child(['--cli', set.path, variant.jobs, variant.format])) as CliMeasurement);
        });
      }
      variants.forEach((variant, v) => {
        const wallMs = median(runs[v].map((run) => run.wallMs));
        const spans = runs[0][0].spans;
        cliRows.push([
          set.name,
          variant.format,
          variant.label,
          spans.toLocaleString('en-US'),
          rate(spans, wallMs),
          (wallMs / 1000).toFixed(2),
          median(runs[v].map((run) => run.peakRssMb)).toFixed(0),
        ]);
      });
    }
    const cliWidths = cliHeader.map((h, i) => Math.max(h.length, ...cliRows.map((r) => r[i].length)));
    const cliLine = (cells: string[]) =>
      cells.map((c, i) => (i < 3 ? c.padEnd(cliWidths[i]) : c.padStart(cliWidths[i]))).join('  ');
    console.log(cliLine(cliHeader));
    cliRows.forEach((r) => console.log(cliLine(r)));
  }
  if (live) {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-cli.mjs')], { stdio: 'inherit' });
    await liveJaegerBench(repeat, ROOT);
  }
  console.log(
    `\nload average at the end (1, 5, 15 min): ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`
  );

  console.log('\ntargets (2-core VM): 10k end to end ≥ 300,000 spans/s; engine/parse ≤ 1.00; 10k peak RSS ≤ 300 MB;');
  console.log('huge, chain and wide each under 1 s end to end (e2e wall s), none overflowing the stack.');
  for (const set of sets) {
    console.log(`  ${set.name.padEnd(8)} ${set.note}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
