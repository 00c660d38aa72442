import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import React, { ReactNode, useCallback } from 'react';

import type { HotspotState, TimeRangeMs } from '../../data/types';
import { testIds } from '../testIds';
import { CompareTable } from './CompareTable';
import { DiagnosticsBanner } from './DiagnosticsBanner';
import { HotspotTable } from './HotspotTable';
import type { LinkContext } from './LogsLinkCell';
import { SampleSummary } from './SampleSummary';
import { EmptyState, ErrorState } from './StatusStates';
import { WhatIfControl } from './WhatIfControl';

export interface HotspotViewOptions {
  mode: 'hotspots' | 'compare';
  topN: number;
  rollup: boolean;
  window: 'root' | 'full';
  /** Default true. */
  showWhatIf?: boolean;
}

export interface HotspotViewProps {
  state: HotspotState;
  options: HotspotViewOptions;
  /** Where exemplar links go; undefined where traces come from files (Import page). */
  links?: LinkContext;
  onRollupChange?: (rollup: boolean) => void;
  /** Import page: progress counts files and traces read, not fetched. */
  noun?: 'traces' | 'files';
  /** Replaces the default "no traces" message. */
  emptyMessage?: ReactNode;
}

/**
 * Everything the panel and the app pages show for one analysis — shared by all of them, props in, no fetching.
 * Every phase says something: progress while searching and fetching, the error, the empty result, and the ranking
 * (partial while traces still arrive) with what the engine had to repair.
 */
export function HotspotView({ state, options, links, onRollupChange, noun, emptyMessage }: HotspotViewProps) {
  const styles = useStyles2(getStyles);
  const { traceWindows, range } = state;
  const windowOf = useCallback(
    (traceId: string): TimeRangeMs => traceWindows?.get(traceId) ?? range,
    [traceWindows, range]
  );
  const report = state.report && state.report.traces > 0 ? state.report : undefined;
  const finished = state.phase === 'done' || state.phase === 'empty';
  return (
    <div className={styles.view} data-testid={testIds.view.root} data-phase={state.phase}>
      <SampleSummary phase={state.phase} progress={state.progress} noun={noun} />
      {state.phase === 'error' && state.error && <ErrorState error={state.error} />}
      {finished && !report && <EmptyState>{emptyMessage}</EmptyState>}
      {report && (
        <>
          <DiagnosticsBanner report={report} problems={state.problems} window={options.window} />
          {options.mode === 'compare' && state.comparison ? (
            <CompareTable comparison={state.comparison} topN={options.topN} />
          ) : (
            <HotspotTable
              report={report}
              topN={options.topN}
              rollup={options.rollup}
              onRollupChange={onRollupChange}
              links={links}
              windowOf={windowOf}
            />
          )}
          {options.showWhatIf !== false && (
            <WhatIfControl operations={state.operations} records={state.records} rows={report.operations} />
          )}
        </>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  view: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1.5),
    height: '100%',
    overflow: 'auto',
    // A panel is often shorter than its content: scroll it, never squeeze the parts.
    '& > *': { flexShrink: 0 },
  }),
});
