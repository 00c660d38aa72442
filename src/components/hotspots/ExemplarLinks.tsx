import { ClipboardButton, Stack, Text, Tooltip } from '@grafana/ui';
import React from 'react';

import type { TraceLinks } from '../../state/traceLinks';
import type { ExploreLink, TimeRangeMs } from '../../state/types';
import { testIds } from '../testIds';
import { ExploreLinkButton } from './ExploreLinkButton';
import { LogsLinkCell } from './LogsLinkCell';

interface TraceProps {
  traceId: string;
  service: string;
  window: TimeRangeMs;
  /** Undefined where traces do not come from a data source (the Import page): the trace ID, to copy. */
  links?: TraceLinks;
}

/** "Open trace" in Explore with the Jaeger data source. */
export function OpenTraceLink({ link }: { link: ExploreLink }) {
  return (
    <Tooltip content={link.title}>
      <ExploreLinkButton icon="gf-traces" href={link.href} data-testid={testIds.view.openTrace}>
        Open trace
      </ExploreLinkButton>
    </Tooltip>
  );
}

/** An exemplar trace: "Open trace" and "Logs" — or, without a data source, its ID and a copy button. */
export function ExemplarLinks({ traceId, service, window, links }: TraceProps) {
  if (!links) {
    return (
      <Stack direction="row" gap={0.5} alignItems="center">
        <Text variant="code" color="secondary">
          {traceId.length > 16 ? `${traceId.slice(0, 16)}…` : traceId}
        </Text>
        <ClipboardButton
          size="sm"
          variant="secondary"
          fill="text"
          icon="copy"
          getText={() => traceId}
          aria-label={`Copy trace ID ${traceId}`}
          tooltip="Copy trace ID"
        />
      </Stack>
    );
  }
  return (
    // One line: "no logs" wrapping under "Open trace" made every row twice as tall.
    <div style={{ whiteSpace: 'nowrap' }}>
      <Stack direction="row" gap={1} alignItems="center" wrap="nowrap">
        <OpenTraceLink link={links.trace(traceId, window)} />
        <LogsLinkCell links={links} service={service} traceId={traceId} window={window} />
      </Stack>
    </div>
  );
}
