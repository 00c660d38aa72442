import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { LoadingBar, Stack, Text, useStyles2 } from '@grafana/ui';
import React from 'react';

import type { FetchProgress, HotspotPhase } from '../../data/types';
import { count } from './format';

interface Props {
  phase: HotspotPhase;
  progress: FetchProgress;
}

/** The honest sample: searched, fetched, failed, analysed — and progress while traces are still arriving. */
export function SampleSummary({ phase, progress }: Props) {
  const styles = useStyles2(getStyles);
  const busy = phase === 'searching' || phase === 'fetching';
  const { searched, toFetch, fetched, failed, analysed, limitHit } = progress;
  return (
    <div className={styles.summary} data-testid="hotpath-sample">
      {busy && <LoadingBar width={400} />}
      <Stack direction="row" gap={2} wrap="wrap">
        <Text variant="bodySmall" color="secondary">
          {phase === 'searching'
            ? 'Searching for traces…'
            : busy
              ? `Fetched ${count(fetched)} of ${count(toFetch)} traces`
              : `${count(analysed)} traces analysed`}
        </Text>
        <Text variant="bodySmall" color="secondary">
          searched {count(searched)} · fetched {count(fetched)} · failed {count(failed)} · analysed {count(analysed)}
        </Text>
        {limitHit && (
          <Text variant="bodySmall" color="warning">
            Limit reached: {limitHit.atLeast ? 'at least ' : ''}
            {count(limitHit.found)} traces found, the newest {count(limitHit.max)} analysed (raise “Max traces” to
            include more).
          </Text>
        )}
      </Stack>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  summary: css({ marginBottom: theme.spacing(1) }),
});
