/** A real Prometheus scrapes both services; the request histogram and its trace exemplars come back through its API. */
import { DEFAULT_MIX } from '../loadgen/config';
import { runLoad, type Summary } from '../loadgen/loadgen';
import { request } from './harness/http';
import { Cleanup, waitFor } from './harness/process';
import { Prometheus } from './harness/prometheus';
import { OtlpReceiver } from './harness/receiver';
import { RedisServer } from './harness/redis';
import { startDemo, type Demo } from './harness/services';

const cleanup = new Cleanup();
let receiver: OtlpReceiver;
let demo: Demo;
let prometheus: Prometheus;
let summary: Summary;
let startedS: number;

beforeAll(async () => {
  const redis = await RedisServer.start();
  cleanup.add(() => redis.dispose());
  receiver = new OtlpReceiver();
  await receiver.start();
  cleanup.add(() => receiver.stop());
  demo = await startDemo({ redisUrl: redis.url, otlpUrl: receiver.url });
  cleanup.add(() => demo.stop());
  prometheus = await Prometheus.start({
    backend: `127.0.0.1:${demo.backend.port}`,
    frontend: `127.0.0.1:${demo.frontend?.port ?? 0}`,
  });
  cleanup.add(() => prometheus.stop());
  startedS = Date.now() / 1000 - 5;
  summary = await runLoad({
    target: new URL(demo.frontend?.url ?? ''),
    rate: 30,
    concurrency: 5,
    durationMs: 1500,
    timeoutMs: 10_000,
    mix: { ...DEFAULT_MIX },
  });
  expect(summary.errors).toBe(0);
}, 60_000);
afterAll(() => cleanup.run());

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

test('/metrics speaks OpenMetrics (with exemplars) when asked, the classic text format otherwise', async () => {
  const open = await request(`${demo.backend.url}/metrics`, {
    headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' },
  });
  expect(open.headers['content-type']).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
  expect(open.text).toMatch(
    /^demo_http_request_duration_seconds_bucket\{.*route="\/api\/checkout".*\} \d+ # \{trace_id="[0-9a-f]{32}"\} [\d.e-]+ [\d.]+$/m
  );
  expect(open.text.trimEnd().endsWith('# EOF')).toBe(true);
  const text = await request(`${demo.backend.url}/metrics`);
  expect(text.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  expect(text.text).toContain('demo_http_request_duration_seconds_bucket{');
  expect(text.text).not.toContain('trace_id');
});

test('Prometheus scrapes both services and counts every request by service, route, method and status', async () => {
  const checkouts = summary.byEndpoint.checkout;
  const posts = summary.byEndpoint['visits-post'];
  const query = (service: string, route: string, method: string, status: string) =>
    `sum(demo_http_request_duration_seconds_count{service="${service}",route="${route}",method="${method}",status_code="${status}"})`;
  const value = async (q: string): Promise<number | undefined> => {
    const data = (await prometheus.api('query', { query: q })) as { result: Sample[] };
    return data.result.length > 0 ? Number(data.result[0].value[1]) : undefined;
  };
  for (const service of ['backend', 'frontend']) {
    await waitFor(
      `${service}'s request counts in Prometheus (${checkouts} checkouts, ${posts} visits)`,
      async () =>
        (await value(query(service, '/api/checkout', 'POST', '201'))) === checkouts &&
        (await value(query(service, '/api/visits', 'POST', '201'))) === posts
          ? true
          : undefined,
      20_000,
      250
    );
  }
  const targets = (await prometheus.api('targets', {})) as {
    activeTargets: Array<{ health: string; labels: Record<string, string> }>;
  };
  expect(targets.activeTargets.map((t) => `${t.labels.job} ${t.health}`).sort()).toEqual(['backend up', 'frontend up']);
});

test('exemplars in Prometheus carry trace IDs of real traces', async () => {
  await receiver.settle();
  const traceIds = new Set(receiver.spans().map((span) => span.traceId));
  const exemplars = await waitFor(
    'exemplars in Prometheus',
    async () => {
      const data = (await prometheus.api('query_exemplars', {
        query: 'demo_http_request_duration_seconds_bucket{service="backend"}',
        start: String(startedS),
        end: String(Date.now() / 1000 + 5),
      })) as Array<{ seriesLabels: Record<string, string>; exemplars: Array<{ labels: Record<string, string> }> }>;
      const found = data.flatMap((series) =>
        series.exemplars.map((e) => ({ route: series.seriesLabels.route, traceId: e.labels.trace_id }))
      );
      return found.some((e) => e.route === '/api/checkout') ? found : undefined;
    },
    20_000,
    250
  );
  for (const exemplar of exemplars) {
    expect(exemplar.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(traceIds.has(exemplar.traceId)).toBe(true);
  }
});
