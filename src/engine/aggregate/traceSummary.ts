import type { TraceAnalysis } from '../analyze';
import { TraceDiagnostics } from '../model/diagnostics';
import { grownFrom } from '../model/typedArrays';
import { TraceContextBuilder, TraceContexts } from './traceContexts';

/**
 * The per-span columns of one analysed trace that aggregation reads. An analysis made elsewhere — e.g. by the
 * CLI in a worker thread — can be given as these without its whole trace model.
 */
export interface TraceContribution {
  traceId: string;
  size: number;
  operation: Int32Array;
  duration: Float64Array;
  error: Uint8Array;
  selfUs: Float64Array;
  /** The critical-path time of each span (`CriticalPath.spanPathUs`). */
  spanPathUs: Float64Array;
  /** Each span's parent (`TraceModel.parent`): needed only for call contexts. */
  parent?: Int32Array;
  latencyUs: number;
  diagnostics: TraceDiagnostics;
}

/** The columns of an analysis that aggregation reads (views, nothing copied). */
export function contributionOf(analysis: TraceAnalysis): TraceContribution {
  const { trace, path } = analysis;
  return {
    traceId: trace.traceId,
    size: trace.size,
    operation: trace.operation,
    duration: trace.duration,
    error: trace.error,
    selfUs: analysis.selfUs,
    spanPathUs: path.spanPathUs,
    parent: trace.parent,
    latencyUs: analysis.latencyUs,
    diagnostics: path.diagnostics,
  };
}

/**
 * One trace's contribution per operation: everything `HotspotAggregator` adds up, with the per-span sums already
 * taken within the trace. Only span durations stay per span (percentiles need them), grouped by operation.
 *
 * Why: the aggregator then works per (trace, operation) instead of per span, and a summary is what a worker
 * thread sends — so the thread that merges does a tenth of the work it did with per-span columns, and both paths
 * sum in the same order (within each trace first), so their results are identical.
 */
export interface TraceSummary {
  traceId: string;
  spans: number;
  latencyUs: number;
  diagnostics: TraceDiagnostics;
  /** The trace's operations, each once, in the order they first appear among its spans. */
  operations: Int32Array;
  /** Per entry of `operations`: */
  criticalPathUs: Float64Array;
  selfUs: Float64Array;
  errors: Float64Array;
  /** Spans of the operation; also how many of `durations` are its. */
  calls: Int32Array;
  /** Span durations grouped by operation, in the order of `operations`, `calls[k]` each. */
  durations: Float64Array;
  /** Critical-path time by calling context, when the summarizer was asked for it. */
  contexts?: TraceContexts;
}

/**
 * Turns contributions into summaries. The summary's arrays are views into buffers reused by the next call: a
 * caller that keeps anything copies it (the aggregator copies what it keeps; a worker packs them into a file's
 * columns).
 */
export class TraceSummarizer {
  /** Set when asked for call contexts (they cost a walk over the critical path's spans and their ancestors). */
  private readonly contextBuilder?: TraceContextBuilder;
  private traceNo = 0;
  /** Per operation id: the trace that last saw it, and its entry in that trace's summary. */
  private seenIn = new Int32Array(64);
  private entry = new Int32Array(64);
  private operations = new Int32Array(64);
  private calls = new Int32Array(64);
  private fill = new Int32Array(64);
  private criticalPathUs = new Float64Array(64);
  private selfUs = new Float64Array(64);
  private errors = new Float64Array(64);
  private durations = new Float64Array(256);

  constructor(options: { callContexts?: boolean } = {}) {
    if (options.callContexts) {
      this.contextBuilder = new TraceContextBuilder();
    }
  }

  summarize(contribution: TraceContribution): TraceSummary {
    const { size, operation, duration, error, selfUs, spanPathUs } = contribution;
    const traceNo = ++this.traceNo;
    this.reserveSpans(size);
    // 1. The operations in order of first appearance, and how many spans each has.
    let count = 0;
    for (let i = 0; i < size; i++) {
      const op = operation[i];
      if (op >= this.seenIn.length) {
        this.reserveOperationIds(op + 1);
      }
      if (this.seenIn[op] !== traceNo) {
        this.seenIn[op] = traceNo;
        this.entry[op] = count;
        this.operations[count] = op;
        this.calls[count] = 0;
        this.criticalPathUs[count] = 0;
        this.selfUs[count] = 0;
        this.errors[count] = 0;
        count++;
      }
      this.calls[this.entry[op]]++;
    }
    // 2. Where each operation's durations start.
    let at = 0;
    for (let k = 0; k < count; k++) {
      this.fill[k] = at;
      at += this.calls[k];
    }
    // 3. The sums, in span order within the trace, and the durations in their groups.
    const { entry, criticalPathUs, errors, fill, durations } = this;
    const self = this.selfUs;
    for (let i = 0; i < size; i++) {
      const k = entry[operation[i]];
      criticalPathUs[k] += spanPathUs[i];
      self[k] += selfUs[i];
      errors[k] += error[i];
      durations[fill[k]++] = duration[i];
    }
    const summary: TraceSummary = {
      traceId: contribution.traceId,
      spans: size,
      latencyUs: contribution.latencyUs,
      diagnostics: contribution.diagnostics,
      operations: this.operations.subarray(0, count),
      criticalPathUs: criticalPathUs.subarray(0, count),
      selfUs: self.subarray(0, count),
      errors: errors.subarray(0, count),
      calls: this.calls.subarray(0, count),
      durations: durations.subarray(0, size),
    };
    if (this.contextBuilder !== undefined) {
      if (contribution.parent === undefined) {
        throw new Error("call contexts need the spans' parents: the contribution has no `parent` column");
      }
      summary.contexts = this.contextBuilder.build(size, contribution.parent, operation, spanPathUs);
    }
    return summary;
  }

  /** Per-entry buffers hold at most one entry per span; durations exactly one per span. */
  private reserveSpans(size: number): void {
    if (this.durations.length >= size && this.operations.length >= size) {
      return;
    }
    const capacity = Math.max(size, 2 * this.durations.length);
    this.durations = new Float64Array(capacity);
    this.operations = new Int32Array(capacity);
    this.calls = new Int32Array(capacity);
    this.fill = new Int32Array(capacity);
    this.criticalPathUs = new Float64Array(capacity);
    this.selfUs = new Float64Array(capacity);
    this.errors = new Float64Array(capacity);
  }

  private reserveOperationIds(ids: number): void {
    const capacity = Math.max(ids, 2 * this.seenIn.length);
    this.seenIn = grownFrom(new Int32Array(capacity), this.seenIn);
    this.entry = grownFrom(new Int32Array(capacity), this.entry);
  }
}
