import type { DataFrame } from '@grafana/data';
import { catchError, concat, from, map, mergeMap, Observable, of, throwError } from 'rxjs';
import { isTraceFrame } from '../engine';
import { postDsQuery, type DsQueryTarget } from './dsQuery';
import { abortError, classifyError, HotpathError } from './errors';
import { LruCache } from './lruCache';
import { searchTableIds } from './traceSource';
import type { TimeRangeMs, TraceSearch, UserFacingError } from './types';

/**
 * Full traces by ID, in batches of trace-by-ID queries to `/api/ds/query` (see dsQuery.ts for why that endpoint).
 * The Jaeger plugin runs one request's queries one after another (`pkg/jaeger/querydata.go`), so a huge batch only
 * serialises: we send moderate batches (25) a few at a time (3 in flight), which also keeps us under the browser's
 * six connections per host and Grafana's own request queue.
 */
export const DEFAULT_BATCH_SIZE = 25;
export const DEFAULT_CONCURRENCY = 3;
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

export interface FetchTracesOptions {
  jaegerUid: string;
  /** Sent as the request's time range; the data source uses it only with `traceIdTimeParams` enabled. */
  range: TimeRangeMs;
  batchSize?: number;
  concurrency?: number;
  /** Per request; Grafana's data proxy has its own limit (30 s by default) that answers 504 or a query error. */
  timeoutMs?: number;
  /** Defaults to the shared in-memory cache; `null` disables caching. */
  cache?: TraceCache | null;
}

export interface FetchedTrace {
  traceId: string;
  frame: DataFrame;
}

export interface TraceFailure {
  traceId: string;
  message: string;
  status?: number;
}

/** What one step of a run produced: the cached traces (first, no request), then one request's batch. */
export interface TraceBatch {
  traces: FetchedTrace[];
  failures: TraceFailure[];
  fromCache: boolean;
  /** Set when the whole request failed (5xx, timeout): every trace of the batch is in `failures`. */
  batchError?: UserFacingError;
}

/** Trace frames by (data source, trace ID). Only successful answers are kept; failures are retried next run. */
export class TraceCache {
  private readonly lru: LruCache<string, DataFrame>;

  constructor(capacity = 3000) {
    this.lru = new LruCache(capacity);
  }

  get(jaegerUid: string, traceId: string): DataFrame | undefined {
    return this.lru.get(key(jaegerUid, traceId));
  }

  set(jaegerUid: string, traceId: string, frame: DataFrame): void {
    this.lru.set(key(jaegerUid, traceId), frame);
  }

  get size(): number {
    return this.lru.size;
  }

  clear(): void {
    this.lru.clear();
  }
}

function key(jaegerUid: string, traceId: string): string {
  return `${jaegerUid}\u0000${traceId}`;
}

/** Shared by every panel and page of the app in this browser tab (3,000 traces of 50 spans are a few MB). */
export const sharedTraceCache = new TraceCache();

/**
 * Fetches `traceIds` (deduplicated) and emits one `TraceBatch` per request, plus one first for cache hits.
 * Unsubscribing cancels: no further request starts, and in-flight ones are unsubscribed, which makes Grafana's
 * `BackendSrv` abort the underlying `fetch`. A request that fails as a whole is either the end of the run (the
 * observable errors with a `HotpathError`: signed out, no permission, data source missing, Grafana unreachable) or
 * only that batch's failure (5xx, timeout): its traces are reported as failed and the other batches go on.
 */
export function fetchTraces$(traceIds: readonly string[], options: FetchTracesOptions): Observable<TraceBatch> {
  const { jaegerUid, range } = options;
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? DEFAULT_BATCH_SIZE));
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY));
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const cache = options.cache === undefined ? sharedTraceCache : options.cache;

  const cached: FetchedTrace[] = [];
  const missing: string[] = [];
  for (const traceId of new Set(traceIds)) {
    const frame = cache?.get(jaegerUid, traceId);
    if (frame) {
      cached.push({ traceId, frame });
    } else {
      missing.push(traceId);
    }
  }
  const batches: string[][] = [];
  for (let i = 0; i < missing.length; i += batchSize) {
    batches.push(missing.slice(i, i + batchSize));
  }
  const fromCache$ = cached.length > 0 ? of<TraceBatch>({ traces: cached, failures: [], fromCache: true }) : of();
  const network$ = from(batches).pipe(
    mergeMap((batch) => fetchBatch$(batch, jaegerUid, range, timeoutMs, cache), concurrency)
  );
  return concat(fromCache$, network$);
}

