import { Alert, Stack, Text } from '@grafana/ui';
import React, { useMemo } from 'react';

import type { Comparison } from '../../engine';
import { testIds } from '../testIds';
import { ChangeRow, ChangeTable } from './ChangeTable';
import { ms, plural } from './format';

export interface SlowVsBaselineTableProps {
  comparison: Comparison;
  topN: number;
}

const LABELS = { subject: 'Slow', reference: 'Baseline', share: 'Share of slowdown' };

/**
 * Slow vs baseline (the panel's compare mode): which operations' critical-path time grows in the slow traces,
 * with both sample sizes and, when a side is small, the engine's warning.
 */
export function SlowVsBaselineTable({ comparison, topN }: SlowVsBaselineTableProps) {
  const rows = useMemo<ChangeRow[]>(
    () =>
      comparison.rows.map((row) => ({
        key: `${row.service}\u0000${row.operation}`,
        service: row.service,
        operation: row.operation,
        subject: row.slowMeanUs,
        reference: row.baselineMeanUs,
        delta: row.deltaUs,
        share: row.shareOfSlowdown,
      })),
    [comparison]
  );
  const slowdownUs = comparison.slowMeanLatencyUs - comparison.baselineMeanLatencyUs;
  return (
    <div data-testid={testIds.view.compare}>
      <Stack direction="column" gap={1}>
        <Text variant="bodySmall" color="secondary">
          Slow: {plural(comparison.slowTraces, 'trace')} at or above {ms(comparison.thresholdUs)} ms (mean{' '}
          {ms(comparison.slowMeanLatencyUs)} ms) · baseline: {plural(comparison.baselineTraces, 'trace')} (mean{' '}
          {ms(comparison.baselineMeanLatencyUs)} ms)
        </Text>
        <Text weight="medium">Slow traces take {ms(slowdownUs)} ms longer on average than the baseline</Text>
        {comparison.warning && (
          <Alert severity="warning" title="Small sample" data-testid={testIds.view.compareWarning}>
            {comparison.warning}
          </Alert>
        )}
        <ChangeTable rows={rows} topN={topN} labels={LABELS} totalDeltaUs={slowdownUs} />
      </Stack>
    </div>
  );
}
