import type { Comparison, HotspotReport } from '../../engine';

interface Operation {
  service: string;
  operation: string;
}

/**
 * The report or comparison narrowed to one (service, operation) — its row, and its service's in the rollup — or
 * as it is when nothing is picked. A new object only when narrowed, so memoised tables skip work otherwise.
 */
export function onlyOperation<T extends HotspotReport | Comparison>(ranking: T, picked: Operation | undefined): T {
  if (picked === undefined) {
    return ranking;
  }
  const isPicked = (row: { service: string; operation?: string }) =>
    row.service === picked.service && row.operation === picked.operation;
  if ('operations' in ranking) {
    return {
      ...ranking,
      operations: ranking.operations.filter(isPicked),
      services: ranking.services.filter((row) => row.service === picked.service),
    };
  }
  return { ...ranking, rows: ranking.rows.filter(isPicked) };
}
