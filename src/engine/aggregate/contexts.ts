import { OperationTable } from '../model/operations';
import { grownFrom } from '../model/typedArrays';
import type { Exemplar } from './aggregator';
import { PairTable } from './pairTable';
import { TraceContexts } from './traceContexts';

/**
 * Critical-path time by calling context, over many traces: the data of an aggregated critical-path flame graph.
 * A context is the path of (service, operation) frames from a trace's root span down to a span with critical-path
 * time of its own (see `TraceContexts`); its self time is that critical-path time, so per (service, operation) the
 * contexts' self times add up to the operation's critical-path total of the ranking, and all of them to the sum of
 * the traces' latencies.
 */
export interface ContextOptions {
  /**
   * Distinct contexts kept (default `DEFAULT_MAX_CONTEXTS`). Past it, a context not seen before is kept under one
   * "other" frame by its last operation only — so per-operation totals stay exact — and counted in `overflow`.
   */
  maxContexts?: number;
}

export const DEFAULT_MAX_CONTEXTS = 10_000;

/** One frame of the graph: a calling context and what the critical path spent in it. */
export interface ContextNode {
  /** Position of the parent frame in `ContextReport.nodes`; -1 for a root operation (or the "other" frame). */
  parent: number;
  /** 0 for a root operation. */
  depth: number;
  service: string;
  operation: string;
  /** The frame that gathers contexts beyond `maxContexts` (service and operation are then empty). */
  other: boolean;
  /** Critical-path time of spans with exactly this context, µs. */
  selfUs: number;
  /** `selfUs` plus that of every context below it, µs. */
  totalUs: number;
  /** Traces whose critical path reached this context (it or a context below it). */
  traces: number;
  /** The trace in which the most critical-path time (`totalUs`'s share) was spent here. */
  exemplar: Exemplar;
}

export interface ContextReport {
  /**
   * Depth first: each frame is followed by its subtree; siblings by service, then operation (code-unit order), the
   * "other" frame last. So a frame's children are the following frames one level deeper, up to the next frame at
   * its own depth or above: the order flame graph components read.
   */
  nodes: ContextNode[];
  /** Σ selfUs of all frames = Σ of the traces' latencies, µs. */
  totalUs: number;
  maxContexts: number;
  /** Distinct contexts kept (the "other" frame and the operations under it not included). */
  contexts: number;
  /** What the limit folded under the "other" frame. */
  overflow: {
    /** Per trace, the contexts that were folded, added up over traces. */
    contexts: number;
    criticalPathUs: number;
    traces: number;
  };
}

/**
 * Every trace's critical-path time per context, for slow-vs-baseline, as columns (no object per trace): trace `t`
 * has latency `latencyUs[t]` and owns entries `offset[t] .. offset[t + 1]` of `nodes` (the aggregator's node ids
 * with time of their own in that trace, ascending) and `selfUs` (that time).
 */
export interface ContextRecords {
  traces: number;
  latencyUs: Float64Array;
  offset: Int32Array;
  nodes: Int32Array;
  selfUs: Float64Array;
}

/** The frame tree as the aggregator holds it: node ids are in creation order, so a parent's id is smaller. */
export interface ContextTree {
  size: number;
  parent: Int32Array;
  /** Per node: its operation id, or -1 for the "other" frame. */
  operation: Int32Array;
}

const NO_NODE = -1;
const OTHER = -1;

/** The name of the frame that gathers contexts beyond the context limit (see `ContextOptions.maxContexts`). */
export const OTHER_CONTEXTS_FRAME = '[other contexts]';

/** A frame's name as flame graph tools show it: `service: operation` (the CLI's formats and the panel alike). */
export function contextFrameName(node: { service: string; operation: string; other: boolean }): string {
  return node.other ? OTHER_CONTEXTS_FRAME : `${node.service}: ${node.operation}`;
}

/**
 * Accumulates `TraceContexts` over traces into one tree of contexts. Memory is bounded by the context limit plus
 * one frame per operation (and a small record per trace for slow-vs-baseline), whatever the traces' shapes.
 */
export class ContextAggregator {
  readonly maxContexts: number;
  private traceNo = 0;
  private size = 0;
  private kept = 0;
  private otherNode = NO_NODE;
  private capacity = 0;
  private nodeParent = new Int32Array(0);
  private nodeOperation = new Int32Array(0);
  private selfUs = new Float64Array(0);
  private traces = new Float64Array(0);
  private exemplarUs = new Float64Array(0);
  private readonly exemplarTrace: string[] = [];
  /** Per node: the trace that last touched it, and its time in that trace (own, then with its subtree's). */
  private stamp = new Int32Array(0);
  private traceUs = new Float64Array(0);
  private readonly children = new PairTable();
  private recordLatency = new Float64Array(64);
  private recordOffset = new Int32Array(65);
  private recordNodes = new Int32Array(256);
  private recordSelf = new Float64Array(256);
  private readonly overflow = { contexts: 0, criticalPathUs: 0, traces: 0 };
  private nodeOfEntry = new Int32Array(64);
  private touched = new Int32Array(65);

