/**
 * Nearest-rank percentile (the smallest value with at least p % of the values at or below it): always a value
 * that occurred, never an interpolation. `sorted` must be ascending. NaN for an empty list.
 */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) {
    return NaN;
  }
  return sorted[nearestRank(n, p) - 1];
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

/** Below this many values a plain sort is as quick as selecting. */
const SELECT_FROM = 64;

/**
 * p50/p95/p99 of `values` (not modified). Exactly the values a full sort would give: the three ranks are found
 * by selection (expected linear time) on one copy, since an aggregate report takes percentiles of every span's
 * duration, per operation and again per service, and sorting those dominated the report.
 */
export function percentiles(values: ArrayLike<number>): Percentiles {
  const n = values.length;
  const copy = new Float64Array(n);
  let plain = true;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    // NaN and -0 are where comparisons and the typed-array sort disagree: those lists are sorted.
    if (v !== v || (v === 0 && 1 / v < 0)) {
      plain = false;
    }
    copy[i] = v;
  }
  if (n < SELECT_FROM || !plain) {
    copy.sort();
    return { p50: percentileOfSorted(copy, 50), p95: percentileOfSorted(copy, 95), p99: percentileOfSorted(copy, 99) };
  }
  const r50 = nearestRank(n, 50) - 1;
  const r95 = nearestRank(n, 95) - 1;
  const r99 = nearestRank(n, 99) - 1;
  // Each selection leaves everything at or above its rank to the right, so the next one searches only there.
  select(copy, r50, 0, n - 1);
  select(copy, r95, r50, n - 1);
  select(copy, r99, r95, n - 1);
  return { p50: copy[r50], p95: copy[r95], p99: copy[r99] };
}

function nearestRank(n: number, p: number): number {
  return Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
}

/**
 * Rearranges a[left..right] so that a[k] holds the value it would hold if that range were sorted, with nothing
 * larger before it and nothing smaller after it (Hoare's FIND, iterative; median-of-three pivots).
 */
function select(a: Float64Array, k: number, left: number, right: number): void {
  while (right > left) {
    const mid = (left + right) >>> 1;
    // Order a[left], a[mid], a[right]; the middle one is the pivot.
    if (a[mid] < a[left]) {
      swap(a, mid, left);
    }
    if (a[right] < a[left]) {
      swap(a, right, left);
    }
    if (a[right] < a[mid]) {
      swap(a, right, mid);
    }
    const pivot = a[mid];
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i] < pivot) {
        i++;
      }
      while (a[j] > pivot) {
        j--;
      }
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    // Now a[left..j] ≤ pivot ≤ a[i..right], and anything between j and i equals the pivot.
    if (k <= j) {
      right = j;
    } else if (k >= i) {
      left = i;
    } else {
      return;
    }
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}
