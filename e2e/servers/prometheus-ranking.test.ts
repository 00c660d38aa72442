/**
 * The Hotspots page's "every trace" questions (src/data/promql.ts) against a real Prometheus (Debian's 2.42, exemplar
 * storage on) scraping the metrics `hotpath stream` exports: its own StreamMetrics (src/cli/stream/metrics.ts, the
 * same engine and prom-client registry, served as OpenMetrics) fed with the demo's recorded slow-redis run
 * (examples/demo-slow-redis/) plus one trace whose service and operation names are hostile PromQL. No Kafka here:
 * hotpath-stream.test.ts covers the way in; this file covers the way out, to the page.
 *
 * Every expression must evaluate; the ranking's top row must be the largest counter increase; the service filter
 * must match the hostile name exactly (escaped as a PromQL string); exemplars must carry the trace IDs that were
 * recorded. Each row's follow-up exemplar question (promql.ts `exemplarFollowUps`) must answer exactly that row's
 * series, hostile names included, and with more operations than the follow-up's bound, every one of the first rows
 * must end up linking its costliest trace once Grafana's sampling (src/data/testing/prometheusFrames.ts) has had its
 * say — including a row that sampling across all series had linked to a cheaper one.
 * With HOTPATH_RECORD_PROMETHEUS=1 the answers are written to test/fixtures/prometheus/ (see its README),
 * where the unit and layer-1 tests read them through src/data/testing/prometheusFrames.ts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { Prometheus } from '../../demo/test/harness/prometheus';
import { Cleanup, sleep, waitFor } from '../../demo/test/harness/process';
import { CardinalityGuard } from '../../src/cli/stream/cardinality';
import { StreamMetrics } from '../../src/cli/stream/metrics';
import type { OpenTrace } from '../../src/cli/stream/openTraces';
import {
  exemplarFollowUps,
  MAX_EXEMPLAR_FOLLOW_UPS,
  promWindow,
  type QueryKind,
  RANKING_REFS,
  type RankingRef,
  rankingExpressions,
} from '../../src/data/promql';
import {
  answerToFrames,
  type ExemplarRow,
  exemplarRows,
  HOSTILE_OPERATION,
  HOSTILE_SERVICE,
  operationExemplarAnswer,
  PROMETHEUS_RECORDING,
  type PrometheusRecording,
  type RecordedAnswer,
} from '../../src/data/testing/prometheusFrames';
import { costliestExemplars } from '../../src/data/rowExemplars';
import { examplePath, fixturePath } from '../../src/testing/fixtures';

interface OtlpSpan {
  traceId: string;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
}
interface ResourceSpans {
  resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
  scopeSpans: Array<{ scope?: unknown; spans: OtlpSpan[] }>;
}

/** The demo's slow-redis run, one OpenTrace per trace ID (what `hotpath stream` collects from Kafka). */
function demoTraces(): OpenTrace[] {
  const byId = new Map<string, OpenTrace>();
  const lines = readFileSync(examplePath('demo-slow-redis/slow-redis.otlp.jsonl'), 'utf8').split('\n');
  for (const line of lines.filter((l) => l.trim() !== '')) {
    for (const rs of (JSON.parse(line) as { resourceSpans: ResourceSpans[] }).resourceSpans) {
      for (const ss of rs.scopeSpans) {
        for (const span of ss.spans) {
          const trace: OpenTrace = byId.get(span.traceId) ?? {
            traceId: span.traceId,
            resourceSpans: [],
            spans: 0,
            lastSeenMs: 0,
            firstOffsets: new Map(),
            lastOffsets: new Map(),
          };
          byId.set(span.traceId, trace);
          trace.resourceSpans.push({ resource: rs.resource, scopeSpans: [{ scope: ss.scope, spans: [span] }] });
          trace.spans++;
        }
      }
    }
  }
  return [...byId.values()];
}

/** A copy of `trace` under another ID whose spans all belong to one service and operation. */
function renamedTrace(trace: OpenTrace, traceId: string, service: string, operation: string): OpenTrace {
  const resourceSpans = (trace.resourceSpans as ResourceSpans[]).map((rs) => ({
    resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
    scopeSpans: rs.scopeSpans.map((ss) => ({
      ...ss,
      spans: ss.spans.map((span) => ({ ...span, traceId, name: operation })),
    })),
  }));
  return { ...trace, traceId, resourceSpans };
}

