import { formatDuration, parseDuration } from '../lib/duration';
import { CATALOG_SIZE } from './store';

/**
 * The faults the backend can inject. Each one adds its time to exactly one (service, operation), named in
 * FAULT_OPERATIONS, so that Hotpath can point at it.
 */
export const FAULT_NAMES = ['random-sleep', 'slow-redis', 'n-plus-one', 'lock-contention', 'errors'] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

export interface Faults {
  /** POST /api/visits sleeps a uniformly random time in [minMs, maxMs]; null = off. */
  randomSleep: { minMs: number; maxMs: number } | null;
  /** Extra delay before each Redis step, ms; 0 = off. */
  slowRedisMs: number;
  /** Products that checkout's recommendations look up with one HGET each instead of one HMGET; 0 = off. */
  nPlusOne: number;
  /** Each checkout holds the only connection of a size-1 pool for its whole run, so concurrent checkouts queue. */
  lockContention: boolean;
  /** Share of /api requests that fail with 500; 0 = off. */
  errorRate: number;
}

export const NO_FAULTS: Readonly<Faults> = Object.freeze({
  randomSleep: null,
  slowRedisMs: 0,
  nPlusOne: 0,
  lockContention: false,
  errorRate: 0,
});

/** The operation (span name in service `backend`) that carries each fault's time. */
export const FAULT_OPERATIONS: Readonly<Record<FaultName, string>> = Object.freeze({
  'random-sleep': 'visits.random_sleep',
  'slow-redis': 'redis.slow_down',
  'n-plus-one': 'hget',
  'lock-contention': 'pool.acquire',
  errors: 'error.injected',
});

/** What `name` (bare, without `=value`) switches on. */
const DEFAULTS = {
  randomSleep: { minMs: 1000, maxMs: 10_000 },
  slowRedisMs: 300,
  // 500 round trips to a local Redis: ~25-50 ms, well above the 15-25 ms payment call that leads a healthy checkout
  // (200 was within reach of it on a fast machine, where the fault then ranked second).
  nPlusOne: 500,
  errorRate: 0.2,
};
const MAX_DELAY_MS = 60_000;
const MAX_ITEMS = CATALOG_SIZE;

export const FAULT_USAGE: Readonly<Record<FaultName, string>> = Object.freeze({
  'random-sleep': 'random-sleep=on|off|<min>-<max> (on = 1s-10s, at most 60s; e.g. random-sleep=200ms-2s)',
  'slow-redis': 'slow-redis=<duration>|off (on = 300ms, at most 60s; e.g. slow-redis=300ms)',
  'n-plus-one': `n-plus-one=on|off|<items 1-${MAX_ITEMS}> (on = ${DEFAULTS.nPlusOne})`,
  'lock-contention': 'lock-contention=on|off',
  errors: 'errors=<share 0-1>|off (on = 0.2; e.g. errors=0.2)',
});

export function validFaultsText(): string {
  return `valid faults: ${FAULT_NAMES.map((name) => FAULT_USAGE[name]).join('; ')}; "none" switches all off`;
}

export class FaultSpecError extends Error {
  constructor(readonly problems: string[]) {
    super(`${problems.join('; ')}. ${validFaultsText()}`);
    this.name = 'FaultSpecError';
  }
}

function isFaultName(name: string): name is FaultName {
  return (FAULT_NAMES as readonly string[]).includes(name);
}

// Not '1' or '0': those are values (errors=1 fails every request, n-plus-one=1 fetches one product).
const ON = new Set(['on', 'true', 'yes']);
const OFF = new Set(['off', 'false', 'no', 'none']);

function delay(value: string, fallback: number): number | undefined {
  if (ON.has(value)) {
    return fallback;
  }
  if (OFF.has(value)) {
    return 0;
  }
  const ms = parseDuration(value);
  return ms !== undefined && ms <= MAX_DELAY_MS ? ms : undefined;
}

