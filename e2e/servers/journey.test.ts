/**
 * The journey through real servers: the demo (Redis, frontend, backend) exports OTLP to the real Jaeger v2 running
 * the bundle's deploy/jaeger/config.yaml; Debian's Prometheus scrapes it with the bundle's
 * deploy/prometheus/prometheus.yml (targets made loopback addresses, nothing else changed).
 *
 * 1. For each fault, the built CLI (`hotpath analyze --jaeger …`, a child process) ranks the fault's operation #1
 *    from Jaeger's own search API.
 * 2. The engine's compact-span reader takes every span of Jaeger's answers (search, and trace by ID with
 *    prettyPrint), counted by the reader (ParsedTraces.spanReads), not assumed.
 * 3. SPM: every PromQL expression of the provisioned dashboards and of the alert rule returns series from that
 *    Prometheus; exemplars carry trace IDs Jaeger returns; Jaeger's Monitor-tab API answers from Prometheus.
 *
 * `HOTPATH_RECORD_JAEGER=1` rewrites the recorded Jaeger answers (test/fixtures/jaeger/jaeger-2.12/ and
 * examples/demo-slow-redis.jaeger.json) from this run.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import { FAULT_OPERATIONS, type FaultName } from '../../demo/backend/faults';
import type { LoadConfig } from '../../demo/loadgen/config';
import { runLoad, type Summary } from '../../demo/loadgen/loadgen';
import { request } from '../../demo/test/harness/http';
import { waitFor } from '../../demo/test/harness/process';
import type { JsonOutput } from '../../src/cli/render/json';
import { OperationTable, readTraceBytes } from '../../src/engine';
import { repoPath } from '../static/lib/repo';
import { nowUs, searchJaeger, startJourney, waitForTraces, type Journey, type SearchAnswer } from './lib/journey';

const CLI = repoPath('bin/hotpath.js');
const RECORD = process.env.HOTPATH_RECORD_JAEGER === '1';
const RECORDINGS = repoPath('test/fixtures/jaeger/jaeger-2.12');

/** Each phase: up to 150 requests, as demo/test/engine.test.ts runs them. */
const PHASE_LOAD = {
  rate: 50,
  concurrency: 12,
  durationMs: 3000,
  timeoutMs: 10_000,
  mix: { 'visits-get': 1, 'visits-post': 1, checkout: 1 },
} as const;

interface Phase {
  summary: Summary;
  startUs: number;
  endUs: number;
  answer: SearchAnswer;
}

let journey: Journey;
const phases = new Map<string, Phase>();

beforeAll(async () => {
  // The CLI as users run it: the bundle bin/hotpath.js loads (the sources may be newer than the last build).
  execFileSync(process.execPath, [repoPath('scripts/build-cli.mjs')]);
  journey = await startJourney({ prometheus: true });
  // Warm up (JIT, connection pools): the first requests of a process are slow for reasons of their own.
  await runLoad({ ...PHASE_LOAD, target: journey.frontendUrl, durationMs: 1500 });
}, 120_000);

afterAll(async () => {
  await journey?.stop();
});

/** Switches faults, drives the frontend, and waits until Jaeger holds every trace of that traffic. */
async function phase(name: string, faults: string, load: Partial<LoadConfig> = {}): Promise<Phase> {
  await journey.setFaults(faults);
  const startUs = nowUs();
  const summary = await runLoad({ ...PHASE_LOAD, target: journey.frontendUrl, ...load });
  const endUs = nowUs();
  // Fewer than the 150 asked for when the machine is busy (a request is skipped while all slots are taken).
  expect(summary.requests).toBeGreaterThanOrEqual(50);
  const answer = await waitForTraces(journey.queryUrl, 'frontend', { startUs, endUs }, summary.requests);
  const result = { summary, startUs, endUs, answer };
  phases.set(name, result);
  return result;
}

