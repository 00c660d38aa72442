import { OperationTable } from '../engine';
import type { HotspotPhase, HotspotState, TimeRangeMs } from './types';

/** A state with nothing analysed yet: what a run starts from, and what views show before one. */
export function emptyState(range: TimeRangeMs = { from: 0, to: 0 }, phase: HotspotPhase = 'idle'): HotspotState {
  return {
    phase,
    progress: { searched: 0, toFetch: 0, fetched: 0, failed: 0, analysed: 0 },
    records: [],
    operations: new OperationTable(),
    problems: [],
    range,
  };
}
