import { Badge, Button, Column, FetchDataFunc, InteractiveTable, Stack, Text } from '@grafana/ui';
import React, { useCallback, useMemo, useState } from 'react';

import { count, ms, percent, signedMs } from './format';
import { sameRules, SortRule, sortRows } from './sortRows';

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
 * then both means. Sorting applies to all rows before the top-N cut.
 */
export function ChangeTable({ rows, topN, labels }: ChangeTableProps) {
  const [sortBy, setSortBy] = useState<SortRule[]>([]);
  const [showAll, setShowAll] = useState(false);
  const limit = Math.max(1, Math.floor(topN) || 1);
  const withOperation = rows.some((r) => r.operation !== undefined);
  const shown = useMemo(() => {
    const sorted = sortRows(rows, sortBy[0]);
    return showAll ? sorted : sorted.slice(0, limit);
  }, [rows, sortBy, showAll, limit]);
  const onSort = useCallback<FetchDataFunc<ChangeRow>>(({ sortBy: next }) => {
    setSortBy((previous) => sameRules(previous, next));
  }, []);
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
      <InteractiveTable columns={columns} data={shown} getRowId={(r: ChangeRow) => r.key} fetchData={onSort} />
      {rows.length > limit && (
        <div>
          <Button size="sm" variant="secondary" fill="text" onClick={() => setShowAll(!showAll)}>
            {showAll ? `Show top ${count(limit)}` : `Show all ${count(rows.length)}`}
          </Button>
        </div>
      )}
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
