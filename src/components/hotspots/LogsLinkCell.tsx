import { Text, Tooltip } from '@grafana/ui';
import React, { useMemo } from 'react';

import type { TraceLinks } from '../../state/traceLinks';
import type { TimeRangeMs } from '../../state/types';
import { testIds } from '../testIds';
import { ExploreLinkButton } from './ExploreLinkButton';
import { count } from './format';
import { useLogCount } from './useLogCount';

interface Props {
  links: TraceLinks;
  service: string;
  traceId: string;
  /** The trace's extent (ms since the epoch): the logs query covers it, shifted as trace-to-logs says. */
  window: TimeRangeMs;
}

/**
 * "Logs" for one trace and service: Explore with Loki, scoped to the trace. The link becomes active only once Loki
 * has been asked how many lines match — "no logs" instead of a link to an empty page, and the reason when there is
 * no Loki to ask or the count failed.
 */
export function LogsLinkCell({ links, service, traceId, window }: Props) {
  const target = useMemo(
    () => links.logs(service, traceId, { from: window.from, to: window.to }),
    [links, service, traceId, window.from, window.to]
  );
  const logCount = useLogCount(links, target);

  if (target.kind === 'unavailable') {
    return (
      <Tooltip content={target.reason}>
        <Text variant="bodySmall" color="secondary" data-testid={testIds.view.logsUnavailable}>
          logs n/a
        </Text>
      </Tooltip>
    );
  }
  if (logCount.state === 'loading') {
    return (
      <Text variant="bodySmall" color="secondary">
        logs…
      </Text>
    );
  }
  if (logCount.state === 'counted' && logCount.lines === 0) {
    return (
      <Tooltip content={`Loki has no lines for ${target.expr} around this trace.`}>
        <Text variant="bodySmall" color="secondary" data-testid={testIds.view.noLogs}>
          no logs
        </Text>
      </Tooltip>
    );
  }
  const label = logCount.state === 'counted' ? `Logs (${count(logCount.lines)})` : 'Logs';
  const tip =
    logCount.state === 'counted'
      ? `${count(logCount.lines)} log lines for ${target.expr}`
      : `Log lines could not be counted (${logCount.reason}); the link may show nothing.`;
  return (
    <Tooltip content={tip}>
      <ExploreLinkButton icon="gf-logs" href={target.link.href} data-testid={testIds.view.logs}>
        {label}
      </ExploreLinkButton>
    </Tooltip>
  );
}
