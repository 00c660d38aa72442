/** The load generator as a program: bounded or refused, switches a fault first, prints a summary. */
import path from 'node:path';
import { Cleanup, spawnProc, type Proc } from './harness/process';
import { OtlpReceiver } from './harness/receiver';
import { RedisServer } from './harness/redis';
import { ADMIN_TOKEN, DIST, startDemo, type Demo } from './harness/services';

const cleanup = new Cleanup();
afterAll(() => cleanup.run());

async function loadgen(env: NodeJS.ProcessEnv): Promise<{ code: number | null; proc: Proc }> {
  const proc = spawnProc('loadgen', process.execPath, [path.join(DIST, 'loadgen', 'main.js')], {
    env: { PATH: process.env.PATH, ...env },
  });
  cleanup.add(() => proc.stop('SIGKILL'));
  const exit = await proc.exited;
  return { code: exit.code, proc };
}

describe('refuses to run unbounded or misconfigured', () => {
  test.each([
    ['no DURATION', {}, 'DURATION is required'],
    ['DURATION above 24h', { DURATION: '25h' }, 'at most 24h'],
    ['DURATION of 0', { DURATION: '0' }, 'DURATION must be a duration above 0'],
    ['DURATION without unit', { DURATION: '60' }, 'DURATION must be a duration above 0'],
    ['RATE of 0', { DURATION: '1s', RATE: '0' }, 'RATE must be a number above 0'],
    ['CONCURRENCY not an integer', { DURATION: '1s', CONCURRENCY: '2.5' }, 'CONCURRENCY must be an integer'],
    ['unknown MIX endpoint', { DURATION: '1s', MIX: 'home=1' }, 'MIX: unknown endpoint "home"'],
    ['FAULT without token', { DURATION: '1s', FAULT: 'errors=1' }, 'FAULT needs DEMO_ADMIN_TOKEN'],
  ])('%s → exit 2 with a message', async (_name, env, message) => {
    const { code, proc } = await loadgen({ TARGET_URL: 'http://127.0.0.1:9', ...env });
    expect(code).toBe(2);
    expect(proc.stderr.join('\n')).toContain(message);
  });
});

describe('against the demo', () => {
  let demo: Demo;
  beforeAll(async () => {
    const redis = await RedisServer.start();
    cleanup.add(() => redis.dispose());
    const receiver = new OtlpReceiver();
    await receiver.start();
    cleanup.add(() => receiver.stop());
    demo = await startDemo({ redisUrl: redis.url, otlpUrl: receiver.url });
    cleanup.add(() => demo.stop());
  }, 60_000);

  test('switches FAULT on through the admin endpoint, runs for DURATION and prints the summary', async () => {
    const started = Date.now();
    const { code, proc } = await loadgen({
      TARGET_URL: demo.frontend?.url,
      ADMIN_URL: demo.backend.url,
      DEMO_ADMIN_TOKEN: ADMIN_TOKEN,
      FAULT: 'errors=1',
      DURATION: '1s',
      RATE: '20',
      CONCURRENCY: '4',
      OUTPUT: 'json',
    });
    const elapsed = Date.now() - started;
    expect(code).toBe(0);
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(8000);
    const out = proc.stdout.join('\n');
    expect(out).toContain('loadgen: fault switched on: errors=1');
    expect(out).toMatch(/^latency {4}p50 [\d.]+ ms, p95 [\d.]+ ms, p99 [\d.]+ ms/m);
    const summary = JSON.parse(proc.stdout.at(-1) ?? '{}') as {
      requests: number;
      errors: number;
      statuses: Record<string, number>;
      latencyMs: Record<string, number>;
    };
    // 20/s for 1 s; every request fails (errors=1) with 500.
    expect(summary.requests).toBeGreaterThanOrEqual(18);
    expect(summary.requests).toBeLessThanOrEqual(21);
    expect(summary.errors).toBe(summary.requests);
    expect(summary.statuses).toEqual({ '500': summary.requests });
    expect(summary.latencyMs.p50).toBeGreaterThan(0);
    expect(summary.latencyMs.p50).toBeLessThanOrEqual(summary.latencyMs.p99);
  });

  test("a rejected FAULT stops it before any load, with the backend's message", async () => {
    const { code, proc } = await loadgen({
      TARGET_URL: demo.frontend?.url,
      ADMIN_URL: demo.backend.url,
      DEMO_ADMIN_TOKEN: ADMIN_TOKEN,
      FAULT: 'slow-mongo=1s',
      DURATION: '10s',
    });
    expect(code).toBe(1);
    expect(proc.stderr.join('\n')).toContain('unknown fault \\"slow-mongo\\"');
  });

  test('SIGINT stops it early and it still prints the summary', async () => {
    const proc = spawnProc('loadgen', process.execPath, [path.join(DIST, 'loadgen', 'main.js')], {
      env: { PATH: process.env.PATH, TARGET_URL: demo.frontend?.url, DURATION: '10m', RATE: '10' },
    });
    cleanup.add(() => proc.stop('SIGKILL'));
    await new Promise((resolve) => setTimeout(resolve, 800));
    const exit = await proc.stop('SIGINT', 5000);
    expect(exit.code).toBe(0);
    expect(proc.stdout.join('\n')).toMatch(/^requests {3}\d+ /m);
  });
});
