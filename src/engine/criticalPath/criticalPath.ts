import { emptyDiagnostics, TraceDiagnostics } from '../model/diagnostics';
import { ParentLink, SpanKind, TraceModel } from '../model/trace';
import { sortRange } from './sortRange';

export interface CriticalPathOptions {
  /**
   * `root` (default): analyse the root span's window, as jaeger-ui and CRISP do. `full`: analyse the trace's
   * full extent — every span's window is widened to cover its blocking descendants, so work that happens after
   * the root returned (redirect chains, callbacks) is on the path instead of cut off.
   */
  window?: 'root' | 'full';
  /** Treat FOLLOWS_FROM and PRODUCER→CONSUMER children as blocking (default false: they are not waited for). */
  asyncBlocking?: boolean;
}

/** The critical path of one trace: segments in time order, disjoint, covering [windowStart, windowEnd]. */
export interface CriticalPath {
  windowStart: number;
  windowEnd: number;
  /** Segment k is `[segmentStart[k], segmentEnd[k])` of span `segmentSpan[k]`. */
  segmentSpan: Int32Array;
  segmentStart: Float64Array;
  segmentEnd: Float64Array;
  /** Per span: its time on the critical path, µs. */
  spanPathUs: Float64Array;
  diagnostics: TraceDiagnostics;
}

/**
 * Computes the critical path (definition and diagram in README, "Critical path"):
 *
 * 1. Each blocking child's window is clipped to its parent's (already clipped) window; a child wholly outside
 *    it is left off with its subtree. FOLLOWS_FROM and CONSUMER-under-PRODUCER children are not blocking.
 * 2. Walking backwards from the root's end, a span hands the path to its last-finishing child that ends at or
 *    before the current point (inclusive, so children touching end-to-start are sequential work), charges itself
 *    the gap, continues from that child's start, and charges itself the rest down to its own start.
 *
 * Children that overlap the chosen one are not on the path. Everything is iterative (explicit stacks) and
 * visits each child once after one sort per parent: O(n log n), no recursion.
 */
export function criticalPath(trace: TraceModel, options: CriticalPathOptions = {}): CriticalPath {
  const { size: n, start, duration, parent, link, kind, childOffset, children, root } = trace;
  const diagnostics: TraceDiagnostics = { ...emptyDiagnostics(), ...trace.structure };
  const asyncBlocking = options.asyncBlocking ?? false;

  const scratch = reserveScratch(n);
  // Blocking edges and the breadth-first order (parents before children).
  const blocking = scratch.blocking.subarray(0, n).fill(0);
  const order = scratch.order.subarray(0, n);
  order[0] = root;
  let orderLength = 1;
  for (let head = 0; head < orderLength; head++) {
    const s = order[head];
    for (let k = childOffset[s]; k < childOffset[s + 1]; k++) {
      const c = children[k];
      order[orderLength++] = c;
      const isAsync =
        link[c] === ParentLink.FollowsFrom || (kind[c] === SpanKind.Consumer && kind[s] === SpanKind.Producer);
      if (isAsync) {
        diagnostics.asyncChildren++;
      }
      blocking[c] = isAsync && !asyncBlocking ? 0 : 1;
      countWindowViolations(diagnostics, start[s], start[s] + duration[s], start[c], start[c] + duration[c]);
    }
  }

  // Effective windows. In `full` mode a span's window first grows to cover its blocking descendants.
  const windowStart = scratch.windowStart.subarray(0, n);
  const windowEnd = scratch.windowEnd.subarray(0, n);
  for (let i = 0; i < n; i++) {
    windowStart[i] = start[i];
    windowEnd[i] = start[i] + duration[i];
  }
  if (options.window === 'full') {
    for (let k = n - 1; k > 0; k--) {
      const c = order[k];
      if (blocking[c]) {
        const p = parent[c];
        windowStart[p] = Math.min(windowStart[p], windowStart[c]);
        windowEnd[p] = Math.max(windowEnd[p], windowEnd[c]);
      }
    }
  }
  // Clip top-down; `onPath` marks spans that can carry the path (blocking, inside their parent).
  const onPath = scratch.onPath.subarray(0, n).fill(0);
  onPath[root] = 1;
  for (let k = 1; k < n; k++) {
    const c = order[k];
    const p = parent[c];
    if (!onPath[p] || !blocking[c]) {
      continue;
    }
    const ps = windowStart[p];
    const pe = windowEnd[p];
    const cs = windowStart[c];
    const ce = windowEnd[c];
    if (ce <= ps || cs >= pe) {
      continue; // wholly outside its parent's window: off the path with its subtree
    }
    onPath[c] = 1;
    windowStart[c] = Math.max(cs, ps);
    windowEnd[c] = Math.min(ce, pe);
  }

  // Path-carrying children per parent, sorted by end (latest first), then start (earliest first), then span ID.
  const pathOffset = scratch.pathOffset.subarray(0, n + 1).fill(0);
  for (let i = 0; i < n; i++) {
    if (i !== root && onPath[i]) {
      pathOffset[parent[i] + 1]++;
    }
  }
  for (let i = 0; i < n; i++) {
    pathOffset[i + 1] += pathOffset[i];
  }
  const pathChildren = scratch.pathChildren.subarray(0, pathOffset[n]);
  const fill = scratch.fill.subarray(0, n);
  fill.set(pathOffset.subarray(0, n));
  for (let k = 1; k < n; k++) {
    const c = order[k];
    if (onPath[c]) {
      pathChildren[fill[parent[c]]++] = c;
    }
  }
  const spanIds = trace.spanIds;
  const latestFirst = (a: number, b: number): number =>
    windowEnd[b] - windowEnd[a] ||
    windowStart[a] - windowStart[b] ||
    (spanIds[a] < spanIds[b] ? -1 : spanIds[a] > spanIds[b] ? 1 : 0);
  for (let s = 0; s < n; s++) {
    sortRange(pathChildren, pathOffset[s], pathOffset[s + 1], latestFirst);
  }

  // The backward walk. Frames: span, next child position, and the cursor (the time the path has reached).
  // Each span emits at most one segment per path child plus one: fewer than 2n in all.
  const { segmentSpan, segmentStart, segmentEnd } = scratch;
  let count = 0;
  const spanPathUs = new Float64Array(n);
  const emit = (s: number, from: number, to: number): void => {
    if (to > from) {
      segmentSpan[count] = s;
      segmentStart[count] = from;
      segmentEnd[count] = to;
      count++;
      spanPathUs[s] += to - from;
    }
  };
  const { stackSpan, stackNext, stackCursor } = scratch;
  let depth = 0;
  stackSpan[0] = root;
  stackNext[0] = pathOffset[root];
  stackCursor[0] = windowEnd[root];
  while (depth >= 0) {
    const s = stackSpan[depth];
    const cursor = stackCursor[depth];
    let next = stackNext[depth];
    const last = pathOffset[s + 1];
    while (next < last && windowEnd[pathChildren[next]] > cursor) {
      next++; // overlaps the child already on the path
    }
    if (next < last) {
      const c = pathChildren[next];
      stackNext[depth] = next + 1;
      emit(s, windowEnd[c], cursor);
      stackCursor[depth] = windowStart[c];
      depth++;
      stackSpan[depth] = c;
      stackNext[depth] = pathOffset[c];
      stackCursor[depth] = windowEnd[c];
    } else {
      emit(s, windowStart[s], cursor);
      depth--;
    }
  }

  // Coverage of the analysed window.
  const ws = windowStart[root];
  const we = windowEnd[root];
  for (let i = 0; i < n; i++) {
    const s = start[i];
    const e = s + duration[i];
    diagnostics.spanTimeUs += duration[i];
    const inside = Math.min(e, we) - Math.max(s, ws);
    if (inside > 0) {
      diagnostics.spanTimeInWindowUs += inside;
    } else if (duration[i] > 0 || e < ws || s > we) {
      diagnostics.spansOutsideWindow++; // a zero-length span on the window's edge still counts as inside
    }
  }

  const path: CriticalPath = {
    windowStart: ws,
    windowEnd: we,
    segmentSpan: new Int32Array(count),
    segmentStart: new Float64Array(count),
    segmentEnd: new Float64Array(count),
    spanPathUs,
    diagnostics,
  };
  for (let k = 0; k < count; k++) {
    const from = count - 1 - k; // emitted latest first; stored in time order
    path.segmentSpan[k] = segmentSpan[from];
    path.segmentStart[k] = segmentStart[from];
    path.segmentEnd[k] = segmentEnd[from];
  }
  return path;
}

