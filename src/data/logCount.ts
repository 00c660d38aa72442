import type { DataFrame } from '@grafana/data';
import { catchError, map, Observable, of } from 'rxjs';
import { postDsQuery } from './dsQuery';
import { classifyError } from './errors';
import { LruCache } from './lruCache';
import { logCountExpr } from './links';
import type { LogCount, LogsTarget } from './types';

/**
 * Asks Loki, through Grafana's `/api/ds/query`, how many lines the logs link would show (see `logCountExpr`).
 * Loki's data source runs `queryType: 'instant'` as `/loki/api/v1/query?time=<range end>` (grafana/grafana
 * pkg/tsdb/loki/api.go) and returns a vector as one frame per series with `Time` and `Value` fields
 * (pkg/tsdb/loki/testdata/vector_simple.golden.jsonc); no matching line gives no series at all.
 */
const COUNT_REF_ID = 'hotpath-log-count';
const COUNT_TIMEOUT_MS = 30_000;

const counts = new LruCache<string, LogCount>(500);

export function clearLogCountCache(): void {
  counts.clear();
}

export function countLogs$(target: LogsTarget): Observable<LogCount> {
  const cacheKey = `${target.lokiUid}\u0000${target.expr}\u0000${target.range.from}\u0000${target.range.to}`;
  const cached = counts.get(cacheKey);
  if (cached) {
    return of(cached);
  }
  const query = {
    refId: COUNT_REF_ID,
    datasource: { type: 'loki', uid: target.lokiUid },
    expr: logCountExpr(target),
    queryType: 'instant',
  };
  return postDsQuery(target.range, [query], { timeoutMs: COUNT_TIMEOUT_MS }).pipe(
    map((results): LogCount => {
      const result = results.get(COUNT_REF_ID);
      if (result?.error) {
        return { state: 'unavailable', reason: `Loki could not count the lines: ${result.error.message}` };
      }
      const count = countFromFrames(result?.frames ?? []);
      if (count === undefined) {
        return { state: 'unavailable', reason: 'Loki answered without a number of lines.' };
      }
      const counted: LogCount = { state: 'counted', lines: count };
      counts.set(cacheKey, counted);
      return counted;
    }),
    catchError((err: unknown) => {
      const { error } = classifyError(err, {
        target: 'Loki data source',
        uid: target.lokiUid,
        timeoutMs: COUNT_TIMEOUT_MS,
      });
      return of<LogCount>({ state: 'unavailable', reason: `${error.title}: ${error.message}` });
    })
  );
}

export function countLogs(target: LogsTarget, signal?: AbortSignal): Promise<LogCount> {
  return new Promise((resolve) => {
    const subscription = countLogs$(target).subscribe({ next: resolve });
    signal?.addEventListener('abort', () => subscription.unsubscribe(), { once: true });
  });
}

/**
 * Lines counted in Loki's answer: the metric frames' latest finite value, summed over series (a `sum(...)` has
 * one); or, if Loki sent log lines after all (a streams result: `Line` field), the lines themselves. No frame, or
 * frames without rows, mean no matching line. `undefined` when there are values but none is a number (NaN).
 */
export function countFromFrames(frames: readonly DataFrame[]): number | undefined {
  let total = 0;
  let sawValues = false;
  let sawNumber = false;
  for (const frame of frames) {
    if (frame.fields.some((f) => f.name === 'Line' || f.name === 'line')) {
      total += frame.length;
      sawValues ||= frame.length > 0;
      sawNumber ||= true;
      continue;
    }
    const valueField = frame.fields.find((f) => f.type === 'number');
    if (!valueField) {
      continue;
    }
    for (let i = valueField.values.length - 1; i >= 0; i--) {
      sawValues = true;
      const value = Number(valueField.values[i]);
      if (valueField.values[i] !== null && Number.isFinite(value)) {
        total += value;
        sawNumber = true;
        break;
      }
    }
  }
  if (sawValues && !sawNumber) {
    return undefined;
  }
  return Math.round(total);
}
