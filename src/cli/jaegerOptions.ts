/**
 * `hotpath analyze --jaeger URL --service S …`: the options of the Jaeger source, checked before anything is asked
 * of the network. Everything here ends up in a URL or a JSON parameter of Jaeger's query API, so each value is
 * validated (and later encoded by URLSearchParams, never pasted into the URL).
 *
 * The parameters are those of Jaeger's HTTP API v1 search, `GET /api/traces`, as Jaeger UI's search form sends
 * them (jaegertracing/jaeger v1.75.0 = Jaeger 2.12.0, cmd/query/app/query_parser.go parseTraceQueryParams).
 */
import { printable } from './render/printable';
import { parseDuration } from './units';
import { UsageError } from './usageError';

/** One search of Jaeger's query API, as the command line asked for it. */
export interface JaegerQuery {
  /** The query service's base address, e.g. `http://localhost:16686` (no trailing slash; may carry a base path). */
  baseUrl: string;
  service: string;
  operation?: string;
  /** Span or process tags every trace must have (Jaeger's `tags` parameter, a JSON object), in the order given. */
  tags: Array<[string, string]>;
  /** Up to now (the default, `DEFAULT_LOOKBACK`), or between two instants (µs since the epoch, Jaeger's unit). */
  time: { lookback: string; lookbackUs: number } | { startUs: number; endUs?: number };
  limit: number;
  /** Go duration strings for Jaeger (`1500us`), from `--min-duration` / `--max-duration`. */
  minDuration?: string;
  maxDuration?: string;
  /** Give up when Jaeger sends nothing for this long. */
  timeoutMs: number;
}

export const DEFAULT_LOOKBACK = '1h';
/** Traces asked for unless `--limit` says otherwise: enough for stable rankings, a few MB from the demo. */
export const DEFAULT_LIMIT = 1000;
/** Jaeger parses `limit` as a 32-bit number; the response size cap bounds the answer anyway. */
export const MAX_LIMIT = 1_000_000;
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Longer names or tag values are a mistake (or an attack), not a search. */
const MAX_TEXT_LENGTH = 1000;

/** For node:util parseArgs (spread into the CLI's option table). */
export const JAEGER_OPTIONS = {
  jaeger: { type: 'string' },
  service: { type: 'string' },
  operation: { type: 'string' },
  tags: { type: 'string', multiple: true },
  lookback: { type: 'string' },
  start: { type: 'string' },
  end: { type: 'string' },
  limit: { type: 'string' },
  'min-duration': { type: 'string' },
  'max-duration': { type: 'string' },
  timeout: { type: 'string' },
} as const;

export type JaegerOptionValues = Partial<Record<Exclude<keyof typeof JAEGER_OPTIONS, 'tags'>, string>> & {
  tags?: string[];
};

export const JAEGER_USAGE = `Reading from a live Jaeger (its query API, as Jaeger UI searches it)
  --jaeger URL            Jaeger's query service, e.g. http://localhost:16686 (the UI's address); no files then
  --service S             the service to search (required)
  --operation O           only traces with a span of this operation in the service
  --tags key=value        only traces with a span of the service carrying this tag (span, process or log
                          field); repeat for more, which the same span must all carry
  --lookback DURATION     the last 30m, 1h (default), 6h, 2d, 1w …
  --start T [--end T]     or between two instants (end: now): ISO 8601 (2025-06-01T10:00:00Z) or Jaeger's
                          microseconds since the epoch (16 digits)
  --limit N               traces to fetch at most (default ${DEFAULT_LIMIT}; Jaeger returns the most recent)
  --min-duration D        only traces with a span of the service lasting at least D (250ms, 1.5s, 800us)
  --max-duration D        … at most D
  --timeout D             give up when Jaeger sends nothing for D (default ${DEFAULT_TIMEOUT_MS / 1000}s)
`;

/**
 * The Jaeger search the options ask for, or undefined without `--jaeger` (then none of its options may be given).
 * Throws `UsageError`.
 */
export function jaegerQueryFrom(values: JaegerOptionValues, inputs: readonly string[]): JaegerQuery | undefined {
  if (values.jaeger === undefined) {
    const stray = (Object.keys(JAEGER_OPTIONS) as Array<keyof typeof JAEGER_OPTIONS>).find(
      (name) => values[name] !== undefined
    );
    if (stray !== undefined) {
      throw new UsageError(`--${stray} searches Jaeger: it needs --jaeger URL`);
    }
    return undefined;
  }
  if (inputs.length > 0) {
    throw new UsageError(`--jaeger reads traces from Jaeger: give no files besides it (got "${inputs[0]}")`);
  }
  if (values.service === undefined) {
    throw new UsageError('--jaeger needs --service: Jaeger searches the traces of one service');
  }
  const minUs =
    values['min-duration'] === undefined ? undefined : parseGoDuration('--min-duration', values['min-duration']);
  const maxUs =
    values['max-duration'] === undefined ? undefined : parseGoDuration('--max-duration', values['max-duration']);
  if (minUs !== undefined && maxUs !== undefined && maxUs < minUs) {
    throw new UsageError('--max-duration must not be shorter than --min-duration');
  }
  return {
    baseUrl: parseBaseUrl(values.jaeger),
    service: parseName('--service', values.service),
    operation: values.operation === undefined ? undefined : parseName('--operation', values.operation),
    tags: parseTags(values.tags ?? []),
    time: parseTime(values),
    limit: values.limit === undefined ? DEFAULT_LIMIT : parseLimit(values.limit),
    minDuration: minUs === undefined ? undefined : `${minUs}us`,
    maxDuration: maxUs === undefined ? undefined : `${maxUs}us`,
    timeoutMs: values.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseTimeout(values.timeout),
  };
}