/** `hotpath analyze --jaeger <Jaeger> --service frontend --start … --end … <args> --format json`, as a process. */
async function analyzeFromJaeger(window: Phase, args: string[] = []): Promise<{ output: JsonOutput; stderr: string }> {
  const argv = [
    CLI,
    'analyze',
    '--jaeger',
    journey.queryUrl,
    '--service',
    'frontend',
    '--start',
    String(Math.floor(window.startUs)),
    '--end',
    String(Math.ceil(window.endUs)),
    ...args,
    '--format',
    'json',
  ];
  const { stdout, stderr } = await promisify(execFile)(process.execPath, argv, { maxBuffer: 64 * 1024 * 1024 });
  return { output: JSON.parse(stdout) as JsonOutput, stderr };
}

const ranking = (output: JsonOutput, n = 5) =>
  output.hotspots
    .slice(0, n)
    .map((row) => `${row.service} / ${row.operation} ${(row.criticalPathShare * 100).toFixed(1)} %`);

describe('Demo → real Jaeger → hotpath analyze --jaeger', () => {
  test('without faults: every request is one whole trace in Jaeger, and no fault operation shows', async () => {
    const baseline = await phase('none', 'none');
    expect(baseline.summary.errors).toBe(0);
    const { output, stderr } = await analyzeFromJaeger(baseline);
    expect(output.traces).toBe(baseline.summary.requests);
    expect(output.diagnostics.orphans).toBe(0);
    expect(output.diagnostics.extraRoots).toBe(0);
    expect(output.problems).toEqual([]);
    const faultOps = new Set<string>(Object.values(FAULT_OPERATIONS));
    expect(output.hotspots.filter((row) => row.service === 'backend' && faultOps.has(row.operation))).toEqual([]);
    expect(new Set(output.hotspots.map((row) => row.service))).toEqual(new Set(['frontend', 'backend']));
    // Progress on stderr: what was asked, and how much came back.
    expect(stderr).toMatch(
      /^hotpath: asking Jaeger at http:\/\/127\.0\.0\.1:\d+ for up to 1000 traces \(service "frontend", /m
    );
    expect(stderr).toMatch(/^hotpath: Jaeger answered [\d.]+ (KB|MB) in [\d.]+ s$/m);
  });

  /** Each fault with the search a user would run for it: the entry operation it slows down, or all traces. */
  const FAULTS: Array<{ fault: FaultName; spec: string; args: string[]; load?: Partial<LoadConfig> }> = [
    { fault: 'slow-redis', spec: 'slow-redis=40ms', args: [] },
    {
      fault: 'lock-contention',
      spec: 'lock-contention=on',
      args: ['--operation', 'POST /api/checkout'],
      // Contention needs more checkouts than one connection serves (one holds it ~25 ms: 40/s at most).
      load: { rate: 60, mix: { 'visits-get': 0, 'visits-post': 0, checkout: 1 } },
    },
    { fault: 'n-plus-one', spec: 'n-plus-one=on', args: ['--operation', 'POST /api/checkout'] },
    {
      fault: 'random-sleep',
      spec: 'random-sleep=100ms-300ms',
      // A tag search, as Jaeger UI's Tags field sends it (JSON): the frontend's server spans of the route.
      args: ['--tags', 'http.route=/api/visits', '--tags', 'http.request.method=POST'],
    },
  ];

  test.each(FAULTS)('$fault: $spec ranks its operation #1', async ({ fault, spec, args, load }) => {
    const withFault = await phase(fault, spec, load);
    const { output } = await analyzeFromJaeger(withFault, args);
    expect(output.problems).toEqual([]);
    // On failure the message shows the top five with their shares.
    expect(ranking(output)[0]).toMatch(new RegExp(`^backend / ${FAULT_OPERATIONS[fault].replace(/\./g, '\\.')} `));
    if (args.length === 0) {
      expect(output.traces).toBe(withFault.summary.requests);
    } else {
      // The search narrowed the traces down to those of the entry operation the fault slows.
      expect(output.traces).toBeGreaterThan(20);
      expect(output.traces).toBeLessThan(withFault.summary.requests + 1);
    }
  });
});
