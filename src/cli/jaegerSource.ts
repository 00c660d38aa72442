/**
 * `hotpath analyze --jaeger URL …`: one search of a live Jaeger's HTTP API v1 (`GET /api/traces`, as Jaeger UI
 * searches), its answer read like a file: the bytes go through the same reader and engine (readInputs.ts), under
 * the same size cap.
 *
 * The answer is untrusted: its size is capped while it arrives, a stalled connection times out, and Jaeger's error
 * answers (`{"errors":[{"code":…,"msg":…}]}`, cmd/query/app/http_handler.go handleError at v1.75.0) become one line.
 */
import type { JaegerQuery } from './jaegerOptions';
import { InputReadError, InputUnit } from './readInputs';
import { inputByteLimit, InputTooLargeError, readChunks } from './inputLimit';
import { plural } from './units';

/** Answers this small are read whole to look for "no traces"; a larger one holds traces. */
const SMALL_ANSWER_BYTES = 64 * 1024;
/** Error answers and the service list are read up to this size. */
const SIDE_ANSWER_BYTES = 1024 * 1024;
/** Characters of a non-JSON error body quoted in the message. */
const QUOTED_BODY_CHARS = 200;

/** Where progress lines go (stderr). */
export interface ProgressSink {
  write(text: string): unknown;
}

export interface JaegerFetchOptions {
  /** µs since the epoch; the end of a `--lookback` window. */
  nowUs?: number;
  /** The answer's size cap (default: the input cap, inputLimit.ts). */
  byteLimit?: number;
}

/** The search URL: `baseUrl/api/traces?service=…` with every value encoded by URLSearchParams. */
export function searchUrl(query: JaegerQuery, nowUs: number): string {
  const params = new URLSearchParams();
  params.set('service', query.service);
  if (query.operation !== undefined) {
    params.set('operation', query.operation);
  }
  if (query.tags.length > 0) {
    // A JSON object, as Jaeger UI sends its logfmt tag field (query_parser.go parseTags reads `tags` as JSON).
    params.set('tags', JSON.stringify(Object.fromEntries(query.tags)));
  }
  const { startUs, endUs } = timeRange(query, nowUs);
  params.set('start', String(startUs));
  params.set('end', String(endUs));
  if ('lookback' in query.time) {
    params.set('lookback', query.time.lookback); // what the UI sends too; the server reads start and end
  }
  params.set('limit', String(query.limit));
  if (query.minDuration !== undefined) {
    params.set('minDuration', query.minDuration);
  }
  if (query.maxDuration !== undefined) {
    params.set('maxDuration', query.maxDuration);
  }
  return `${query.baseUrl}/api/traces?${params.toString()}`;
}

function timeRange(query: JaegerQuery, nowUs: number): { startUs: number; endUs: number } {
  const { time } = query;
  if ('lookback' in time) {
    return { startUs: nowUs - time.lookbackUs, endUs: nowUs };
  }
  return { startUs: time.startUs, endUs: time.endUs ?? nowUs };
}

/** How the search reads in messages: `service "frontend", operation "GET /", last 1h`. */
export function describeSearch(query: JaegerQuery): string {
  const parts = [`service "${query.service}"`];
  if (query.operation !== undefined) {
    parts.push(`operation "${query.operation}"`);
  }
  for (const [key, value] of query.tags) {
    parts.push(`${key}=${value}`);
  }
  if ('lookback' in query.time) {
    parts.push(`last ${query.time.lookback}`);
  } else {
    const iso = (us: number) => new Date(us / 1000).toISOString();
    parts.push(`${iso(query.time.startUs)} to ${query.time.endUs === undefined ? 'now' : iso(query.time.endUs)}`);
  }
  if (query.minDuration !== undefined) {
    parts.push(`at least ${query.minDuration}`);
  }
  if (query.maxDuration !== undefined) {
    parts.push(`at most ${query.maxDuration}`);
  }
  return parts.join(', ');
}

/** The source name in messages and JSON problems. */
export function jaegerLabel(query: JaegerQuery): string {
  return `Jaeger at ${query.baseUrl}`;
}

/** The search as an input of `hotpath analyze`: read (fetched) when its turn comes, like a file. */
export function jaegerInput(query: JaegerQuery, progress: ProgressSink, options: JaegerFetchOptions = {}): InputUnit {
  return { kind: 'remote', label: jaegerLabel(query), read: () => fetchJaegerTraces(query, progress, options) };
}

