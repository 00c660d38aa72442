/**
 * Which columns of the hotspot table fit a given width. The table first shows what answers "what makes requests
 * slow" (service, operation, critical-path share), then the columns below in this order while they fit; the rest
 * stay one click away (row expansion, column chooser). Pure, so the choice can be tested at any width.
 */

/** The columns that may be left out, most important first. */
export const OPTIONAL_COLUMNS = [
  'cpTotal',
  'exemplar',
  'cpP95',
  'spanP95',
  'self',
  'calls',
  'errorRate',
  'traces',
] as const;
export type OptionalColumn = (typeof OPTIONAL_COLUMNS)[number];

/**
 * The widths (px) the table needs for each column, as rendered by InteractiveTable in Chromium with Grafana's
 * theme (cell padding included), rounded up. Number columns never wrap, so these are what they take at most for the
 * values the engine produces (up to 7 digits with separators); the expander, service and operation columns wrap
 * their text, so theirs are the least they are given before a number column is dropped.
 */
export const COLUMN_WIDTHS: Record<OptionalColumn | 'expander' | 'service' | 'operation' | 'share', number> = {
  expander: 48,
  service: 130,
  operation: 190,
  share: 140,
  cpTotal: 120,
  exemplar: 200,
  cpP95: 250,
  spanP95: 130,
  self: 100,
  calls: 80,
  errorRate: 80,
  traces: 80,
};

/** A user's explicit choice for a column (column chooser): shown or hidden whatever the width. */
export type ColumnChoices = Partial<Record<OptionalColumn, boolean>>;

export interface ColumnFit {
  /** Optional columns to render, in table order. */
  shown: OptionalColumn[];
  /** Optional columns left out (by width or by the user), in table order. */
  hidden: OptionalColumn[];
}

/**
 * The optional columns to show at `width` px (undefined: not measured yet, e.g. outside a browser — all of them).
 * Columns are taken in priority order while they fit, skipping none: a narrow column never jumps ahead of a more
 * important one that did not fit. The user's choices win over the width.
 */
export function fitColumns(width: number | undefined, rollup: boolean, choices: ColumnChoices = {}): ColumnFit {
  const chosen = OPTIONAL_COLUMNS.filter((id) => choices[id] === true);
  let used = COLUMN_WIDTHS.expander + COLUMN_WIDTHS.service + (rollup ? 0 : COLUMN_WIDTHS.operation);
  used += COLUMN_WIDTHS.share + chosen.reduce((sum, id) => sum + COLUMN_WIDTHS[id], 0);
  const shown = new Set<OptionalColumn>(chosen);
  for (const id of OPTIONAL_COLUMNS) {
    if (choices[id] !== undefined) {
      continue;
    }
    if (width !== undefined && used + COLUMN_WIDTHS[id] > width) {
      break;
    }
    shown.add(id);
    used += COLUMN_WIDTHS[id];
  }
  return {
    shown: OPTIONAL_COLUMNS.filter((id) => shown.has(id)),
    hidden: OPTIONAL_COLUMNS.filter((id) => !shown.has(id)),
  };
}
