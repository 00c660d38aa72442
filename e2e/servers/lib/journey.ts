/**
 * The journey's live half on this machine: Redis, the built demo services exporting OTLP to the real Jaeger v2 (the
 * bundle's own deploy/jaeger/config.yaml, addresses on free loopback ports), and optionally Debian's Prometheus
 * running the bundle's deploy/prometheus/prometheus.yml with only its targets made loopback addresses.
 * Used by e2e/servers/journey.test.ts and by `npm run bench` ("from a live Jaeger").
 */
import YAML from 'yaml';

import { applyFault } from '../../../demo/loadgen/loadgen';
import { request } from '../../../demo/test/harness/http';
import { Cleanup, freePort, waitFor } from '../../../demo/test/harness/process';
import { Prometheus } from '../../../demo/test/harness/prometheus';
import { RedisServer } from '../../../demo/test/harness/redis';
import { ADMIN_TOKEN, ensureDemoBuilt, startDemo, type Demo } from '../../../demo/test/harness/services';
import { readYaml, repoPath } from '../../static/lib/repo';
import { Jaeger, loopbackEnv } from './jaeger';

export const JAEGER_CONFIG = 'deploy/jaeger/config.yaml';
export const PROMETHEUS_CONFIG = 'deploy/prometheus/prometheus.yml';

export interface Journey {
  jaeger: Jaeger;
  demo: Demo;
  prometheus?: Prometheus;
  /** Jaeger's query service (UI and HTTP API), e.g. http://127.0.0.1:40123. */
  queryUrl: string;
  frontendUrl: URL;
  /** Sets exactly these faults (e.g. `slow-redis=40ms`; `none` for none) through the backend's admin endpoint. */
  setFaults(spec: string): Promise<void>;
  stop(): Promise<void>;
}

/** Starts everything, each part added to the cleanup as it starts (a failure part-way stops what did start). */
export async function startJourney(options: { prometheus: boolean }): Promise<Journey> {
  ensureDemoBuilt();
  const cleanup = new Cleanup();
  try {
    const redis = await RedisServer.start();
    cleanup.add(() => redis.dispose());
    // Jaeger reads Prometheus per request (SPM), so its address can be handed out before Prometheus runs.
    const prometheusPort = await freePort();
    const env = await loopbackEnv(JAEGER_CONFIG, { PROMETHEUS_URL: `http://127.0.0.1:${prometheusPort}` });
    const jaeger = await Jaeger.start(repoPath(JAEGER_CONFIG), env);
    cleanup.add(() => jaeger.dispose());
    const demo = await startDemo({
      redisUrl: redis.url,
      // OTLP/HTTP protobuf to Jaeger's receiver, as in docker-compose.yml; Jaeger takes no logs (Loki does there).
      otlpUrl: jaeger.url('JAEGER_OTLP_HTTP_ENDPOINT'),
      protocol: 'http/protobuf',
      backendEnv: { OTEL_LOGS_EXPORTER: 'none' },
      frontendEnv: { OTEL_LOGS_EXPORTER: 'none' },
    });
    cleanup.add(() => demo.stop());
    const frontendUrl = new URL(demo.frontend?.url ?? '');
    let prometheus: Prometheus | undefined;
    if (options.prometheus) {
      const config = deployPrometheusConfig(
        {
          'jaeger-spanmetrics': env.JAEGER_SPANMETRICS_ENDPOINT,
          jaeger: `${env.JAEGER_METRICS_HOST}:${env.JAEGER_METRICS_PORT}`,
          'demo-frontend': `127.0.0.1:${demo.frontend?.port ?? 0}`,
          'demo-backend': `127.0.0.1:${demo.backend.port}`,
          prometheus: `127.0.0.1:${prometheusPort}`,
        },
        // `hotpath stream` reads Jaeger's Kafka topic, which this pipeline (no Kafka) does not write:
        // e2e/servers/hotpath-stream-dashboard.test.ts runs it and scrapes it with this file.
        ['hotpath-stream']
      );
      const started = await Prometheus.run(config, prometheusPort);
      prometheus = started;
      cleanup.add(() => started.stop());
    }
    return {
      jaeger,
      demo,
      prometheus,
      queryUrl: jaeger.url('JAEGER_QUERY_HTTP_ENDPOINT'),
      frontendUrl,
      setFaults: (spec) => setDemoFaults(demo, spec),
      stop: () => cleanup.run(),
    };
  } catch (error) {
    await cleanup.run();
    throw error;
  }
}

