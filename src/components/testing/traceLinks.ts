/**
 * Test-only: `TraceLinks` as the views receive them, with readable hrefs and a fixed log count, recording what
 * the views asked for — so view tests check what is rendered from what is given, not how URLs are built (that is
 * src/data's, tested there and through the panel).
 */
import type { LogsLinkResult, LogsTarget, TraceLinks } from '../../state/traceLinks';
import type { LogCount, TimeRangeMs } from '../../state/types';

export interface FakeTraceLinks extends TraceLinks {
  logsAsked: Array<{ service: string; traceId: string; window: TimeRangeMs }>;
  counted: LogsTarget[];
  /** What `countLogs` answers (at once); `null`: it never answers. */
  count: LogCount | null;
}

export function fakeTraceLinks(count: LogCount | null = { state: 'counted', lines: 3 }): FakeTraceLinks {
  const links: FakeTraceLinks = {
    logsAsked: [],
    counted: [],
    count,
    trace: (traceId, window) => ({
      title: 'Open trace in Explore',
      href: `/explore?trace=${traceId}&from=${window.from}&to=${window.to}`,
    }),
    logs: (service, traceId, window): LogsLinkResult => {
      links.logsAsked.push({ service, traceId, window });
      return {
        kind: 'logs',
        lokiUid: 'loki',
        expr: `{service_name="${service}"} | trace_id="${traceId}"`,
        range: window,
        link: { title: 'Logs in Explore', href: `/explore?logs=${encodeURIComponent(service)}&trace=${traceId}` },
        from: 'app default',
      };
    },
    countLogs: (target, onCount) => {
      links.counted.push(target);
      if (links.count) {
        onCount(links.count);
      }
      return () => undefined;
    },
  };
  return links;
}
