import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import React from 'react';

import type { HotspotState } from '../../data/types';
import { CompareTable } from './CompareTable';
import { DiagnosticsBanner } from './DiagnosticsBanner';
import { HotspotTable } from './HotspotTable';
import { SampleSummary } from './SampleSummary';
import { EmptyMessage, ErrorMessage } from './StatusMessage';
import { LinkContext } from './TraceLinks';
import { WhatIfControl } from './WhatIfControl';

export interface HotspotViewOptions {
  mode: 'hotspots' | 'compare';
  topN: number;
  rollup: boolean;
  window: 'root' | 'full';
  showWhatIf?: boolean;
}

interface Props {
  state: HotspotState;
  options: HotspotViewOptions;
  links: Omit<LinkContext, 'range'>;
}

/** Everything the panel and the app pages show for one analysis: shared by both, props in, no fetching. */
export function HotspotView({ state, options, links }: Props) {
  const styles = useStyles2(getStyles);
  const linkContext = { ...links, range: state.range };
  return (
    <div className={styles.view} data-testid="hotpath-view" data-phase={state.phase}>
      <SampleSummary phase={state.phase} progress={state.progress} />
      {state.phase === 'error' && state.error && <ErrorMessage error={state.error} />}
      {state.phase === 'empty' && <EmptyMessage />}
      {state.report && state.report.traces > 0 && (
        <>
          <DiagnosticsBanner report={state.report} problems={state.problems} window={options.window} />
          {options.mode === 'compare' && state.comparison ? (
            <CompareTable comparison={state.comparison} topN={options.topN} />
          ) : (
            <HotspotTable report={state.report} topN={options.topN} rollup={options.rollup} links={linkContext} />
          )}
          {options.showWhatIf !== false && (
            <WhatIfControl operations={state.operations} records={state.records} rows={state.report.operations} />
          )}
        </>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  view: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1), height: '100%', overflow: 'auto' }),
});
