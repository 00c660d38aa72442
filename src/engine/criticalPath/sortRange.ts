/** Below this many elements an insertion sort in place beats a typed array's `sort` with a comparator. */
const INSERTION_SORT_MAX = 24;

/**
 * Sorts `values[from .. to)` in place by `compare`, stably (as `TypedArray.prototype.sort` does).
 *
 * Why: most spans have a handful of children, and calling the typed array's `sort` (plus a `subarray` view) for
 * each such short run cost more than the ordering itself; short runs are insertion-sorted here instead.
 */
export function sortRange(
  values: Int32Array,
  from: number,
  to: number,
  compare: (a: number, b: number) => number
): void {
  if (to - from > INSERTION_SORT_MAX) {
    values.subarray(from, to).sort(compare);
    return;
  }
  for (let i = from + 1; i < to; i++) {
    const value = values[i];
    let j = i - 1;
    while (j >= from && compare(values[j], value) > 0) {
      values[j + 1] = values[j];
      j--;
    }
    values[j + 1] = value;
  }
}
