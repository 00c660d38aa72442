import type { DataFrame } from '@grafana/data';
import type { DataQuery } from '@grafana/schema';
import {
  BackendDataSourceResponse,
  FetchError,
  getBackendSrv,
  isFetchError,
  toDataQueryResponse,
} from '@grafana/runtime';
import { catchError, defer, map, Observable, of, throwError, timeout } from 'rxjs';
import type { TimeRangeMs } from './types';

/**
 * One POST to Grafana's `/api/ds/query`, the endpoint every backend data source query goes through. We call it
 * directly (not `DataSourceApi.query`) because the Jaeger data source's `query()` keeps only `targets[0]`
 * (grafana/grafana-jaeger-datasource `src/datasource.ts`), while its Go `queryData` loops over every query of a
 * request (`pkg/jaeger/querydata.go`): one POST can carry a whole batch of trace-by-ID queries.
 *
 * Request shape, URL and headers as `DataSourceWithBackend.query` in @grafana/runtime builds them: `from`/`to` are
 * epoch-ms strings; `ds_type` and the `X-Plugin-Id`/`X-Datasource-Uid` headers must name the same plugin as the body,
 * or Grafana rejects the request ("The request headers point to a different plugin…", pkg/services/query/errors.go).
 *
 * Per-query failures: Grafana answers 200 only when no query failed; one failed query makes the whole response a 400
 * (or 207 with the `datasourceQueryMultiStatus` toggle) that still carries every query's result
 * (pkg/api/metrics.go `toJsonStreamingResponse`). `BackendSrv.fetch` throws for the 400, so — exactly as
 * `DataSourceWithBackend` does — an error whose body has `results` is read as a normal response.
 */
export interface DsQueryTarget extends DataQuery {
  datasource: { type: string; uid: string };
}

export interface DsQueryOptions {
  /** Client-side limit per request, on top of Grafana's own data source timeout. */
  timeoutMs?: number;
  abortSignal?: AbortSignal;
}

/** What one query of the request produced: its frames, or its own error. */
export interface QueryResult {
  refId: string;
  /** False when the response had no entry for this refId at all. */
  answered: boolean;
  frames: DataFrame[];
  error?: { message: string; status?: number };
}

export function postDsQuery(
  range: TimeRangeMs,
  queries: DsQueryTarget[],
  options: DsQueryOptions = {}
): Observable<Map<string, QueryResult>> {
  const { type, uid } = queries[0].datasource;
  const request$ = defer(() =>
    getBackendSrv().fetch<BackendDataSourceResponse>({
      url: `/api/ds/query?ds_type=${encodeURIComponent(type)}`,
      method: 'POST',
      data: { from: String(Math.floor(range.from)), to: String(Math.ceil(range.to)), queries },
      headers: { 'X-Plugin-Id': type, 'X-Datasource-Uid': uid },
      // Our views show every failure themselves; no toast per failed batch.
      showErrorAlert: false,
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    })
  );
  const limited$ = options.timeoutMs !== undefined ? request$.pipe(timeout({ first: options.timeoutMs })) : request$;
  return limited$.pipe(
    map((response) => byRefId(queries, response.data)),
    catchError((err: unknown) => (hasResults(err) ? of(byRefId(queries, err.data)) : throwError(() => err)))
  );
}

function hasResults(err: unknown): err is FetchError<BackendDataSourceResponse> {
  if (!isFetchError(err)) {
    return false;
  }
  const data: unknown = err.data;
  return typeof data === 'object' && data !== null && typeof (data as { results?: unknown }).results === 'object';
}

/**
 * Each query's frames and error. Every result is converted on its own with `toDataQueryResponse`, so a frame stays
 * with the query it answered even when the plugin stamped another `refId` into the frame's schema (the converter
 * keeps a frame's own refId and would otherwise file it under the wrong query).
 */
function byRefId(queries: DataQuery[], raw: BackendDataSourceResponse | undefined): Map<string, QueryResult> {
  const results = new Map<string, QueryResult>();
  for (const query of queries) {
    const entry = raw?.results?.[query.refId];
    if (!entry) {
      results.set(query.refId, { refId: query.refId, answered: false, frames: [] });
      continue;
    }
    const response = toDataQueryResponse({ data: { results: { [query.refId]: entry } } }, [query]);
    const error = response.errors?.[0];
    results.set(query.refId, {
      refId: query.refId,
      answered: true,
      frames: response.data as DataFrame[],
      ...(error
        ? { error: { message: error.message ?? 'query failed', ...(error.status ? { status: error.status } : {}) } }
        : {}),
    });
  }
  return results;
}
