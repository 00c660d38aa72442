/** One column to sort by, as InteractiveTable reports it. */
export interface SortRule {
  id: string;
  desc?: boolean;
}

/**
 * Sorts rows by one of their fields: numbers numerically with NaN (no samples) last in either direction, anything
 * else as text by locale. Stable, and a new array; `rows` itself is not touched.
 */
export function sortRows<T extends object>(rows: readonly T[], rule: SortRule | undefined): T[] {
  if (!rule) {
    return [...rows];
  }
  const id = rule.id as keyof T;
  const sign = rule.desc ? -1 : 1;
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => {
      const x = a.row[id];
      const y = b.row[id];
      if (typeof x === 'number' && typeof y === 'number') {
        const xNaN = Number.isNaN(x);
        const yNaN = Number.isNaN(y);
        if (xNaN || yNaN) {
          return xNaN === yNaN ? a.index - b.index : xNaN ? 1 : -1;
        }
        return sign * (x - y) || a.index - b.index;
      }
      return sign * String(x ?? '').localeCompare(String(y ?? '')) || a.index - b.index;
    })
    .map(({ row }) => row);
}

/** The same rules, as a new array only when they differ (so a table's sort callback does not loop). */
export function sameRules(previous: SortRule[], next: ReadonlyArray<{ id: string; desc?: boolean }>): SortRule[] {
  return previous.length === next.length && previous.every((r, i) => r.id === next[i].id && r.desc === next[i].desc)
    ? previous
    : next.map(({ id, desc }) => ({ id, desc }));
}
