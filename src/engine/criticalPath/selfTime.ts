import { TraceModel } from '../model/trace';
import { sortRange } from './sortRange';

/** Children re-sorted by start, kept between calls (one allocation per trace less). */
let sortScratch = new Int32Array(256);

/**
 * Self time per span: its duration minus the time during which at least one of its children (any kind, clipped
 * to the span) was running. The classic "exclusive time" of trace statistics; unlike critical-path time it
 * ignores whether the parent waited.
 */
export function selfTimes(trace: TraceModel): Float64Array {
  const { size: n, start, duration, childOffset, children } = trace;
  const self = new Float64Array(n);
  if (sortScratch.length < children.length) {
    sortScratch = new Int32Array(Math.max(children.length, 2 * sortScratch.length));
  }
  const byStart = sortScratch;
  byStart.set(children);
  const byStartTime = (a: number, b: number) => start[a] - start[b];
  for (let s = 0; s < n; s++) {
    const from = childOffset[s];
    const to = childOffset[s + 1];
    const spanStart = start[s];
    const spanEnd = spanStart + duration[s];
    if (to === from) {
      self[s] = duration[s];
      continue;
    }
    sortRange(byStart, from, to, byStartTime);
    let covered = 0;
    let runStart = spanStart;
    let runEnd = spanStart; // the union of children seen so far ends at runEnd
    for (let k = from; k < to; k++) {
      const c = byStart[k];
      const cs = Math.max(start[c], spanStart);
      const ce = Math.min(start[c] + duration[c], spanEnd);
      if (ce <= cs) {
        continue;
      }
      if (cs > runEnd) {
        covered += runEnd - runStart;
        runStart = cs;
        runEnd = ce;
      } else if (ce > runEnd) {
        runEnd = ce;
      }
    }
    covered += runEnd - runStart;
    self[s] = duration[s] - covered;
  }
  return self;
}
