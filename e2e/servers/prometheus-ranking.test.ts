/**
 * The Hotspots page's "every trace" questions (src/data/promql.ts) against a real Prometheus (Debian's 2.42, exemplar
 * storage on) scraping the metrics `hotpath stream` exports: its own StreamMetrics (src/cli/stream/metrics.ts, the
 * same engine and prom-client registry, served as OpenMetrics) fed with the demo's recorded slow-redis run
 * (examples/demo-slow-redis/) plus one trace whose service and operation names are hostile PromQL. No Kafka here:
 * hotpath-stream.test.ts covers the way in; this file covers the way out, to the page.
 *
 * Every expression must evaluate; the ranking's top row must be the largest counter increase; the service filter
 * must match the hostile name exactly (escaped as a PromQL string); exemplars must carry the trace IDs that were
 * recorded. With HOTPATH_RECORD_PROMETHEUS=1 the answers are written to test/fixtures/prometheus/ (see its README),
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
import { promWindow, rankingExpressions } from '../../src/data/promql';
import {
  HOSTILE_OPERATION,
  HOSTILE_SERVICE,
  PROMETHEUS_RECORDING,
  type PrometheusRecording,
  type RecordedAnswer,
} from '../../src/data/testing/prometheusFrames';
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

/** A copy of `trace` under another ID whose spans all belong to the hostile service and operation. */
function hostileTrace(trace: OpenTrace, traceId: string): OpenTrace {
  const resourceSpans = (trace.resourceSpans as ResourceSpans[]).map((rs) => ({
    resource: { attributes: [{ key: 'service.name', value: { stringValue: HOSTILE_SERVICE } }] },
    scopeSpans: rs.scopeSpans.map((ss) => ({
      ...ss,
      spans: ss.spans.map((span) => ({ ...span, traceId, name: HOSTILE_OPERATION })),
    })),
  }));
  return { ...trace, traceId, resourceSpans };
}

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
  const recorded = new Map<string, number>();
  let range: { from: number; to: number };

  beforeAll(async () => {
    const metrics = new StreamMetrics(new CardinalityGuard(1000));
    const all = [...traces, hostile];
    // The run once before Prometheus's first scrape, once after: a counter's first sample is its start, so
    // increase() over the range sees exactly the second pass (for every series, the hostile one included).
    all.forEach((trace) => metrics.record({ trace, reason: 'idle' }));
    const server = await serveMetrics(metrics);
    cleanup.add(() => new Promise((done) => server.close(done)));
    const { port } = server.address() as AddressInfo;
    prometheus = await Prometheus.start({ hotpath: `127.0.0.1:${port}` });
    cleanup.add(() => prometheus.stop());
    const scraped = async (expr: string, atLeast: number) => {
      const { result } = (await prometheus.api('query', { query: expr })) as Vector;
      return result.length > 0 && Number(result[0].value[1]) >= atLeast ? true : undefined;
    };
    await waitFor('the first scrape', () => scraped('sum(hotpath_traces_total)', all.length), 30_000, 200);
    range = { from: Date.now() - 1500, to: 0 };
    const before = await sampleCountersOf(metrics);
    all.forEach((trace) => metrics.record({ trace, reason: 'idle' }));
    const after = await sampleCountersOf(metrics);
    for (const [key, value] of after) {
      recorded.set(key, value - (before.get(key) ?? 0));
    }
    await waitFor('the second scrape', () => scraped('sum(hotpath_traces_total)', 2 * all.length), 30_000, 200);
    // More scrapes: increase() extrapolates between the first and last sample of the window.
    await sleep(2500);
    range.to = Date.now();
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

/** One question, as Grafana's Prometheus data source asks it (instant at the range's end; exemplars over the range). */
async function ask(
  prometheus: Prometheus,
  expr: string,
  kind: 'instant' | 'exemplars',
  range: { from: number; to: number }
): Promise<RecordedAnswer> {
  const start = String(range.from / 1000);
  const end = String(range.to / 1000);
  if (kind === 'instant') {
    const params = { query: expr, time: end };
    return { path: '/api/v1/query', params, body: { status: 'success', data: await prometheus.api('query', params) } };
  }
  const params = { query: expr, start, end };
  const body = { status: 'success', data: await prometheus.api('query_exemplars', params) };
  const step = '1';
  const rangeParams = { query: expr, start, end, step };
  const matrix = { status: 'success', data: await prometheus.api('query_range', rangeParams) };
  return { path: '/api/v1/query_exemplars', params, body, range: { params: rangeParams, body: matrix } };
}

async function sampleCountersOf(metrics: StreamMetrics): Promise<Map<string, number>> {
  const metric = await metrics.registry.getSingleMetric('hotpath_critical_path_seconds_total')?.get();
  return new Map(
    (metric?.values ?? []).map((v) => [`${String(v.labels.service)}|${String(v.labels.operation)}`, v.value])
  );
}
