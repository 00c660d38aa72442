import { emptyState } from './analysis';
import { coalesceStates } from './coalesce';
import type { HotspotPhase, HotspotState } from './types';

const RANGE = { from: 0, to: 1 };

/** A snapshot at `fetched` traces, as the analysis would make it (a new object each time). */
function at(fetched: number, phase: HotspotPhase = 'fetching'): HotspotState {
  const state = emptyState(RANGE, phase);
  return { ...state, progress: { ...state.progress, toFetch: 100, fetched } };
}

describe('coalesceStates', () => {
  let published: HotspotState[];
  beforeEach(() => {
    jest.useFakeTimers();
    published = [];
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('publishes the first snapshot at once, then at most one per interval, always the newest', () => {
    const updates = coalesceStates((s) => published.push(s), 250);
    const first = at(0);
    updates.push(first);
    expect(published).toEqual([first]);

    const burst = [at(25), at(50), at(75)];
    burst.forEach((s) => updates.push(s));
    expect(published).toHaveLength(1);

    jest.advanceTimersByTime(249);
    expect(published).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(published).toEqual([first, burst[2]]);

    // Nothing kept: the timer publishes nothing more.
    jest.advanceTimersByTime(1000);
    expect(published).toHaveLength(2);
  });

  it('publishes at once when the interval has passed since the last publication', () => {
    const updates = coalesceStates((s) => published.push(s), 250);
    updates.push(at(0));
    jest.advanceTimersByTime(300);
    const later = at(25);
    updates.push(later);
    expect(published[published.length - 1]).toBe(later);
    expect(published).toHaveLength(2);
  });

  it('publishes a final state at once and drops the interim one it supersedes', () => {
    const updates = coalesceStates((s) => published.push(s), 250);
    updates.push(at(0));
    updates.push(at(50));
    const done = at(100, 'done');
    updates.push(done);
    expect(published[published.length - 1]).toBe(done);
    jest.advanceTimersByTime(1000);
    expect(published.map((s) => s.phase)).toEqual(['fetching', 'done']);
  });

  it.each<HotspotPhase>(['empty', 'error', 'idle'])('does not hold back a %s state', (phase) => {
    const updates = coalesceStates((s) => published.push(s), 250);
    updates.push(at(0));
    const last = at(0, phase);
    updates.push(last);
    expect(published).toEqual([at(0), last]);
  });

  it('publishes a change of phase at once (searching → fetching)', () => {
    const updates = coalesceStates((s) => published.push(s), 250);
    updates.push(at(0, 'searching'));
    const fetching = at(0);
    updates.push(fetching);
    expect(published[1]).toBe(fetching);
  });

  it("flush() publishes the kept snapshot now (a run's synchronous setup is shown at once)", () => {
    const updates = coalesceStates((s) => published.push(s), 250);
    updates.push(at(0));
    const ready = at(10);
    updates.push(ready);
    updates.flush();
    expect(published).toEqual([at(0), ready]);
    expect(published[1]).toBe(ready);
    jest.advanceTimersByTime(1000);
    updates.flush();
    expect(published).toHaveLength(2);
  });

  it('publishes nothing after cancel(), not even a kept snapshot', () => {
    const updates = coalesceStates((s) => published.push(s), 250);
    updates.push(at(0));
    updates.push(at(50));
    updates.cancel();
    jest.advanceTimersByTime(1000);
    updates.push(at(100, 'done'));
    expect(published).toHaveLength(1);
  });

  it('turns a steady stream into one update per interval', () => {
    const updates = coalesceStates((s) => published.push(s), 250);
    // 2 s of snapshots every 10 ms: 200 of them.
    for (let i = 0; i < 200; i++) {
      updates.push(at(i));
      jest.advanceTimersByTime(10);
    }
    expect(published.length).toBeGreaterThanOrEqual(8);
    expect(published.length).toBeLessThanOrEqual(9);
    const fetched = published.map((s) => s.progress.fetched);
    expect(fetched).toEqual([...fetched].sort((a, b) => a - b));
    // The newest is never lost: it follows within the interval.
    jest.advanceTimersByTime(250);
    expect(published[published.length - 1].progress.fetched).toBe(199);
  });
});
