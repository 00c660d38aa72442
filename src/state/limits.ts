/** Default and hard maximum for `HotspotQuery.maxTraces`: shared by the options editors and the data layer. */
export const DEFAULT_MAX_TRACES = 500;
export const MAX_TRACES_LIMIT = 1500;

/** A configured trace count as the runs use it: the default when unset or invalid, at most `MAX_TRACES_LIMIT`. */
export function clampMaxTraces(maxTraces: number | undefined): number {
  if (maxTraces === undefined || !Number.isFinite(maxTraces) || maxTraces < 1) {
    return DEFAULT_MAX_TRACES;
  }
  return Math.min(Math.floor(maxTraces), MAX_TRACES_LIMIT);
}
