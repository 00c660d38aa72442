/**
 * A map from (parent, operation) pairs of small non-negative-or-−1 integers to ids, by open addressing over typed
 * arrays. Why not a `Map` keyed by `parent * K + operation`: past 2^30 such keys are heap numbers, and hashing and
 * boxing them cost more than everything else the call contexts do (a third of their time in a profile of the 10k
 * set). `clear()` is O(1): a slot counts only when its generation is the table's.
 */
export class PairTable {
  private parents = new Int32Array(64);
  private operations = new Int32Array(64);
  private ids = new Int32Array(64);
  private generations = new Int32Array(64);
  private generation = 1;
  private count = 0;

  /** The id of (parent, operation), or -1. */
  get(parent: number, operation: number): number {
    const mask = this.ids.length - 1;
    for (let slot = hash(parent, operation) & mask; ; slot = (slot + 1) & mask) {
      if (this.generations[slot] !== this.generation) {
        return -1;
      }
      if (this.parents[slot] === parent && this.operations[slot] === operation) {
        return this.ids[slot];
      }
    }
  }

  /** Adds (parent, operation) → id; the pair must not be in the table. */
  set(parent: number, operation: number, id: number): void {
    if (2 * (this.count + 1) > this.ids.length) {
      this.grow();
    }
    this.place(parent, operation, id);
    this.count++;
  }

  clear(): void {
    this.count = 0;
    if (++this.generation === 0x7fffffff) {
      this.generations.fill(0);
      this.generation = 1;
    }
  }

  private place(parent: number, operation: number, id: number): void {
    const mask = this.ids.length - 1;
    let slot = hash(parent, operation) & mask;
    while (this.generations[slot] === this.generation) {
      slot = (slot + 1) & mask;
    }
    this.generations[slot] = this.generation;
    this.parents[slot] = parent;
    this.operations[slot] = operation;
    this.ids[slot] = id;
  }

  private grow(): void {
    const { parents, operations, ids, generations, generation } = this;
    const capacity = 2 * ids.length;
    this.parents = new Int32Array(capacity);
    this.operations = new Int32Array(capacity);
    this.ids = new Int32Array(capacity);
    this.generations = new Int32Array(capacity);
    this.generation = 1;
    for (let slot = 0; slot < ids.length; slot++) {
      if (generations[slot] === generation) {
        this.place(parents[slot], operations[slot], ids[slot]);
      }
    }
  }
}

/** Mixes both halves (multiplicative hashing with two odd constants); the table masks the low bits. */
function hash(parent: number, operation: number): number {
  const h = Math.imul(parent + 1, 0x9e3779b1) ^ Math.imul(operation + 1, 0x85ebca77);
  return (h ^ (h >>> 15)) >>> 0;
}
