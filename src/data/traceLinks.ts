import { logsLink, traceLink } from './links';
import { countLogs$ } from './logCount';
import type { TraceLinks } from './types';

/** Which data sources a view's links use (the panel's or page's choice). */
export interface TraceLinkSources {
  jaegerUid: string;
  /** Panel or page override of the Loki data source. */
  lokiUid?: string;
  /** The app's configured default Loki (after the override and the Jaeger data source's own trace-to-logs target). */
  defaultLokiUid?: string;
}

/**
 * The links the views render, built here from the data sources: Explore URLs (links.ts), trace-to-logs LogQL
 * following the Jaeger data source's settings, and the Loki line count (logCount.ts). Create it once per set of
 * data sources (`useMemo`): views compare it by identity.
 */
export function createTraceLinks(sources: TraceLinkSources): TraceLinks {
  const { jaegerUid, lokiUid, defaultLokiUid } = sources;
  return {
    trace: (traceId, window) => traceLink({ jaegerUid, traceId, range: window }),
    logs: (service, traceId, window) =>
      logsLink({
        jaegerUid,
        lokiUid,
        defaultLokiUid,
        service,
        traceId,
        spanStartMs: window.from,
        spanEndMs: window.to,
      }),
    countLogs: (target, onCount) => {
      const subscription = countLogs$(target).subscribe({ next: onCount });
      return () => subscription.unsubscribe();
    },
  };
}
