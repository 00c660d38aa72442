import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { Column, FilterInput, InlineSwitch, InteractiveTable, Stack, Text, Tooltip, useStyles2 } from '@grafana/ui';
import React, { useCallback, useMemo, useState } from 'react';

import type { HotspotReport, HotspotRow } from '../../engine';
import type { RowStatistic, TimeRangeMs, UnavailableStatistics } from '../../state/types';
import { testIds } from '../testIds';
import type { TraceLinks } from '../../state/traceLinks';
import { ColumnChooser } from './ColumnChooser';
import { ExemplarLinks } from './ExemplarLinks';
import { count, ms, percent, plural } from './format';
import { ColumnChoices, fitColumns, OptionalColumn } from './hotspotColumns';
import { useContainerWidth } from './useContainerWidth';
import { ShowAllButton, useRankedRows } from './useRankedRows';

export interface HotspotTableProps {
  report: HotspotReport;
  /** Rows shown before "Show all". */
  topN: number;
  /** Start with the per-service rollup; the switch in the table changes it (and reports through onRollupChange). */
  rollup: boolean;
  onRollupChange?: (rollup: boolean) => void;
  /** Where exemplar links go; undefined (Import page): exemplars show their trace IDs, to copy. */
  links?: TraceLinks;
  /** A trace's extent, for its links (ms since the epoch). */
  windowOf: (traceId: string) => TimeRangeMs;
  /**
   * Statistics the source could not measure (the Prometheus ranking), per view: their cells say "—" with the reason
   * and their columns do not sort. Undefined: everything was measured (a Jaeger sample, files).
   */
  unavailable?: { operations: UnavailableStatistics; services: UnavailableStatistics };
}

/** One table row: flat values under the column ids (InteractiveTable reads cells by column id). */
interface Row {
  key: string;
  service: string;
  operation: string;
  share: number;
  cpTotal: number;
  cpP50: number;
  cpP95: number;
  cpP99: number;
  spanP95: number;
  self: number;
  calls: number;
  errorRate: number;
  traces: number;
  source: HotspotRow;
}

const HEADER_TOOLTIPS = {
  share: {
    content:
      'Share of all requests’ end-to-end latency (summed over the analysed traces) that this operation was on the critical path for. Shares of all rows add up to 100 %.',
  },
  cpTotal: { content: 'Critical-path time summed over all analysed traces.' },
  cpP95: {
    content:
      'Critical-path time per trace, over the traces that contain the operation: median, 95th and 99th percentile. Sorts by the 95th.',
  },
  spanP95: { content: '95th percentile of span duration (all calls), whether on the critical path or not.' },
  self: { content: 'Time spent in the spans themselves, children excluded, summed over all traces.' },
  exemplar: { content: 'The trace in which this operation cost the most critical-path time. Expand the row for more.' },
};

function toRow(row: HotspotRow): Row {
  return {
    key: `${row.service}\u0000${row.operation ?? ''}`,
    service: row.service,
    operation: row.operation ?? '',
    share: row.criticalPathShare,
    cpTotal: row.criticalPathUs,
    cpP50: row.criticalPathPerTraceUs.p50,
    cpP95: row.criticalPathPerTraceUs.p95,
    cpP99: row.criticalPathPerTraceUs.p99,
    spanP95: row.spanDurationUs.p95,
    self: row.selfTimeUs,
    calls: row.calls,
    errorRate: row.errorRate,
    traces: row.traces,
    source: row,
  };
}

type Styles = ReturnType<typeof getStyles>;

/** The column that shows each statistic a source may lack. */
const STATISTIC_COLUMNS: Record<RowStatistic, OptionalColumn> = {
  criticalPathPerTrace: 'cpP95',
  spanDuration: 'spanP95',
  selfTime: 'self',
  calls: 'calls',
  errors: 'errorRate',
  traces: 'traces',
};

