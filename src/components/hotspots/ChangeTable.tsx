import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { Badge, Column, Icon, InlineSwitch, InteractiveTable, Stack, Text, useStyles2 } from '@grafana/ui';
import React, { useMemo, useState } from 'react';

import { testIds } from '../testIds';
import { count, ms, percent, plural, signedMs } from './format';
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
  /**
   * The end-to-end change the headline above the table states (µs): the rows' deltas are its parts, and the line
   * under the table says how much of it the rows shown account for and how much the rest.
   */
  totalDeltaUs: number;
}

/** Below this (µs) a sum is rounding, not a change: `ms()` would print it as 0.000. */
const NEGLIGIBLE_US = 0.5;

/**
 * The ranked change table shared by slow-vs-baseline and the Compare page: rows ordered by the size of their change
 * either way (a decrease as prominent as an increase), then both means. Rows with no critical-path time on either
 * side change nothing: they are left out unless asked for. The line under the table ties the rows to the headline.
 */
export function ChangeTable({ rows, topN, labels, totalDeltaUs }: ChangeTableProps) {
  const styles = useStyles2(getStyles);
  const [showIdle, setShowIdle] = useState(false);
  const withOperation = rows.some((r) => r.operation !== undefined);
  const noun = withOperation ? 'operation' : 'service';
  const { listed, idle } = useMemo(() => byLargestChange(rows), [rows]);
  const visible = useMemo(() => (showIdle ? [...listed, ...idle] : listed), [listed, idle, showIdle]);
  const ranked = useRankedRows(visible, topN);

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
        cell: ({ row }) => <Delta us={row.original.delta} styles={styles} />,
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
  }, [labels, withOperation, styles]);

  return (
    <Stack direction="column" gap={1}>
      {idle.length > 0 && (
        <InlineSwitch
          label={`Show ${plural(idle.length, noun)} with no critical-path time on either side`}
          showLabel
          transparent
          value={showIdle}
          onChange={() => setShowIdle(!showIdle)}
          data-testid={testIds.view.showIdle}
        />
      )}
      <InteractiveTable
        columns={columns}
        data={ranked.shown}
        getRowId={(r: ChangeRow) => r.key}
        fetchData={ranked.onSort}
      />
      <Stack direction="row" gap={2} alignItems="center" wrap="wrap">
        <Reconciliation shown={ranked.shown} listed={visible} totalDeltaUs={totalDeltaUs} noun={noun} />
        <ShowAllButton total={visible.length} ranked={ranked} />
      </Stack>
    </Stack>
  );
}

/**
 * Rows that changed, largest change first whichever its sign (ties keep the engine's order), and the rows with no
 * critical-path time on either side (never on a critical path: nothing to compare).
 */
export function byLargestChange(rows: readonly ChangeRow[]): { listed: ChangeRow[]; idle: ChangeRow[] } {
  const listed: ChangeRow[] = [];
  const idle: ChangeRow[] = [];
  for (const row of rows) {
    (row.subject === 0 && row.reference === 0 ? idle : listed).push(row);
  }
  // Array.prototype.sort is stable (ES2019), so equal sizes stay in the engine's order.
  listed.sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta));
  return { listed, idle };
}

/**
 * "The 10 operations shown account for +64.90 ms of the +65.21 ms change; the other 17, +0.31 ms." The rows'
 * deltas add up to the change in mean latency (every trace's critical path is its latency, split among
 * operations), so whatever the rows shown leave is the rest's; a remainder with no rest left is named as such.
 */
function Reconciliation({
  shown,
  listed,
  totalDeltaUs,
  noun,
}: {
  shown: readonly ChangeRow[];
  listed: readonly ChangeRow[];
  totalDeltaUs: number;
  noun: string;
}) {
  const shownUs = shown.reduce((sum, row) => sum + row.delta, 0);
  const restUs = totalDeltaUs - shownUs;
  const others = listed.length - shown.length;
  const whole = `${signedMs(totalDeltaUs)} ms`;
  let text: string;
  if (others === 0 && Math.abs(restUs) < NEGLIGIBLE_US) {
    text = `The ${plural(shown.length, noun)} shown add up to the whole ${whole} change in mean latency.`;
  } else {
    text = `The ${plural(shown.length, noun)} shown account for ${signedMs(shownUs)} ms of the ${whole} change in mean latency`;
    text +=
      others > 0
        ? `; the other ${count(others)}, not shown, for ${signedMs(restUs)} ms.`
        : `; ${signedMs(restUs)} ms lies on no ${noun}'s critical path.`;
  }
  return (
    <Text variant="bodySmall" color="secondary" data-testid={testIds.view.changeTotal}>
      {text}
    </Text>
  );
}

/** A change with its direction in three ways (sign, arrow, colour): slower in red, faster in green. */
function Delta({ us, styles }: { us: number; styles: ReturnType<typeof getStyles> }) {
  if (Math.abs(us) < NEGLIGIBLE_US) {
    return <Text color="secondary">{signedMs(0)}</Text>;
  }
  const up = us > 0;
  return (
    <span className={styles.delta} title={up ? 'Slower: more critical-path time' : 'Faster: less critical-path time'}>
      <Text color={up ? 'error' : 'success'} tabular>
        {/* Keyed by direction: while traces stream in a row's sign can flip, and an Icon whose name changes can
            keep showing the SVG it loaded first (seen in Chromium with @grafana/ui 12.4). */}
        <Icon key={up ? 'up' : 'down'} name={up ? 'arrow-up' : 'arrow-down'} size="sm" className={styles.arrow} />
        {signedMs(us)}
      </Text>
    </span>
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

const getStyles = (theme: GrafanaTheme2) => ({
  delta: css({ whiteSpace: 'nowrap', fontWeight: theme.typography.fontWeightMedium }),
  arrow: css({ marginRight: theme.spacing(0.5), verticalAlign: 'middle' }),
});
