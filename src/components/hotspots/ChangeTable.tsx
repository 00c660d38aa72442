import { Badge, Column, InteractiveTable, Stack, Text } from '@grafana/ui';
import React, { useMemo } from 'react';

import { ms, percent, signedMs } from './format';
import { ShowAllButton, useRankedRows } from './useRankedRows';

/** One operation (or service) whose critical-path time per trace differs between two sets of traces. */
export interface ChangeRow {
  key: string;
  service: string;
  operation?: string;
  /** Mean CP time per trace on the side under suspicion (slow traces; after), µs. */
  subject: number;
  /** The same on the reference side (baseline; before), µs. */
  reference: number;
  /** subject − reference, µs. */
  delta: number;
  /** How much of the end-to-end difference this row explains (0–1, may be negative). */
  share: number;
  /** Seen on one side only. */
  presence?: 'new' | 'gone';
}

export interface ChangeTableProps {
  rows: readonly ChangeRow[];
  topN: number;
  labels: { subject: string; reference: string; share: string };
}

/**
 * The ranked change table shared by slow-vs-baseline and the Compare page: Δ critical-path time per trace first,
 * then both means.
 */
export function ChangeTable({ rows, topN, labels }: ChangeTableProps) {
  const ranked = useRankedRows(rows, topN);
  const withOperation = rows.some((r) => r.operation !== undefined);
  const columns = useMemo<Array<Column<ChangeRow>>>(() => {
    const list: Array<Column<ChangeRow>> = [
      {
        id: 'service',
        header: 'Service',
        sortType: 'string',
        cell: ({ row }) => (
          <Stack direction="row" gap={1} alignItems="center">
            <span>{row.original.service}</span>
            {!withOperation && <PresenceBadge presence={row.original.presence} />}
          </Stack>
        ),
      },
    ];
    if (withOperation) {
      list.push({
        id: 'operation',
        header: 'Operation',
        sortType: 'string',
        cell: ({ row }) => (
          <Stack direction="row" gap={1} alignItems="center">
            <span>{row.original.operation}</span>
            <PresenceBadge presence={row.original.presence} />
          </Stack>
        ),
      });
    }
    list.push(
      {
        id: 'delta',
        header: 'Δ CP/trace ms',
        sortType: 'number',
        sortDescFirst: true,
        cell: ({ row }) => (
          <Text tabular color={row.original.delta > 0 ? 'error' : row.original.delta < 0 ? 'success' : 'secondary'}>
            {signedMs(row.original.delta)}
          </Text>
        ),
      },
      {
        id: 'subject',
        header: `${labels.subject} ms`,
        sortType: 'number',
        sortDescFirst: true,
        cell: ({ row }) => <Text tabular>{ms(row.original.subject)}</Text>,
      },
      {
        id: 'reference',
        header: `${labels.reference} ms`,
        sortType: 'number',
        sortDescFirst: true,
        cell: ({ row }) => <Text tabular>{ms(row.original.reference)}</Text>,
      },
      {
        id: 'share',
        header: labels.share,
        sortType: 'number',
        sortDescFirst: true,
        cell: ({ row }) => <Text tabular>{percent(row.original.share)}</Text>,
      }
    );
    return list;
  }, [labels, withOperation]);
  return (
    <Stack direction="column" gap={1}>
      <InteractiveTable
        columns={columns}
        data={ranked.shown}
        getRowId={(r: ChangeRow) => r.key}
        fetchData={ranked.onSort}
      />
      <ShowAllButton total={rows.length} ranked={ranked} />
    </Stack>
  );
}

function PresenceBadge({ presence }: { presence?: 'new' | 'gone' }) {
  if (presence === 'new') {
    return <Badge text="new" color="orange" tooltip="Only in the traces compared" />;
  }
  if (presence === 'gone') {
    return <Badge text="gone" color="blue" tooltip="Only in the reference traces" />;
  }
  return null;
}
