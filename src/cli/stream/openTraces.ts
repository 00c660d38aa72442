/**
 * The traces `hotpath stream` is still collecting: spans grouped per trace until the trace has been idle for the
 * idle window, at most `maxOpen` at a time, and the offsets it is safe to commit. No Kafka and no clock of its own:
 * the caller passes `nowMs` from a monotonic clock (idle traces are found in order of last activity, which needs
 * times that never go back), so every rule here is tested directly (openTraces.test.ts).
 *
 * Delivery: a partition's offsets are committed only below the first message of its oldest open trace, so a
 * consumer that dies replays every trace it had not finished (and, within the idle window, some it had: the
 * documented double count). Messages at or below a partition's highest processed offset are skipped, because the
 * Kafka client re-reads from the committed offset after every rebalance, also for partitions it keeps.
 */
import type { TraceFragment } from './decode';

export interface OpenTrace {
  traceId: string;
  /** OTLP/JSON `ResourceSpans`, as they arrived. */
  resourceSpans: unknown[];
  spans: number;
  lastSeenMs: number;
  /** Per partition, the offset of the trace's first message there (usually one partition). */
  firstOffsets: Map<number, number>;
  /** Per partition, the offset of the trace's last message there so far. */
  lastOffsets: Map<number, number>;
}

export type FinalReason = 'idle' | 'evicted' | 'shutdown';

export interface Finalised {
  trace: OpenTrace;
  reason: FinalReason;
}

export interface OpenTracesOptions {
  idleMs: number;
  maxOpen: number;
  /** How many finalised trace IDs are remembered to recognise late spans. */
  rememberFinalised: number;
}

export interface AddOutcome {
  /** Spans of a trace finalised moments ago: counted, not merged. */
  lateSpans: number;
  /** Traces finalised early to keep within `maxOpen`. */
  evicted: Finalised[];
}

export class OpenTraces {
  /** Least recently active first (a trace is moved to the end whenever spans arrive). */
  private readonly open = new Map<string, OpenTrace>();
  /** Per partition: its open traces in order of their first message there, i.e. by first offset. */
  private readonly byPartition = new Map<number, Map<string, number>>();
  /** Per partition: the highest offset processed. */
  private readonly processed = new Map<number, number>();
  /** Recently finalised trace IDs, oldest first (a bounded LRU). */
  private readonly finalised = new Set<string>();
  /**
   * Per partition: the traces finalised here that still have a message at or after the partition's committed offset,
   * with the offset of their last message there. A consumer that dies now is replaced by one that reads them again
   * from the committed offset and counts them a second time: their number is the double-count bound at this moment.
   */
  private readonly uncommitted = new Map<number, Map<string, number>>();

  constructor(private readonly options: OpenTracesOptions) {}

  get size(): number {
    return this.open.size;
  }

  get spans(): number {
    let spans = 0;
    for (const trace of this.open.values()) {
      spans += trace.spans;
    }
    return spans;
  }

  /** False for a message this consumer has processed already (a replay after a rebalance): skip it. */
  isNew(partition: number, offset: number): boolean {
    const done = this.processed.get(partition);
    return done === undefined || offset > done;
  }

  /** Marks a message processed (also one that was malformed or had no spans). */
  markProcessed(partition: number, offset: number): void {
    const done = this.processed.get(partition);
    if (done === undefined || offset > done) {
      this.processed.set(partition, offset);
    }
  }

  /** Adds one message's spans of one trace. */
  add(partition: number, offset: number, fragment: TraceFragment, nowMs: number): AddOutcome {
    const outcome: AddOutcome = { lateSpans: 0, evicted: [] };
    if (this.finalised.has(fragment.traceId)) {
      outcome.lateSpans = fragment.spans;
      // Counted late here, but a successor replaying this message would count it as a trace of its own.
      this.markUncommitted(partition, fragment.traceId, offset);
      return outcome;
    }
    let trace = this.open.get(fragment.traceId);
    if (trace === undefined) {
      while (this.open.size >= this.options.maxOpen) {
        const oldest = this.open.values().next().value;
        if (oldest === undefined) {
          break;
        }
        outcome.evicted.push({ trace: this.close(oldest), reason: 'evicted' });
      }
      trace = {
        traceId: fragment.traceId,
        resourceSpans: [],
        spans: 0,
        lastSeenMs: nowMs,
        firstOffsets: new Map(),
        lastOffsets: new Map(),
      };
    } else {
      this.open.delete(fragment.traceId); // re-inserted below: now the most recently active
    }
    this.open.set(trace.traceId, trace);
    trace.lastSeenMs = nowMs;
    trace.resourceSpans.push(...fragment.resourceSpans);
    trace.spans += fragment.spans;
    trace.lastOffsets.set(partition, offset);
    if (!trace.firstOffsets.has(partition)) {
      trace.firstOffsets.set(partition, offset);
      let index = this.byPartition.get(partition);
      if (index === undefined) {
        index = new Map();
        this.byPartition.set(partition, index);
      }
      index.set(trace.traceId, offset);
    }
    return outcome;
  }

