import { formatDuration, parseDuration } from '../lib/duration';
import { ConfigError, envString, envUrl } from '../lib/env';
import { CUSTOMER_TIERS, type CustomerTier, isCustomerTier } from '../lib/tier';

export const ENDPOINTS = ['visits-get', 'visits-post', 'checkout'] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

export interface LoadConfig {
  target: URL;
  /** Requests started per second. */
  rate: number;
  /** Requests in flight at most; when all are busy, a scheduled request is skipped (and counted). */
  concurrency: number;
  durationMs: number;
  /** Per-request timeout. */
  timeoutMs: number;
  /** Relative weights of the endpoints. */
  mix: Record<Endpoint, number>;
  /** Share of requests (0-1, at most 1 in all) sent with `x-customer-tier: <tier>`; the rest send none. */
  tiers?: Partial<Record<CustomerTier, number>>;
  /** A fault spec to switch on through the backend's admin endpoint before starting. */
  fault?: { spec: string; adminUrl: URL; token: string };
}

export const MAX_DURATION_MS = 24 * 3_600_000;
export const MAX_RATE = 10_000;
export const MAX_CONCURRENCY = 1000;
export const DEFAULT_MIX: Readonly<Record<Endpoint, number>> = Object.freeze({
  'visits-get': 2,
  'visits-post': 1,
  checkout: 2,
});

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, max: number, integer: boolean): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > max || (integer && !Number.isInteger(value))) {
    throw new ConfigError(
      `${name} must be ${integer ? 'an integer' : 'a number'} above 0 and at most ${max}, got ${JSON.stringify(raw)}`
    );
  }
  return value;
}

export function parseMix(text: string): Record<Endpoint, number> {
  const mix: Record<Endpoint, number> = { 'visits-get': 0, 'visits-post': 0, checkout: 0 };
  for (const part of text.split(',')) {
    const [name, weight = '1'] = part.split('=').map((s) => s.trim());
    if (!(ENDPOINTS as readonly string[]).includes(name)) {
      throw new ConfigError(
        `MIX: unknown endpoint ${JSON.stringify(name)}; valid: ${ENDPOINTS.join(', ')} (e.g. MIX=visits-get=2,checkout=1)`
      );
    }
    const value = Number(weight);
    if (!Number.isFinite(value) || value < 0) {
      throw new ConfigError(`MIX: weight of ${name} must be a number ≥ 0, got ${JSON.stringify(weight)}`);
    }
    mix[name as Endpoint] = value;
  }
  if (Object.values(mix).every((weight) => weight === 0)) {
    throw new ConfigError('MIX: at least one endpoint needs a weight above 0');
  }
  return mix;
}

export const DEFAULT_TIERS: Readonly<Partial<Record<CustomerTier, number>>> = Object.freeze({ gold: 0.2, silver: 0.3 });

/** `gold=0.2,silver=0.3`: the share of requests per customer tier. */
export function parseTiers(text: string): Partial<Record<CustomerTier, number>> {
  const tiers: Partial<Record<CustomerTier, number>> = {};
  for (const part of text.split(',')) {
    const [name, share = ''] = part.split('=').map((s) => s.trim());
    if (!isCustomerTier(name)) {
      throw new ConfigError(`TIERS: unknown tier ${JSON.stringify(name)}; valid: ${CUSTOMER_TIERS.join(', ')}`);
    }
    const value = Number(share);
    if (share === '' || !Number.isFinite(value) || value < 0 || value > 1) {
      throw new ConfigError(`TIERS: the share of ${name} must be a number from 0 to 1, got ${JSON.stringify(share)}`);
    }
    tiers[name] = value;
  }
  if (Object.values(tiers).reduce((sum, share) => sum + share, 0) > 1) {
    throw new ConfigError('TIERS: the shares add up to more than 1');
  }
  return tiers;
}

/** Reads the load generator's settings. DURATION is required and at most 24 h: the generator never runs unbounded. */
export function loadConfig(env: NodeJS.ProcessEnv): LoadConfig {
  const rawDuration = env.DURATION?.trim();
  if (!rawDuration) {
    throw new ConfigError(
      'DURATION is required (e.g. DURATION=60s or 10m, at most 24h): the load generator never runs unbounded'
    );
  }
  const durationMs = parseDuration(rawDuration);
  if (durationMs === undefined || durationMs <= 0) {
    throw new ConfigError(
      `DURATION must be a duration above 0 such as 60s, 10m or 2h, got ${JSON.stringify(rawDuration)}`
    );
  }
  if (durationMs > MAX_DURATION_MS) {
    throw new ConfigError(`DURATION must be at most 24h, got ${formatDuration(durationMs)}`);
  }
  const rawTimeout = envString(env, 'TIMEOUT', '30s');
  const timeoutMs = parseDuration(rawTimeout);
  if (timeoutMs === undefined || timeoutMs <= 0 || timeoutMs > 600_000) {
    throw new ConfigError(`TIMEOUT must be a duration above 0 and at most 10m, got ${JSON.stringify(rawTimeout)}`);
  }
  const config: LoadConfig = {
    target: envUrl(env, 'TARGET_URL', 'http://localhost:8080'),
    rate: positiveNumber(env, 'RATE', 10, MAX_RATE, false),
    concurrency: positiveNumber(env, 'CONCURRENCY', 10, MAX_CONCURRENCY, true),
    durationMs,
    timeoutMs,
    mix: env.MIX?.trim() ? parseMix(env.MIX) : { ...DEFAULT_MIX },
    tiers: env.TIERS?.trim() ? parseTiers(env.TIERS) : { ...DEFAULT_TIERS },
  };
  const fault = env.FAULT?.trim();
  if (fault) {
    const token = env.DEMO_ADMIN_TOKEN?.trim();
    if (!token) {
      throw new ConfigError('FAULT needs DEMO_ADMIN_TOKEN (the backend admin endpoint requires it)');
    }
    config.fault = { spec: fault, adminUrl: envUrl(env, 'ADMIN_URL', 'http://localhost:8081'), token };
  }
  return config;
}
