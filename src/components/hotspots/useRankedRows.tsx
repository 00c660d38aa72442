import { Button, FetchDataFunc } from '@grafana/ui';
import React, { useCallback, useMemo, useState } from 'react';

import { count } from './format';
import { sameRules, SortRule, sortRows } from './sortRows';

export interface RankedRows<T extends object> {
  /** The rows to render: sorted by the table's column, then cut to the top N unless "show all" is on. */
  shown: T[];
  /** InteractiveTable's `fetchData`: records the column the user sorted by. */
  onSort: FetchDataFunc<T>;
  /** The top-N option as a whole number ≥ 1. */
  limit: number;
  showAll: boolean;
  toggleShowAll: () => void;
}

/**
 * The ranking tables' shared mechanics (hotspots, slow vs baseline, Compare page): sorting applies to all `rows`
 * before the top-N cut, so "top 20 by error rate" means what it says.
 */
export function useRankedRows<T extends object>(rows: readonly T[], topN: number): RankedRows<T> {
  const [sortBy, setSortBy] = useState<SortRule[]>([]);
  const [showAll, setShowAll] = useState(false);
  const limit = Math.max(1, Math.floor(topN) || 1);
  const shown = useMemo(() => {
    const sorted = sortRows(rows, sortBy[0]);
    return showAll ? sorted : sorted.slice(0, limit);
  }, [rows, sortBy, showAll, limit]);
  const onSort = useCallback<FetchDataFunc<T>>(({ sortBy: next }) => {
    setSortBy((previous) => sameRules(previous, next));
  }, []);
  const toggleShowAll = useCallback(() => setShowAll((all) => !all), []);
  return { shown, onSort, limit, showAll, toggleShowAll };
}

/** "Show all N" / "Show top N", only when there are more rows than the top-N cut. */
export function ShowAllButton({
  total,
  ranked,
}: {
  total: number;
  ranked: Pick<RankedRows<object>, 'limit' | 'showAll' | 'toggleShowAll'>;
}) {
  if (total <= ranked.limit) {
    return null;
  }
  // In a block of its own, so a column Stack does not stretch the button.
  return (
    <div>
      <Button size="sm" variant="secondary" fill="text" onClick={ranked.toggleShowAll}>
        {ranked.showAll ? `Show top ${count(ranked.limit)}` : `Show all ${count(total)}`}
      </Button>
    </div>
  );
}