/**
 * Runs the search and returns the answer's bytes (Jaeger JSON, `{"data":[…]}`). Throws `InputReadError` with one
 * line for the user when Jaeger cannot be reached, answers with an error, sends too much, stalls, or has no traces.
 */
export async function fetchJaegerTraces(
  query: JaegerQuery,
  progress: ProgressSink,
  options: JaegerFetchOptions = {}
): Promise<Uint8Array> {
  const url = searchUrl(query, options.nowUs ?? Date.now() * 1000);
  const limit = options.byteLimit ?? inputByteLimit();
  progress.write(
    `hotpath: asking ${jaegerLabel(query)} for up to ${plural(query.limit, 'trace')} (${describeSearch(query)})…\n`
  );
  const started = Date.now();
  const bytes = await get(url, query, limit);
  progress.write(
    `hotpath: Jaeger answered ${sizeText(bytes.length)} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`
  );
  if (bytes.length <= SMALL_ANSWER_BYTES && hasNoTraces(bytes)) {
    throw new InputReadError(await noTracesMessage(query));
  }
  return bytes;
}

/** GET `url` → the whole body (at most `limit` bytes), or `InputReadError`. */
async function get(url: string, query: JaegerQuery, limit: number): Promise<Uint8Array> {
  const watchdog = new Watchdog(query.timeoutMs);
  try {
    let response: Response;
    try {
      response = await fetch(url, { signal: watchdog.signal, headers: { accept: 'application/json' } });
    } catch (error) {
      throw new InputReadError(unreachableMessage(query, error, watchdog));
    }
    if (!response.ok) {
      const body = await readBody(response, SIDE_ANSWER_BYTES, watchdog).catch(() => new Uint8Array(0));
      throw new InputReadError(httpErrorMessage(query, response, body));
    }
    const declared = Number(response.headers.get('content-length'));
    if (declared > limit) {
      await response.body?.cancel();
      throw new InputReadError(tooLargeMessage(query, limit));
    }
    let bytes: Uint8Array;
    try {
      bytes = await readBody(response, limit, watchdog);
    } catch (error) {
      if (error instanceof InputTooLargeError) {
        throw new InputReadError(tooLargeMessage(query, limit));
      }
      throw new InputReadError(unreachableMessage(query, error, watchdog));
    }
    if (!looksLikeJson(bytes)) {
      const type = response.headers.get('content-type') ?? 'no Content-Type';
      throw new InputReadError(
        `${jaegerLabel(query)} answered with something other than JSON (${type}): is ${query.baseUrl} the address ` +
          `of Jaeger's query service (where Jaeger UI is served)?`
      );
    }
    return bytes;
  } finally {
    watchdog.stop();
  }
}

/** The body's bytes, up to `limit` (InputTooLargeError past it); every chunk that arrives restarts the timeout. */
async function readBody(response: Response, limit: number, watchdog: Watchdog): Promise<Uint8Array> {
  const body = response.body;
  if (body === null) {
    return new Uint8Array(0);
  }
  const reader = body.getReader();
  async function* chunks(): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          return;
        }
        watchdog.restart();
        yield value;
      }
    } finally {
      // Reached on the cap too (readChunks stops iterating): closes the connection instead of draining it.
      await reader.cancel().catch(() => undefined);
    }
  }
  return readChunks(chunks(), limit);
}

/** Aborts when `timeoutMs` pass without `restart()`: a stalled server, not a slow one. */
class Watchdog {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  fired = false;

  constructor(private readonly timeoutMs: number) {
    this.restart();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  restart(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.fired = true;
      this.controller.abort();
    }, this.timeoutMs);
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

function unreachableMessage(query: JaegerQuery, error: unknown, watchdog: Watchdog): string {
  if (watchdog.fired) {
    return `${jaegerLabel(query)} sent nothing for ${query.timeoutMs / 1000} s (--timeout): gave up`;
  }
  return `cannot reach ${jaegerLabel(query)}: ${networkReason(error)}`;
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is Jaeger running, and is this its query port, 16686 by default?)',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name could not be resolved (DNS)',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_SOCKET: 'the connection was closed',
};

