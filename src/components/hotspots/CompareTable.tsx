import { Alert, Column, InteractiveTable, Text } from '@grafana/ui';
import React, { useMemo } from 'react';

import type { Comparison, ComparisonRow } from '../../engine';
import { count, ms, percent } from './format';

interface Row {
  id: string;
  rank: number;
  row: ComparisonRow;
}

/** Slow vs baseline: which operations' critical-path time grows in the slow traces, with both sample sizes. */
export function CompareTable({ comparison, topN }: { comparison: Comparison; topN: number }) {
  const rows = useMemo(
    () =>
      comparison.rows
        .slice(0, Math.max(1, topN))
        .map((row, index) => ({ id: `${row.service}\u0000${row.operation}`, rank: index + 1, row })),
    [comparison, topN]
  );
  const columns = useMemo<Array<Column<Row>>>(
    () => [
      { id: 'rank', header: '#', cell: ({ row }) => row.original.rank, disableGrow: true },
      { id: 'service', header: 'Service', cell: ({ row }) => row.original.row.service },
      { id: 'operation', header: 'Operation', cell: ({ row }) => row.original.row.operation },
      {
        id: 'delta',
        header: 'Δ CP/trace ms',
        cell: ({ row }) => `${row.original.row.deltaUs >= 0 ? '+' : ''}${ms(row.original.row.deltaUs)}`,
      },
      { id: 'slow', header: 'Slow ms', cell: ({ row }) => ms(row.original.row.slowMeanUs) },
      { id: 'baseline', header: 'Baseline ms', cell: ({ row }) => ms(row.original.row.baselineMeanUs) },
      { id: 'share', header: 'Share of slowdown', cell: ({ row }) => percent(row.original.row.shareOfSlowdown) },
    ],
    []
  );
  return (
    <div data-testid="hotpath-compare">
      <Text variant="bodySmall" color="secondary">
        Slow: {count(comparison.slowTraces)} traces at or above {ms(comparison.thresholdUs)} ms (mean{' '}
        {ms(comparison.slowMeanLatencyUs)} ms) · baseline: {count(comparison.baselineTraces)} traces (mean{' '}
        {ms(comparison.baselineMeanLatencyUs)} ms)
      </Text>
      {comparison.warning && (
        <Alert severity="warning" title="Small sample" data-testid="hotpath-compare-warning">
          {comparison.warning}
        </Alert>
      )}
      <InteractiveTable columns={columns} data={rows} getRowId={(r: Row) => r.id} />
    </div>
  );
}
