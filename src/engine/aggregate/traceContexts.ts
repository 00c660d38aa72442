import { PairTable } from './pairTable';

/**
 * One trace's critical-path time by calling context: a small tree whose entries are the distinct paths of
 * operations from the trace's root span down to a span that has critical-path time of its own, with the entries
 * on the way (ancestors, often without time of their own) included. Two spans with the same path — e.g. a loop of
 * `redis GET` under the same handler — share one entry; an operation under itself (recursion) is a new entry.
 *
 * Entries are in creation order, so a parent entry always comes before its children.
 */
export interface TraceContexts {
  /** Per entry: its parent entry, or -1 for the root operation. */
  parent: Int32Array;
  /** Per entry: the operation id (of the run's `OperationTable`) of the context's last frame. */
  operation: Int32Array;
  /** Per entry: the critical-path time of the spans with this context (`CriticalPath.spanPathUs`), µs. */
  selfUs: Float64Array;
}

/**
 * Builds `TraceContexts` from the columns the critical path already produced — each span's parent, operation and
 * critical-path time (`spanPathUs`) — without walking the path again: only spans with critical-path time and
 * their ancestors are visited, each once. Its buffers are reused by the next call: the result's arrays are views
 * valid until then.
 */
export class TraceContextBuilder {
  /** Per span: its entry, or -1 while unknown. */
  private entryOf = new Int32Array(256);
  private chain = new Int32Array(256);
  private parent = new Int32Array(256);
  private operation = new Int32Array(256);
  private selfUs = new Float64Array(256);
  private readonly lookup = new PairTable();
  private count = 0;

  build(size: number, parent: Int32Array, operation: Int32Array, spanPathUs: Float64Array): TraceContexts {
    this.reserve(size);
    const { entryOf, selfUs } = this;
    entryOf.fill(-1, 0, size);
    this.lookup.clear();
    this.count = 0;
    // Span order, so the sums within a trace are taken in the same order as the per-operation ones.
    for (let s = 0; s < size; s++) {
      const us = spanPathUs[s];
      if (us > 0) {
        const entry = entryOf[s] >= 0 ? entryOf[s] : this.enter(s, parent, operation);
        selfUs[entry] += us;
      }
    }
    return {
      parent: this.parent.subarray(0, this.count),
      operation: this.operation.subarray(0, this.count),
      selfUs: selfUs.subarray(0, this.count),
    };
  }

  /** Gives span `span` and its ancestors without one an entry; returns the span's. */
  private enter(span: number, parentSpan: Int32Array, operationOf: Int32Array): number {
    const { entryOf, chain, lookup } = this;
    let depth = 0;
    let s = span;
    while (s >= 0 && entryOf[s] < 0) {
      chain[depth++] = s;
      s = parentSpan[s];
    }
    let entry = s < 0 ? -1 : entryOf[s];
    while (depth > 0) {
      s = chain[--depth];
      const op = operationOf[s];
      let child = lookup.get(entry, op);
      if (child < 0) {
        child = this.count++;
        this.parent[child] = entry;
        this.operation[child] = op;
        this.selfUs[child] = 0;
        lookup.set(entry, op, child);
      }
      entryOf[s] = child;
      entry = child;
    }
    return entry;
  }

  /** A trace has at most one entry per span. */
  private reserve(size: number): void {
    if (this.entryOf.length >= size) {
      return;
    }
    const capacity = Math.max(size, 2 * this.entryOf.length);
    this.entryOf = new Int32Array(capacity);
    this.chain = new Int32Array(capacity);
    this.parent = new Int32Array(capacity);
    this.operation = new Int32Array(capacity);
    this.selfUs = new Float64Array(capacity);
  }
}
