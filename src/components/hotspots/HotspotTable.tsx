import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { Column, FilterInput, InteractiveTable, Stack, Switch, Text, useStyles2 } from '@grafana/ui';
import React, { useMemo, useState } from 'react';

import type { HotspotReport, HotspotRow } from '../../engine';
import { count, ms, percent } from './format';
import { LinkContext, TraceLinks } from './TraceLinks';

interface Props {
  report: HotspotReport;
  topN: number;
  rollup: boolean;
  onRollupChange?: (rollup: boolean) => void;
  links: LinkContext;
}

interface Row {
  id: string;
  rank: number;
  row: HotspotRow;
}

/** The ranked (service, operation) table: critical-path share first, then the statistics behind it. */
export function HotspotTable({ report, topN, rollup, onRollupChange, links }: Props) {
  const styles = useStyles2(getStyles);
  const [filter, setFilter] = useState('');
  const [byService, setByService] = useState(rollup);
  const source = byService ? report.services : report.operations;
  const rows = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return source
      .map((row, index) => ({ id: `${row.service}\u0000${row.operation ?? ''}`, rank: index + 1, row }))
      .filter(({ row }) => !needle || `${row.service} ${row.operation ?? ''}`.toLowerCase().includes(needle))
      .slice(0, Math.max(1, topN));
  }, [source, filter, topN]);
  const columns = useMemo<Array<Column<Row>>>(
    () => [
      { id: 'rank', header: '#', cell: ({ row }) => row.original.rank, sortType: 'number', disableGrow: true },
      { id: 'service', header: 'Service', cell: ({ row }) => row.original.row.service, sortType: 'string' },
      ...(byService
        ? []
        : [
            {
              id: 'operation',
              header: 'Operation',
              cell: ({ row }) => row.original.row.operation,
              sortType: 'string',
            } as Column<Row>,
          ]),
      {
        id: 'share',
        header: 'CP share',
        sortType: 'number',
        cell: ({ row }) => (
          <div className={styles.shareCell} title="Share of summed end-to-end latency on the critical path">
            <div
              className={styles.shareBar}
              style={{ width: `${Math.min(100, row.original.row.criticalPathShare * 100)}%` }}
            />
            <span className={styles.shareText}>{percent(row.original.row.criticalPathShare)}</span>
          </div>
        ),
      },
      {
        id: 'cpTotal',
        header: 'CP total ms',
        sortType: 'number',
        cell: ({ row }) => ms(row.original.row.criticalPathUs),
      },
      {
        id: 'cpPerTrace',
        header: 'CP/trace p50 · p95 · p99 ms',
        cell: ({ row }) => {
          const p = row.original.row.criticalPathPerTraceUs;
          return `${ms(p.p50)} · ${ms(p.p95)} · ${ms(p.p99)}`;
        },
      },
      { id: 'spanP95', header: 'Span p95 ms', cell: ({ row }) => ms(row.original.row.spanDurationUs.p95) },
      { id: 'self', header: 'Self ms', cell: ({ row }) => ms(row.original.row.selfTimeUs) },
      { id: 'calls', header: 'Calls', cell: ({ row }) => count(row.original.row.calls) },
      {
        id: 'errors',
        header: 'Errors',
        cell: ({ row }) =>
          row.original.row.errors > 0 ? (
            <Text color="error">{percent(row.original.row.errorRate)}</Text>
          ) : (
            <Text color="secondary">0</Text>
          ),
      },
      { id: 'traces', header: 'Traces', cell: ({ row }) => count(row.original.row.traces) },
      {
        id: 'exemplar',
        header: 'Slowest trace',
        cell: ({ row }) => {
          const exemplar = row.original.row.exemplars[0];
          return exemplar ? (
            <TraceLinks context={links} service={row.original.row.service} traceId={exemplar.traceId} />
          ) : null;
        },
      },
    ],
    [byService, links, styles]
  );
  return (
    <div data-testid="hotpath-table">
      <Stack direction="row" gap={2} alignItems="center">
        <FilterInput placeholder="Filter service or operation" value={filter} onChange={setFilter} width={40} />
        <Stack direction="row" gap={1} alignItems="center">
          <Switch
            id="hotpath-rollup"
            value={byService}
            onChange={() => {
              setByService(!byService);
              onRollupChange?.(!byService);
            }}
          />
          <label htmlFor="hotpath-rollup">
            <Text variant="bodySmall">Per service</Text>
          </label>
        </Stack>
        <Text variant="bodySmall" color="secondary">
          Top {Math.min(topN, source.length)} of {source.length} {byService ? 'services' : 'operations'}
        </Text>
      </Stack>
      <InteractiveTable columns={columns} data={rows} getRowId={(r: Row) => r.id} />
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  shareCell: css({ position: 'relative', minWidth: 110, height: 20, background: theme.colors.background.secondary }),
  shareBar: css({ position: 'absolute', left: 0, top: 0, bottom: 0, background: theme.colors.primary.transparent }),
  shareText: css({ position: 'relative', paddingLeft: theme.spacing(0.5), fontVariantNumeric: 'tabular-nums' }),
});
