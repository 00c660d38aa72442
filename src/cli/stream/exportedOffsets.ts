/**
 * Which offsets `hotpath stream` may commit, given that its counts live in the process until Prometheus scrapes
 * them. Committing what was merely analysed would let a crash lose the traces counted since the last scrape: they
 * were committed, so no successor replays them, and their counts die with the process. So a partition's commit also
 * waits for a scrape: it moves at most to the offset that was safe (below every open trace) when the last /metrics
 * answer was served, since every trace wholly below that offset was counted in that answer.
 *
 * Why that holds: a trace counted after the answer was open or unread when the answer was made, so its first message
 * is at or after the offset safe then (OpenTraces.commitOffset: the first message of the oldest open trace, or the
 * one after the last processed). A crash therefore replays every trace the metrics have not shown, and can only
 * count twice those they have shown (bounded by hotpath_uncommitted_traces at that scrape).
 *
 * Nobody scraping must not mean committing nothing forever (a restart would replay days, and the memory of
 * uncommitted traces would grow): after `unscrapedAfterMs` without a delivered answer, commits follow the analysis
 * again (the counts of a crash then are lost, but nothing was reading them), until the next scrape.
 * No Kafka and no clock of its own (the caller passes `nowMs`): tested directly in exportedOffsets.test.ts.
 */

/** The safe offsets when one /metrics answer was made; `delivered` once the answer was written out. */
export interface ExportSnapshot {
  readonly offsets: ReadonlyMap<number, number>;
  /** `ExportedOffsets.revocations` when it was taken: a snapshot older than a revocation is stale. */
  readonly revocations: number;
}

export class ExportedOffsets {
  /** Per partition: the safe offset of the last delivered answer. */
  private readonly exported = new Map<number, number>();
  private lastDeliveredMs: number;
  private revocations = 0;
  private delivery = 0;

  constructor(
    private readonly unscrapedAfterMs: number,
    startedMs: number
  ) {
    this.lastDeliveredMs = startedMs;
  }

  /** Taken right before the metrics text is made, from the offsets safe at that moment. */
  snapshot(safe: ReadonlyMap<number, number>): ExportSnapshot {
    return { offsets: new Map(safe), revocations: this.revocations };
  }

  /** The answer made with the snapshot reached the scraper. */
  delivered(snapshot: ExportSnapshot, nowMs: number): void {
    this.lastDeliveredMs = Math.max(this.lastDeliveredMs, nowMs);
    this.delivery++;
    if (snapshot.revocations !== this.revocations) {
      // A partition moved away meanwhile (and may be back with another owner's offsets): too old to vouch for it.
      return;
    }
    for (const [partition, offset] of snapshot.offsets) {
      this.exported.set(partition, Math.max(offset, this.exported.get(partition) ?? offset));
    }
  }

  /** Answers delivered so far (a stopping consumer waits for the one after its final analysis). */
  get deliveries(): number {
    return this.delivery;
  }

  /** True while nobody has scraped for `unscrapedAfterMs`: commits then follow the analysis alone. */
  unscraped(nowMs: number): boolean {
    return nowMs - this.lastDeliveredMs >= this.unscrapedAfterMs;
  }

  /** The offset the partition may be committed at, given the offset safe for the analysis; undefined: not yet. */
  commitLimit(partition: number, safe: number, nowMs: number): number | undefined {
    if (this.unscraped(nowMs)) {
      return safe;
    }
    const exported = this.exported.get(partition);
    return exported === undefined ? undefined : Math.min(safe, exported);
  }

  /** The partitions were revoked: what was exported of them says nothing about their next assignment. */
  revoke(partitions: Iterable<number>): void {
    for (const partition of partitions) {
      this.exported.delete(partition);
    }
    this.revocations++;
  }
}