/** Applies one `name=value` to `faults`; returns a problem description, or undefined when it was applied. */
function apply(faults: Faults, name: FaultName, value: string): string | undefined {
  const bad = `bad value ${JSON.stringify(value)} for ${name}: expected ${FAULT_USAGE[name]}`;
  switch (name) {
    case 'random-sleep': {
      if (ON.has(value)) {
        faults.randomSleep = { ...DEFAULTS.randomSleep };
        return undefined;
      }
      if (OFF.has(value)) {
        faults.randomSleep = null;
        return undefined;
      }
      const [low, high, ...rest] = value.split('-');
      const minMs = low === undefined ? undefined : parseDuration(low);
      const maxMs = high === undefined ? undefined : parseDuration(high);
      if (rest.length > 0 || minMs === undefined || maxMs === undefined || minMs > maxMs || maxMs > MAX_DELAY_MS) {
        return bad;
      }
      faults.randomSleep = { minMs, maxMs };
      return undefined;
    }
    case 'slow-redis': {
      const ms = delay(value, DEFAULTS.slowRedisMs);
      if (ms === undefined) {
        return bad;
      }
      faults.slowRedisMs = ms;
      return undefined;
    }
    case 'n-plus-one': {
      if (ON.has(value) || OFF.has(value)) {
        faults.nPlusOne = ON.has(value) ? DEFAULTS.nPlusOne : 0;
        return undefined;
      }
      const items = /^\d+$/.test(value) ? Number(value) : NaN;
      if (!(items >= 1 && items <= MAX_ITEMS)) {
        return bad;
      }
      faults.nPlusOne = items;
      return undefined;
    }
    case 'lock-contention': {
      if (!ON.has(value) && !OFF.has(value)) {
        return bad;
      }
      faults.lockContention = ON.has(value);
      return undefined;
    }
    case 'errors': {
      if (ON.has(value) || OFF.has(value)) {
        faults.errorRate = ON.has(value) ? DEFAULTS.errorRate : 0;
        return undefined;
      }
      const share = /^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(value) ? Number(value) : NaN;
      if (!(share >= 0 && share <= 1)) {
        return bad;
      }
      faults.errorRate = share;
      return undefined;
    }
  }
}

/**
 * Applies `slow-redis=300ms,errors=0.2` to `base`, left to right: `name` alone switches a fault on with its
 * default, `none` switches every fault off (so `none,slow-redis=300ms` sets exactly one). Throws FaultSpecError
 * naming every problem and listing the valid faults; nothing is applied then.
 */
export function parseFaults(spec: string, base: Readonly<Faults> = NO_FAULTS): Faults {
  const faults: Faults = { ...base, randomSleep: base.randomSleep && { ...base.randomSleep } };
  const problems: string[] = [];
  for (const item of spec.split(',')) {
    const part = item.trim();
    if (part === '') {
      continue;
    }
    if (part === 'none') {
      Object.assign(faults, NO_FAULTS);
      continue;
    }
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim();
    const value = (eq < 0 ? 'on' : part.slice(eq + 1)).trim().toLowerCase();
    if (!isFaultName(name)) {
      problems.push(`unknown fault ${JSON.stringify(name)}`);
      continue;
    }
    const problem = apply(faults, name, value);
    if (problem !== undefined) {
      problems.push(problem);
    }
  }
  if (problems.length > 0) {
    throw new FaultSpecError(problems);
  }
  return faults;
}

/** The spec that reproduces `faults` (`none` when all are off). */
export function describeFaults(faults: Readonly<Faults>): string {
  const parts: string[] = [];
  if (faults.randomSleep) {
    parts.push(`random-sleep=${formatDuration(faults.randomSleep.minMs)}-${formatDuration(faults.randomSleep.maxMs)}`);
  }
  if (faults.slowRedisMs > 0) {
    parts.push(`slow-redis=${formatDuration(faults.slowRedisMs)}`);
  }
  if (faults.nPlusOne > 0) {
    parts.push(`n-plus-one=${faults.nPlusOne}`);
  }
  if (faults.lockContention) {
    parts.push('lock-contention=on');
  }
  if (faults.errorRate > 0) {
    parts.push(`errors=${faults.errorRate}`);
  }
  return parts.length > 0 ? parts.join(',') : 'none';
}