  constructor(
    readonly operations: OperationTable,
    options: ContextOptions = {}
  ) {
    const max = options.maxContexts ?? DEFAULT_MAX_CONTEXTS;
    if (!Number.isInteger(max) || max < 1 || max > 2 ** 24) {
      throw new RangeError(`maxContexts must be a whole number from 1 to 2^24, not ${max}`);
    }
    this.maxContexts = max;
  }

  /** Adds one trace's contexts (their arrays may be views into reused buffers: nothing of them is kept). */
  add(traceId: string, latencyUs: number, contexts: TraceContexts): void {
    const { parent, operation, selfUs } = contexts;
    const entries = parent.length;
    const traceNo = ++this.traceNo;
    if (this.nodeOfEntry.length < entries) {
      this.nodeOfEntry = new Int32Array(Math.max(entries, 2 * this.nodeOfEntry.length));
      // Each entry touches its node, and the first folded one the "other" frame too.
      this.touched = new Int32Array(this.nodeOfEntry.length + 1);
    }
    const { nodeOfEntry, touched } = this;
    let touchedCount = 0;
    let folded = 0;
    const touch = (node: number, us: number) => {
      if (this.stamp[node] !== traceNo) {
        this.stamp[node] = traceNo;
        this.traceUs[node] = 0;
        touched[touchedCount++] = node;
      }
      this.traceUs[node] += us;
      this.selfUs[node] += us;
    };
    for (let k = 0; k < entries; k++) {
      const parentNode = parent[k] < 0 ? NO_NODE : nodeOfEntry[parent[k]];
      const op = operation[k];
      let node = this.children.get(parentNode, op);
      if (node < 0 && this.kept < this.maxContexts) {
        node = this.createNode(parentNode, op);
        this.kept++;
      }
      if (node < 0) {
        // Past the limit: kept by its operation under the "other" frame (descendants of a folded entry fold too,
        // as no node is ever created under a folded one).
        node = this.foldedNode(op);
        touch(this.otherNode, 0);
        folded++;
        this.overflow.criticalPathUs += selfUs[k];
      }
      nodeOfEntry[k] = node;
      touch(node, selfUs[k]);
    }
    if (folded > 0) {
      this.overflow.contexts += folded;
      this.overflow.traces++;
    }
    // Ascending ids: parents before children. The record takes each node's own time; then, children first, each
    // node's time with its subtree's is complete when reached, and goes to its parent.
    const ids = touched.subarray(0, touchedCount).sort();
    this.record(latencyUs, ids);
    for (let j = touchedCount - 1; j >= 0; j--) {
      const node = ids[j];
      const us = this.traceUs[node];
      this.traces[node]++;
      if (us > this.exemplarUs[node]) {
        this.exemplarUs[node] = us;
        this.exemplarTrace[node] = traceId;
      }
      const up = this.nodeParent[node];
      if (up !== NO_NODE) {
        this.traceUs[up] += us;
      }
    }
  }

  /** Per trace, in the order added (views, valid until the next `add`). */
  traceRecords(): ContextRecords {
    const traces = this.traceNo;
    const entries = this.recordOffset[traces];
    return {
      traces,
      latencyUs: this.recordLatency.subarray(0, traces),
      offset: this.recordOffset.subarray(0, traces + 1),
      nodes: this.recordNodes.subarray(0, entries),
      selfUs: this.recordSelf.subarray(0, entries),
    };
  }

  /** Appends this trace's record: the touched nodes (ascending) with time of their own. */
  private record(latencyUs: number, ids: Int32Array): void {
    const t = this.traceNo - 1;
    if (t >= this.recordLatency.length) {
      const traces = 2 * this.recordLatency.length;
      this.recordLatency = grownFrom(new Float64Array(traces), this.recordLatency);
      this.recordOffset = grownFrom(new Int32Array(traces + 1), this.recordOffset);
    }
    let at = this.recordOffset[t];
    if (at + ids.length > this.recordNodes.length) {
      const capacity = Math.max(at + ids.length, 2 * this.recordNodes.length);
      this.recordNodes = grownFrom(new Int32Array(capacity), this.recordNodes);
      this.recordSelf = grownFrom(new Float64Array(capacity), this.recordSelf);
    }
    this.recordLatency[t] = latencyUs;
    for (let j = 0; j < ids.length; j++) {
      const us = this.traceUs[ids[j]];
      if (us > 0) {
        this.recordNodes[at] = ids[j];
        this.recordSelf[at++] = us;
      }
    }
    this.recordOffset[t + 1] = at;
  }

