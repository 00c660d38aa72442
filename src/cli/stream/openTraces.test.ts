/** @jest-environment node */
import type { TraceFragment } from './decode';
import { OpenTraces } from './openTraces';

function fragment(traceId: string, spans = 1): TraceFragment {
  return { traceId, resourceSpans: Array.from({ length: spans }, (_, i) => ({ span: i })), spans };
}

function openTraces(options: Partial<{ idleMs: number; maxOpen: number; rememberFinalised: number }> = {}) {
  return new OpenTraces({ idleMs: 1000, maxOpen: 100, rememberFinalised: 100, ...options });
}

describe('OpenTraces', () => {
  it('finalises a trace once it has been idle for the idle window, with all its spans', () => {
    const open = openTraces();
    open.add(0, 10, fragment('a', 2), 0);
    open.add(0, 11, fragment('a', 3), 900);
    expect(open.takeIdle(1899)).toEqual([]);
    const [done] = open.takeIdle(1900);
    expect(done.reason).toBe('idle');
    expect(done.trace.spans).toBe(5);
    expect(done.trace.resourceSpans).toHaveLength(5);
    expect(open.size).toBe(0);
  });

  it('finalises the least recently active trace early when --max-open-traces is reached', () => {
    const open = openTraces({ maxOpen: 2 });
    open.add(0, 1, fragment('a'), 0);
    open.add(0, 2, fragment('b'), 1);
    open.add(0, 3, fragment('a'), 2); // a is now the more recently active
    const { evicted } = open.add(0, 4, fragment('c'), 3);
    expect(evicted.map((f) => [f.trace.traceId, f.reason])).toEqual([['b', 'evicted']]);
    expect(open.size).toBe(2);
  });

  it('counts spans of a finalised trace as late and does not reopen it', () => {
    const open = openTraces();
    open.add(0, 1, fragment('a'), 0);
    open.takeIdle(5000);
    expect(open.add(0, 2, fragment('a', 4), 5001)).toEqual({ lateSpans: 4, evicted: [] });
    expect(open.size).toBe(0);
  });

  it('forgets the oldest finalised IDs beyond its memory (bounded), so their spans open a new trace', () => {
    const open = openTraces({ rememberFinalised: 1 });
    open.add(0, 1, fragment('a'), 0);
    open.add(0, 2, fragment('b'), 0);
    open.takeIdle(5000);
    expect(open.add(0, 3, fragment('b'), 5001).lateSpans).toBe(1);
    expect(open.add(0, 4, fragment('a'), 5001).lateSpans).toBe(0);
  });

  it('commits below the first message of the oldest open trace of each partition, else after the last processed', () => {
    const open = openTraces();
    expect(open.commitOffset(0)).toBeUndefined();
    for (const [partition, offset, id, now] of [
      [0, 5, 'a', 0],
      [1, 40, 'c', 100],
      [0, 6, 'b', 500],
      [0, 7, 'a', 600],
    ] as const) {
      open.add(partition, offset, fragment(id), now);
      open.markProcessed(partition, offset);
    }
    expect(open.commitOffset(0)).toBe(5);
    expect(open.commitOffset(1)).toBe(40);
    // b goes idle first (a was active at 600): a, still open, holds the commit at its first message.
    expect(open.takeIdle(1550).map((f) => f.trace.traceId)).toEqual(['c', 'b']);
    expect(open.commitOffset(0)).toBe(5);
    expect(open.commitOffset(1)).toBe(41);
    open.takeIdle(1600);
    expect(open.commitOffset(0)).toBe(8);
  });

  it('counts the finalised traces a crash would replay: those with a message at or after the committed offset', () => {
    const open = openTraces();
    for (const [offset, id, now] of [
      [5, 'a', 0],
      [6, 'b', 0],
      [7, 'b', 100],
      [8, 'c', 900],
    ] as const) {
      open.add(0, offset, fragment(id), now);
      open.markProcessed(0, offset);
    }
    expect(open.uncommittedTraces).toBe(0); // nothing analysed yet: a replay counts nothing twice
    open.takeIdle(1100); // a and b analysed; c (first message 8) still open
    expect(open.uncommittedTraces).toBe(2);
    expect(open.commitOffset(0)).toBe(8);
    open.committed(0, 7); // b's last message (7) is not below 7: replayed after a crash
    expect(open.uncommittedTraces).toBe(1);
    open.committed(0, 8);
    expect(open.uncommittedTraces).toBe(0);
    // A late message of a's is replayed too, and a successor would count it as a trace of its own.
    expect(open.add(0, 9, fragment('a'), 1200).lateSpans).toBe(1);
    expect(open.uncommittedTraces).toBe(1);
    // A revoked partition's finalised traces are its new owner's to replay: counted twice now (handed over), and
    // no longer this consumer's risk.
    expect(open.dropPartitions([0]).handedOverTraces).toBe(1);
    expect(open.uncommittedTraces).toBe(0);
  });

  it('skips messages at or below the highest processed offset (the replay after a rebalance)', () => {
    const open = openTraces();
    open.markProcessed(3, 20);
    expect(open.isNew(3, 20)).toBe(false);
    expect(open.isNew(3, 21)).toBe(true);
    expect(open.isNew(4, 0)).toBe(true);
  });

  it('drops the open traces of revoked partitions, without remembering them as finalised', () => {
    const open = openTraces();
    open.add(0, 1, fragment('a', 2), 0);
    open.add(1, 1, fragment('b', 3), 0);
    open.markProcessed(1, 1);
    expect(open.dropPartitions([1]).dropped.map((t) => [t.traceId, t.spans])).toEqual([['b', 3]]);
    expect(open.size).toBe(1);
    expect(open.isNew(1, 1)).toBe(true);
    expect(open.commitOffset(1)).toBeUndefined();
    // Its new owner may hand it back: then it is a new trace, not a late one.
    expect(open.add(1, 1, fragment('b'), 1).lateSpans).toBe(0);
  });

  it('finalises everything on shutdown', () => {
    const open = openTraces();
    open.add(0, 1, fragment('a'), 0);
    open.add(0, 2, fragment('b'), 0);
    expect(open.takeAll().map((f) => [f.trace.traceId, f.reason])).toEqual([
      ['a', 'shutdown'],
      ['b', 'shutdown'],
    ]);
  });
});