/** Reasons by column, for the statistics `unavailable` lists. */
function unavailableColumns(unavailable: UnavailableStatistics | undefined): Partial<Record<OptionalColumn, string>> {
  const columns: Partial<Record<OptionalColumn, string>> = {};
  for (const [statistic, reason] of Object.entries(unavailable ?? {})) {
    if (reason) {
      columns[STATISTIC_COLUMNS[statistic as RowStatistic]] = reason;
    }
  }
  return columns;
}

/** A statistic the source did not measure: a dash whose tooltip says why, never a number. */
function Unavailable({ reason }: { reason: string }) {
  return (
    <Tooltip content={reason}>
      <span data-testid={testIds.view.unavailable} aria-label={`Not available: ${reason}`} tabIndex={0}>
        <Text color="secondary">—</Text>
      </span>
    </Tooltip>
  );
}

/** The headers of the optional columns, also their names in the column chooser and in an expanded row. */
const COLUMN_LABELS: Record<OptionalColumn, string> = {
  cpTotal: 'CP total ms',
  // One column for the three (sorted by p95), so the table fits a dashboard panel.
  cpP95: 'CP/trace p50 · p95 · p99 ms',
  exemplar: 'Costliest trace',
  spanP95: 'Span p95 ms',
  self: 'Self ms',
  calls: 'Calls',
  errorRate: 'Errors',
  traces: 'Traces',
};

interface OptionalColumnView {
  header: string;
  /** The cell, also shown in an expanded row when the column is left out. */
  render: (row: Row) => React.ReactNode;
  sortable: boolean;
}

/** The columns the table may leave out (hotspotColumns.ts decides which), each rendered one way everywhere. */
function optionalColumns(
  styles: Styles,
  links: TraceLinks | undefined,
  windowOf: (traceId: string) => TimeRangeMs,
  unavailable: Partial<Record<OptionalColumn, string>>
): Record<OptionalColumn, OptionalColumnView> {
  const number = (id: OptionalColumn, format: (row: Row) => string): OptionalColumnView => ({
    header: COLUMN_LABELS[id],
    sortable: true,
    render: (row) => <span className={styles.number}>{format(row)}</span>,
  });
  const views: Record<OptionalColumn, OptionalColumnView> = {
    cpTotal: number('cpTotal', (r) => ms(r.cpTotal)),
    cpP95: number('cpP95', (r) => `${ms(r.cpP50)} · ${ms(r.cpP95)} · ${ms(r.cpP99)}`),
    exemplar: {
      header: COLUMN_LABELS.exemplar,
      sortable: false,
      render: (row) => {
        const exemplar = row.source.exemplars[0];
        return exemplar ? (
          <ExemplarLinks
            traceId={exemplar.traceId}
            service={row.service}
            window={windowOf(exemplar.traceId)}
            links={links}
          />
        ) : (
          <Text color="secondary">–</Text>
        );
      },
    },
    spanP95: number('spanP95', (r) => ms(r.spanP95)),
    self: number('self', (r) => ms(r.self)),
    calls: number('calls', (r) => count(r.calls)),
    errorRate: {
      header: COLUMN_LABELS.errorRate,
      sortable: true,
      render: (row) => {
        const { errors, calls } = row.source;
        return errors > 0 ? (
          <Tooltip content={`${count(errors)} of ${plural(calls, 'span')} failed`}>
            <Text color="error" tabular>
              {percent(row.errorRate)}
            </Text>
          </Tooltip>
        ) : (
          <span className={styles.zero}>0</span>
        );
      },
    },
    traces: number('traces', (r) => count(r.traces)),
  };
  for (const [id, reason] of Object.entries(unavailable) as Array<[OptionalColumn, string]>) {
    views[id] = { header: COLUMN_LABELS[id], sortable: false, render: () => <Unavailable reason={reason} /> };
  }
  return views;
}

