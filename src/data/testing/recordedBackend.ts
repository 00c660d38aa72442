/**
 * Test-only: a `BackendSrv` double for `/api/ds/query`. It checks every request it receives against the shape
 * Grafana's API expects (recording violations instead of throwing inside RxJS, so a test can assert none) and
 * answers from recorded payloads: the frames Grafana's Jaeger data source produces (built from real Jaeger JSON with
 * the data source's field layout, src/testing/grafanaFrames.ts) and the response envelope of pkg/api/metrics.go —
 * `{results: {<refId>: {status, frames} | {error, errorSource, status}}}`, HTTP 200 when no query failed, else 400.
 * It counts requests in flight (subscribed, not yet answered or unsubscribed).
 */
import {
  setBackendSrv,
  type BackendSrv,
  type BackendSrvRequest,
  type FetchError,
  type FetchResponse,
} from '@grafana/runtime';
import { Observable } from 'rxjs';
import { jaegerTraceToFrame, type JaegerTrace, type WireFrame } from '../../testing/grafanaFrames';

export interface DsQuery {
  refId: string;
  datasource: { type: string; uid: string };
  [key: string]: unknown;
}
export interface RecordedRequest {
  url: string;
  method?: string;
  headers: Record<string, string>;
  body: { from: string; to: string; queries: DsQuery[] };
}

/** What the double answers to one request. */
export type Reply =
  { kind: 'http'; status: number; body: unknown } | { kind: 'network' } | { kind: 'never' } | { kind: 'cancelled' };

export type ResultEntry =
  { status: number; frames: WireFrame[] } | { error: string; errorSource: string; status: number };

/** The envelope Grafana sends: 200 when every query succeeded, 400 when one failed (pkg/api/metrics.go). */
export function dsQueryReply(results: Record<string, ResultEntry>): Reply {
  const failed = Object.values(results).some((r) => 'error' in r);
  return { kind: 'http', status: failed ? 400 : 200, body: { results } };
}

export class RecordedBackend {
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  /** Requests unsubscribed before they were answered (cancelled by the caller). */
  cancelled = 0;
  private readonly held: Array<() => void> = [];

  /**
   * @param answer what to reply to a request
   * @param mode `async`: answer on the next macrotask; `manual`: hold every answer until `release()`
   */
  constructor(
    private readonly answer: (request: RecordedRequest) => Reply,
    private readonly mode: 'async' | 'manual' = 'async'
  ) {}

  install(): this {
    setBackendSrv({ fetch: (options: BackendSrvRequest) => this.fetch(options) } as unknown as BackendSrv);
    return this;
  }

  /** Answers up to `count` held requests (all by default), oldest first. */
  release(count = Infinity): number {
    let released = 0;
    while (released < count && this.held.length > 0) {
      this.held.shift()!();
      released++;
    }
    return released;
  }

  get heldCount(): number {
    return this.held.length;
  }

  fetch(options: BackendSrvRequest): Observable<FetchResponse<unknown>> {
    return new Observable((subscriber) => {
      const request = this.record(options);
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      let done = false;
      const finish = () => {
        if (!done) {
          done = true;
          this.inFlight--;
        }
      };
      const respond = () => {
        if (done) {
          return;
        }
        const reply = this.answer(request);
        if (reply.kind === 'never') {
          return;
        }
        finish();
        if (reply.kind === 'network') {
          // What Grafana's BackendSrv rethrows when fetch() rejects: the TypeError, given `data` by processRequestError.
          subscriber.error(Object.assign(new TypeError('Failed to fetch'), { data: { message: 'Unexpected error' } }));
        } else if (reply.kind === 'cancelled') {
          subscriber.error({
            cancelled: true,
            status: -1,
            statusText: 'Request was aborted',
            data: null,
            config: options,
          });
        } else if (reply.status >= 200 && reply.status < 300) {
          subscriber.next(response(options, reply.status, reply.body));
          subscriber.complete();
        } else {
          const error: FetchError = {
            status: reply.status,
            statusText: statusText(reply.status),
            data: reply.body,
            config: options,
          };
          subscriber.error(error);
        }
      };
      let timer: ReturnType<typeof setTimeout> | undefined;
      if (this.mode === 'manual') {
        this.held.push(respond);
      } else {
        timer = setTimeout(respond, 0);
      }
      return () => {
        if (timer !== undefined) {
          clearTimeout(timer);
        }
        if (!done) {
          this.cancelled++;
          finish();
        }
        const index = this.held.indexOf(respond);
        if (index >= 0) {
          this.held.splice(index, 1);
        }
      };
    });
  }

