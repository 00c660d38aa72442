import http from 'node:http';
import https from 'node:https';
import { sleep } from '../lib/duration';
import { CUSTOMER_TIERS, type CustomerTier, TIER_HEADER } from '../lib/tier';
import { ENDPOINTS, type Endpoint, type LoadConfig } from './config';

export interface Summary {
  target: string;
  durationS: number;
  /** Requests sent. */
  requests: number;
  /** Status 2xx. */
  ok: number;
  /** Status ≥ 400, timeouts and connection failures. */
  errors: number;
  /** Scheduled while all CONCURRENCY slots were busy, so not sent. */
  skipped: number;
  /** Requests per second actually sent. */
  rate: number;
  /** Latency of requests that got an answer, ms (nearest rank). */
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** Count per HTTP status ("network" for no answer). */
  statuses: Record<string, number>;
  byEndpoint: Record<Endpoint, number>;
}

const PAGES = ['home', 'about', 'pricing', 'docs', 'blog'];

interface Outcome {
  status: number | 'network';
  ms: number;
}

function pickEndpoint(mix: Record<Endpoint, number>): Endpoint {
  const total = ENDPOINTS.reduce((sum, name) => sum + mix[name], 0);
  let roll = Math.random() * total;
  for (const name of ENDPOINTS) {
    roll -= mix[name];
    if (roll < 0) {
      return name;
    }
  }
  return 'checkout';
}

/** A tier with its share of requests, or none. */
function pickTier(tiers: Partial<Record<CustomerTier, number>> | undefined): CustomerTier | undefined {
  let roll = Math.random();
  for (const tier of CUSTOMER_TIERS) {
    roll -= tiers?.[tier] ?? 0;
    if (roll < 0) {
      return tier;
    }
  }
  return undefined;
}

function requestFor(endpoint: Endpoint): { method: string; path: string; body?: string } {
  switch (endpoint) {
    case 'visits-get':
      return { method: 'GET', path: '/api/visits' };
    case 'visits-post':
      return {
        method: 'POST',
        path: '/api/visits',
        body: JSON.stringify({ page: PAGES[Math.floor(Math.random() * PAGES.length)] }),
      };
    case 'checkout':
      return { method: 'POST', path: '/api/checkout', body: '{}' };
  }
}

export function send(
  url: URL,
  method: string,
  options: { body?: string; headers?: Record<string, string>; timeoutMs: number; agent?: http.Agent }
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      headers['content-length'] = String(Buffer.byteLength(options.body));
    }
    const request = (url.protocol === 'https:' ? https : http).request(
      url,
      { method, headers, agent: url.protocol === 'https:' ? undefined : options.agent, timeout: options.timeoutMs },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') })
        );
        response.on('error', reject);
      }
    );
    request.on('timeout', () => request.destroy(new Error(`timed out after ${options.timeoutMs} ms`)));
    request.on('error', reject);
    request.end(options.body);
  });
}

/** Switches the configured fault on through the backend's admin endpoint; throws with the server's message. */
export async function applyFault(fault: NonNullable<LoadConfig['fault']>): Promise<string> {
  const url = new URL('/admin/faults', fault.adminUrl);
  const answer = await send(url, 'POST', {
    body: fault.spec,
    headers: { authorization: `Bearer ${fault.token}`, 'content-type': 'text/plain' },
    timeoutMs: 10_000,
  });
  if (answer.status !== 200) {
    throw new Error(`${url.href} answered ${answer.status}: ${answer.body}`);
  }
  return answer.body;
}

function nearestRank(sorted: number[], p: number): number {
  if (sorted.length === 0) {
    return 0;
  }
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/**
 * Sends requests at `rate` per second for `durationMs`, never more than `concurrency` at once, then waits for
 * the last answers (each bounded by `timeoutMs`). `signal` stops it early; the summary covers what was sent.
 */
export async function runLoad(config: LoadConfig, signal?: AbortSignal): Promise<Summary> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: config.concurrency });
  const outcomes: Outcome[] = [];
  const byEndpoint: Record<Endpoint, number> = { 'visits-get': 0, 'visits-post': 0, checkout: 0 };
  const inFlight = new Set<Promise<void>>();
  let skipped = 0;
  const interval = 1000 / config.rate;
  const start = performance.now();
  const end = start + config.durationMs;
  let next = start;
  while (next < end && !signal?.aborted) {
    const wait = next - performance.now();
    if (wait > 0) {
      await sleep(wait);
    }
    next += interval;
    if (inFlight.size >= config.concurrency) {
      skipped++;
      continue;
    }
    const endpoint = pickEndpoint(config.mix);
    byEndpoint[endpoint]++;
    const { method, path, body } = requestFor(endpoint);
    const tier = pickTier(config.tiers);
    const headers = tier ? { [TIER_HEADER]: tier } : undefined;
    const sent = performance.now();
    const done = send(new URL(path, config.target), method, { body, headers, timeoutMs: config.timeoutMs, agent }).then(
      (answer) => {
        outcomes.push({ status: answer.status, ms: performance.now() - sent });
      },
      () => {
        outcomes.push({ status: 'network', ms: performance.now() - sent });
      }
    );
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  }
  const sendingS = (performance.now() - start) / 1000;
  await Promise.all(inFlight);
  agent.destroy();
  const answered = outcomes
    .filter((o) => o.status !== 'network')
    .map((o) => o.ms)
    .sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  for (const { status } of outcomes) {
    statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
  }
  const ok = outcomes.filter((o) => typeof o.status === 'number' && o.status >= 200 && o.status < 300).length;
  return {
    target: config.target.href,
    durationS: Math.round(((performance.now() - start) / 1000) * 100) / 100,
    requests: outcomes.length,
    ok,
    errors: outcomes.length - ok,
    skipped,
    rate: Math.round((outcomes.length / Math.max(sendingS, 0.001)) * 10) / 10,
    latencyMs: {
      p50: round(nearestRank(answered, 50)),
      p95: round(nearestRank(answered, 95)),
      p99: round(nearestRank(answered, 99)),
      max: round(answered.at(-1) ?? 0),
    },
    statuses,
    byEndpoint,
  };
}

export function formatSummary(summary: Summary): string {
  const { latencyMs: l } = summary;
  return [
    `target     ${summary.target}`,
    `duration   ${summary.durationS} s`,
    `requests   ${summary.requests} (${summary.rate}/s), skipped ${summary.skipped} (all CONCURRENCY slots busy)`,
    `errors     ${summary.errors} (${summary.requests ? ((100 * summary.errors) / summary.requests).toFixed(1) : '0.0'} %)`,
    `latency    p50 ${l.p50} ms, p95 ${l.p95} ms, p99 ${l.p99} ms, max ${l.max} ms`,
    `statuses   ${
      Object.entries(summary.statuses)
        .map(([status, count]) => `${status}: ${count}`)
        .join(', ') || '-'
    }`,
    `endpoints  ${Object.entries(summary.byEndpoint)
      .map(([name, count]) => `${name}: ${count}`)
      .join(', ')}`,
  ].join('\n');
}