/**
 * Working arrays, kept between calls and grown to the largest trace seen: a fresh set per trace cost about 15
 * typed-array allocations (each with its own backing store) for every trace of a large set. Only the results
 * (`spanPathUs`, the segments) are allocated per call. Safe because `criticalPath` never calls out while using them.
 */
interface Scratch {
  capacity: number;
  blocking: Uint8Array;
  order: Int32Array;
  windowStart: Float64Array;
  windowEnd: Float64Array;
  onPath: Uint8Array;
  pathOffset: Int32Array;
  pathChildren: Int32Array;
  fill: Int32Array;
  segmentSpan: Int32Array;
  segmentStart: Float64Array;
  segmentEnd: Float64Array;
  stackSpan: Int32Array;
  stackNext: Int32Array;
  stackCursor: Float64Array;
}

let scratchArrays: Scratch | undefined;

function reserveScratch(n: number): Scratch {
  if (scratchArrays !== undefined && scratchArrays.capacity >= n) {
    return scratchArrays;
  }
  const capacity = Math.max(n, 2 * (scratchArrays?.capacity ?? 0), 256);
  scratchArrays = {
    capacity,
    blocking: new Uint8Array(capacity),
    order: new Int32Array(capacity),
    windowStart: new Float64Array(capacity),
    windowEnd: new Float64Array(capacity),
    onPath: new Uint8Array(capacity),
    pathOffset: new Int32Array(capacity + 1),
    pathChildren: new Int32Array(capacity),
    fill: new Int32Array(capacity),
    segmentSpan: new Int32Array(2 * capacity),
    segmentStart: new Float64Array(2 * capacity),
    segmentEnd: new Float64Array(2 * capacity),
    stackSpan: new Int32Array(capacity),
    stackNext: new Int32Array(capacity),
    stackCursor: new Float64Array(capacity),
  };
  return scratchArrays;
}

/**
 * Structural facts about one parent/child pair, counted for every edge of the tree (async ones too) on the
 * spans' own windows, so the numbers describe the trace and not the analysis mode.
 */
function countWindowViolations(
  diagnostics: TraceDiagnostics,
  parentStart: number,
  parentEnd: number,
  childStart: number,
  childEnd: number
): void {
  if (childStart < parentStart) {
    diagnostics.skewedChildren++;
    diagnostics.maxSkewUs = Math.max(diagnostics.maxSkewUs, parentStart - childStart);
  }
  const zeroLengthOnEdge = childStart === childEnd && (childStart === parentStart || childStart === parentEnd);
  if ((childEnd <= parentStart || childStart >= parentEnd) && !zeroLengthOnEdge) {
    diagnostics.outsideParent++;
  } else if (childStart < parentStart || childEnd > parentEnd) {
    diagnostics.clippedChildren++;
    diagnostics.clippedUs += Math.max(0, parentStart - childStart) + Math.max(0, childEnd - parentEnd);
  }
}