/** An expanded row's example traces: where the operation cost the most critical-path time. */
function Exemplars({
  row,
  links,
  windowOf,
}: {
  row: Row;
  links?: TraceLinks;
  windowOf: (traceId: string) => TimeRangeMs;
}) {
  const { exemplars } = row.source;
  if (exemplars.length === 0) {
    return <Text color="secondary">Never on the critical path: no example trace.</Text>;
  }
  return (
    <Stack direction="column" gap={0.5}>
      <Text variant="bodySmall" color="secondary">
        Traces where {row.operation ? `${row.service} · ${row.operation}` : row.service} cost the most critical-path
        time:
      </Text>
      {exemplars.map((exemplar) => (
        <Stack key={exemplar.traceId} direction="row" gap={2} alignItems="center">
          {Number.isFinite(exemplar.criticalPathUs) && <Text tabular>{ms(exemplar.criticalPathUs)} ms</Text>}
          <ExemplarLinks
            traceId={exemplar.traceId}
            service={row.service}
            window={windowOf(exemplar.traceId)}
            links={links}
          />
          {links && (
            <Text variant="code" color="secondary">
              {exemplar.traceId}
            </Text>
          )}
        </Stack>
      ))}
    </Stack>
  );
}

/**
 * The ranked (service, operation) table: critical-path share first, then the statistics behind it, and the trace
 * that shows it best. Filter, sort and the top-N cut apply to all rows in that order, so "top 20 by error rate"
 * means what it says.
 */
