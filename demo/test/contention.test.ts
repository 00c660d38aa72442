/**
 * The lock-contention fault under clients that give up and under more checkouts than it should queue: with
 * `slow-redis=60s` nothing finishes on its own during the test, so whatever leaves the pool's queue or frees its
 * slot does so because the client went away, and a backlog would show as a queue that does not drain.
 */
import http from 'node:http';
import { MAX_QUEUED_CHECKOUTS } from '../backend/checkout';
import { readAnswer, request, type Answer } from './harness/http';
import { Cleanup, waitFor } from './harness/process';
import { ADMIN_TOKEN, type Demo } from './harness/services';
import { startDemoWithDeps } from './harness/stack';

interface PoolState {
  size: number;
  busy: number;
  queued: number;
  maxQueued: number;
}

const cleanup = new Cleanup();
let demo: Demo;
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

beforeAll(async () => {
  ({ demo } = await startDemoWithDeps(cleanup));
}, 60_000);
afterAll(() => cleanup.run());

async function setFaults(spec: string): Promise<void> {
  const answer = await request(`${demo.backend.url}/admin/faults`, {
    method: 'POST',
    body: `none,${spec}`,
    headers: auth,
  });
  expect(answer.status).toBe(200);
}

async function pool(): Promise<PoolState> {
  return ((await request(`${demo.backend.url}/admin/faults`, { headers: auth })).json() as { pool: PoolState }).pool;
}

function waitForPool(what: string, check: (state: PoolState) => boolean): Promise<PoolState> {
  return waitFor(what, async () => {
    const state = await pool();
    return check(state) ? state : undefined;
  });
}

/** A checkout whose client can give up (close its connection) at any time. */
function checkout(baseUrl: string): { giveUp(): void; answer: Promise<Answer | 'gave up'> } {
  const controller = new AbortController();
  const answer = new Promise<Answer | 'gave up'>((resolve, reject) => {
    const outgoing = http.request(
      `${baseUrl}/api/checkout`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, signal: controller.signal, agent: false },
      (response) => {
        readAnswer(response).then(resolve, () => resolve('gave up'));
      }
    );
    outgoing.on('error', (error) => (controller.signal.aborted ? resolve('gave up') : reject(error)));
    outgoing.end('{}');
  });
  return { giveUp: () => controller.abort(), answer };
}

afterEach(async () => {
  await setFaults('none');
});

test('checkouts whose clients gave up leave the queue and free the connection; the next one is served', async () => {
  await setFaults('lock-contention=on,slow-redis=60s');
  const frontend = demo.frontend?.url ?? '';
  const clients = Array.from({ length: 6 }, () => checkout(frontend));
  // One holds the connection (sleeping its 60 s), five wait for it.
  await waitForPool('one checkout holding the connection and five queued', (s) => s.busy === 1 && s.queued === 5);
  for (const client of clients) {
    client.giveUp();
  }
  expect(await Promise.all(clients.map((c) => c.answer))).toEqual(Array(6).fill('gave up'));
  // Through the frontend to the backend: the waiting ones leave the queue, the holder stops and gives the
  // connection back (without abandonment this stays busy 1 / queued 5 for the next 6 minutes).
  await waitForPool('the pool to empty', (s) => s.busy === 0 && s.queued === 0);
  await setFaults('lock-contention=on');
  const next = await checkout(frontend).answer;
  expect(next).not.toBe('gave up');
  expect((next as Answer).status).toBe(201);
});

test(`the queue is bounded: with ${MAX_QUEUED_CHECKOUTS} checkouts waiting, the next gets 503 with Retry-After at once`, async () => {
  await setFaults('lock-contention=on,slow-redis=60s');
  const clients = Array.from({ length: MAX_QUEUED_CHECKOUTS + 1 }, () => checkout(demo.backend.url));
  const full = await waitForPool('the queue to fill', (s) => s.busy === 1 && s.queued === MAX_QUEUED_CHECKOUTS);
  expect(full.maxQueued).toBe(MAX_QUEUED_CHECKOUTS);
  for (const url of [demo.backend.url, demo.frontend?.url ?? '']) {
    const refused = await checkout(url).answer;
    expect(refused).not.toBe('gave up');
    const answer = refused as Answer;
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('1');
    expect((answer.json() as { error: string }).error).toContain(
      `${MAX_QUEUED_CHECKOUTS} requests are already waiting`
    );
  }
  // The refused ones never joined: still exactly the bound.
  expect((await pool()).queued).toBe(MAX_QUEUED_CHECKOUTS);
  for (const client of clients) {
    client.giveUp();
  }
  await Promise.all(clients.map((c) => c.answer));
  await waitForPool('the pool to empty', (s) => s.busy === 0 && s.queued === 0);
});
