/** The backend on its own: admin endpoint auth and validation, faults from the environment, bad input, Redis outage. */
import net from 'node:net';
import path from 'node:path';
import { FAULT_NAMES } from '../backend/faults';
import { postJson, request, type Answer } from './harness/http';
import { Cleanup, spawnProc, waitFor } from './harness/process';
import { OtlpReceiver } from './harness/receiver';
import { RedisServer } from './harness/redis';
import { ADMIN_TOKEN, DIST, startDemo, type Demo } from './harness/services';

const cleanup = new Cleanup();
let redis: RedisServer;
let receiver: OtlpReceiver;

beforeAll(async () => {
  redis = await RedisServer.start();
  cleanup.add(() => redis.dispose());
  receiver = new OtlpReceiver();
  await receiver.start();
  cleanup.add(() => receiver.stop());
});
afterAll(() => cleanup.run());

async function backend(env: NodeJS.ProcessEnv = {}, readyPath: '/readyz' | '/healthz' = '/readyz'): Promise<Demo> {
  const demo = await startDemo({
    redisUrl: redis.url,
    otlpUrl: receiver.url,
    frontend: false,
    backendEnv: env,
    backendReadyPath: readyPath,
  });
  cleanup.add(() => demo.stop());
  return demo;
}

function admin(
  demo: Demo,
  options: { method?: string; body?: string; headers?: Record<string, string> } = {}
): Promise<Answer> {
  return request(`${demo.backend.url}/admin/faults`, {
    method: options.method ?? 'POST',
    body: options.body,
    headers: options.headers,
  });
}

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe('POST /admin/faults', () => {
  let demo: Demo;
  beforeAll(async () => {
    demo = await backend();
  });
  afterEach(async () => {
    await admin(demo, { method: 'DELETE', headers: auth });
  });

  test('without DEMO_ADMIN_TOKEN the endpoint is off: 404 whatever the token', async () => {
    const off = await backend({ DEMO_ADMIN_TOKEN: '' });
    for (const headers of [{}, auth, { authorization: 'Bearer anything' }]) {
      expect((await admin(off, { body: 'errors=1', headers })).status).toBe(404);
      expect((await admin(off, { method: 'GET', headers })).status).toBe(404);
    }
    expect((await postJson(`${off.backend.url}/api/visits`, { page: 'home' })).status).toBe(201);
    await off.stop();
  });

  test('no token, a wrong token or another scheme: 401 with WWW-Authenticate', async () => {
    const cases: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer wrong-token' },
      { authorization: `Bearer ${ADMIN_TOKEN}x` },
      { authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}` },
      { authorization: ADMIN_TOKEN },
    ];
    for (const headers of cases) {
      const answer = await admin(demo, { body: 'errors=1', headers });
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toBe('Bearer');
    }
    // Nothing was applied.
    expect((await postJson(`${demo.backend.url}/api/visits`, { page: 'home' })).status).toBe(201);
  });

  test('an unknown fault or a bad value: 400 that lists the valid faults, and nothing changes', async () => {
    for (const body of [
      'slow-mongo=1s',
      'slow-redis=fast',
      'errors=1.5',
      'random-sleep=10s-1s',
      'n-plus-one=0',
      'lock-contention=maybe',
      'errors=0.5,bogus',
    ]) {
      const answer = await admin(demo, { body, headers: auth });
      expect(answer.status).toBe(400);
      const json = answer.json() as { error: string; valid: Record<string, string> };
      expect(Object.keys(json.valid).sort()).toEqual([...FAULT_NAMES].sort());
      for (const name of FAULT_NAMES) {
        expect(json.error).toContain(name);
      }
    }
    expect(((await admin(demo, { method: 'GET', headers: auth })).json() as { faults: string }).faults).toBe('none');
    expect((await admin(demo, { body: '', headers: auth })).status).toBe(400);
    expect(
      (await admin(demo, { body: '{"faults": 3}', headers: { ...auth, 'content-type': 'application/json' } })).status
    ).toBe(400);
    expect(
      (await admin(demo, { body: '{oops', headers: { ...auth, 'content-type': 'application/json' } })).status
    ).toBe(400);
  });

  test('a good fault is applied at once (text or JSON body) and switched off again', async () => {
    const set = await admin(demo, { body: 'errors=1', headers: auth });
    expect(set.status).toBe(200);
    expect((set.json() as { faults: string }).faults).toBe('errors=1');
    const failed = await postJson(`${demo.backend.url}/api/visits`, { page: 'home' });
    expect(failed.status).toBe(500);
    expect((failed.json() as { error: string }).error).toContain('injected');

    const json = await admin(demo, {
      body: JSON.stringify({ faults: 'none,slow-redis=250ms' }),
      headers: { ...auth, 'content-type': 'application/json' },
    });
    expect((json.json() as { faults: string }).faults).toBe('slow-redis=250ms');
    const started = performance.now();
    expect((await request(`${demo.backend.url}/api/visits`)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);

    const off = await admin(demo, { method: 'DELETE', headers: auth });
    expect((off.json() as { faults: string }).faults).toBe('none');
    expect((await postJson(`${demo.backend.url}/api/visits`, { page: 'home' })).status).toBe(201);
  });
});

describe('DEMO_FAULTS at start', () => {
  test('applies the faults it names', async () => {
    const demo = await backend({ DEMO_FAULTS: 'errors=1' });
    expect((await request(`${demo.backend.url}/api/visits`)).status).toBe(500);
    const state = (await admin(demo, { method: 'GET', headers: auth })).json() as { faults: string };
    expect(state.faults).toBe('errors=1');
    await demo.stop();
  });

  test('an invalid value stops the backend with a message that lists the valid faults', async () => {
    const proc = spawnProc('backend', process.execPath, [path.join(DIST, 'backend', 'main.js')], {
      env: {
        PATH: process.env.PATH,
        PORT: '0',
        REDIS_URL: redis.url,
        DEMO_FAULTS: 'slow-redis=soon',
        OTEL_SDK_DISABLED: 'true',
      },
    });
    cleanup.add(() => proc.stop('SIGKILL'));
    const exit = await proc.exited;
    expect(exit.code).toBe(2);
    const fatal = proc.stdout
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .find((line) => line.level === 60);
    expect(fatal?.msg).toContain('DEMO_FAULTS: bad value "soon" for slow-redis');
    expect(fatal?.msg).toContain('lock-contention=on|off');
  });
});

describe('bad input', () => {
  let demo: Demo;
  beforeAll(async () => {
    demo = await backend();
  });

  test.each([
    ['no body', '/api/visits', undefined, 'application/json'],
    ['not JSON', '/api/visits', '{page:', 'application/json'],
    ['not an object', '/api/visits', '["home"]', 'application/json'],
    ['page not a string', '/api/visits', '{"page": 5}', 'application/json'],
    ['page empty', '/api/visits', '{"page": ""}', 'application/json'],
    ['page too long', '/api/visits', JSON.stringify({ page: 'x'.repeat(65) }), 'application/json'],
    ['page with spaces', '/api/visits', '{"page": "a b"}', 'application/json'],
    ['form body', '/api/visits', 'page=home', 'application/x-www-form-urlencoded'],
    ['checkout items 0', '/api/checkout', '{"items": 0}', 'application/json'],
    ['checkout items 2.5', '/api/checkout', '{"items": 2.5}', 'application/json'],
  ])('%s → 400 with a message', async (_name, route, body, contentType) => {
    const answer = await request(`${demo.backend.url}${route}`, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType },
    });
    expect(answer.status).toBe(400);
    const json = answer.json() as { error: string };
    expect(json.error.length).toBeGreaterThan(10);
  });

  test('a body over 16 kB → 413, an unknown route → 404', async () => {
    const big = await postJson(`${demo.backend.url}/api/visits`, { page: 'home', pad: 'x'.repeat(20_000) });
    expect(big.status).toBe(413);
    expect((await request(`${demo.backend.url}/api/nothing`)).status).toBe(404);
  });
});

describe('Redis outage', () => {
  test('503 with an error span and an error log, no crash, ready again when Redis is back', async () => {
    const demo = await backend();
    expect((await request(`${demo.backend.url}/readyz`)).status).toBe(200);
    await redis.stop();
    await waitFor('readyz to fail', async () =>
      (await request(`${demo.backend.url}/readyz`)).status === 503 ? true : undefined
    );
    receiver.clear();
    const failed = await postJson(`${demo.backend.url}/api/visits`, { page: 'home' });
    expect(failed.status).toBe(503);
    expect((failed.json() as { error: string }).error).toMatch(/^redis unavailable/);
    expect((await request(`${demo.backend.url}/api/visits`)).status).toBe(503);
    expect((await postJson(`${demo.backend.url}/api/checkout`, {})).status).toBe(503);
    expect(demo.backend.proc.running).toBe(true);

    const spans = await receiver.waitForSpans('the failed request spans', (all) =>
      all.some((s) => s.name === 'POST /api/visits')
    );
    const server = spans.find((s) => s.name === 'POST /api/visits');
    expect(server?.status).toBe(2);
    const step = spans.find((s) => s.traceId === server?.traceId && s.name === 'visits.record');
    expect(step?.status).toBe(2);
    expect(step?.events.map((e) => e.name)).toContain('exception');
    const logs = await waitFor('the error log', () => {
      const found = receiver.logs().filter((log) => log.traceId === server?.traceId && (log.severity ?? 0) >= 17);
      return found.length > 0 ? found : undefined;
    });
    expect(logs.map((log) => log.body)).toContain((failed.json() as { error: string }).error);

    await redis.restart();
    await waitFor(
      'readyz to recover',
      async () => ((await request(`${demo.backend.url}/readyz`)).status === 200 ? true : undefined),
      15_000
    );
    expect((await postJson(`${demo.backend.url}/api/visits`, { page: 'home' })).status).toBe(201);
    expect(demo.backend.proc.running).toBe(true);
  });
});

describe('a Redis that hangs (accepts, never answers)', () => {
  /**
   * Every route that talks to Redis, each answered 503 with the reason. The harness gives up on a request after
   * 10 s: a backend that waited for Redis would fail here instead of answering.
   */
  async function expectUnavailable(demo: Demo, reason: string): Promise<void> {
    const answers = await Promise.all([
      request(`${demo.backend.url}/readyz`),
      request(`${demo.backend.url}/api/visits`),
      postJson(`${demo.backend.url}/api/visits`, { page: 'home' }),
      postJson(`${demo.backend.url}/api/checkout`, {}),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      const json = answer.json() as { error?: string; redis?: string };
      expect(json.error ?? json.redis).toBe(`redis unavailable: ${reason}`);
    }
    expect(demo.backend.proc.running).toBe(true);
  }

  test('redis-server frozen (SIGSTOP) mid-run: 503 "no answer within 2000 ms", and served again once it thaws', async () => {
    const demo = await backend();
    expect((await postJson(`${demo.backend.url}/api/visits`, { page: 'home' })).status).toBe(201);
    redis.pause();
    try {
      await expectUnavailable(demo, 'no answer within 2000 ms');
      // Lock contention on top: checkouts queued behind a hanging one still get their answer.
      await admin(demo, { body: 'lock-contention=on', headers: auth });
      const queued = await Promise.all([1, 2].map(() => postJson(`${demo.backend.url}/api/checkout`, {})));
      expect(queued.map((answer) => answer.status)).toEqual([503, 503]);
    } finally {
      redis.resume();
    }
    await waitFor('the API to work again', async () =>
      (await postJson(`${demo.backend.url}/api/visits`, { page: 'home' })).status === 201 ? true : undefined
    );
    await demo.stop();
  });

  test('a server that accepts connections and never replies: the backend starts and answers 503 "not connected"', async () => {
    const sockets = new Set<net.Socket>();
    const blackHole = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    cleanup.add(async () => {
      for (const socket of sockets) {
        socket.destroy();
      }
      await new Promise<void>((resolve) => blackHole.close(() => resolve()));
    });
    const port = (blackHole.address() as net.AddressInfo).port;
    const demo = await backend({ REDIS_URL: `redis://127.0.0.1:${port}` }, '/healthz');
    // The backend did connect (and is waiting for a reply that never comes).
    expect(sockets.size).toBeGreaterThan(0);
    await expectUnavailable(demo, 'not connected (connecting or reconnecting)');
    await demo.stop();
  });
});
