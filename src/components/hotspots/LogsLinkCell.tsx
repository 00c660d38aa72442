import { Text, Tooltip } from '@grafana/ui';
import React, { useMemo } from 'react';

import { logsLink, useLogCount } from '../../data';
import type { TimeRangeMs } from '../../data/types';
import { testIds } from '../testIds';
import { ExploreLinkButton } from './ExploreLinkButton';
import { count } from './format';

/** Where links go: the Jaeger data source the traces came from, and which Loki to send users to for logs. */
export interface LinkContext {
  jaegerUid: string;
  /** Panel or page override of the Loki data source. */
  lokiUid?: string;
  /** The app's configured default Loki data source (after the override and Jaeger's own trace-to-logs target). */
  defaultLokiUid?: string;
}

interface Props {
  links: LinkContext;
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
  const input = useMemo(
    () => ({
      jaegerUid: links.jaegerUid,
      lokiUid: links.lokiUid,
      defaultLokiUid: links.defaultLokiUid,
      service,
      traceId,
      spanStartMs: window.from,
      spanEndMs: window.to,
    }),
    [links.jaegerUid, links.lokiUid, links.defaultLokiUid, service, traceId, window.from, window.to]
  );
  const target = useMemo(() => logsLink(input), [input]);
  const logCount = useLogCount(input);

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
