import { locationService } from '@grafana/runtime';
import { useCallback, useMemo } from 'react';
import { useLocation } from 'react-router-dom';

import type { UrlQuery } from './urlState';

/**
 * A page's state read from the URL's search params (re-read whenever the location changes — Grafana's router and
 * `locationService` share one history) and written back through `locationService.partial`, which keeps every
 * parameter the page does not own (Grafana's own, like `orgId`).
 */
export function useUrlState<T>(
  parse: (search: string) => T,
  serialize: (state: T) => UrlQuery
): [T, (next: T, options?: { replace?: boolean }) => void] {
  const { search } = useLocation();
  const state = useMemo(() => parse(search), [parse, search]);
  const update = useCallback(
    (next: T, options: { replace?: boolean } = {}) => locationService.partial(serialize(next), options.replace),
    [serialize]
  );
  return [state, update];
}
