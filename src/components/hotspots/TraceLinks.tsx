import { LinkButton, Stack, Text, Tooltip } from '@grafana/ui';
import React from 'react';

import { logsLink, traceLink, useLogCount } from '../../data';
import type { TimeRangeMs } from '../../data/types';

export interface LinkContext {
  jaegerUid: string;
  /** Panel/page override of the Loki data source. */
  lokiUid?: string;
  /** The app's default Loki data source. */
  defaultLokiUid?: string;
  range: TimeRangeMs;
}

interface Props {
  context: LinkContext;
  service: string;
  traceId: string;
}

/**
 * "Open trace" (Explore, Jaeger) and "Logs" (Explore, Loki, scoped to the trace and service). The logs link is
 * only active once Loki says there are lines to see; otherwise it says "no logs" or why it is unavailable.
 */
export function TraceLinks({ context, service, traceId }: Props) {
  const input = {
    jaegerUid: context.jaegerUid,
    lokiUid: context.lokiUid,
    defaultLokiUid: context.defaultLokiUid,
    service,
    traceId,
    spanStartMs: context.range.from,
    spanEndMs: context.range.to,
  };
  const logs = logsLink(input);
  const logCount = useLogCount(input);
  const trace = traceLink({ jaegerUid: context.jaegerUid, traceId, range: context.range });
  return (
    <Stack direction="row" gap={1} alignItems="center">
      <LinkButton
        size="sm"
        variant="secondary"
        fill="text"
        icon="gf-traces"
        href={trace.href}
        data-testid="hotpath-open-trace"
      >
        Open trace
      </LinkButton>
      {logs.kind === 'unavailable' ? (
        <Tooltip content={logs.reason}>
          <Text variant="bodySmall" color="secondary">
            logs n/a
          </Text>
        </Tooltip>
      ) : logCount.state === 'loading' ? (
        <Text variant="bodySmall" color="secondary">
          logs…
        </Text>
      ) : logCount.state === 'unavailable' ? (
        <Tooltip content={logCount.reason}>
          <LinkButton
            size="sm"
            variant="secondary"
            fill="text"
            icon="gf-logs"
            href={logs.link.href}
            data-testid="hotpath-logs"
          >
            Logs (count n/a)
          </LinkButton>
        </Tooltip>
      ) : logCount.lines === 0 ? (
        <Text variant="bodySmall" color="secondary" data-testid="hotpath-no-logs">
          no logs
        </Text>
      ) : (
        <LinkButton
          size="sm"
          variant="secondary"
          fill="text"
          icon="gf-logs"
          href={logs.link.href}
          data-testid="hotpath-logs"
        >
          {`Logs (${logCount.lines})`}
        </LinkButton>
      )}
    </Stack>
  );
}