/** Sets exactly these faults (e.g. `slow-redis=40ms`; `none` for none) through the demo backend's admin endpoint. */
export async function setDemoFaults(demo: Demo, spec: string): Promise<void> {
  await applyFault({
    spec: spec === 'none' ? 'none' : `none,${spec}`,
    adminUrl: new URL(demo.backend.url),
    token: ADMIN_TOKEN,
  });
}

interface ScrapeConfig {
  job_name: string;
  dns_sd_configs?: unknown;
  static_configs?: Array<{ targets: string[] }>;
  [key: string]: unknown;
}

/**
 * deploy/prometheus/prometheus.yml as text, with each job's targets (found by DNS in compose and Kubernetes, or
 * localhost:9090 for Prometheus itself) replaced by the loopback addresses given for that job (one per replica).
 * Everything else (scrape and evaluation intervals, metrics paths) stays as shipped. A job without an address, or an
 * address without a job, is an error: the test must cover the file as it is, except the jobs it names in `without`
 * (servers that test does not run), which are left out.
 */
export function deployPrometheusConfig(targets: Record<string, string | string[]>, without: string[] = []): string {
  const config = readYaml<{ scrape_configs: ScrapeConfig[] } & Record<string, unknown>>(PROMETHEUS_CONFIG);
  const jobs = config.scrape_configs.map((job) => job.job_name);
  const unknown = [...Object.keys(targets), ...without].filter((job) => !jobs.includes(job));
  const missing = jobs.filter((job) => !(job in targets) && !without.includes(job));
  if (unknown.length > 0 || missing.length > 0) {
    throw new Error(`${PROMETHEUS_CONFIG}: jobs without a test address: [${missing}]; not in the file: [${unknown}]`);
  }
  const scrapeConfigs = config.scrape_configs
    .filter((job) => !without.includes(job.job_name))
    .map(({ dns_sd_configs: _dns, static_configs: _static, ...job }) => ({
      ...job,
      static_configs: [{ targets: [targets[job.job_name]].flat() }],
    }));
  return YAML.stringify({ ...config, scrape_configs: scrapeConfigs });
}

export interface SearchAnswer {
  traces: number;
  spans: number;
  bytes: Buffer;
}

/** `GET /api/traces` with these parameters; the raw bytes and their trace and span counts. */
export async function searchJaeger(queryUrl: string, params: Record<string, string>): Promise<SearchAnswer> {
  const answer = await request(`${queryUrl}/api/traces?${new URLSearchParams(params).toString()}`, {
    headers: { connection: 'close' },
    timeoutMs: 60_000,
  });
  if (answer.status !== 200) {
    throw new Error(`GET /api/traces ${JSON.stringify(params)}: ${answer.status} ${answer.text.slice(0, 300)}`);
  }
  const { data } = answer.json() as { data: Array<{ spans: unknown[] }> };
  return {
    traces: data.length,
    spans: data.reduce((sum, trace) => sum + trace.spans.length, 0),
    bytes: Buffer.from(answer.text, 'utf8'),
  };
}

/**
 * Waits until Jaeger holds `traces` traces of `service` started between `startUs` and `endUs`, and their span count
 * has stopped growing (the last spans of a trace arrive after its first): the demo's exports have all landed.
 */
export async function waitForTraces(
  queryUrl: string,
  service: string,
  window: { startUs: number; endUs: number },
  traces: number
): Promise<SearchAnswer> {
  const params = {
    service,
    start: String(Math.floor(window.startUs)),
    end: String(Math.ceil(window.endUs)),
    limit: String(traces + 100),
  };
  let previous = -1;
  return waitFor(
    `${traces} traces of ${service} in Jaeger, every span landed`,
    async () => {
      const answer = await searchJaeger(queryUrl, params);
      if (answer.traces > traces) {
        throw new Error(`Jaeger holds ${answer.traces} traces for ${traces} requests`);
      }
      const settled = answer.traces === traces && answer.spans === previous;
      previous = answer.traces === traces ? answer.spans : -1;
      return settled ? answer : undefined;
    },
    30_000,
    500
  );
}

export const nowUs = (): number => Date.now() * 1000;