  /** Checks the request against what /api/ds/query accepts (pkg/api/dtos MetricRequest, pkg/services/query). */
  private record(options: BackendSrvRequest): RecordedRequest {
    const headers = (options.headers ?? {}) as Record<string, string>;
    const body = options.data as RecordedRequest['body'];
    const request: RecordedRequest = { url: options.url, method: options.method, headers, body };
    this.requests.push(request);
    const fail = (message: string) => this.violations.push(`request ${this.requests.length}: ${message}`);
    if (!/^\/api\/ds\/query(\?|$)/.test(options.url)) {
      fail(`url ${options.url}`);
    }
    if (options.method !== 'POST') {
      fail(`method ${options.method}`);
    }
    if (!body || typeof body.from !== 'string' || !/^\d+$/.test(body.from) || !/^\d+$/.test(String(body.to))) {
      fail(`from/to must be epoch-ms strings, got ${JSON.stringify([body?.from, body?.to])}`);
    } else if (Number(body.from) > Number(body.to)) {
      fail('from after to');
    }
    if (!Array.isArray(body?.queries) || body.queries.length === 0) {
      fail('no queries');
      return request;
    }
    const refIds = new Set<string>();
    for (const query of body.queries) {
      if (typeof query.refId !== 'string' || query.refId === '') {
        fail('query without refId');
      } else if (refIds.has(query.refId)) {
        fail(`duplicate refId ${query.refId}`);
      }
      refIds.add(query.refId);
      if (!query.datasource || typeof query.datasource.uid !== 'string' || typeof query.datasource.type !== 'string') {
        fail(`query ${query.refId} has no datasource {type, uid}`);
        continue;
      }
      if (headers['X-Datasource-Uid'] !== undefined && headers['X-Datasource-Uid'] !== query.datasource.uid) {
        fail(`X-Datasource-Uid ${headers['X-Datasource-Uid']} ≠ ${query.datasource.uid}`);
      }
      if (headers['X-Plugin-Id'] !== undefined && headers['X-Plugin-Id'] !== query.datasource.type) {
        fail(`X-Plugin-Id ${headers['X-Plugin-Id']} ≠ ${query.datasource.type}`);
      }
      if (!options.url.includes(`ds_type=${query.datasource.type}`)) {
        fail(`url ds_type does not name ${query.datasource.type}`);
      }
    }
    return request;
  }
}

function response(options: BackendSrvRequest, status: number, data: unknown): FetchResponse<unknown> {
  return {
    data,
    status,
    statusText: statusText(status),
    ok: true,
    headers: { get: () => null } as unknown as Headers,
    redirected: false,
    type: 'basic',
    url: options.url,
    config: options,
  };
}

function statusText(status: number): string {
  const texts: Record<number, string> = {
    200: 'OK',
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    500: 'Internal Server Error',
    502: 'Bad Gateway',
    504: 'Gateway Timeout',
  };
  return texts[status] ?? '';
}

/**
 * Answers trace-by-ID queries from real traces; IDs it does not know get the error Grafana's Jaeger data source
 * reports when Jaeger answers 404 (`request failed: 404 Not Found`, pkg/jaeger/client.go Trace), and `failing`
 * IDs the given error. Also checks each query is a Jaeger trace-by-ID query (no `queryType`, the ID in `query`).
 */
export function jaegerTraceAnswer(
  traces: ReadonlyMap<string, JaegerTrace>,
  backend: () => RecordedBackend,
  failing: ReadonlyMap<string, string> = new Map()
): (request: RecordedRequest) => Reply {
  return (request) => {
    const results: Record<string, ResultEntry> = {};
    for (const query of request.body.queries) {
      if (query.datasource.type !== 'jaeger' || query.queryType !== undefined || typeof query.query !== 'string') {
        backend().violations.push(`not a Jaeger trace-by-ID query: ${JSON.stringify(query)}`);
      }
      const traceId = String(query.query);
      const trace = traces.get(traceId);
      const failure = failing.get(traceId);
      if (failure !== undefined) {
        results[query.refId] = { error: failure, errorSource: 'downstream', status: 500 };
      } else if (trace) {
        results[query.refId] = { status: 200, frames: [jaegerTraceToFrame(trace, query.refId)] };
      } else {
        results[query.refId] = { error: 'request failed: 404 Not Found', errorSource: 'downstream', status: 500 };
      }
    }
    return dsQueryReply(results);
  };
}
