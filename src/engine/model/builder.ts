import { OperationTable } from './operations';
import { InputProblem } from './problems';
import { ParentLink, SpanKind, TraceModel } from './trace';

/**
 * The latest start a span may have, in µs since the epoch: 2^63 ns, in April 2262, the last instant that int64
 * nanoseconds (OTLP's `fixed64` times, Go's `time.Time` as Jaeger stores it) can express. A later start is a unit
 * mix-up or garbage, and sums of such times stop being exact or finite.
 */
export const MAX_START_US = 2 ** 63 / 1000;
/** The longest duration a span may have, in µs: a year (366 days). No request lasts longer. */
export const MAX_DURATION_US = 366 * 24 * 3600 * 1e6;

/**
 * Collects the spans of one trace from an adapter and builds the tree: resolves parents by ID, repairs what is
 * broken (duplicate IDs, missing parents, several roots, cycles, negative durations) and counts every repair.
 * Every adapter's spans pass through `addSpan`, so the bounds on times are checked here, once for all formats.
 *
 * Every decision is independent of the order spans arrive in (ties are broken on span IDs and names), so that
 * shuffling a trace's spans never changes its analysis. Nothing here recurses: an 80,000-span trace or a
 * 5,000-deep chain costs a few linear passes.
 */
export class TraceBuilder {
  private spanIds: string[] = [];
  private parentIds: Array<string | null> = [];
  private columns: Columns;
  private count = 0;
  private invalidSpans = 0;
  private outOfRangeSpans = 0;
  readonly problems: InputProblem[] = [];

  /** `expectedSpans`: how many spans will come, when the adapter knows (then no column is ever grown). */
  constructor(
    readonly traceId: string,
    private readonly operations: OperationTable,
    private readonly source?: string,
    expectedSpans = 16
  ) {
    this.columns = allocateColumns(Math.max(1, expectedSpans));
  }

  get spanCount(): number {
    return this.count;
  }

  /**
   * Adds one span. `parentId` is null for a span without references; `link` says whether that reference
   * blocks (CHILD_OF) or not (FOLLOWS_FROM). Times in µs. A span whose start is not within 1970 … 2262
   * (`MAX_START_US`) or whose duration is not finite or longer than `MAX_DURATION_US` is left out, reported as a
   * problem and counted (`outOfRangeSpans`): no analysed time can then be absurd, infinite or NaN. A negative
   * duration is kept (build() analyses it as 0 and counts it).
   */
  addSpan(
    spanId: string,
    parentId: string | null,
    link: ParentLink.ChildOf | ParentLink.FollowsFrom,
    service: string,
    operation: string,
    startUs: number,
    durationUs: number,
    kind: SpanKind,
    isError: boolean
  ): void {
    // Written so that NaN fails each test (every comparison with NaN is false).
    if (!(startUs >= 0 && startUs <= MAX_START_US && durationUs <= MAX_DURATION_US && durationUs > -Infinity)) {
      this.outOfRangeSpans++;
      this.problems.push({
        source: this.source,
        traceId: this.traceId,
        spanId,
        message:
          `time out of range (start ${startUs} µs, duration ${durationUs} µs): a span must start between 1970 ` +
          'and 2262 and last at most a year; left out',
      });
      return;
    }
    let columns = this.columns;
    const i = this.count++;
    if (i === columns.capacity) {
      columns = this.columns = grownColumns(columns, i);
    }
    this.spanIds.push(spanId);
    this.parentIds.push(parentId);
    columns.link[i] = link;
    columns.operation[i] = this.operations.intern(service, operation);
    columns.start[i] = startUs;
    // Kept as given here (negative too): build() counts and clamps.
    columns.duration[i] = durationUs;
    columns.kind[i] = kind;
    columns.error[i] = isError ? 1 : 0;
  }

  /** Records a span that could not be read; it is left out and counted. */
  rejectSpan(problem: Omit<InputProblem, 'traceId' | 'source'>): void {
    this.invalidSpans++;
    this.problems.push({ source: this.source, traceId: this.traceId, ...problem });
  }

