import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, RadioButtonGroup, Stack, Text, useStyles2 } from '@grafana/ui';
import React, { ReactNode, useState } from 'react';

import type { ContextComparison, ContextReport } from '../../engine';
import type { TraceLinks } from '../../state/traceLinks';
import type { TimeRangeMs } from '../../state/types';
import { ExploreLinkButton } from '../hotspots/ExploreLinkButton';
import { LogsLinkCell } from '../hotspots/LogsLinkCell';
import { testIds } from '../testIds';
import { CriticalPathFlameGraph, PickedContext } from './CriticalPathFlameGraph';

type View = 'table' | 'flame';

const VIEWS: Array<{ label: string; value: View; description: string }> = [
  { label: 'Table', value: 'table', description: 'The ranking of operations' },
  {
    label: 'Flame graph',
    value: 'flame',
    description: 'The critical path by calling context: who called the costly operations',
  },
];

export interface RankingViewsProps {
  contexts?: ContextReport;
  /** In slow-vs-baseline mode: the flame graph shows the difference. */
  comparison?: ContextComparison;
  /** The ranking, all of it or only the picked frame's operation. */
  table: (picked: PickedContext | undefined) => ReactNode;
  /** Where traces and their logs are, when there are links (not for imported files). */
  links?: TraceLinks;
  /** A trace's own extent, for its links. */
  windowOf: (traceId: string) => TimeRangeMs;
}

/**
 * The ranking, or the flame graph above it: a frame's "Show in table" narrows the table to that operation and
 * offers the context's costliest trace and its logs for that service, as the table's rows do.
 */
export function RankingViews({ contexts, comparison, table, links, windowOf }: RankingViewsProps) {
  const styles = useStyles2(getStyles);
  const [view, setView] = useState<View>('table');
  const [picked, setPicked] = useState<PickedContext>();
  const showFlame = view === 'flame' && contexts !== undefined;
  return (
    <>
      {contexts && (
        <div data-testid={testIds.view.viewSwitch}>
          <RadioButtonGroup
            size="sm"
            options={VIEWS}
            value={view}
            onChange={(next) => {
              setView(next);
              setPicked(undefined);
            }}
          />
        </div>
      )}
      {showFlame && (
        <div className={styles.graph}>
          <CriticalPathFlameGraph contexts={contexts} comparison={comparison} onPick={setPicked} />
        </div>
      )}
      {showFlame && picked && (
        <div data-testid={testIds.view.picked}>
          <Stack direction="row" alignItems="center" gap={1} wrap="wrap">
            <Text>
              Only{' '}
              <Text weight="medium">
                {picked.service}: {picked.operation}
              </Text>
            </Text>
            {picked.exemplarTraceId && links && (
              <>
                <ExploreLinkButton
                  href={links.trace(picked.exemplarTraceId, windowOf(picked.exemplarTraceId)).href}
                  icon="external-link-alt"
                >
                  Costliest trace through this path
                </ExploreLinkButton>
                <LogsLinkCell
                  links={links}
                  service={picked.service}
                  traceId={picked.exemplarTraceId}
                  window={windowOf(picked.exemplarTraceId)}
                />
              </>
            )}
            <Button size="sm" variant="secondary" fill="text" icon="times" onClick={() => setPicked(undefined)}>
              All operations
            </Button>
          </Stack>
        </div>
      )}
      {table(showFlame ? picked : undefined)}
    </>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  graph: css({ minHeight: theme.spacing(30) }),
});
