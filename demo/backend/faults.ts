import { formatDuration, parseDuration } from '../lib/duration';
import { CUSTOMER_TIERS, type CustomerTier, isCustomerTier } from '../lib/tier';
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
  /** Faults that hit only requests of one cohort (`slow-redis=40ms@tier=gold`); a fault not listed hits all. */
  scopes: Partial<Record<FaultName, FaultScope>>;
}

/** Which requests a scoped fault hits: those whose `x-customer-tier` header says `tier` (lib/tier.ts). */
export interface FaultScope {
  tier: CustomerTier;
}

/** What a request is, as far as fault scopes go. */
export interface RequestTraits {
  tier?: CustomerTier;
}

export const NO_FAULTS: Readonly<Faults> = Object.freeze({
  randomSleep: null,
  slowRedisMs: 0,
  nPlusOne: 0,
  lockContention: false,
  errorRate: 0,
  scopes: Object.freeze({}),
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

/** The scope keys a fault accepts after `@` (an allow-list: the admin endpoint is hostile input). */
export const SCOPE_USAGE = `<fault>=<value>@tier=${CUSTOMER_TIERS.join('|')} (only requests with that x-customer-tier header)`;

export function validFaultsText(): string {
  return (
    `valid faults: ${FAULT_NAMES.map((name) => FAULT_USAGE[name]).join('; ')}; "none" switches all off; ` +
    `scoped: ${SCOPE_USAGE}`
  );
}

/** Quotes client text in a message, cut short: an error message must not echo 4 kB back. */
function quoted(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/** `tier=gold` → the scope; a problem description for anything else. */
function parseScope(text: string): FaultScope | string {
  const match = /^([a-z]{1,16})=([a-z]{1,16})$/.exec(text);
  if (!match || match[1] !== 'tier') {
    return `bad scope ${quoted(text)}: expected ${SCOPE_USAGE}`;
  }
  if (!isCustomerTier(match[2])) {
    return `bad tier ${quoted(match[2])}: expected one of ${CUSTOMER_TIERS.join(', ')}`;
  }
  return { tier: match[2] };
}

/** The faults a request with `traits` meets: every scoped fault of another cohort is off for it. */
export function faultsFor(faults: Readonly<Faults>, traits: RequestTraits): Readonly<Faults> {
  const scoped = Object.entries(faults.scopes) as Array<[FaultName, FaultScope]>;
  const missed = scoped.filter(([, scope]) => scope.tier !== traits.tier).map(([name]) => name);
  if (missed.length === 0) {
    return faults;
  }
  const own: Faults = { ...faults };
  for (const name of missed) {
    switchOff(own, name);
  }
  return own;
}

function switchOff(faults: Faults, name: FaultName): void {
  switch (name) {
    case 'random-sleep':
      faults.randomSleep = null;
      break;
    case 'slow-redis':
      faults.slowRedisMs = 0;
      break;
    case 'n-plus-one':
      faults.nPlusOne = 0;
      break;
    case 'lock-contention':
      faults.lockContention = false;
      break;
    case 'errors':
      faults.errorRate = 0;
      break;
  }
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
  const faults: Faults = {
    ...base,
    randomSleep: base.randomSleep && { ...base.randomSleep },
    scopes: { ...base.scopes },
  };
  const problems: string[] = [];
  for (const item of spec.split(',')) {
    const part = item.trim();
    if (part === '') {
      continue;
    }
    if (part === 'none') {
      Object.assign(faults, NO_FAULTS, { scopes: {} });
      continue;
    }
    const at = part.indexOf('@');
    const setting = at < 0 ? part : part.slice(0, at);
    const eq = setting.indexOf('=');
    const name = (eq < 0 ? setting : setting.slice(0, eq)).trim();
    const value = (eq < 0 ? 'on' : setting.slice(eq + 1)).trim().toLowerCase();
    if (!isFaultName(name)) {
      problems.push(`unknown fault ${JSON.stringify(name)}`);
      continue;
    }
    const scope =
      at < 0
        ? undefined
        : parseScope(
            part
              .slice(at + 1)
              .trim()
              .toLowerCase()
          );
    if (typeof scope === 'string') {
      problems.push(scope);
      continue;
    }
    const problem = apply(faults, name, value);
    if (problem !== undefined) {
      problems.push(problem);
    } else if (scope) {
      faults.scopes[name] = scope;
    } else {
      delete faults.scopes[name];
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
  const scoped = (name: FaultName) => {
    const scope = faults.scopes[name];
    if (scope && parts.length > 0) {
      parts[parts.length - 1] += `@tier=${scope.tier}`;
    }
  };
  if (faults.randomSleep) {
    parts.push(`random-sleep=${formatDuration(faults.randomSleep.minMs)}-${formatDuration(faults.randomSleep.maxMs)}`);
    scoped('random-sleep');
  }
  if (faults.slowRedisMs > 0) {
    parts.push(`slow-redis=${formatDuration(faults.slowRedisMs)}`);
    scoped('slow-redis');
  }
  if (faults.nPlusOne > 0) {
    parts.push(`n-plus-one=${faults.nPlusOne}`);
    scoped('n-plus-one');
  }
  if (faults.lockContention) {
    parts.push('lock-contention=on');
    scoped('lock-contention');
  }
  if (faults.errorRate > 0) {
    parts.push(`errors=${faults.errorRate}`);
    scoped('errors');
  }
  return parts.length > 0 ? parts.join(',') : 'none';
}
