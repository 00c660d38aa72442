import { randomInt, randomUUID } from 'node:crypto';
import { sleep } from '../lib/duration';
import type { Faults } from './faults';
import { Pool } from './pool';
import { inSpan } from './spans';
import { CATALOG_SIZE, productId, Store } from './store';

export interface CheckoutResult {
  orderId: string;
  items: string[];
  totalCents: number;
  recommendations: string[];
}

const RECOMMENDATIONS = 5;
/**
 * Checkouts that may wait for the lock-contention pool at once. The demo's loads queue a handful (the load
 * generator's concurrency less one); beyond this a checkout gets 503 at once rather than joining a backlog.
 */
export const MAX_QUEUED_CHECKOUTS = 32;

/** The backend's work, with the faults woven in where each one belongs. */
export class Shop {
  /** The connection pool checkouts queue for while `lock-contention` is on (created once, shared). */
  private readonly pool = new Pool(1, MAX_QUEUED_CHECKOUTS);

  constructor(
    private readonly store: Store,
    private readonly faults: () => Readonly<Faults>
  ) {}

  /** The lock-contention pool right now: slots held, checkouts waiting, and the bound on those. */
  poolState(): { size: number; busy: number; queued: number; maxQueued: number } {
    const { size, busy, queued, maxQueued } = this.pool;
    return { size, busy, queued, maxQueued };
  }

  /** `slow-redis`: the extra delay before a Redis step, in its own span; cut short when `signal` aborts. */
  private async slowDown(signal?: AbortSignal): Promise<void> {
    const ms = this.faults().slowRedisMs;
    if (ms > 0) {
      await inSpan('redis.slow_down', async (span) => {
        span.setAttribute('demo.fault', 'slow-redis');
        span.setAttribute('demo.delay_ms', ms);
        await sleep(ms, signal);
      });
    }
  }

  /** A named step that talks to Redis; not started once `signal` has aborted (the client is gone). */
  private step<T>(name: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    return inSpan(name, async () => {
      await this.slowDown(signal);
      signal?.throwIfAborted();
      return work();
    });
  }

  visits(): Promise<Record<string, number>> {
    return this.step('visits.read', async () => {
      const raw = await this.store.visitCounts();
      const counts: Record<string, number> = {};
      for (const [page, count] of Object.entries(raw)) {
        counts[page] = Number(count);
      }
      return counts;
    });
  }

  async recordVisit(page: string): Promise<number> {
    const sleepRange = this.faults().randomSleep;
    if (sleepRange) {
      // `random-sleep`: the tutorial's backend that sleeps 1-10 s on a write.
      await inSpan('visits.random_sleep', async (span) => {
        const ms = sleepRange.minMs + Math.random() * (sleepRange.maxMs - sleepRange.minMs);
        span.setAttribute('demo.fault', 'random-sleep');
        span.setAttribute('demo.delay_ms', Math.round(ms));
        await sleep(ms);
      });
    }
    return this.step('visits.record', () => this.store.recordVisit(page));
  }

  /**
   * Checkout: three lookups in parallel, then payment, then the order, one after another. When `signal` aborts
   * (the client went away), the checkout leaves the pool's queue, or stops before its next step and gives the
   * connection back, rejecting with `signal.reason`: nobody is waiting for its answer.
   */
  async checkout(itemCount: number, signal?: AbortSignal): Promise<CheckoutResult> {
    // `lock-contention`: the checkout holds the only connection of a size-1 pool for its whole run (HotROD's
    // MySQL lock), so concurrent checkouts queue; the queueing is pool.acquire's time.
    const release = this.faults().lockContention ? await this.acquire(signal) : undefined;
    try {
      const items = Array.from({ length: itemCount }, () => productId(randomInt(CATALOG_SIZE)));
      const [, prices, recommendations] = await Promise.all([
        this.step('inventory.reserve', () => this.store.reserve(items), signal),
        this.step('pricing.quote', () => this.store.prices(items), signal),
        this.step('recommendations.fetch', () => this.recommend(), signal),
      ]);
      const totalCents = prices.reduce<number>((sum, price) => sum + Number(price ?? 0), 0);
      await this.charge(totalCents, signal);
      const orderId = randomUUID();
      await this.step('order.save', () => this.store.saveOrder({ id: orderId, items, totalCents }), signal);
      return { orderId, items, totalCents, recommendations: recommendations.slice(0, RECOMMENDATIONS) };
    } finally {
      release?.();
    }
  }

  private acquire(signal?: AbortSignal): Promise<() => void> {
    return inSpan('pool.acquire', async (span) => {
      const queued = this.pool.queued;
      const started = performance.now();
      const release = await this.pool.acquire(signal);
      const waitMs = Math.round((performance.now() - started) * 1000) / 1000;
      span.setAttributes({ 'demo.fault': 'lock-contention', 'pool.size': this.pool.size, 'pool.queued_ahead': queued });
      span.addEvent('pool.wait', { 'pool.wait_ms': waitMs, 'pool.queued_ahead': queued });
      return release;
    });
  }

  /** Popular products and their names: one HMGET, or (`n-plus-one`) one HGET per product. */
  private async recommend(): Promise<string[]> {
    const oneByOne = this.faults().nPlusOne;
    const ids = await this.store.popular(oneByOne > 0 ? oneByOne : RECOMMENDATIONS);
    if (oneByOne === 0) {
      return (await this.store.names(ids)).map((name, i) => name ?? ids[i]);
    }
    const names: string[] = [];
    for (const id of ids) {
      names.push((await this.store.name(id)) ?? id);
    }
    return names;
  }

  /**
   * The payment gateway, simulated: an external call of 15-25 ms (without faults the costliest step, as in real
   * shops), then the payment counter in Redis.
   */
  private charge(totalCents: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    return inSpan('payment.charge', async (span) => {
      span.setAttribute('demo.amount_cents', totalCents);
      await sleep(15 + Math.random() * 10, signal);
      await this.slowDown(signal);
      signal?.throwIfAborted();
      await this.store.countPayment();
    });
  }
}
