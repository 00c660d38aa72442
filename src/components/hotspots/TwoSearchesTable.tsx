import { Alert, Stack, Text } from '@grafana/ui';
import React, { useMemo } from 'react';

import type { ReportChange } from '../../engine/aggregate/compareReports';
import { testIds } from '../testIds';
import { ChangeRow, ChangeTable } from './ChangeTable';
import { ms, plural, signedMs } from './format';

export interface TwoSearchesTableProps {
  change: ReportChange;
  topN: number;
  /** What the two sides are called (e.g. "Before"/"After", or the two tag filters). */
  labels: { before: string; after: string };
}

/** The Compare page: two searches side by side, ranked by the change in critical-path time per trace. */
export function TwoSearchesTable({ change, topN, labels }: TwoSearchesTableProps) {
  const rows = useMemo<ChangeRow[]>(
    () =>
      change.rows.map((row) => ({
        key: `${row.service}\u0000${row.operation ?? ''}`,
        service: row.service,
        operation: row.operation,
        subject: row.afterMeanUs,
        reference: row.beforeMeanUs,
        delta: row.deltaUs,
        share: row.shareOfChange,
        presence: row.presence === 'both' ? undefined : row.presence,
      })),
    [change]
  );
  const tableLabels = useMemo(
    () => ({ subject: labels.after, reference: labels.before, share: 'Share of change' }),
    [labels.after, labels.before]
  );
  return (
    <div data-testid={testIds.view.reportCompare}>
      <Stack direction="column" gap={1}>
        <Text variant="bodySmall" color="secondary">
          {labels.before}: {plural(change.before.traces, 'trace')}, mean {ms(change.before.meanLatencyUs)} ms, p95{' '}
          {ms(change.before.p95LatencyUs)} ms · {labels.after}: {plural(change.after.traces, 'trace')}, mean{' '}
          {ms(change.after.meanLatencyUs)} ms, p95 {ms(change.after.p95LatencyUs)} ms
        </Text>
        <Text weight="medium">
          Mean latency {ms(change.before.meanLatencyUs)} → {ms(change.after.meanLatencyUs)} ms (
          {signedMs(change.latencyDeltaUs)} ms)
        </Text>
        {change.warning && (
          <Alert severity="warning" title="Small sample" data-testid={testIds.view.compareWarning}>
            {change.warning}
          </Alert>
        )}
        <ChangeTable rows={rows} topN={topN} labels={tableLabels} totalDeltaUs={change.latencyDeltaUs} />
      </Stack>
    </div>
  );
}
