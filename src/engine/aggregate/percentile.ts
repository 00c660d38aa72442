/**
 * Nearest-rank percentile (the smallest value with at least p % of the values at or below it): always a value
 * that occurred, never an interpolation. `sorted` must be ascending. NaN for an empty list.
 */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) {
    return NaN;
  }
  const rank = Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
  return sorted[rank - 1];
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

/**
 * p50/p95/p99 of `values` (not modified), as `percentileOfSorted` reads them from the sorted values. Selected, not
 * sorted: the report computes these for every operation over every span, and sorting those million durations was
 * a tenth of a whole analysis; selection finds the three ranks in linear expected time.
 */
export function percentiles(values: ArrayLike<number>): Percentiles {
  const n = values.length;
  const copy = values instanceof Float64Array ? values.slice() : Float64Array.from(values);
  if (n === 0 || hasNaN(copy)) {
    const sorted = copy.sort();
    return {
      p50: percentileOfSorted(sorted, 50),
      p95: percentileOfSorted(sorted, 95),
      p99: percentileOfSorted(sorted, 99),
    };
  }
  const rank = (p: number) => Math.min(n, Math.max(1, Math.ceil((p / 100) * n))) - 1;
  // Highest rank first: each selection leaves everything below its rank in front, where the next one looks.
  const p99 = select(copy, rank(99), n);
  const p95 = select(copy, rank(95), rank(99) + 1);
  const p50 = select(copy, rank(50), rank(95) + 1);
  return { p50, p95, p99 };
}

/**
 * The value of rank `k` (0-based) among `values[0 .. end)`, which it reorders so that everything before k is ≤ it
 * and everything after is ≥ it (Hoare's quickselect, median-of-three pivots, no recursion).
 */
function select(values: Float64Array, k: number, end: number): number {
  let lo = 0;
  let hi = end - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // Median of three as the pivot: sorted input (common: durations often arrive in order) stays linear.
    if (values[mid] < values[lo]) {
      swap(values, mid, lo);
    }
    if (values[hi] < values[lo]) {
      swap(values, hi, lo);
    }
    if (values[hi] < values[mid]) {
      swap(values, hi, mid);
    }
    const pivot = values[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) {
        i++;
      }
      while (values[j] > pivot) {
        j--;
      }
      if (i <= j) {
        swap(values, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) {
      hi = j;
    } else if (k >= i) {
      lo = i;
    } else {
      return values[k];
    }
  }
  return values[k];
}

function swap(values: Float64Array, a: number, b: number): void {
  const t = values[a];
  values[a] = values[b];
  values[b] = t;
}

function hasNaN(values: Float64Array): boolean {
  for (let k = 0; k < values.length; k++) {
    if (values[k] !== values[k]) {
      return true;
    }
  }
  return false;
}
