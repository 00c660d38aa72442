/** The small pure parts: fault specs, durations, the pool, load generator settings, URL and path helpers. */
import {
  describeFaults,
  FAULT_NAMES,
  FAULT_OPERATIONS,
  FaultSpecError,
  faultsFor,
  NO_FAULTS,
  parseFaults,
} from '../backend/faults';
import { Pool, PoolQueueFullError } from '../backend/pool';
import { otlpTracesUrl } from '../frontend/server';
import { formatDuration, parseDuration, sleep } from '../lib/duration';
import { isUntracedPath } from '../lib/telemetry';
import { loadConfig, parseMix, parseTiers } from '../loadgen/config';

describe('parseFaults', () => {
  test('each fault, bare (default) and with a value', () => {
    expect(parseFaults('random-sleep').randomSleep).toEqual({ minMs: 1000, maxMs: 10_000 });
    expect(parseFaults('random-sleep=200ms-1.5s').randomSleep).toEqual({ minMs: 200, maxMs: 1500 });
    expect(parseFaults('slow-redis').slowRedisMs).toBe(300);
    expect(parseFaults('slow-redis=1.5s').slowRedisMs).toBe(1500);
    expect(parseFaults('n-plus-one').nPlusOne).toBe(500);
    expect(parseFaults('n-plus-one=1').nPlusOne).toBe(1);
    expect(parseFaults('lock-contention=on').lockContention).toBe(true);
    expect(parseFaults('errors').errorRate).toBe(0.2);
    expect(parseFaults('errors=1').errorRate).toBe(1);
    expect(parseFaults('errors=0').errorRate).toBe(0);
    expect(parseFaults(' slow-redis = 300ms , errors=.5 ')).toMatchObject({ slowRedisMs: 300, errorRate: 0.5 });
  });

  test('applies left to right on top of the current faults; "none" clears', () => {
    const current = parseFaults('slow-redis=300ms,errors=0.2');
    expect(describeFaults(parseFaults('lock-contention=on', current))).toBe(
      'slow-redis=300ms,lock-contention=on,errors=0.2'
    );
    expect(describeFaults(parseFaults('slow-redis=off', current))).toBe('errors=0.2');
    expect(describeFaults(parseFaults('none,n-plus-one=5', current))).toBe('n-plus-one=5');
    expect(parseFaults('none', current)).toEqual(NO_FAULTS);
    expect(parseFaults('', current)).toEqual(current);
  });

  test('describeFaults round-trips', () => {
    for (const spec of [
      'random-sleep=1s-10s',
      'slow-redis=250ms',
      'n-plus-one=7',
      'lock-contention=on',
      'errors=0.05',
      'none',
    ]) {
      expect(describeFaults(parseFaults(spec))).toBe(spec);
    }
  });

  test.each([
    ['unknown fault', 'slow-db=1s', 'unknown fault "slow-db"'],
    ['duration without unit', 'slow-redis=300', 'bad value "300" for slow-redis'],
    ['delay above 60 s', 'slow-redis=2m', 'bad value "2m" for slow-redis'],
    ['range upside down', 'random-sleep=5s-1s', 'bad value "5s-1s" for random-sleep'],
    ['share above 1', 'errors=1.2', 'bad value "1.2" for errors'],
    ['negative share', 'errors=-0.1', 'bad value "-0.1" for errors'],
    ['zero items', 'n-plus-one=0', 'bad value "0" for n-plus-one'],
    ['not on/off', 'lock-contention=2', 'bad value "2" for lock-contention'],
  ])('%s → FaultSpecError naming it and listing every fault', (_name, spec, message) => {
    let caught: unknown;
    try {
      parseFaults(spec);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FaultSpecError);
    const text = (caught as Error).message;
    expect(text).toContain(message);
    for (const name of FAULT_NAMES) {
      expect(text).toContain(`${name}=`);
    }
  });

  test('every problem is reported, and nothing is applied', () => {
    const current = parseFaults('errors=0.1');
    expect(() => parseFaults('slow-redis=50ms,foo,errors=2', current)).toThrow(
      /unknown fault "foo"; bad value "2" for errors/
    );
    expect(current.slowRedisMs).toBe(0);
  });

  test('a fault scoped to one customer tier hits only that tier’s requests', () => {
    const faults = parseFaults('slow-redis=40ms@tier=gold,errors=0.1');
    expect(describeFaults(faults)).toBe('slow-redis=40ms@tier=gold,errors=0.1');
    expect(faultsFor(faults, { tier: 'gold' })).toMatchObject({ slowRedisMs: 40, errorRate: 0.1 });
    expect(faultsFor(faults, { tier: 'silver' })).toMatchObject({ slowRedisMs: 0, errorRate: 0.1 });
    expect(faultsFor(faults, {})).toMatchObject({ slowRedisMs: 0, errorRate: 0.1 });
    // Set again without a scope: it hits everyone.
    expect(faultsFor(parseFaults('slow-redis=40ms', faults), {}).slowRedisMs).toBe(40);
    expect(parseFaults('none', faults)).toEqual(NO_FAULTS);
    for (const spec of ['random-sleep=1s-2s@tier=silver', 'n-plus-one=7@tier=bronze', 'lock-contention=on@tier=gold']) {
      expect(describeFaults(parseFaults(spec))).toBe(spec);
    }
  });

  test.each([
    ['an unknown scope key', 'slow-redis=40ms@region=eu', 'bad scope "region=eu"'],
    ['an unknown tier', 'slow-redis=40ms@tier=platinum', 'bad tier "platinum"'],
    ['no value', 'slow-redis=40ms@tier=', 'bad scope "tier="'],
    ['two scopes', 'slow-redis=40ms@tier=gold@tier=silver', 'bad scope "tier=gold@tier=silver"'],
    ['markup', 'slow-redis=40ms@tier=<script>', 'bad scope "tier=<script>"'],
    [
      'a long value, quoted cut short',
      `slow-redis=40ms@tier=${'g'.repeat(3000)}`,
      `bad scope "tier=${'g'.repeat(35)}…"`,
    ],
  ])('a scope with %s is refused, and nothing is applied', (_name, spec, message) => {
    const current = parseFaults('errors=0.1');
    expect(() => parseFaults(spec, current)).toThrow(FaultSpecError);
    expect(() => parseFaults(spec, current)).toThrow(message);
    expect(current).toEqual({ ...NO_FAULTS, errorRate: 0.1 });
  });

  test('one operation per fault, all distinct', () => {
    expect(Object.keys(FAULT_OPERATIONS).sort()).toEqual([...FAULT_NAMES].sort());
    expect(new Set(Object.values(FAULT_OPERATIONS)).size).toBe(FAULT_NAMES.length);
  });
});

