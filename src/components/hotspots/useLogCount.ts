import { useEffect, useState } from 'react';

import type { LogsLinkResult, TraceLinks } from '../../state/traceLinks';
import type { LogCount } from '../../state/types';

const LOADING: LogCount = { state: 'loading' };

/**
 * How many lines a logs link would show, so the view can say "no logs" instead of linking to an empty page:
 * loading until `links` answers for this very `target` (keep it stable with `useMemo`); the question is
 * cancelled when the target changes or the view goes away.
 */
export function useLogCount(links: TraceLinks, target: LogsLinkResult): LogCount {
  const [counted, setCounted] = useState<{ target: LogsLinkResult; count: LogCount } | undefined>(undefined);
  useEffect(() => {
    if (target.kind !== 'logs') {
      return undefined;
    }
    return links.countLogs(target, (count) => setCounted({ target, count }));
  }, [links, target]);
  if (target.kind === 'unavailable') {
    return { state: 'unavailable', reason: target.reason };
  }
  return counted?.target === target ? counted.count : LOADING;
}
