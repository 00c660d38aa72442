import { Route } from '@playwright/test';

import { jaegerTraceToFrame, JaegerTrace, searchTableFrame, type WireFrame } from '../../src/testing/grafanaFrames';
import type { SeenRequest } from './harness';

export interface DsQuery {
  refId: string;
  datasource: { type: string; uid: string };
  queryType?: string;
  /** Jaeger trace-by-ID: the trace ID. */
  query?: string;
  /** Jaeger search. */
  service?: string;
  operation?: string;
  tags?: string;
  minDuration?: string;
  limit?: number;
  /** Loki and Prometheus. */
  expr?: string;
  /** Prometheus: which of its queries Grafana runs (instant, range, exemplars). */
  instant?: boolean;
  range?: boolean;
  exemplar?: boolean;
}

export interface DsQueryBody {
  from: string;
  to: string;
  queries: DsQuery[];
}

/** Holds responses until the test lets them go: progress and partial results are then observable, not raced. */
export class Gate {
  private waiting: Array<{ resolve: () => void; request?: SeenRequest }> = [];
  private open = false;

  /** Requests waiting now. */
  get held(): number {
    return this.waiting.length;
  }

  wait(request?: SeenRequest): Promise<void> {
    return this.open ? Promise.resolve() : new Promise((resolve) => this.waiting.push({ resolve, request }));
  }

  /**
   * Lets the `n` oldest waiting requests be answered, and says which they were: the order the page sent its
   * requests in and the order they reached the gate can differ, so a test must not guess from the first one seen.
   */
  release(n = 1): Array<SeenRequest | undefined> {
    return this.waiting.splice(0, n).map(({ resolve, request }) => {
      resolve();
      return request;
    });
  }

  /** Lets every waiting and later request through. */
  releaseAll(): void {
    this.open = true;
    this.release(this.waiting.length);
  }
}

export interface DsQueryOptions {
  /** Lines Loki counts for a log-count query (by its LogQL), default 0. */
  lokiLines?: number | ((expr: string) => number);
  /** Wait this long before answering. */
  delayMs?: number;
  /** Answer every request with this HTTP status and Grafana's error body instead. */
  status?: number;
  /** Hold every request until the gate releases it. */
  gate?: Gate;
  /** Never answer (the request stays pending until the page aborts it). */
  hang?: boolean;
  /**
   * Data sources the Grafana instance has. A request naming another uid gets Grafana's answer for it: 404
   * `{"message":"Data source not found"}` (pkg/api/metrics.go `handleQueryMetricsError`). Default: any uid exists.
   */
  knownUids?: string[];
  /** Jaeger searches (`queryType: 'search'`): the traces whose table to return. Default: none. */
  search?: (query: DsQuery, body: DsQueryBody) => JaegerTrace[];
  /**
   * Prometheus queries: the frames Grafana's Prometheus data source returns for one (e.g. recorded answers through
   * src/data/testing/prometheusFrames.ts), or a per-query error text. Default: the double has no Prometheus data.
   */
  prometheus?: (query: DsQuery, body: DsQueryBody) => WireFrame[] | { error: string };
}

/**
 * A recorded-payload double of Grafana's `/api/ds/query` for the harness: Jaeger trace-by-ID queries are answered
 * with the trace frame Grafana's Jaeger data source makes of the recorded trace, or, for an ID Jaeger does not have,
 * the per-query error the data source reports for Jaeger's 404 (`request failed: 404 Not Found`,
 * grafana-jaeger-datasource pkg/jaeger/client.go); Jaeger searches with the `traces` table; Loki instant count
 * queries with a one-sample vector of `lokiLines` lines, or no frame at all for zero (what Loki's data source
 * returns for an empty vector). The envelope, status and per-query entries are pkg/api/metrics.go's.
 */
export function dsQueryResponder(
  traces: JaegerTrace[],
  options: DsQueryOptions = {}
): (request: SeenRequest, route: Route) => Promise<void> {
  const byId = new Map(traces.map((t) => [t.traceID, t]));
  const known = options.knownUids ? new Set(options.knownUids) : undefined;
  return async (request, route) => {
    if (options.hang) {
      return;
    }
    await options.gate?.wait(request);
    if (options.delayMs) {
      await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    }
    // The page may have cancelled the request meanwhile (unsubscribed → aborted): nothing to answer then.
    const fulfill = (status: number, json: unknown) => route.fulfill({ status, json }).catch(() => undefined);
    if (options.status && options.status !== 200) {
      // Grafana's body for a failed /api/ds/query in production (details only in development mode).
      await fulfill(options.status, { message: options.status >= 500 ? 'Query data error' : 'Bad request' });
      return;
    }
    const body = request.body as DsQueryBody;
    const unknown = body.queries.find((q) => known && !known.has(q.datasource.uid));
    if (unknown) {
      await fulfill(404, { message: 'Data source not found' });
      return;
    }
    const results: Record<string, unknown> = {};
    let anyError = false;
    for (const query of body.queries) {
      if (query.datasource.type === 'jaeger' && query.queryType === 'search') {
        const found = options.search?.(query, body) ?? [];
        results[query.refId] = { status: 200, frames: [searchTableFrame(found, query.refId)] };
      } else if (query.datasource.type === 'jaeger') {
        const trace = byId.get(query.query ?? '');
        if (trace) {
          results[query.refId] = { status: 200, frames: [jaegerTraceToFrame(trace, query.refId)] };
        } else {
          anyError = true;
          results[query.refId] = { status: 500, error: 'request failed: 404 Not Found', errorSource: 'downstream' };
        }
      } else if (query.datasource.type === 'prometheus' && options.prometheus) {
        const answer = options.prometheus(query, body);
        if ('error' in answer) {
          anyError = true;
          results[query.refId] = { status: 400, error: answer.error, errorSource: 'downstream' };
        } else {
          results[query.refId] = { status: 200, frames: answer };
        }
      } else if (query.datasource.type === 'loki') {
        const given = options.lokiLines ?? 0;
        const lines = typeof given === 'function' ? given(query.expr ?? '') : given;
        results[query.refId] = {
          status: 200,
          frames: lines > 0 ? [lokiVector(query.refId, Number(body.to), lines)] : [],
        };
      } else {
        anyError = true;
        results[query.refId] = { status: 400, error: `the double has no ${query.datasource.type} data` };
      }
    }
    // Grafana answers 400 when any query failed, with every query's result in the body (pkg/api/metrics.go).
    await fulfill(anyError ? 400 : 200, { results });
  };
}

/** Loki's data source's frame for a one-series instant vector (pkg/tsdb/loki testdata vector_simple.golden). */
function lokiVector(refId: string, atMs: number, value: number) {
  return {
    schema: {
      refId,
      meta: { type: 'numeric-multi', typeVersion: [0, 1], custom: { resultType: 'vector' } },
      fields: [
        { name: 'Time', type: 'time', typeInfo: { frame: 'time.Time' } },
        { name: 'Value', type: 'number', typeInfo: { frame: 'float64' }, labels: {} },
      ],
    },
    data: { values: [[atMs], [value]] },
  };
}

/** `/api/plugins/<id>/settings`: Grafana's answer to a successful POST (pkg/api/plugins.go UpdatePluginSetting). */
export function pluginSettingsResponder(): (request: SeenRequest, route: Route) => Promise<void> {
  return async (request, route) => {
    if (request.method !== 'POST') {
      await route.fulfill({ status: 405, json: { message: 'only POST is expected' } });
      return;
    }
    await route.fulfill({ status: 200, json: { message: 'Plugin settings updated' } });
  };
}
