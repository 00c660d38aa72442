import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { LoadingBar, Stack, Text, useStyles2 } from '@grafana/ui';
import React from 'react';

import { MAX_TRACES_LIMIT } from '../../state/limits';
import type { FetchProgress, HotspotPhase } from '../../state/types';
import { testIds } from '../testIds';
import { count, plural } from './format';

export interface SampleSummaryProps {
  phase: HotspotPhase;
  progress: FetchProgress;
  /** What a unit of input is called: traces (default), or files on the Import page. */
  noun?: 'traces' | 'files';
}

/**
 * The honest sample: how many traces were searched, fetched, failed and analysed — with progress while they are
 * still arriving, and a plain statement when a limit cut the sample short.
 */
export function SampleSummary({ phase, progress, noun = 'traces' }: SampleSummaryProps) {
  const styles = useStyles2(getStyles);
  if (phase === 'idle') {
    return null;
  }
  const busy = phase === 'searching' || phase === 'fetching';
  const { searched, toFetch, fetched, failed, analysed, limitHit } = progress;
  const headline =
    phase === 'searching'
      ? 'Searching for traces…'
      : busy
        ? noun === 'files'
          ? `Analysed ${plural(analysed, 'trace')} so far`
          : `Fetched ${count(fetched)} of ${count(toFetch)} traces`
        : `${plural(analysed, 'trace')} analysed`;
  return (
    <div className={styles.summary} data-testid={testIds.view.sample} aria-busy={busy}>
      {busy && (
        <div className={styles.bar}>
          <LoadingBar width={400} />
        </div>
      )}
      <Stack direction="row" gap={2} wrap="wrap" alignItems="baseline">
        <Text variant="bodySmall" weight="medium">
          {headline}
        </Text>
        <Text variant="bodySmall" color="secondary" tabular>
          {noun === 'files'
            ? `traces read ${count(fetched)} · files failed ${count(failed)} · analysed ${count(analysed)}`
            : `searched ${count(searched)} · fetched ${count(fetched)} · failed ${count(failed)} · analysed ${count(analysed)}`}
        </Text>
        {limitHit && (
          <Text variant="bodySmall" color="warning">
            Limit reached: {limitHit.atLeast ? 'at least ' : ''}
            {count(limitHit.found)} traces found, only the newest {count(limitHit.max)} fetched (raise “Max traces”, up
            to {count(MAX_TRACES_LIMIT)}, or narrow the search to include more).
          </Text>
        )}
      </Stack>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  summary: css({ position: 'relative', paddingTop: theme.spacing(0.5) }),
  bar: css({ position: 'absolute', top: 0, left: 0, right: 0, overflow: 'hidden' }),
});
