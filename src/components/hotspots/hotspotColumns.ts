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
 * The widths (px) the table needs for each column: the least width InteractiveTable gives each in Chromium with
 * Grafana's dark theme (cell padding and header tooltip icon included; measured on the demo's traces in the
 * layer-1 harness, whose fallback font is wider than Grafana's Inter), with room for longer numbers. Number
 * columns never wrap; service and operation names wrap, so theirs are the least they keep before a number column
 * is dropped.
 */
export const COLUMN_WIDTHS: Record<OptionalColumn | 'expander' | 'service' | 'operation' | 'share', number> = {
  expander: 40,
  service: 110,
  operation: 180,
  share: 130,
  cpTotal: 140,
  exemplar: 240,
  cpP95: 270,
  spanP95: 150,
  self: 110,
  calls: 75,
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
 * important one that did not fit. The user's choices come on top: a column they hid frees its room for the next
 * ones, a column they asked for is shown whatever the width (the table then scrolls sideways, as they chose) and
 * never pushes out another.
 */
export function fitColumns(width: number | undefined, rollup: boolean, choices: ColumnChoices = {}): ColumnFit {
  let used = COLUMN_WIDTHS.expander + COLUMN_WIDTHS.service + (rollup ? 0 : COLUMN_WIDTHS.operation);
  used += COLUMN_WIDTHS.share;
  const shown = new Set<OptionalColumn>(OPTIONAL_COLUMNS.filter((id) => choices[id] === true));
  for (const id of OPTIONAL_COLUMNS) {
    if (choices[id] === false) {
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