export function HotspotTable({
  report,
  topN,
  rollup,
  onRollupChange,
  links,
  windowOf,
  unavailable,
}: HotspotTableProps) {
  const styles = useStyles2(getStyles);
  const [filter, setFilter] = useState('');
  const [byService, setByService] = useState(rollup);
  // The prop wins when it changes (panel option edited, URL changed); the switch changes it locally in between.
  const [rollupProp, setRollupProp] = useState(rollup);
  if (rollupProp !== rollup) {
    setRollupProp(rollup);
    setByService(rollup);
  }

  const source = byService ? report.services : report.operations;
  const filtered = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const all = source.map(toRow);
    return needle ? all.filter((r) => `${r.service} ${r.operation}`.toLowerCase().includes(needle)) : all;
  }, [source, filter]);
  const ranked = useRankedRows(filtered, topN);
  const rows = ranked.shown;

  const [containerRef, width] = useContainerWidth<HTMLDivElement>();
  const [choices, setChoices] = useState<ColumnChoices>({});
  const fit = useMemo(() => fitColumns(width, byService, choices), [width, byService, choices]);
  const missing = byService ? unavailable?.services : unavailable?.operations;
  const optional = useMemo(
    () => optionalColumns(styles, links, windowOf, unavailableColumns(missing)),
    [styles, links, windowOf, missing]
  );

  const columns = useMemo<Array<Column<Row>>>(() => {
    const list: Array<Column<Row>> = [
      {
        id: 'service',
        header: 'Service',
        sortType: 'string',
        cell: ({ row }) => <span className={styles.name}>{row.original.service}</span>,
      },
    ];
    if (!byService) {
      list.push({
        id: 'operation',
        header: 'Operation',
        sortType: 'string',
        cell: ({ row }) => <span className={styles.name}>{row.original.operation}</span>,
      });
    }
    list.push({
      id: 'share',
      header: 'CP share',
      sortType: 'number',
      sortDescFirst: true,
      cell: ({ row }) => {
        const share = row.original.share;
        return (
          <div
            className={styles.shareCell}
            role="meter"
            aria-label="Critical-path share"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(share * 1000) / 10}
          >
            <div className={styles.shareBar} style={{ width: `${Math.min(100, Math.max(0, share * 100))}%` }} />
            <span className={styles.shareText}>{percent(share)}</span>
          </div>
        );
      },
    });
    for (const id of fit.shown) {
      const { header, render, sortable } = optional[id];
      list.push({
        id,
        header,
        ...(sortable ? { sortType: 'number' as const, sortDescFirst: true } : {}),
        cell: ({ row }) => render(row.original),
      });
    }
    return list;
  }, [byService, fit.shown, optional, styles]);

  const renderExpandedRow = useCallback(
    (row: Row) => (
      <Stack direction="column" gap={1}>
        {fit.hidden.some((id) => id !== 'exemplar') && (
          <div className={styles.details} data-testid={testIds.view.rowDetails}>
            {fit.hidden
              .filter((id) => id !== 'exemplar')
              .map((id) => (
                <React.Fragment key={id}>
                  <Text variant="bodySmall" color="secondary">
                    {optional[id].header}
                  </Text>
                  {optional[id].render(row)}
                </React.Fragment>
              ))}
          </div>
        )}
        <Exemplars row={row} links={links} windowOf={windowOf} />
      </Stack>
    ),
    [fit.hidden, optional, links, windowOf, styles]
  );

  const noun = byService ? 'service' : 'operation';
  return (
    <div data-testid={testIds.view.table} className={styles.container} ref={containerRef}>
      <Stack direction="row" gap={2} alignItems="center" wrap="wrap">
        <div className={styles.filter}>
          <FilterInput
            placeholder="Filter service or operation"
            value={filter}
            onChange={setFilter}
            escapeRegex={false}
          />
        </div>
        <InlineSwitch
          label="Per service"
          showLabel
          transparent
          value={byService}
          onChange={() => {
            setByService(!byService);
            onRollupChange?.(!byService);
          }}
        />
        <Text variant="bodySmall" color="secondary">
          {rows.length < filtered.length
            ? `Top ${count(rows.length)} of ${plural(filtered.length, noun)}`
            : plural(filtered.length, noun)}
          {filter.trim() ? ` matching “${filter.trim()}”` : ''}
        </Text>
        <ShowAllButton total={filtered.length} ranked={ranked} />
        <ColumnChooser
          fit={fit}
          labels={COLUMN_LABELS}
          onChoose={(id, shown) => setChoices((previous) => ({ ...previous, [id]: shown }))}
          onReset={Object.keys(choices).length > 0 ? () => setChoices({}) : undefined}
        />
      </Stack>
      {filtered.length === 0 ? (
        <Text color="secondary">
          No {noun} matches “{filter.trim()}”.
        </Text>
      ) : (
        <InteractiveTable
          columns={columns}
          data={rows}
          getRowId={(r: Row) => r.key}
          fetchData={ranked.onSort}
          headerTooltips={HEADER_TOOLTIPS}
          renderExpandedRow={renderExpandedRow}
        />
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  container: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1) }),
  filter: css({ width: theme.spacing(40), flex: 'none' }),
  shareCell: css({
    position: 'relative',
    minWidth: 110,
    height: theme.spacing(2.5),
    borderRadius: theme.shape.radius.default,
    background: theme.colors.background.secondary,
    overflow: 'hidden',
  }),
  // Long names (hosts, URLs without spaces) break anywhere rather than push the number columns out of view.
  name: css({ overflowWrap: 'anywhere' }),
  number: css({ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }),
  // Hidden columns in an expanded row: name, value; name, value; … wrapping as the width allows.
  details: css({
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'baseline',
    columnGap: theme.spacing(1),
    rowGap: theme.spacing(0.5),
    '& > :nth-child(2n):not(:last-child)': { marginRight: theme.spacing(2) },
  }),
  zero: css({ color: theme.colors.text.secondary, fontVariantNumeric: 'tabular-nums' }),
  shareBar: css({ position: 'absolute', left: 0, top: 0, bottom: 0, background: theme.colors.primary.transparent }),
  shareText: css({
    position: 'relative',
    paddingLeft: theme.spacing(0.5),
    lineHeight: theme.spacing(2.5),
    fontVariantNumeric: 'tabular-nums',
  }),
});
