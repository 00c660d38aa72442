import type { HotspotState } from './types';

/**
 * How often the hooks hand a running analysis's snapshots to React. Every /api/ds/query response and every report
 * refresh makes a snapshot; rendering each one (table, what-if, banner) cost about one long task per response in
 * the browser benchmark (bench/browser.ts) — the page froze while traces were fetched. Four updates a second still
 * read as live progress.
 */
export const PUBLISH_INTERVAL_MS = 250;

export interface CoalescedStates {
  /** A new snapshot: published now, or kept (replacing a kept older one) until the interval has passed. */
  push(state: HotspotState): void;
  /** Publish the kept snapshot now, if there is one (the end of a run's synchronous setup). */
  flush(): void;
  /** Drop the kept snapshot and publish nothing more. */
  cancel(): void;
}

/**
 * Publishes at most one snapshot per `intervalMs` while a run is in progress, always the newest one, and never
 * holds back what the user must see at once: the first snapshot, a change of phase (searching → fetching), and a
 * final state (done, empty, error) — which also discards a kept interim snapshot, so nothing older follows it.
 */
export function coalesceStates(
  publish: (state: HotspotState) => void,
  intervalMs: number = PUBLISH_INTERVAL_MS
): CoalescedStates {
  let last: { state: HotspotState; at: number } | undefined;
  let kept: HotspotState | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let cancelled = false;

  const stopTimer = () => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
  };
  const publishNow = (state: HotspotState) => {
    stopTimer();
    kept = undefined;
    last = { state, at: Date.now() };
    publish(state);
  };

  return {
    push(state) {
      if (cancelled) {
        return;
      }
      const previous = last;
      const urgent = !previous || !inProgress(state) || state.phase !== previous.state.phase;
      if (urgent || Date.now() - previous.at >= intervalMs) {
        publishNow(state);
        return;
      }
      kept = state;
      if (timer === undefined) {
        timer = setTimeout(
          () => {
            timer = undefined;
            if (kept && !cancelled) {
              publishNow(kept);
            }
          },
          Math.max(0, previous.at + intervalMs - Date.now())
        );
      }
    },
    flush() {
      if (kept && !cancelled) {
        publishNow(kept);
      }
    },
    cancel() {
      cancelled = true;
      kept = undefined;
      stopTimer();
    },
  };
}

/** Phases in which more snapshots follow; anything else is a state to show at once. */
function inProgress(state: HotspotState): boolean {
  return state.phase === 'searching' || state.phase === 'fetching';
}
