/** @jest-environment node */
import { ExportedOffsets } from './exportedOffsets';
import type { TraceFragment } from './decode';
import { OpenTraces } from './openTraces';

const UNSCRAPED_AFTER_MS = 120_000;

function fragment(traceId: string): TraceFragment {
  return { traceId, resourceSpans: [{}], spans: 1 };
}

describe('ExportedOffsets', () => {
  it('commits nothing before the first scrape, then at most what that scrape covered', () => {
    const exported = new ExportedOffsets(UNSCRAPED_AFTER_MS, 0);
    expect(exported.commitLimit(0, 10, 1000)).toBeUndefined();
    const snapshot = exported.snapshot(new Map([[0, 4]]));
    // Made but not yet delivered: the scraper has not seen it.
    expect(exported.commitLimit(0, 10, 1000)).toBeUndefined();
    exported.delivered(snapshot, 1000);
    expect(exported.commitLimit(0, 10, 1000)).toBe(4);
    // The analysis may also be behind the scrape (a trace opened since): the lower one wins.
    expect(exported.commitLimit(0, 3, 1000)).toBe(3);
    // A partition the scrape did not cover stays uncommitted.
    expect(exported.commitLimit(1, 10, 1000)).toBeUndefined();
  });

  it('never moves back when an older answer is delivered after a newer one', () => {
    const exported = new ExportedOffsets(UNSCRAPED_AFTER_MS, 0);
    const older = exported.snapshot(new Map([[0, 4]]));
    const newer = exported.snapshot(new Map([[0, 9]]));
    exported.delivered(newer, 10);
    exported.delivered(older, 20);
    expect(exported.commitLimit(0, 100, 20)).toBe(9);
  });

  it('ignores an answer made before a revocation: the partition may be back with other offsets', () => {
    const exported = new ExportedOffsets(UNSCRAPED_AFTER_MS, 0);
    const before = exported.snapshot(new Map([[0, 50]]));
    exported.revoke([0]);
    exported.delivered(before, 10);
    expect(exported.commitLimit(0, 100, 10)).toBeUndefined();
    expect(exported.deliveries).toBe(1);
  });

  it('commits as analysed once nobody has scraped for the configured time, and waits again after a scrape', () => {
    const exported = new ExportedOffsets(UNSCRAPED_AFTER_MS, 0);
    expect(exported.commitLimit(0, 10, UNSCRAPED_AFTER_MS - 1)).toBeUndefined();
    expect(exported.unscraped(UNSCRAPED_AFTER_MS)).toBe(true);
    expect(exported.commitLimit(0, 10, UNSCRAPED_AFTER_MS)).toBe(10);
    exported.delivered(exported.snapshot(new Map([[0, 12]])), UNSCRAPED_AFTER_MS + 5);
    expect(exported.commitLimit(0, 20, UNSCRAPED_AFTER_MS + 6)).toBe(12);
  });

  it('with OpenTraces: no trace counted after the last delivered scrape is ever below the offset it allows', () => {
    // A random interleaving of arriving messages, idle finalisation and scrapes. The property that makes a crash
    // lose nothing: when the process dies, every trace finalised (counted) after the last delivered scrape has all
    // of its messages at or after the committed offset, so the successor replays it.
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 50; round++) {
      const open = new OpenTraces({ idleMs: 100, maxOpen: 8, rememberFinalised: 1000 });
      const exported = new ExportedOffsets(UNSCRAPED_AFTER_MS, 0);
      const firstOffset = new Map<string, number>();
      const countedAfterScrape = new Set<string>();
      let committed = 0;
      let offset = 0;
      for (let now = 0; now < 3000; now += 10) {
        const counted: string[] = [];
        const action = random();
        if (action < 0.6) {
          const traceId = `t${Math.floor(random() * 40) + round * 100}`;
          if (!firstOffset.has(traceId)) {
            firstOffset.set(traceId, offset);
          }
          counted.push(...open.add(0, offset, fragment(traceId), now).evicted.map((f) => f.trace.traceId));
          open.markProcessed(0, offset++);
        } else if (action < 0.8) {
          counted.push(...open.takeIdle(now).map((f) => f.trace.traceId));
        } else if (action < 0.9) {
          const safe = open.commitOffset(0);
          const snapshot = exported.snapshot(safe === undefined ? new Map() : new Map([[0, safe]]));
          exported.delivered(snapshot, now);
          countedAfterScrape.clear();
        } else {
          const safe = open.commitOffset(0);
          const limit = safe === undefined ? undefined : exported.commitLimit(0, safe, now);
          if (limit !== undefined && limit > committed) {
            committed = limit;
            open.committed(0, limit);
          }
        }
        counted.forEach((traceId) => countedAfterScrape.add(traceId));
        const lost = [...countedAfterScrape].filter((traceId) => (firstOffset.get(traceId) ?? 0) < committed);
        expect(lost).toEqual([]);
      }
    }
  });
});
