/** A FIFO pool of `size` interchangeable slots (think: connections). `acquire` waits while all are in use. */
export class Pool {
  private inUse = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`pool size must be a positive integer, got ${size}`);
    }
  }

  /** Requests waiting for a slot right now. */
  get queued(): number {
    return this.waiters.length;
  }

  /** Resolves with the function that gives the slot back; call it exactly once. */
  async acquire(): Promise<() => void> {
    if (this.inUse < this.size) {
      this.inUse++;
    } else {
      // The releasing holder hands its slot straight to the first waiter, so `inUse` stays the same.
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    let released = false;
    return () => {
      if (released) {
        return;
      }
      released = true;
      const next = this.waiters.shift();
      if (next) {
        next();
      } else {
        this.inUse--;
      }
    };
  }
}
