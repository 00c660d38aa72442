import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { LoadingBar, Stack, Text, useStyles2 } from '@grafana/ui';
import React, { useCallback } from 'react';

import type { TraceLinks } from '../../state/traceLinks';
import type { ExemplarLookup, MetricsRankingState, TimeRangeMs } from '../../state/types';
import { testIds } from '../testIds';
import { count, plural } from './format';
import { HotspotTable } from './HotspotTable';
import { EmptyState, ErrorState } from './StatusStates';

export interface EveryTraceViewProps {
  state: MetricsRankingState;
  topN: number;
  rollup: boolean;
  onRollupChange?: (rollup: boolean) => void;
  /** Where the exemplar traces' links go (the page's Jaeger and Loki data sources). */
  links?: TraceLinks;
}

/**
 * The ranking over every trace `hotpath stream` analysed, from Prometheus: the same table as for a Jaeger sample,
 * with the statistics the metrics do not carry shown as unavailable. No what-if, flame graph or diagnostics: those
 * need the traces themselves. Links open each row's exemplar trace over the whole range (its own extent is not in
 * the metrics); the first rows show the sampled exemplars until their own costliest (src/data/promRanking.ts) arrive.
 */
export function EveryTraceView({ state, topN, rollup, onRollupChange, links }: EveryTraceViewProps) {
  const styles = useStyles2(getStyles);
  const { range } = state;
  const windowOf = useCallback((): TimeRangeMs => range, [range]);
  const ranking = state.ranking;
  return (
    <div className={styles.view} data-testid={testIds.view.root} data-phase={state.phase}>
      {state.phase === 'loading' && (
        <div className={styles.bar}>
          <LoadingBar width={400} />
        </div>
      )}
      {ranking && (
        <Stack direction="row" gap={2} wrap="wrap" alignItems="baseline">
          <Text variant="bodySmall" weight="medium" data-testid={testIds.view.metricsSummary}>
            Every trace: {plural(ranking.report.traces, 'trace')} analysed by hotpath stream in this range (Prometheus,
            increase over {ranking.window})
          </Text>
          {ranking.truncated !== undefined && (
            <Text variant="bodySmall" color="warning">
              {count(ranking.truncated)} operations with the least critical-path time left out.
            </Text>
          )}
          {ranking.exemplarLookup && <ExemplarLookupNote lookup={ranking.exemplarLookup} />}
        </Stack>
      )}
      {state.phase === 'error' && state.error && <ErrorState error={state.error} />}
      {state.phase === 'empty' && (
        <EmptyState title={state.error?.title ?? 'No metrics'}>{state.error?.message}</EmptyState>
      )}
      {ranking && (
        <HotspotTable
          report={ranking.report}
          topN={topN}
          rollup={rollup}
          onRollupChange={onRollupChange}
          links={links}
          windowOf={windowOf}
          unavailable={ranking.unavailable}
        />
      )}
    </div>
  );
}

/**
 * The follow-up for the first rows' costliest traces: under way (the links are the sampled exemplars meanwhile), or
 * why those rows' links may not be their costliest traces.
 */
function ExemplarLookupNote({ lookup }: { lookup: ExemplarLookup }) {
  const rows = plural(lookup.operations, 'operation');
  return (
    <Text variant="bodySmall" color="secondary" data-testid={testIds.view.exemplarLookup}>
      {lookup.phase === 'loading'
        ? `Looking up the costliest exemplar traces of the top ${rows} by critical-path time…`
        : `The costliest exemplar traces of ${rows} could not be looked up, their links may not be the costliest (or stay “–”): ${lookup.message}`}
    </Text>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  view: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1.5), position: 'relative' }),
  bar: css({ position: 'absolute', top: 0, left: 0, right: 0, overflow: 'hidden' }),
});
