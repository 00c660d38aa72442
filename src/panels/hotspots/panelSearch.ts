import type { DataQuery } from '@grafana/schema';

import type { TraceSearch } from '../../data/types';

/** The Jaeger data source's search query model (grafana-jaeger-datasource `src/types.ts` JaegerQuery). */
interface JaegerSearchTarget extends DataQuery {
  queryType?: string;
  service?: string;
  operation?: string;
  tags?: string;
  minDuration?: string;
  maxDuration?: string;
}

/**
 * The panel query's Jaeger search, as the app's own search runs it: what "Filter to this" narrows (a panel cannot
 * change its dashboard's query, so it runs the narrowed search itself). Template variables are resolved with the
 * panel's scope. Undefined when the query is no Jaeger search with a service (a trace-by-ID query, another data
 * source): then there is nothing to narrow.
 */
export function panelJaegerSearch(
  targets: readonly DataQuery[] | undefined,
  replaceVariables: (text: string) => string
): Omit<TraceSearch, 'limit'> | undefined {
  const target = (targets ?? []).find(
    (t): t is JaegerSearchTarget => t.datasource?.type === 'jaeger' && 'queryType' in t && t.queryType === 'search'
  );
  const text = (value: unknown): string => (typeof value === 'string' ? replaceVariables(value).trim() : '');
  const service = text(target?.service);
  if (!target || !service) {
    return undefined;
  }
  const search: Omit<TraceSearch, 'limit'> = { service };
  for (const name of ['operation', 'tags', 'minDuration', 'maxDuration'] as const) {
    const value = text(target[name]);
    if (value) {
      search[name] = value;
    }
  }
  return search;
}