  tree(): ContextTree {
    return {
      size: this.size,
      parent: this.nodeParent.subarray(0, this.size),
      operation: this.nodeOperation.subarray(0, this.size),
    };
  }

  report(): ContextReport {
    const tree = this.tree();
    const self = this.selfUs.subarray(0, this.size);
    const total = subtreeTotals(tree, self);
    const order = depthFirst(tree, this.operations);
    const nodes: ContextNode[] = [];
    const positionOf = new Int32Array(this.size);
    let totalUs = 0;
    for (const node of order) {
      positionOf[node] = nodes.length;
      const up = tree.parent[node];
      const frame = frameOf(tree, this.operations, node);
      nodes.push({
        parent: up === NO_NODE ? -1 : positionOf[up],
        depth: up === NO_NODE ? 0 : nodes[positionOf[up]].depth + 1,
        ...frame,
        selfUs: self[node],
        totalUs: total[node],
        traces: this.traces[node],
        exemplar: { traceId: this.exemplarTrace[node], criticalPathUs: this.exemplarUs[node] },
      });
      totalUs += self[node];
    }
    return { nodes, totalUs, maxContexts: this.maxContexts, contexts: this.kept, overflow: { ...this.overflow } };
  }

  private createNode(parentNode: number, op: number): number {
    this.ensureCapacity(this.size + 1);
    const node = this.size++;
    this.nodeParent[node] = parentNode;
    this.nodeOperation[node] = op;
    this.exemplarTrace.push('');
    this.children.set(parentNode, op, node);
    return node;
  }

  /** The node of `op` under the "other" frame, made on first use (neither counts against the limit). */
  private foldedNode(op: number): number {
    if (this.otherNode === NO_NODE) {
      this.otherNode = this.createNode(NO_NODE, OTHER); // (-1, -1): no real operation's pair
    }
    const node = this.children.get(this.otherNode, op);
    return node >= 0 ? node : this.createNode(this.otherNode, op);
  }

  private ensureCapacity(size: number): void {
    if (size <= this.capacity) {
      return;
    }
    const capacity = Math.max(size, 2 * this.capacity, 64);
    this.nodeParent = grownFrom(new Int32Array(capacity), this.nodeParent);
    this.nodeOperation = grownFrom(new Int32Array(capacity), this.nodeOperation);
    this.selfUs = grownFrom(new Float64Array(capacity), this.selfUs);
    this.traces = grownFrom(new Float64Array(capacity), this.traces);
    this.exemplarUs = grownFrom(new Float64Array(capacity), this.exemplarUs);
    this.stamp = grownFrom(new Int32Array(capacity), this.stamp);
    this.traceUs = grownFrom(new Float64Array(capacity), this.traceUs);
    this.capacity = capacity;
  }
}

/** Per node: its value plus its descendants' (children have larger ids, so one backward pass). */
export function subtreeTotals(tree: ContextTree, own: Float64Array): Float64Array {
  const total = Float64Array.from(own);
  for (let node = tree.size - 1; node >= 0; node--) {
    const up = tree.parent[node];
    if (up !== NO_NODE) {
      total[up] += total[node];
    }
  }
  return total;
}

/** The service and operation of a node ("other" has neither). */
export function frameOf(
  tree: ContextTree,
  operations: OperationTable,
  node: number
): { service: string; operation: string; other: boolean } {
  const op = tree.operation[node];
  return op === OTHER
    ? { service: '', operation: '', other: true }
    : { service: operations.service(op), operation: operations.operation(op), other: false };
}

/** Node ids depth first, siblings by service then operation (code-unit order, not locale), "other" last. */
export function depthFirst(tree: ContextTree, operations: OperationTable): Int32Array {
  const kids: number[][] = Array.from({ length: tree.size + 1 }, () => []);
  for (let node = 0; node < tree.size; node++) {
    kids[tree.parent[node] + 1].push(node); // slot 0: the roots
  }
  const byName = (a: number, b: number): number => {
    const opA = tree.operation[a];
    const opB = tree.operation[b];
    if (opA === OTHER || opB === OTHER) {
      return (opA === OTHER ? 1 : 0) - (opB === OTHER ? 1 : 0);
    }
    return (
      compareCodeUnits(operations.service(opA), operations.service(opB)) ||
      compareCodeUnits(operations.operation(opA), operations.operation(opB))
    );
  };
  const order = new Int32Array(tree.size);
  let at = 0;
  // An explicit stack, not recursion: contexts can be thousands deep (a chain of spans).
  const stack: number[] = [];
  const pushChildren = (slot: number) => {
    const list = kids[slot].sort(byName);
    for (let k = list.length - 1; k >= 0; k--) {
      stack.push(list[k]);
    }
  };
  pushChildren(0);
  while (stack.length > 0) {
    const node = stack.pop() ?? 0;
    order[at++] = node;
    pushChildren(node + 1);
  }
  return order;
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
