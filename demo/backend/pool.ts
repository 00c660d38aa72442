/** `acquire` found the queue full: the caller should come back later (the API answers 503). */
export class PoolQueueFullError extends Error {
  constructor(readonly maxQueued: number) {
    super(`the connection pool is busy: ${maxQueued} requests are already waiting for it; try again later`);
    this.name = 'PoolQueueFullError';
  }
}

/**
 * A FIFO pool of `size` interchangeable slots (think: connections). `acquire` waits while all are in use, with at
 * most `maxQueued` callers waiting: a full queue refuses at once instead of building a backlog that outlives the
 * clients who asked. A waiter whose signal aborts (its client went away) leaves the queue.
 */
export class Pool {
  private inUse = 0;
  /** Each waiter's hand-over: called by a releasing holder, with the slot. */
  private readonly waiters: Array<() => void> = [];

  constructor(
    readonly size: number,
    readonly maxQueued: number
  ) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`pool size must be a positive integer, got ${size}`);
    }
    if (!Number.isInteger(maxQueued) || maxQueued < 0) {
      throw new RangeError(`pool queue bound must be a non-negative integer, got ${maxQueued}`);
    }
  }

  /** Requests waiting for a slot right now. */
  get queued(): number {
    return this.waiters.length;
  }

  /** Slots held right now. */
  get busy(): number {
    return this.inUse;
  }

  /**
   * Resolves with the function that gives the slot back; call it exactly once. Rejects with PoolQueueFullError
   * when `maxQueued` callers are waiting already, and with `signal.reason` when `signal` aborts first.
   */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.inUse < this.size) {
      this.inUse++;
    } else if (this.waiters.length >= this.maxQueued) {
      throw new PoolQueueFullError(this.maxQueued);
    } else {
      // The releasing holder hands its slot straight to the first waiter, so `inUse` stays the same.
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          this.waiters.splice(this.waiters.indexOf(handOver), 1);
          reject(signal?.reason);
        };
        const handOver = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waiters.push(handOver);
      });
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