function fetchBatch$(
  batch: string[],
  jaegerUid: string,
  range: TimeRangeMs,
  timeoutMs: number,
  cache: TraceCache | null
): Observable<TraceBatch> {
  // refIds by position: trace IDs are unique in a batch, but a refId also names the returned frame, so keep it short.
  const queries: DsQueryTarget[] = batch.map((traceId, i) => ({
    refId: `t${i}`,
    datasource: { type: 'jaeger', uid: jaegerUid },
    // No `queryType`: unset means trace by ID (grafana-jaeger-datasource src/types.ts, pkg/jaeger/querydata.go).
    query: traceId,
  }));
  return postDsQuery(range, queries, { timeoutMs }).pipe(
    map((results) => {
      const out: TraceBatch = { traces: [], failures: [], fromCache: false };
      batch.forEach((traceId, i) => {
        const result = results.get(`t${i}`);
        if (!result || !result.answered) {
          out.failures.push({ traceId, message: 'Grafana returned no result for this trace' });
          return;
        }
        if (result.error) {
          out.failures.push({ traceId, message: result.error.message, status: result.error.status });
          return;
        }
        const frame = result.frames.find((f) => isTraceFrame(f));
        if (!frame) {
          out.failures.push({ traceId, message: 'the data source answered without a trace frame' });
        } else if (frame.length === 0) {
          // Jaeger answered 200 with no data: the data source then returns an empty trace frame (client.go Trace).
          out.failures.push({ traceId, message: 'trace not found (Jaeger returned no spans)' });
        } else {
          cache?.set(jaegerUid, traceId, frame);
          out.traces.push({ traceId, frame });
        }
      });
      return out;
    }),
    catchError((err: unknown) => {
      const { error, fatal } = classifyError(err, { target: 'Jaeger data source', uid: jaegerUid, timeoutMs });
      if (fatal) {
        return throwError(() => new HotpathError(error, true));
      }
      const message = `${error.title}: ${error.message}`;
      return of<TraceBatch>({
        traces: [],
        failures: batch.map((traceId) => ({ traceId, message, ...(error.status ? { status: error.status } : {}) })),
        fromCache: false,
        batchError: error,
      });
    })
  );
}

export interface FetchProgressUpdate {
  total: number;
  fetched: number;
  failed: number;
  fromCache: number;
}

export interface FetchTracesResult {
  traces: FetchedTrace[];
  failures: TraceFailure[];
}

/**
 * Promise form of `fetchTraces$`: resolves when every trace is fetched or has failed; `onBatch` is called after each
 * batch with the running totals; aborting `signal` cancels (rejects with an `AbortError`, no request starts after).
 */
export function fetchTraces(
  traceIds: readonly string[],
  options: FetchTracesOptions & {
    signal?: AbortSignal;
    onBatch?: (batch: TraceBatch, progress: FetchProgressUpdate) => void;
  }
): Promise<FetchTracesResult> {
  const total = new Set(traceIds).size;
  const result: FetchTracesResult = { traces: [], failures: [] };
  const progress: FetchProgressUpdate = { total, fetched: 0, failed: 0, fromCache: 0 };
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(abortError());
      return;
    }
    const subscription = fetchTraces$(traceIds, options).subscribe({
      next: (batch) => {
        result.traces.push(...batch.traces);
        result.failures.push(...batch.failures);
        progress.fetched += batch.traces.length;
        progress.failed += batch.failures.length;
        progress.fromCache += batch.fromCache ? batch.traces.length : 0;
        options.onBatch?.(batch, { ...progress });
      },
      error: (err: unknown) => {
        options.signal?.removeEventListener('abort', onAbort);
        reject(err);
      },
      complete: () => {
        options.signal?.removeEventListener('abort', onAbort);
        resolve(result);
      },
    });
    function onAbort() {
      subscription.unsubscribe();
      reject(abortError());
    }
    options.signal?.addEventListener('abort', onAbort);
  });
}

/** The search query of the Jaeger data source's query model (grafana-jaeger-datasource `src/types.ts` JaegerQuery). */
export function searchQuery(jaegerUid: string, search: TraceSearch, limit: number): DsQueryTarget {
  const query: DsQueryTarget & Record<string, unknown> = {
    refId: 'search',
    datasource: { type: 'jaeger', uid: jaegerUid },
    queryType: 'search',
    service: search.service,
    limit,
  };
  // The backend sends only non-empty parameters to Jaeger (client.go Search); we send only what is set.
  for (const name of ['operation', 'tags', 'minDuration', 'maxDuration'] as const) {
    const value = search[name]?.trim();
    if (value) {
      query[name] = value;
    }
  }
  return query;
}

export interface SearchResult {
  /** Newest first, deduplicated. */
  traceIds: string[];
}

/** Runs a Jaeger search and returns the trace IDs of its `traces` table. Errors are `HotpathError`s. */
export function searchTraceIds$(
  jaegerUid: string,
  search: TraceSearch & { limit: number },
  range: TimeRangeMs,
  options: { timeoutMs?: number; abortSignal?: AbortSignal } = {}
): Observable<SearchResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return postDsQuery(range, [searchQuery(jaegerUid, search, search.limit)], { ...options, timeoutMs }).pipe(
    map((results) => {
      const result = results.get('search');
      if (result?.error) {
        throw new HotpathError(
          {
            title: 'Jaeger search failed',
            message: `Searching service “${search.service}” failed: ${result.error.message}`,
            ...(result.error.status ? { status: result.error.status } : {}),
          },
          true
        );
      }
      return { traceIds: searchTableIds(result?.frames ?? []).ids };
    }),
    catchError((err: unknown) => {
      const { error } = classifyError(err, { target: 'Jaeger data source', uid: jaegerUid, timeoutMs });
      return throwError(() => new HotpathError(error, true));
    })
  );
}

/** Promise form for the app pages: `searchTraceIds(jaegerUid, search, range, signal)`. */
export function searchTraceIds(
  jaegerUid: string,
  search: TraceSearch & { limit: number },
  range: TimeRangeMs,
  signal?: AbortSignal
): Promise<string[]> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError());
      return;
    }
    const subscription = searchTraceIds$(jaegerUid, search, range, signal ? { abortSignal: signal } : {}).subscribe({
      next: (result) => resolve(result.traceIds),
      error: (err: unknown) => reject(err),
    });
    signal?.addEventListener(
      'abort',
      () => {
        subscription.unsubscribe();
        reject(abortError());
      },
      { once: true }
    );
  });
}
