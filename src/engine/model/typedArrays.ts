/**
 * `larger` with `old`'s values copied to its start: how the engine grows a typed array it keeps (allocate the larger
 * one, copy, replace), in one place instead of a local helper beside each set of columns.
 */
export function grownFrom<T extends Float64Array | Int32Array | Uint8Array>(larger: T, old: ArrayLike<number>): T {
  larger.set(old);
  return larger;
}