  /** Finalises and returns the traces idle for the idle window at `nowMs`. */
  takeIdle(nowMs: number): Finalised[] {
    const done: Finalised[] = [];
    for (const trace of this.open.values()) {
      if (nowMs - trace.lastSeenMs < this.options.idleMs) {
        break; // the rest were active more recently
      }
      done.push({ trace: this.close(trace), reason: 'idle' });
    }
    return done;
  }

  /** Finalises every open trace (graceful shutdown). */
  takeAll(): Finalised[] {
    return [...this.open.values()].map((trace) => ({ trace: this.close(trace), reason: 'shutdown' as const }));
  }

  /**
   * Forgets the partitions' open traces (they were revoked: their new owner replays them from the committed offset)
   * and their processed offsets. Returns the traces dropped, and how many traces finalised here had a message at or
   * after those partitions' committed offsets: the new owner counts them again (a rebalance's double count). A trace
   * that also has spans on a partition this consumer keeps is dropped as a whole: analysing a part would be wrong.
   */
  dropPartitions(partitions: Iterable<number>): { dropped: OpenTrace[]; handedOverTraces: number } {
    const revoked = [...partitions];
    const dropped: OpenTrace[] = [];
    const handedOverTraces = this.uncommittedOn(revoked).size;
    for (const partition of revoked) {
      for (const traceId of this.byPartition.get(partition)?.keys() ?? []) {
        const trace = this.open.get(traceId);
        if (trace !== undefined) {
          dropped.push(this.close(trace, false));
        }
      }
      this.byPartition.delete(partition);
      this.processed.delete(partition);
      this.uncommitted.delete(partition);
    }
    return { dropped, handedOverTraces };
  }

  /** The broker has stored `offset` as the partition's committed offset: traces wholly below it are safe. */
  committed(partition: number, offset: number): void {
    const traces = this.uncommitted.get(partition);
    for (const [traceId, last] of traces ?? []) {
      if (last < offset) {
        traces?.delete(traceId);
      }
    }
  }

  /**
   * Traces finalised here with a message not yet below the committed offset of its partition: how many a crash now
   * could make the successor count a second time (a trace on several partitions counts once).
   */
  get uncommittedTraces(): number {
    if (this.uncommitted.size === 1) {
      return this.uncommitted.values().next().value?.size ?? 0;
    }
    return this.uncommittedOn(this.uncommitted.keys()).size;
  }

  /** The traces finalised here with a message not yet committed on any of these partitions (each trace once). */
  private uncommittedOn(partitions: Iterable<number>): Set<string> {
    const traces = new Set<string>();
    for (const partition of partitions) {
      for (const traceId of this.uncommitted.get(partition)?.keys() ?? []) {
        traces.add(traceId);
      }
    }
    return traces;
  }

  private markUncommitted(partition: number, traceId: string, offset: number): void {
    let traces = this.uncommitted.get(partition);
    if (traces === undefined) {
      traces = new Map();
      this.uncommitted.set(partition, traces);
    }
    traces.set(traceId, Math.max(offset, traces.get(traceId) ?? offset));
  }

  /**
   * The offset to commit for a partition (the next message to read after a restart): the first message of its
   * oldest open trace, or the one after the last processed message. Undefined when nothing was processed there.
   */
  commitOffset(partition: number): number | undefined {
    const oldest = this.byPartition.get(partition)?.values().next().value;
    if (oldest !== undefined) {
      return oldest;
    }
    const done = this.processed.get(partition);
    return done === undefined ? undefined : done + 1;
  }

  /** Partitions with processed messages. */
  partitions(): number[] {
    return [...this.processed.keys()];
  }

  private close(trace: OpenTrace, remember = true): OpenTrace {
    this.open.delete(trace.traceId);
    for (const partition of trace.firstOffsets.keys()) {
      this.byPartition.get(partition)?.delete(trace.traceId);
    }
    if (remember) {
      for (const [partition, offset] of trace.lastOffsets) {
        this.markUncommitted(partition, trace.traceId, offset);
      }
      this.finalised.add(trace.traceId);
      if (this.finalised.size > this.options.rememberFinalised) {
        const oldest = this.finalised.values().next().value;
        if (oldest !== undefined) {
          this.finalised.delete(oldest);
        }
      }
    }
    return trace;
  }
}