/** A trace of one span lasting `seconds`, of one service and operation: that operation's critical-path time. */
function oneSpanTrace(traceId: string, service: string, operation: string, seconds: number): OpenTrace {
  const start = BigInt('1796000000000000000');
  const span = {
    traceId,
    spanId: '00000000000000a1',
    name: operation,
    kind: 2,
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + BigInt(Math.round(seconds * 1e9))),
  };
  const resource = { attributes: [{ key: 'service.name', value: { stringValue: service } }] };
  return {
    traceId,
    resourceSpans: [{ resource, scopeSpans: [{ spans: [span] }] }],
    spans: 1,
    lastSeenMs: 0,
    firstOffsets: new Map(),
    lastOffsets: new Map(),
  };
}

const hostileTrace = (trace: OpenTrace, traceId: string) =>
  renamedTrace(trace, traceId, HOSTILE_SERVICE, HOSTILE_OPERATION);

async function serveMetrics(metrics: StreamMetrics): Promise<Server> {
  const server = createServer((_request, response) => {
    metrics.registry.metrics().then(
      (text) => {
        response.writeHead(200, { 'Content-Type': metrics.registry.contentType });
        response.end(text);
      },
      (error: Error) => {
        response.writeHead(500);
        response.end(error.message);
      }
    );
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return server;
}

interface Vector {
  resultType: string;
  result: Array<{ metric: Record<string, string>; value: [number, string] }>;
}

describe('the "every trace" ranking against a real Prometheus scraping hotpath stream’s metrics', () => {
  const cleanup = new Cleanup();
  let prometheus: Prometheus;
  const traces = demoTraces();
  const hostile = hostileTrace(traces[0], 'feedfacefeedfacefeedfacefeedface');
  /** Critical-path seconds per `service|operation` recorded after Prometheus's first scrape: what increase() sees. */
  let recorded: Map<string, number>;
  let range: { from: number; to: number };

  beforeAll(async () => {
    ({ prometheus, recorded, range } = await scrapedTwice([...traces, hostile], cleanup));
  });

  afterAll(() => cleanup.run());

  const instant = async (expr: string) =>
    (await prometheus.api('query', { query: expr, time: String(range.to / 1000) })) as Vector;

  test('every question of the ranking evaluates, and the top row is the largest counter increase', async () => {
    const window = promWindow(range);
    const answers: Record<string, RecordedAnswer> = {};
    for (const { refId, expr, kind } of rankingExpressions(window)) {
      answers[refId] = await ask(prometheus, expr, kind, range);
    }
    const cp = answers['hotpath-cp'].body as { data: Vector };
    expect(cp.data.resultType).toBe('vector');
    const ranked = cp.data.result
      .map((s) => ({ key: `${s.metric.service}|${s.metric.operation}`, value: Number(s.value[1]) }))
      .sort((a, b) => b.value - a.value);
    const largest = [...recorded.entries()].sort((a, b) => b[1] - a[1])[0][0];
    expect(ranked[0].key).toBe(largest);
    // The demo's fault: Redis made slow, so its call is what requests waited on.
    expect(largest).toMatch(/redis/i);
    // Per-trace percentiles are numbers for the top row (the histogram has its observations).
    const p95 = (answers['hotpath-cp-p95'].body as { data: Vector }).data.result;
    const top = p95.find((s) => `${s.metric.service}|${s.metric.operation}` === largest);
    expect(Number(top?.value[1])).toBeGreaterThan(0);
    // Exemplars name traces that were recorded.
    const exemplars = (
      answers['hotpath-exemplars'].body as { data: Array<{ exemplars: Array<{ labels: Record<string, string> }> }> }
    ).data;
    const ids = new Set(exemplars.flatMap((series) => series.exemplars.map((e) => e.labels.trace_id)));
    expect(ids.size).toBeGreaterThan(0);
    const known = new Set([...traces, hostile].map((t) => t.traceId));
    expect([...ids].filter((id) => !known.has(id))).toEqual([]);

    const filtered: Record<string, RecordedAnswer> = {};
    for (const { refId, expr, kind } of rankingExpressions(window, HOSTILE_SERVICE)) {
      filtered[refId] = await ask(prometheus, expr, kind, range);
    }
    // The hostile name is one PromQL string: the filter matches it exactly, nothing else, and nothing broke.
    const hostileRows = (filtered['hotpath-cp'].body as { data: Vector }).data.result;
    expect(hostileRows.map((s) => [s.metric.service, s.metric.operation])).toEqual([
      [HOSTILE_SERVICE, HOSTILE_OPERATION],
    ]);

    // Each row's follow-up exemplar question answers exactly its own series' exemplars, hostile names included:
    // what the recorded-payload tests derive from the answer above (prometheusFrames.ts `operationExemplarAnswer`).
    const rows = ranked.map(({ key }) => {
      const [service, operation] = key.split('|');
      return { service, operation, exemplars: [] };
    });
    expect(rows.map((r) => r.service)).toContain(HOSTILE_SERVICE);
    for (const followUp of exemplarFollowUps(rows)) {
      const answer = await ask(prometheus, followUp.expr, followUp.kind, range);
      const derived = operationExemplarAnswer(answers[RANKING_REFS.exemplars], followUp.service, followUp.operation);
      expect(sortedSeries(answer.body)).toEqual(sortedSeries(derived.body));
      // Not empty: every row of this run has exemplars in Prometheus.
      expect(sortedSeries(answer.body).length).toBeGreaterThan(0);
    }

    if (process.env.HOTPATH_RECORD_PROMETHEUS === '1') {
      const { version } = (await prometheus.api('status/buildinfo', {})) as { version: string };
      const recording: PrometheusRecording = {
        prometheus: version,
        range,
        window,
        answers,
        filtered: { service: HOSTILE_SERVICE, answers: filtered },
      };
      const file = fixturePath(PROMETHEUS_RECORDING);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, `${JSON.stringify(recording, null, 1)}\n`);
    }
  });

  test('a service filter that tries to close the matcher and add PromQL stays one string: it matches nothing', async () => {
    // Unescaped, this would read {service="x"} or vector(1) … and answer 1.
    const injection = 'x"} or vector(1) or sum(x{a="';
    for (const { expr, kind } of rankingExpressions(promWindow(range), injection)) {
      if (kind === 'instant' && expr.includes('{service=')) {
        expect((await instant(expr)).result).toEqual([]);
      }
    }
  });
});

describe('the follow-up exemplar questions with more operations than their bound, against a real Prometheus', () => {
  const cleanup = new Cleanup();
  const demo = demoTraces();
  const OPERATIONS = MAX_EXEMPLAR_FOLLOW_UPS + 10;
  /** Two traces per operation, each a demo trace's spans renamed (so of its own duration) under a new ID. */
  const written = Array.from({ length: OPERATIONS }, (_, k) =>
    [0, 1].map((j) =>
      renamedTrace(
        demo[(2 * k + j) % demo.length],
        `${(k + 1).toString(16).padStart(16, '0')}${(j + 1).toString(16).padStart(16, '0')}`,
        'many',
        `op-${k}`
      )
    )
  );
  /**
   * And a row whose costliest trace Grafana's sampling across all series drops: recorded next to (so in the same
   * step as) another operation's 2 s trace, kept first, its 1.9 s trace is within two standard deviations (of all
   * the values here) of that one and is not kept; its 0.9 s trace, more than that below, is. The ranking's one
   * question links it to its cheaper trace. The two are in different buckets (le 2.5 and 1), so both are exemplars.
   */
  const decoy = oneSpanTrace('d'.repeat(32), 'many', 'decoy', 2);
  const [costliest, cheaper] = [1.9, 0.9].map((seconds, j) =>
    oneSpanTrace(`${'c'.repeat(31)}${j + 1}`, 'many', 'contested', seconds)
  );
  const idsOf = (operation: string) =>
    operation === 'contested'
      ? [costliest.traceId, cheaper.traceId]
      : operation === 'decoy'
        ? [decoy.traceId]
        : written[Number(operation.slice('op-'.length))].map((t) => t.traceId);
  let prometheus: Prometheus;
  let range: { from: number; to: number };

  beforeAll(async () => {
    ({ prometheus, range } = await scrapedTwice([decoy, costliest, cheaper, ...written.flat()], cleanup));
  });

  afterAll(() => cleanup.run());

  test('Grafana’s sampling leaves most rows without a trace, or without their costliest; their own questions give each of the first rows its costliest', async () => {
    const window = promWindow(range);
    const byRef = new Map(rankingExpressions(window).map((e) => [e.refId, e]));
    const question = (refId: RankingRef) => {
      const { expr, kind } = byRef.get(refId)!;
      return ask(prometheus, expr, kind, range);
    };
    const cp = ((await question(RANKING_REFS.criticalPath)).body as { data: Vector }).data.result;
    const ranked = cp
      .map((s) => ({ service: s.metric.service, operation: s.metric.operation, value: Number(s.value[1]) }))
      .sort((a, b) => b.value - a.value);
    expect(ranked).toHaveLength(OPERATIONS + 2);
    // What the ranking's one exemplar question brings after Grafana's sampling across all series, and what
    // Prometheus holds (each row's costliest exemplar there: the costliest of its traces that stayed an exemplar).
    const exemplarAnswer = await question(RANKING_REFS.exemplars);
    const sampled = exemplarRows(answerToFrames(exemplarAnswer, RANKING_REFS.exemplars, GRAFANA_STEP_MS));
    const held = heldExemplars(exemplarAnswer);
    const ownOf = (all: ExemplarRow[], { service, operation }: { service: string; operation: string }) =>
      costliestExemplars(
        all
          .filter((e) => e.service === service && e.operation === operation)
          .map((e) => ({ traceId: e.traceId, criticalPathUs: e.value * 1e6 }))
      );
    const rows = ranked.map((row) => ({ ...row, exemplars: ownOf(sampled, row) }));
    const first = rows.slice(0, MAX_EXEMPLAR_FOLLOW_UPS);
    const lacking = first.filter((row) => row.exemplars.length === 0);
    // The problem with real data: one question, sampled across every series, links few rows.
    expect(lacking.length).toBeGreaterThan(first.length / 2);

    // And the contested row got its cheaper trace, not its costliest.
    const contested = rows.find((row) => row.operation === 'contested')!;
    expect(first).toContain(contested);
    expect(contested.exemplars.map((e) => e.traceId)).toEqual([cheaper.traceId]);
    expect(ownOf(held, contested)[0].traceId).toBe(costliest.traceId);

    // Every one of the first rows is asked, linked or not.
    const followUps = exemplarFollowUps(rows);
    expect(followUps.map((f) => f.operation)).toEqual(first.map((row) => row.operation));
    for (const followUp of followUps) {
      // Sampled per question, as Grafana does (a new sampler per query's response); merged with the sampled ones.
      const answer = await ask(prometheus, followUp.expr, followUp.kind, range);
      const own = ownOf(exemplarRows(answerToFrames(answer, followUp.refId, GRAFANA_STEP_MS)), followUp);
      const row = rows.find((r) => r.operation === followUp.operation)!;
      row.exemplars = costliestExemplars([...own, ...row.exemplars]);
    }
    // Every one of the first rows now links the costliest trace Prometheus holds for it, one this run wrote for
    // that very operation: the contested row its 1.9 s trace.
    for (const row of first) {
      expect(row.exemplars.length).toBeGreaterThan(0);
      expect(row.exemplars[0].traceId).toBe(ownOf(held, row)[0].traceId);
      for (const exemplar of row.exemplars) {
        expect(idsOf(row.operation)).toContain(exemplar.traceId);
      }
    }
    expect(contested.exemplars.map((e) => e.traceId)).toEqual([costliest.traceId, cheaper.traceId]);
  });
});

/**
 * The step Grafana asks with for these ranges (a few seconds): promRanking.ts asks for at least 1 s
 * (`EXEMPLAR_MIN_STEP`) and at most 11,000 points, so 1 s here. Grafana aligns the range to it and samples with it.
 */
const GRAFANA_STEP_MS = 1000;

/** Every exemplar of a `query_exemplars` answer, as Prometheus holds them (before any sampling of Grafana's). */
function heldExemplars(answer: RecordedAnswer): ExemplarRow[] {
  const { data } = answer.body as {
    data: Array<{
      seriesLabels: Record<string, string>;
      exemplars: Array<{ labels: Record<string, string>; value: string }>;
    }>;
  };
  return data.flatMap(({ seriesLabels, exemplars }) =>
    exemplars.map((e) => ({
      service: seriesLabels.service,
      operation: seriesLabels.operation ?? '',
      traceId: e.labels.trace_id,
      value: Number(e.value),
    }))
  );
}

/**
 * The demo's traces recorded into a StreamMetrics served on 127.0.0.1, scraped by a real Prometheus: once before
 * Prometheus's first scrape, once after — a counter's first sample is its start, so increase() over the returned
 * range sees exactly the second pass, for every series. Returns the critical-path seconds of that pass by
 * `service|operation`.
 */
async function scrapedTwice(
  traces: OpenTrace[],
  cleanup: Cleanup
): Promise<{ prometheus: Prometheus; recorded: Map<string, number>; range: { from: number; to: number } }> {
  const metrics = new StreamMetrics(new CardinalityGuard(1000));
  traces.forEach((trace) => metrics.record({ trace, reason: 'idle' }));
  const server = await serveMetrics(metrics);
  cleanup.add(() => new Promise((done) => server.close(done)));
  const { port } = server.address() as AddressInfo;
  const prometheus = await Prometheus.start({ hotpath: `127.0.0.1:${port}` });
  cleanup.add(() => prometheus.stop());
  const scraped = async (expr: string, atLeast: number) => {
    const { result } = (await prometheus.api('query', { query: expr })) as Vector;
    return result.length > 0 && Number(result[0].value[1]) >= atLeast ? true : undefined;
  };
  await waitFor('the first scrape', () => scraped('sum(hotpath_traces_total)', traces.length), 30_000, 200);
  const range = { from: Date.now() - 1500, to: 0 };
  const before = await sampleCountersOf(metrics);
  traces.forEach((trace) => metrics.record({ trace, reason: 'idle' }));
  const after = await sampleCountersOf(metrics);
  const recorded = new Map([...after].map(([key, value]) => [key, value - (before.get(key) ?? 0)]));
  await waitFor('the second scrape', () => scraped('sum(hotpath_traces_total)', 2 * traces.length), 30_000, 200);
  // More scrapes: increase() extrapolates between the first and last sample of the window.
  await sleep(2500);
  range.to = Date.now();
  return { prometheus, recorded, range };
}

/**
 * One question, as Grafana's Prometheus data source asks it (grafana/grafana pkg/promlib/querydata/request.go
 * `fetch`, client/client.go): an instant query at the range's end; for a query with exemplars, the query itself (a
 * range query over the step-aligned range, or the follow-up's instant one) and `query_exemplars` over the range
 * aligned down to the step (models/query.go `TimeRange`, `AlignTimeRange`).
 */
async function ask(
  prometheus: Prometheus,
  expr: string,
  kind: QueryKind,
  range: { from: number; to: number }
): Promise<RecordedAnswer> {
  const end = String(range.to / 1000);
  if (kind === 'instant') {
    const params = { query: expr, time: end };
    return { path: '/api/v1/query', params, body: { status: 'success', data: await prometheus.api('query', params) } };
  }
  const aligned = (ms: number) => String(Math.floor(ms / GRAFANA_STEP_MS) * (GRAFANA_STEP_MS / 1000));
  const [start, alignedEnd] = [aligned(range.from), aligned(range.to)];
  const params = { query: expr, start, end: alignedEnd };
  const body = { status: 'success', data: await prometheus.api('query_exemplars', params) };
  const [companion, companionParams] =
    kind === 'exemplars'
      ? ['query_range', { query: expr, start, end: alignedEnd, step: String(GRAFANA_STEP_MS / 1000) }]
      : ['query', { query: expr, time: end }];
  const values = { status: 'success', data: await prometheus.api(companion, companionParams) };
  return { path: '/api/v1/query_exemplars', params, body, range: { params: companionParams, body: values } };
}

/** An exemplar answer's series, each with its exemplars, in one order (Prometheus does not promise one). */
function sortedSeries(body: unknown): string[] {
  const { data } = body as { data: Array<{ seriesLabels: Record<string, string>; exemplars: unknown[] }> };
  return data.map((series) => JSON.stringify(series)).sort();
}

async function sampleCountersOf(metrics: StreamMetrics): Promise<Map<string, number>> {
  const metric = await metrics.registry.getSingleMetric('hotpath_critical_path_seconds_total')?.get();
  return new Map(
    (metric?.values ?? []).map((v) => [`${String(v.labels.service)}|${String(v.labels.operation)}`, v.value])
  );
}