/** An http(s) URL without credentials, query or fragment; a trailing slash dropped. */
export function parseBaseUrl(text: string): string {
  const example = 'e.g. http://localhost:16686';
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new UsageError(`--jaeger must be an http:// or https:// URL, ${example}, not "${printable(text)}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--jaeger must be an http:// or https:// URL, ${example}, not "${printable(text)}"`);
  }
  if (url.username !== '' || url.password !== '') {
    // They would show in the process list and the shell history, and be sent on every redirect.
    throw new UsageError('--jaeger: the URL must not carry a user name or password');
  }
  if (url.search !== '' || url.hash !== '') {
    throw new UsageError(`--jaeger takes Jaeger's base address (${example}), without a query or fragment`);
  }
  return url.href.replace(/\/+$/, '');
}

/** A service or operation name: non-empty, bounded, no control characters. */
function parseName(flag: string, text: string): string {
  if (text === '') {
    throw new UsageError(`${flag} must not be empty`);
  }
  checkText(flag, text);
  return text;
}

function checkText(flag: string, text: string): void {
  if (text.length > MAX_TEXT_LENGTH) {
    throw new UsageError(`${flag} is longer than ${MAX_TEXT_LENGTH} characters`);
  }
  if (printable(text) !== text) {
    throw new UsageError(`${flag} must not contain control characters: "${printable(text)}"`);
  }
}

/** `key=value` pairs: the key ends at the first `=`; keys non-empty and given once. */
export function parseTags(pairs: readonly string[]): Array<[string, string]> {
  const tags: Array<[string, string]> = [];
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0 || equals === pair.length - 1) {
      throw new UsageError(`--tags takes key=value (e.g. http.status_code=500), not "${printable(pair)}"`);
    }
    const key = pair.slice(0, equals);
    const value = pair.slice(equals + 1);
    checkText('--tags', key);
    checkText('--tags', value);
    if (tags.some(([seen]) => seen === key)) {
      throw new UsageError(`--tags: "${printable(key)}" is given twice (Jaeger matches one value per key)`);
    }
    tags.push([key, value]);
  }
  return tags;
}

const LOOKBACK_UNITS_US: Record<string, number> = {
  s: 1e6,
  m: 60e6,
  h: 3600e6,
  d: 86_400e6,
  w: 604_800e6,
};

function parseTime(values: JaegerOptionValues): JaegerQuery['time'] {
  if (values.lookback !== undefined && (values.start !== undefined || values.end !== undefined)) {
    throw new UsageError('--lookback and --start/--end both set the time range: give one or the other');
  }
  if (values.start === undefined) {
    if (values.end !== undefined) {
      throw new UsageError('--end needs --start');
    }
    const lookback = (values.lookback ?? DEFAULT_LOOKBACK).trim();
    const match = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(lookback);
    const lookbackUs = match === null ? 0 : Math.round(Number(match[1]) * LOOKBACK_UNITS_US[match[2]]);
    if (!(lookbackUs >= 1e6)) {
      throw new UsageError(`--lookback takes a duration of at least 1s such as 30m, 1h, 2d or 1w, not "${lookback}"`);
    }
    return { lookback, lookbackUs };
  }
  const startUs = parseInstant('--start', values.start);
  const endUs = values.end === undefined ? undefined : parseInstant('--end', values.end);
  if (endUs !== undefined && endUs <= startUs) {
    throw new UsageError('--end must be later than --start');
  }
  return { startUs, endUs };
}

/** ISO 8601 (a date, usually with a time) or 16 digits of µs since the epoch → µs since the epoch. */
export function parseInstant(flag: string, text: string): number {
  const trimmed = text.trim();
  if (/^\d{16}$/.test(trimmed)) {
    return Number(trimmed);
  }
  // A date first: Date.parse alone would also take "1" or "June 5" in ways that differ between engines.
  const ms = /^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(trimmed) ? Date.parse(trimmed) : NaN;
  if (!Number.isFinite(ms) || ms < 0) {
    throw new UsageError(
      `${flag} takes an ISO 8601 time (2025-06-01T10:00:00Z) or microseconds since the epoch (16 digits), ` +
        `not "${printable(text)}"`
    );
  }
  return ms * 1000;
}

function parseLimit(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_LIMIT) {
    throw new UsageError(`--limit must be a whole number from 1 to ${MAX_LIMIT}, not "${printable(text)}"`);
  }
  return Number(text);
}

/** µs for Jaeger's minDuration/maxDuration, rounded to the ns (Go's time.ParseDuration reads `1500us`). */
function parseGoDuration(flag: string, text: string): number {
  const us = parseDuration(text);
  if (us === null) {
    throw new UsageError(`${flag} takes a duration (250ms, 1.5s, 800us), not "${printable(text)}"`);
  }
  return Math.round(us * 1000) / 1000;
}

function parseTimeout(text: string): number {
  const us = parseDuration(text);
  if (us === null || us < 1000) {
    throw new UsageError(`--timeout takes a duration of at least 1ms (30s, 500ms), not "${printable(text)}"`);
  }
  return us / 1000;
}