/** Node's fetch fails with "fetch failed" and the reason in `cause` (code, message). */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause ?? error;
  const { code, message } = (typeof cause === 'object' && cause !== null ? cause : {}) as {
    code?: unknown;
    message?: unknown;
  };
  if (typeof code === 'string') {
    return NETWORK_REASONS[code] ?? `${code}${typeof message === 'string' ? ` (${message})` : ''}`;
  }
  return typeof message === 'string' ? message : String(cause);
}

/** `Jaeger at URL answered HTTP 400 Bad Request: unable to parse param 'limit': …`. */
function httpErrorMessage(query: JaegerQuery, response: Response, body: Uint8Array): string {
  const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  const detail = jaegerErrors(body) ?? quotedBody(body);
  const hint =
    response.status === 404
      ? ` (is ${query.baseUrl} the address of Jaeger's query service, with its base path if it has one?)`
      : '';
  return `${jaegerLabel(query)} answered ${status}${detail === '' ? '' : `: ${detail}`}${hint}`;
}

/** The `msg`s of Jaeger's `{"errors":[{"code":…,"msg":…}]}`, or null when the body is not that. */
export function jaegerErrors(body: Uint8Array): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return null;
  }
  const errors = (parsed as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) {
    return null;
  }
  const messages = errors
    .map((entry) => (entry as { msg?: unknown } | null)?.msg)
    .filter((msg): msg is string => typeof msg === 'string' && msg !== '');
  return messages.length === 0 ? null : messages.join('; ');
}

function quotedBody(body: Uint8Array): string {
  const text = new TextDecoder().decode(body).replace(/\s+/g, ' ').trim();
  return text.length > QUOTED_BODY_CHARS ? `${text.slice(0, QUOTED_BODY_CHARS)}…` : text;
}

function tooLargeMessage(query: JaegerQuery, limit: number): string {
  return (
    `the answer of ${jaegerLabel(query)} is larger than ${sizeText(limit)}, the most one input may hold: ask for ` +
    'fewer traces (--limit) or a shorter time range'
  );
}

/** The first byte that is not white space opens an object or array. */
function looksLikeJson(bytes: Uint8Array): boolean {
  for (const byte of bytes) {
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) {
      return byte === 0x7b || byte === 0x5b; // { or [
    }
  }
  return false;
}

/** `{"data":[]…}` or `{"data":null…}`: Jaeger found nothing. */
function hasNoTraces(bytes: Uint8Array): boolean {
  try {
    const { data } = JSON.parse(new TextDecoder().decode(bytes)) as { data?: unknown };
    return data === null || (Array.isArray(data) && data.length === 0);
  } catch {
    return false; // not JSON: the reader words that
  }
}

/** No traces: says whether Jaeger knows the service at all (and which it knows), when it can be asked. */
async function noTracesMessage(query: JaegerQuery): Promise<string> {
  const found = `${jaegerLabel(query)} has no traces for ${describeSearch(query)}`;
  const services = await knownServices(query);
  if (services === null || services.includes(query.service)) {
    return found;
  }
  const shown = services
    .slice(0, 10)
    .map((service) => `"${service.length > 100 ? `${service.slice(0, 100)}…` : service}"`);
  const more = services.length > 10 ? `, … (${services.length} in all)` : '';
  return services.length === 0
    ? `${found}: Jaeger has no services yet (no spans received)`
    : `${found}: Jaeger knows no service "${query.service}"; it has ${shown.join(', ')}${more}`;
}

/** `GET /api/services` (the UI's service list), sorted; null when it cannot be had. */
async function knownServices(query: JaegerQuery): Promise<string[] | null> {
  const watchdog = new Watchdog(query.timeoutMs);
  try {
    const response = await fetch(`${query.baseUrl}/api/services`, { signal: watchdog.signal });
    if (!response.ok) {
      return null;
    }
    const { data } = JSON.parse(new TextDecoder().decode(await readBody(response, SIDE_ANSWER_BYTES, watchdog))) as {
      data?: unknown;
    };
    return Array.isArray(data) ? data.filter((name): name is string => typeof name === 'string').sort() : null;
  } catch {
    return null;
  } finally {
    watchdog.stop();
  }
}

function sizeText(bytes: number): string {
  if (bytes >= 2 ** 30) {
    return `${Math.round(bytes / 2 ** 30)} GB`;
  }
  if (bytes < 1024) {
    return `${bytes} bytes`;
  }
  if (bytes < 1024 * 1024) {
    return `${(bytes / 1024).toFixed(1)} KB`;
  }
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