describe('durations', () => {
  test.each([
    ['0', 0],
    ['300ms', 300],
    ['1.5s', 1500],
    ['10m', 600_000],
    ['2h', 7_200_000],
  ])('%s = %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
  test.each(['', '10', 's', '-1s', '1d', '1 s', '1e3ms'])('%j is not a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
  test('formatDuration picks the largest whole unit', () => {
    expect([0, 250, 1000, 90_000, 3_600_000].map(formatDuration)).toEqual(['0ms', '250ms', '1s', '90s', '1h']);
  });
});

describe('Pool', () => {
  test('hands slots out first come, first served, and never more than its size', async () => {
    const pool = new Pool(1, 8);
    const order: number[] = [];
    const first = await pool.acquire();
    const waiting = [1, 2, 3].map((n) =>
      pool.acquire().then((release) => {
        order.push(n);
        return release;
      })
    );
    await Promise.resolve();
    expect(pool.queued).toBe(3);
    expect(order).toEqual([]);
    first();
    first(); // a second call is ignored
    const second = await waiting[0];
    expect(order).toEqual([1]);
    expect(pool.queued).toBe(2);
    second();
    (await waiting[1])();
    (await waiting[2])();
    expect(order).toEqual([1, 2, 3]);
    expect(pool.queued).toBe(0);
    // Free again: the next acquire does not wait.
    const again = await pool.acquire();
    again();
  });
  test('rejects a size below 1 and a negative queue bound', () => {
    expect(() => new Pool(0, 1)).toThrow(RangeError);
    expect(() => new Pool(1, -1)).toThrow(RangeError);
  });

  test('refuses at once with PoolQueueFullError while maxQueued callers wait, and queues again once one has gone', async () => {
    const pool = new Pool(1, 2);
    const holder = await pool.acquire();
    const waiting = [pool.acquire(), pool.acquire()];
    expect(pool.queued).toBe(2);
    await expect(pool.acquire()).rejects.toBeInstanceOf(PoolQueueFullError);
    await expect(pool.acquire()).rejects.toThrow('2 requests are already waiting');
    expect(pool.queued).toBe(2);
    holder();
    const next = await waiting[0];
    expect(pool.queued).toBe(1);
    const third = pool.acquire();
    expect(pool.queued).toBe(2);
    next();
    (await waiting[1])();
    (await third)();
    expect({ busy: pool.busy, queued: pool.queued }).toEqual({ busy: 0, queued: 0 });
  });

  test('a waiter whose signal aborts leaves the queue with the abort reason, and the slot goes to the next', async () => {
    const pool = new Pool(1, 8);
    const holder = await pool.acquire();
    const gone = new AbortController();
    const reason = new Error('client gone');
    const abandoned = pool.acquire(gone.signal);
    const order: string[] = [];
    const patient = pool.acquire().then((release) => {
      order.push('patient');
      return release;
    });
    expect(pool.queued).toBe(2);
    gone.abort(reason);
    await expect(abandoned).rejects.toBe(reason);
    expect(pool.queued).toBe(1);
    holder();
    (await patient)();
    expect(order).toEqual(['patient']);
    expect({ busy: pool.busy, queued: pool.queued }).toEqual({ busy: 0, queued: 0 });
    // Already aborted: refused without taking a slot or a place in the queue.
    await expect(pool.acquire(gone.signal)).rejects.toBe(reason);
    expect({ busy: pool.busy, queued: pool.queued }).toEqual({ busy: 0, queued: 0 });
    // Aborting after the slot was handed over changes nothing in the pool.
    const late = new AbortController();
    const release = await pool.acquire(late.signal);
    late.abort(reason);
    expect(pool.busy).toBe(1);
    release();
    expect(pool.busy).toBe(0);
  });
});

describe('sleep', () => {
  test('rejects with the reason as soon as its signal aborts, and at once when already aborted', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const sleeping = sleep(60_000, controller.signal);
    controller.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
    await expect(sleep(60_000, controller.signal)).rejects.toBe(reason);
    await expect(sleep(1)).resolves.toBeUndefined();
  });
});

describe('load generator settings', () => {
  test('defaults, with DURATION required', () => {
    const config = loadConfig({ DURATION: '60s' });
    expect(config).toMatchObject({ rate: 10, concurrency: 10, durationMs: 60_000, timeoutMs: 30_000 });
    expect(config.target.href).toBe('http://localhost:8080/');
    expect(config.fault).toBeUndefined();
    expect(() => loadConfig({})).toThrow(/DURATION is required/);
    expect(loadConfig({ DURATION: '24h' }).durationMs).toBe(86_400_000);
    expect(() => loadConfig({ DURATION: '24.01h' })).toThrow(/at most 24h/);
  });
  test('FAULT with its admin URL and token', () => {
    const config = loadConfig({
      DURATION: '1m',
      FAULT: 'slow-redis=300ms',
      DEMO_ADMIN_TOKEN: 't',
      ADMIN_URL: 'http://backend:8081',
    });
    expect(config.fault).toEqual({ spec: 'slow-redis=300ms', token: 't', adminUrl: new URL('http://backend:8081') });
  });
  test('TIERS: the share of requests per customer tier', () => {
    expect(loadConfig({ DURATION: '1m' }).tiers).toEqual({ gold: 0.2, silver: 0.3 });
    expect(loadConfig({ DURATION: '1m', TIERS: 'gold=1' }).tiers).toEqual({ gold: 1 });
    expect(parseTiers('gold=0.5, bronze=0.5')).toEqual({ gold: 0.5, bronze: 0.5 });
    expect(() => parseTiers('platinum=0.1')).toThrow(/unknown tier "platinum"/);
    expect(() => parseTiers('gold')).toThrow(/share of gold/);
    expect(() => parseTiers('gold=0.7,silver=0.7')).toThrow(/more than 1/);
  });
  test('MIX', () => {
    expect(parseMix('checkout')).toEqual({ 'visits-get': 0, 'visits-post': 0, checkout: 1 });
    expect(parseMix('visits-get=3, checkout=1')).toEqual({ 'visits-get': 3, 'visits-post': 0, checkout: 1 });
    expect(() => parseMix('checkout=0')).toThrow(/at least one/);
    expect(() => parseMix('checkout=-1')).toThrow(/weight of checkout/);
  });
  test('TARGET_URL must be http(s)', () => {
    expect(() => loadConfig({ DURATION: '1s', TARGET_URL: 'ftp://x' })).toThrow(/http\(s\) URL/);
    expect(() => loadConfig({ DURATION: '1s', TARGET_URL: 'not a url' })).toThrow(/must be a URL/);
  });
});

describe('helpers', () => {
  test('the browser relay targets the OTLP traces URL the SDK would use', () => {
    expect(otlpTracesUrl({}).href).toBe('http://localhost:4318/v1/traces');
    expect(otlpTracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318/' }).href).toBe(
      'http://jaeger:4318/v1/traces'
    );
    expect(
      otlpTracesUrl({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:4318/custom',
      }).href
    ).toBe('http://t:4318/custom');
  });
  test('probes, scrapes, span uploads and static files are not traced; the API and the page are', () => {
    for (const path of [
      '/healthz',
      '/readyz',
      '/metrics',
      '/otlp/v1/traces',
      '/app.js',
      '/style.css?v=1',
      '/app.js.map',
    ]) {
      expect(isUntracedPath(path)).toBe(true);
    }
    for (const path of ['/', '/api/visits', '/api/checkout?x=1', '/admin/faults']) {
      expect(isUntracedPath(path)).toBe(false);
    }
  });
});
