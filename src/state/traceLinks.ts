import type { ExploreLink, LogCount, TimeRangeMs } from './types';

/** A logs link for a trace (and service): Loki, its LogQL and range, and the Explore link that opens it. */
export interface LogsTarget {
  kind: 'logs';
  lokiUid: string;
  /** The LogQL log query the link opens. */
  expr: string;
  range: TimeRangeMs;
  link: ExploreLink;
  /** Where the query's shape came from. */
  from: 'custom query' | 'tag mapping' | 'app default';
}
export type LogsLinkResult = LogsTarget | { kind: 'unavailable'; reason: string };

/**
 * Where a trace's links go, as the views receive it: the panel and the pages build it from src/data
 * (`createTraceLinks`) for their Jaeger and Loki data sources, so components render links and log counts without
 * knowing how URLs and LogQL are built or how Loki is asked. Undefined where traces come from files (no links).
 */
export interface TraceLinks {
  /** The trace in Explore, over `window` (the trace's own extent, ms since the epoch). */
  trace(traceId: string, window: TimeRangeMs): ExploreLink;
  /** The trace's logs for one service, or why there is no such link. */
  logs(service: string, traceId: string, window: TimeRangeMs): LogsLinkResult;
  /**
   * How many lines `target` would show: `onCount` is called once with the answer (at once when it is known);
   * the returned function cancels the question.
   */
  countLogs(target: LogsTarget, onCount: (count: LogCount) => void): () => void;
}