  /** Builds the trace, or returns null when no span was usable (the problems say why). */
  build(): TraceModel | null {
    const n = this.count;
    if (n === 0) {
      if (this.invalidSpans === 0 && this.outOfRangeSpans === 0) {
        this.problems.push({ source: this.source, traceId: this.traceId, message: 'the trace has no spans' });
      }
      return null;
    }
    const { spanIds, operations, columns } = this;
    const start = columns.start.subarray(0, n);
    const duration = columns.duration.subarray(0, n);
    let negativeDurations = 0;
    let zeroDurations = 0;
    for (let i = 0; i < n; i++) {
      const d = duration[i];
      if (d < 0) {
        negativeDurations++;
      } else if (d === 0) {
        zeroDurations++;
      }
      duration[i] = d > 0 ? d : 0;
    }
    const op = columns.operation.subarray(0, n);

    // Orders two spans by content only (never by arrival order): start, longer first, then ID and names.
    const precedes = (a: number, b: number): boolean => {
      if (start[a] !== start[b]) {
        return start[a] < start[b];
      }
      if (duration[a] !== duration[b]) {
        return duration[a] > duration[b];
      }
      if (spanIds[a] !== spanIds[b]) {
        return spanIds[a] < spanIds[b];
      }
      const sa = operations.service(op[a]) + '\u0000' + operations.operation(op[a]);
      const sb = operations.service(op[b]) + '\u0000' + operations.operation(op[b]);
      return sa < sb;
    };

    // 1. Span IDs. A duplicated ID names the span that comes first by content; the others keep their time.
    const byId = new Map<string, number>();
    let duplicateSpanIds = 0;
    for (let i = 0; i < n; i++) {
      const seen = byId.get(spanIds[i]);
      if (seen === undefined) {
        byId.set(spanIds[i], i);
      } else {
        duplicateSpanIds++;
        if (precedes(i, seen)) {
          byId.set(spanIds[i], i);
        }
      }
    }

    // 2. Parents. Spans without a reference are root candidates; spans whose parent is missing are orphans.
    const parent = columns.parent.subarray(0, n).fill(-1);
    const link = columns.link.subarray(0, n);
    const trueRoots: number[] = [];
    const orphans: number[] = [];
    for (let i = 0; i < n; i++) {
      const parentId = this.parentIds[i];
      if (parentId === null) {
        trueRoots.push(i);
        continue;
      }
      const p = byId.get(parentId);
      if (p === undefined) {
        orphans.push(i);
      } else {
        parent[i] = p;
      }
    }

    // 3. The root: a span without references if there is one, else an orphan; the earliest (then longest) wins.
    const pickFirst = (candidates: number[]): number => {
      let best = candidates[0];
      for (let k = 1; k < candidates.length; k++) {
        if (precedes(candidates[k], best)) {
          best = candidates[k];
        }
      }
      return best;
    };
    let root = -1;
    let cyclesBroken = 0;
    if (trueRoots.length > 0) {
      root = pickFirst(trueRoots);
    } else if (orphans.length > 0) {
      root = pickFirst(orphans);
    } else {
      // Every span has a parent in the trace: it is all cycles. Cut the cycle reached from the smallest ID.
      let smallest = 0;
      for (let i = 1; i < n; i++) {
        if (spanIds[i] < spanIds[smallest]) {
          smallest = i;
        }
      }
      root = smallestIdOnCycle(smallest, parent, spanIds);
      cyclesBroken++;
    }
    parent[root] = -1;
    link[root] = ParentLink.None;
    for (const r of trueRoots) {
      if (r !== root) {
        parent[r] = root;
        link[r] = ParentLink.Attached;
      }
    }
    for (const o of orphans) {
      if (o !== root) {
        parent[o] = root;
        link[o] = ParentLink.Attached;
      }
    }

    // 4. Cycles not reachable from the root: follow parents iteratively; cut each cycle at its smallest span ID.
    cyclesBroken += breakCycles(root, parent, link, spanIds);

    const childOffset = columns.childOffset.subarray(0, n + 1);
    const children = columns.children.subarray(0, Math.max(0, n - 1));
    childrenOf(parent, childOffset, children);
    return {
      traceId: this.traceId,
      size: n,
      spanIds,
      operation: op,
      start,
      duration,
      parent,
      link,
      kind: columns.kind.subarray(0, n),
      error: columns.error.subarray(0, n),
      root,
      childOffset,
      children,
      structure: {
        spans: n,
        extraRoots: Math.max(0, trueRoots.length - 1),
        orphans: orphans.length,
        duplicateSpanIds,
        cyclesBroken,
        invalidSpans: this.invalidSpans,
        outOfRangeSpans: this.outOfRangeSpans,
        negativeDurations,
        zeroDurations,
      },
    };
  }
}

