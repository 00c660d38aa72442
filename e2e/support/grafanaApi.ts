import { Route } from '@playwright/test';

import { jaegerTraceToFrame, JaegerTrace } from '../../src/testing/grafanaFrames';
import type { SeenRequest } from './harness';

interface DsQueryBody {
  from: string;
  to: string;
  queries: Array<{ refId: string; datasource: { type: string; uid: string }; query?: string; expr?: string }>;
}

/**
 * A recorded-payload double of Grafana's `/api/ds/query` for the harness: Jaeger trace-by-ID queries are answered
 * with the trace frame Grafana's Jaeger data source makes of the recorded trace (or a per-query error for an
 * unknown ID, as Grafana reports it); Loki instant count queries with a vector of `lokiLines` lines.
 */
export function dsQueryResponder(
  traces: JaegerTrace[],
  options: { lokiLines?: number; delayMs?: number; status?: number } = {}
): (request: SeenRequest, route: Route) => Promise<void> {
  const byId = new Map(traces.map((t) => [t.traceID, t]));
  return async (request, route) => {
    if (options.delayMs) {
      await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    }
    if (options.status && options.status !== 200) {
      await route.fulfill({ status: options.status, json: { message: `recorded failure ${options.status}` } });
      return;
    }
    const body = request.body as DsQueryBody;
    const results: Record<string, unknown> = {};
    let anyError = false;
    for (const query of body.queries) {
      if (query.datasource.type === 'jaeger') {
        const trace = byId.get(query.query ?? '');
        if (trace) {
          results[query.refId] = { status: 200, frames: [jaegerTraceToFrame(trace, query.refId)] };
        } else {
          anyError = true;
          results[query.refId] = { status: 500, error: `trace not found: ${query.query}` };
        }
      } else if (query.datasource.type === 'loki') {
        const lines = options.lokiLines ?? 0;
        results[query.refId] = {
          status: 200,
          frames:
            lines > 0
              ? [
                  {
                    schema: {
                      refId: query.refId,
                      meta: { type: 'numeric-multi', typeVersion: [0, 1] },
                      fields: [
                        { name: 'Time', type: 'time' },
                        { name: 'Value', type: 'number' },
                      ],
                    },
                    data: { values: [[Number(body.to)], [lines]] },
                  },
                ]
              : [],
        };
      }
    }
    // Grafana answers 400 when any query failed, with every query's result in the body (pkg/api/metrics.go).
    await route.fulfill({ status: anyError ? 400 : 200, json: { results } });
  };
}
