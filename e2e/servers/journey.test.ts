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
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import { FAULT_OPERATIONS, type FaultName } from '../../demo/backend/faults';
import type { LoadConfig } from '../../demo/loadgen/config';
import { runLoad, type Summary } from '../../demo/loadgen/loadgen';
import { request } from '../../demo/test/harness/http';
import { waitFor } from '../../demo/test/harness/process';
import type { JsonOutput } from '../../src/cli/render/json';
import { OperationTable, readTraceBytes } from '../../src/engine';
import { DATASOURCES } from '../static/lib/contracts';
import { isStreamQuery, loadProvisioning, queries } from '../static/lib/provisioning';
import { repoPath } from '../static/lib/repo';
import { asGrafanaRunsIt, demoServicesOffered, finite, positive, Series, STEP_S } from './lib/grafanaQueries';
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

/** An HTTP answer as recorded for the CLI's stub-server tests (src/cli/jaegerSource.test.ts). */
interface RecordedAnswer {
  request: string;
  status: number;
  contentType: string;
  body: string;
}

/**
 * With HOTPATH_RECORD_JAEGER=1: Jaeger's answers for the slow-redis phase as files (the whole search as the example,
 * 30 traces of it and one trace by ID with prettyPrint as fixtures), and the answers the CLI must word (errors, no
 * traces, the service list). Bytes exactly as Jaeger sent them.
 */
async function recordAnswers(slow: Phase): Promise<void> {
  const window = { start: String(Math.floor(slow.startUs)), end: String(Math.ceil(slow.endUs)) };
  writeFileSync(repoPath('examples/demo-slow-redis.jaeger.json'), slow.answer.bytes);
  mkdirSync(path.join(RECORDINGS, 'api'), { recursive: true });
  const few = await searchJaeger(journey.queryUrl, { service: 'frontend', ...window, limit: '30' });
  writeFileSync(path.join(RECORDINGS, 'demo-slow-redis.search.json'), few.bytes);
  const [id] = traceIdsOf(few);
  const pretty = await request(`${journey.queryUrl}/api/traces/${id}?prettyPrint=true`);
  writeFileSync(path.join(RECORDINGS, 'demo-slow-redis.trace-pretty.json'), pretty.text);
  const apiAnswers: Record<string, string> = {
    'no-service.400': '/api/traces?lookback=1h&limit=20',
    'bad-limit.400': '/api/traces?service=frontend&limit=many',
    'no-traces': `/api/traces?service=no-such-service&${new URLSearchParams(window).toString()}&limit=20`,
    'trace-not-found.404': '/api/traces/00000000000000000000000000000001',
    services: '/api/services',
  };
  for (const [name, target] of Object.entries(apiAnswers)) {
    const answer = await request(`${journey.queryUrl}${target}`);
    const recorded: RecordedAnswer = {
      request: `GET ${target}`,
      status: answer.status,
      contentType: String(answer.headers['content-type']),
      body: answer.text,
    };
    writeFileSync(path.join(RECORDINGS, 'api', `${name}.json`), `${JSON.stringify(recorded, null, 2)}\n`);
  }
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
    if (RECORD && fault === 'slow-redis') {
      await recordAnswers(withFault);
    }
    if (args.length === 0) {
      expect(output.traces).toBe(withFault.summary.requests);
    } else {
      // The search narrowed the traces down to those of the entry operation the fault slows.
      expect(output.traces).toBeGreaterThan(20);
      expect(output.traces).toBeLessThan(withFault.summary.requests + 1);
    }
  });
});