/** Follows parents from `from` until a span repeats; returns the smallest span ID on that cycle. */
function smallestIdOnCycle(from: number, parent: Int32Array, spanIds: readonly string[]): number {
  const visited = new Set<number>();
  let s = from;
  while (!visited.has(s)) {
    visited.add(s);
    s = parent[s];
  }
  let best = s;
  for (let t = parent[s]; t !== s; t = parent[t]) {
    if (spanIds[t] < spanIds[best]) {
      best = t;
    }
  }
  return best;
}

const UNKNOWN = 0;
const ON_WALK = 1;
const REACHES_ROOT = 2;

/** Makes every span reach the root by cutting cycles; returns how many were cut. */
function breakCycles(root: number, parent: Int32Array, link: Uint8Array, spanIds: readonly string[]): number {
  const n = parent.length;
  const state = new Uint8Array(n);
  state[root] = REACHES_ROOT;
  const walk: number[] = [];
  let cut = 0;
  for (let i = 0; i < n; i++) {
    let s = i;
    while (state[s] === UNKNOWN) {
      state[s] = ON_WALK;
      walk.push(s);
      s = parent[s];
    }
    if (state[s] === ON_WALK) {
      const victim = smallestIdOnCycle(s, parent, spanIds);
      parent[victim] = root;
      link[victim] = ParentLink.Attached;
      cut++;
    }
    for (const w of walk) {
      state[w] = REACHES_ROOT;
    }
    walk.length = 0;
  }
  return cut;
}

/** Children lists in compressed form (one offsets array, one flat array), written into the given arrays. */
function childrenOf(parent: Int32Array, childOffset: Int32Array, children: Int32Array): void {
  const n = parent.length;
  childOffset.fill(0);
  for (let i = 0; i < n; i++) {
    if (parent[i] >= 0) {
      childOffset[parent[i] + 1]++;
    }
  }
  for (let i = 0; i < n; i++) {
    childOffset[i + 1] += childOffset[i];
  }
  // Each parent's next free slot; the offsets are restored afterwards by shifting back one parent.
  for (let i = 0; i < n; i++) {
    const p = parent[i];
    if (p >= 0) {
      children[childOffset[p]++] = i;
    }
  }
  for (let i = n; i > 0; i--) {
    childOffset[i] = childOffset[i - 1];
  }
  childOffset[0] = 0;
}

/**
 * A trace's typed columns, all views into one ArrayBuffer: a trace costs one backing store instead of nine
 * (each one is a separate allocation that the garbage collector tracks). The model keeps views of exactly its
 * size into it.
 */
interface Columns {
  capacity: number;
  start: Float64Array;
  duration: Float64Array;
  operation: Int32Array;
  parent: Int32Array;
  childOffset: Int32Array;
  children: Int32Array;
  link: Uint8Array;
  kind: Uint8Array;
  error: Uint8Array;
}

function allocateColumns(capacity: number): Columns {
  // 8-byte columns first, then 4-byte ones, then bytes: every view stays aligned.
  const buffer = new ArrayBuffer(capacity * (8 + 8 + 4 + 4 + 4 + 4 + 3) + 4);
  let at = 0;
  const take = <T>(make: (buffer: ArrayBuffer, offset: number, length: number) => T, length: number, size: number) => {
    const view = make(buffer, at, length);
    at += length * size;
    return view;
  };
  const f64 = (b: ArrayBuffer, offset: number, length: number) => new Float64Array(b, offset, length);
  const i32 = (b: ArrayBuffer, offset: number, length: number) => new Int32Array(b, offset, length);
  const u8 = (b: ArrayBuffer, offset: number, length: number) => new Uint8Array(b, offset, length);
  return {
    capacity,
    start: take(f64, capacity, 8),
    duration: take(f64, capacity, 8),
    operation: take(i32, capacity, 4),
    parent: take(i32, capacity, 4),
    childOffset: take(i32, capacity + 1, 4),
    children: take(i32, capacity, 4),
    link: take(u8, capacity, 1),
    kind: take(u8, capacity, 1),
    error: take(u8, capacity, 1),
  };
}

/** Twice the capacity, with the first `used` spans' input columns copied over. */
function grownColumns(old: Columns, used: number): Columns {
  const next = allocateColumns(old.capacity * 2);
  next.start.set(old.start.subarray(0, used));
  next.duration.set(old.duration.subarray(0, used));
  next.operation.set(old.operation.subarray(0, used));
  next.link.set(old.link.subarray(0, used));
  next.kind.set(old.kind.subarray(0, used));
  next.error.set(old.error.subarray(0, used));
  return next;
}
