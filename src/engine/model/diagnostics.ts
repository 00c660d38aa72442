/**
 * Everything the engine did to a trace that is not plain, well-formed data. Each rule of the critical-path
 * definition (README, "Critical path") that bends or skips input is counted here, so nothing is decided silently.
 * All fields are additive over traces except `maxSkewUs`, which is a maximum.
 */
export interface TraceDiagnostics {
  /** Spans analysed. */
  spans: number;
  /** Spans with no parent reference besides the chosen root; re-attached under the root. */
  extraRoots: number;
  /** Spans whose parent is not in the trace; re-attached under the root. */
  orphans: number;
  /** Spans whose ID was already taken by another span of the trace; children attach to the first. */
  duplicateSpanIds: number;
  /** Reference cycles found and cut (the cycle's span with the smallest ID is re-attached under the root). */
  cyclesBroken: number;
  /** Spans left out because a required field was missing or not a number (each one also reported as a problem). */
  invalidSpans: number;
  /**
   * Spans left out because a time was out of range: a start before 1970 or after 2262, or a duration longer than a
   * year or infinite (each one also reported as a problem).
   */
  outOfRangeSpans: number;
  /** Spans whose duration was negative; analysed as zero-length. */
  negativeDurations: number;
  /** Spans that last 0 µs. */
  zeroDurations: number;
  /** Children that overflow their parent's window (on the path they are clipped to it). */
  clippedChildren: number;
  /** Time cut off by that clipping, in µs. */
  clippedUs: number;
  /** Children lying wholly outside their parent's window; never on the critical path, nor their subtree. */
  outsideParent: number;
  /** Children that start before their parent does (clock skew or instrumentation error). */
  skewedChildren: number;
  /** The largest such head start, in µs. */
  maxSkewUs: number;
  /** Non-blocking children (FOLLOWS_FROM, or CONSUMER under PRODUCER) left off the critical path. */
  asyncChildren: number;
  /** Σ span durations, in µs. */
  spanTimeUs: number;
  /** The part of that time that lies inside the analysed window, in µs. */
  spanTimeInWindowUs: number;
  /** Spans lying wholly outside the analysed window. */
  spansOutsideWindow: number;
}

export function emptyDiagnostics(): TraceDiagnostics {
  return {
    spans: 0,
    extraRoots: 0,
    orphans: 0,
    duplicateSpanIds: 0,
    cyclesBroken: 0,
    invalidSpans: 0,
    outOfRangeSpans: 0,
    negativeDurations: 0,
    zeroDurations: 0,
    clippedChildren: 0,
    clippedUs: 0,
    outsideParent: 0,
    skewedChildren: 0,
    maxSkewUs: 0,
    asyncChildren: 0,
    spanTimeUs: 0,
    spanTimeInWindowUs: 0,
    spansOutsideWindow: 0,
  };
}

/** Adds `source` into `target` (in place) and returns `target`. */
export function addDiagnostics(target: TraceDiagnostics, source: TraceDiagnostics): TraceDiagnostics {
  for (const key of Object.keys(target) as Array<keyof TraceDiagnostics>) {
    target[key] = key === 'maxSkewUs' ? Math.max(target[key], source[key]) : target[key] + source[key];
  }
  return target;
}

/** Share of span time inside the analysed window (1 when the trace has no span time at all). */
export function coverage(d: TraceDiagnostics): number {
  return d.spanTimeUs > 0 ? d.spanTimeInWindowUs / d.spanTimeUs : 1;
}