describe("the compact-span reader takes every span of real Jaeger's answers (counted, ParsedTraces.spanReads)", () => {
  test('search answers (/api/traces), one per phase', () => {
    expect(phases.size).toBeGreaterThanOrEqual(5);
    for (const [name, { answer }] of phases) {
      const parsed = readTraceBytes(answer.bytes, new OperationTable(), name);
      expect({ name, traces: parsed.traces.length, reads: parsed.spanReads }).toEqual({
        name,
        traces: answer.traces,
        reads: { compact: answer.spans, general: 0 },
      });
    }
  });

  test("a trace by ID with prettyPrint=true (Jaeger UI's Trace JSON link)", async () => {
    const ids = traceIdsOf(phases.get('slow-redis')?.answer).slice(0, 5);
    expect(ids).toHaveLength(5);
    for (const id of ids) {
      const answer = await request(`${journey.queryUrl}/api/traces/${id}?prettyPrint=true`, {
        headers: { connection: 'close' },
      });
      expect(answer.status).toBe(200);
      expect(answer.text).toMatch(/^\{\n {4}"data": \[\n/); // indented by Jaeger, four spaces
      const spans = (answer.json() as { data: Array<{ spans: unknown[] }> }).data[0].spans.length;
      const parsed = readTraceBytes(Buffer.from(answer.text), new OperationTable(), id);
      expect(parsed.spanReads).toEqual({ compact: spans, general: 0 });
      expect(parsed.traces.map((trace) => trace.traceId)).toEqual([id]);
    }
  });
});

function traceIdsOf(answer: SearchAnswer | undefined): string[] {
  const { data } = JSON.parse(answer?.bytes.toString('utf8') ?? '{"data":[]}') as { data: Array<{ traceID: string }> };
  return data.map((trace) => trace.traceID);
}

/**
 * Every provisioned Prometheus query (e2e/static/lib/provisioning.ts: dashboards, their variables, alert, links) but
 * those over `hotpath stream`'s metrics: the stream reads Jaeger's Kafka topic (hotpath-stream-dashboard.test.ts).
 */
const PROVISIONED = queries(loadProvisioning()).filter(
  (q) => q.datasourceUid === DATASOURCES.prometheus.uid && !isStreamQuery(q)
);

describe('SPM for real: Jaeger spanmetrics → Prometheus (deploy/prometheus/prometheus.yml) → dashboards, alert, Monitor tab', () => {
  let runStartS: number;

  const steady = new AbortController();
  let steadyLoad: Promise<Summary> | undefined;

  beforeAll(async () => {
    runStartS = Math.floor(Math.min(...[...phases.values()].map((p) => p.startUs)) / 1e6);
    // Steady traffic while these tests wait, with errors (for the error-ratio panel and link): a rate needs a
    // counter that grows between scrapes, and a short burst can land within one spanmetrics flush (15 s), which
    // Prometheus then sees as a series born at its final value (rate 0, and 0/0 for quantiles).
    await journey.setFaults('errors=0.3');
    steadyLoad = runLoad(
      { ...PHASE_LOAD, target: journey.frontendUrl, rate: 15, concurrency: 4, durationMs: 300_000 },
      steady.signal
    );
  });

  afterAll(async () => {
    steady.abort();
    await steadyLoad;
  });

  const prometheus = () => {
    if (journey.prometheus === undefined) {
      throw new Error('the journey runs without Prometheus');
    }
    return journey.prometheus;
  };

  /** A range query over the run, as Grafana's panels run theirs; retried until a series has a value above 0. */
  async function seriesOverTheRun(expr: string): Promise<Series[]> {
    return waitFor(
      `series for ${expr}`,
      async () => {
        const data = (await prometheus().api('query_range', {
          query: expr,
          start: String(runStartS - 60),
          end: String(Date.now() / 1000),
          step: String(STEP_S),
        })) as { result: Series[] };
        return data.result.some((series) => (series.values ?? []).some(([, value]) => positive(value)))
          ? data.result
          : undefined;
      },
      // Spans reach Prometheus after the spanmetrics flush (15 s) and the next scrape (15 s).
      90_000,
      2000
    );
  }

  test('Prometheus scrapes every job of the shipped config, each answering with a Content-Type v3 accepts', async () => {
    const targets = await waitFor(
      'every target up',
      async () => {
        const { activeTargets } = (await prometheus().api('targets', {})) as {
          activeTargets: Array<{ health: string; scrapeUrl: string; labels: Record<string, string> }>;
        };
        return activeTargets.every((t) => t.health === 'up') && activeTargets.length === 5 ? activeTargets : undefined;
      },
      60_000,
      1000
    );
    expect(targets.map((t) => t.labels.job).sort()).toEqual([
      'demo-backend',
      'demo-frontend',
      'jaeger',
      'jaeger-spanmetrics',
      'prometheus',
    ]);
    // 2.42 reads an answer without a (valid) Content-Type as the text format; v3 fails that scrape
    // (prometheus/prometheus docs/migration.md, "Scrape protocols"). Asked as Prometheus asks (OpenMetrics first).
    const accept =
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,' +
      'text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
    for (const target of targets) {
      const answer = await request(target.scrapeUrl, { headers: { accept, connection: 'close' } });
      expect({ job: target.labels.job, type: answer.headers['content-type'] }).toEqual({
        job: target.labels.job,
        type: expect.stringMatching(/^(application\/openmetrics-text; version=1\.0\.0|text\/plain; version=0\.0\.4);/),
      });
    }
    // Exemplars come only with OpenMetrics: spanmetrics and both demo services speak it.
    const openMetrics = targets
      .filter((t) => t.labels.job.startsWith('demo-') || t.labels.job === 'jaeger-spanmetrics')
      .map((t) => t.scrapeUrl);
    for (const url of openMetrics) {
      const answer = await request(url, { headers: { accept, connection: 'close' } });
      expect(answer.headers['content-type']).toMatch(/^application\/openmetrics-text/);
    }
  });

  test("the dashboards' variables offer the demo's services (label_values, through Prometheus's label API)", async () => {
    const variables = PROVISIONED.filter((q) => q.origin.includes(' variable '));
    expect(variables.length).toBeGreaterThanOrEqual(1);
    for (const { expr } of variables) {
      const labelValues = async (label: string, metric: string) =>
        prometheus().api(`label/${label}/values`, { 'match[]': metric }) as Promise<string[]>;
      const values = await demoServicesOffered(expr, labelValues, 90_000);
      expect(values.sort()).toEqual(['backend', 'frontend']);
    }
  });

  // Every Prometheus query of the dashboards and of the Jaeger data source's trace-to-metrics links; expressions
  // with $service once per value the variable offers, the others once.
  const panelQueries = PROVISIONED.filter((q) => !q.origin.includes(' variable ') && !q.origin.startsWith('alert '));
  test('the dashboards and data source links have Prometheus queries to check', () => {
    expect(panelQueries.length).toBeGreaterThanOrEqual(13);
  });
  const perService = panelQueries.flatMap((q) =>
    q.expr.includes('$service')
      ? ['frontend', 'backend'].map((service) => ({ ...q, service }))
      : [{ ...q, service: '-' }]
  );
  test.each(perService)('$origin ($service): returns series', async ({ expr, service }) => {
    const substituted = asGrafanaRunsIt(expr, { service });
    expect(substituted).not.toMatch(/\$/);
    expect((await seriesOverTheRun(substituted)).length).toBeGreaterThan(0);
  });

  const alerts = PROVISIONED.filter((q) => q.origin.startsWith('alert '));
  test('the alert rule has a Prometheus query to check', () => {
    expect(alerts.length).toBeGreaterThanOrEqual(1);
  });

  test.each(alerts)(
    '$origin: accepted as written, and returns series once its baseline fits this run',
    async ({ expr }) => {
      // As written: Prometheus evaluates it (no error), but its baseline ([1h] offset 5m) lies before this run,
      // which is younger than 5 minutes, so there is nothing to compare yet.
      await prometheus().api('query', { query: expr });
      // The same expression with the baseline's offset shrunk to fit the run (everything else unchanged): the
      // spanmetrics names, labels and the p95 > 100 ms guard must then give a value (the faults made the frontend slow).
      expect(expr).toContain('offset 5m');
      const fitted = expr.replaceAll('offset 5m', 'offset 30s');
      const series = await waitFor(
        `a value for ${fitted}`,
        async () => {
          const { result } = (await prometheus().api('query', { query: fitted })) as { result: Series[] };
          return result.length > 0 ? result : undefined;
        },
        90_000,
        2000
      );
      expect(series.every((one) => finite(one.value?.[1] ?? 'x'))).toBe(true);
    }
  );

  test('exemplars carry trace IDs that Jaeger returns (spanmetrics and the demo histogram)', async () => {
    for (const metric of [
      'traces_span_metrics_duration_milliseconds_bucket{service_name="frontend"}',
      'demo_http_request_duration_seconds_bucket{service="backend"}',
    ]) {
      const traceIds = await waitFor(
        `exemplars of ${metric}`,
        async () => {
          const data = (await prometheus().api('query_exemplars', {
            query: metric,
            start: String(runStartS - 60),
            end: String(Date.now() / 1000 + 5),
          })) as Array<{ exemplars: Array<{ labels: Record<string, string> }> }>;
          const ids = [...new Set(data.flatMap((series) => series.exemplars.map((e) => e.labels.trace_id)))];
          return ids.length >= 3 ? ids : undefined;
        },
        90_000,
        2000
      );
      for (const id of traceIds.slice(0, 10)) {
        expect(id).toMatch(/^[0-9a-f]{32}$/);
        const answer = await request(`${journey.queryUrl}/api/traces/${id}`, { headers: { connection: 'close' } });
        expect({ id, status: answer.status }).toEqual({ id, status: 200 });
        expect((answer.json() as { data: Array<{ traceID: string }> }).data[0].traceID).toBe(id);
      }
    }
  });

  test("Jaeger's Monitor tab API (/api/metrics/*) answers from this Prometheus", async () => {
    for (const [endpoint, extra] of [
      ['latencies', { quantile: '0.95' }],
      ['calls', {}],
      ['errors', {}],
    ] as const) {
      // What the Monitor tab asks (Jaeger UI: service, spanKind server, the last hour, one point a minute).
      const params = new URLSearchParams({
        service: 'frontend',
        spanKind: 'server',
        lookback: '3600000',
        step: '60000',
        ratePer: '600000',
        ...extra,
      });
      const values = await waitFor(
        `/api/metrics/${endpoint} with values`,
        async () => {
          const answer = await request(`${journey.queryUrl}/api/metrics/${endpoint}?${params.toString()}`, {
            headers: { connection: 'close' },
          });
          if (answer.status !== 200) {
            throw new Error(`${answer.status} ${answer.text}`);
          }
          const { metrics } = answer.json() as {
            metrics: Array<{
              labels: Array<{ name: string; value: string }>;
              metricPoints: Array<{ gaugeValue?: { doubleValue?: number } }>;
            }>;
          };
          const points = metrics.flatMap((m) => m.metricPoints.map((p) => p.gaugeValue?.doubleValue));
          return points.some((v) => typeof v === 'number' && Number.isFinite(v) && v > 0) ? metrics : undefined;
        },
        90_000,
        2000
      );
      expect(values.flatMap((m) => m.labels.map((l) => `${l.name}=${l.value}`))).toContain('service_name=frontend');
    }
  });
});
