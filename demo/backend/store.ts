import Redis, { ReplyError } from 'ioredis';
import type { Logger } from '../lib/logger';

/**
 * How long a command may go unanswered: a Redis that hangs (stopped, overloaded, a black hole that accepts
 * connections and never replies) costs a request this long, never more.
 */
export const COMMAND_TIMEOUT_MS = 2000;

/** ioredis's words for the two ways Redis is unavailable, said plainly. */
function describeFailure(cause: unknown): string {
  const message = cause instanceof Error ? cause.message : String(cause);
  if (message === 'Command timed out') {
    return `no answer within ${COMMAND_TIMEOUT_MS} ms`;
  }
  if (message.startsWith("Stream isn't writeable")) {
    return 'not connected (connecting or reconnecting)';
  }
  return message;
}

/** Redis could not be reached (down, disconnected, timed out): the request gets 503, the process lives on. */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`redis unavailable: ${describeFailure(cause)}`, { cause });
    this.name = 'StoreUnavailableError';
  }
}

const KEY = {
  visits: 'demo:visits',
  price: 'demo:catalog:price',
  name: 'demo:catalog:name',
  popular: 'demo:popular',
  reserved: 'demo:inventory:reserved',
  payments: 'demo:payments',
  orders: 'demo:orders',
  order: (id: string) => `demo:order:${id}`,
};

/**
 * Products in the catalog: as many as the n-plus-one fault may look up, so that `n-plus-one=N` really costs N round
 * trips (with 200 products, N above 200 silently did 200).
 */
export const CATALOG_SIZE = 1000;

export function productId(index: number): string {
  return `p${String(index).padStart(3, '0')}`;
}

export interface OrderRecord {
  id: string;
  items: string[];
  totalCents: number;
}

/** The backend's data, in Redis. Every method turns a connection problem into StoreUnavailableError. */
export class Store {
  readonly redis: Redis;
  private lastErrorLog = 0;

  constructor(
    url: string,
    private readonly logger: Logger
  ) {
    this.redis = new Redis(url, {
      // Fail fast while disconnected (or connected but never ready) instead of queueing requests until Redis
      // comes back, and give up on a command Redis does not answer: a hanging Redis must not hang requests.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      commandTimeout: COMMAND_TIMEOUT_MS,
      retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
    });
    this.redis.on('error', (error: Error) => {
      // ioredis reports every failed reconnect; one line every 5 s is enough.
      const now = Date.now();
      if (now - this.lastErrorLog > 5000) {
        this.lastErrorLog = now;
        this.logger.warn({ err: error }, 'redis connection error');
      }
    });
    this.redis.on('ready', () => {
      this.logger.info('redis ready');
      this.seed().catch((error: unknown) => this.logger.warn({ err: error }, 'seeding the catalog failed'));
    });
  }

  private async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof ReplyError) {
        throw error;
      }
      throw new StoreUnavailableError(error);
    }
  }

  /** The catalog (names, prices) and a popularity set to recommend from; idempotent. */
  private async seed(): Promise<void> {
    const prices: Record<string, number> = {};
    const names: Record<string, string> = {};
    const popular: Array<number | string> = [];
    for (let i = 0; i < CATALOG_SIZE; i++) {
      const id = productId(i);
      prices[id] = 199 + ((i * 7919) % 9800);
      names[id] = `Product ${i}`;
      popular.push(0, id);
    }
    await this.redis
      .multi()
      .hset(KEY.price, prices)
      .hset(KEY.name, names)
      .zadd(KEY.popular, 'NX', ...popular)
      .exec();
  }

  ping(): Promise<string> {
    return this.call(() => this.redis.ping());
  }

  visitCounts(): Promise<Record<string, string>> {
    return this.call(() => this.redis.hgetall(KEY.visits));
  }

  recordVisit(page: string): Promise<number> {
    return this.call(() => this.redis.hincrby(KEY.visits, page, 1));
  }

  reserve(items: readonly string[]): Promise<number> {
    return this.call(() => this.redis.incrby(KEY.reserved, items.length));
  }

  prices(items: readonly string[]): Promise<Array<string | null>> {
    return this.call(() => this.redis.hmget(KEY.price, ...items));
  }

  popular(count: number): Promise<string[]> {
    return this.call(() => this.redis.zrevrange(KEY.popular, 0, count - 1));
  }

  /** Product names in one round trip. */
  names(ids: readonly string[]): Promise<Array<string | null>> {
    return this.call(() => this.redis.hmget(KEY.name, ...ids));
  }

  /** One product name: one round trip each (what the n-plus-one fault loops over). */
  name(id: string): Promise<string | null> {
    return this.call(() => this.redis.hget(KEY.name, id));
  }

  countPayment(): Promise<number> {
    return this.call(() => this.redis.incr(KEY.payments));
  }

  /** The order (kept an hour) and the list of recent orders, in one pipelined round trip. */
  async saveOrder(order: OrderRecord): Promise<void> {
    await this.call(async () => {
      const results = await this.redis
        .pipeline()
        .set(KEY.order(order.id), JSON.stringify(order), 'EX', 3600)
        .lpush(KEY.orders, order.id)
        .ltrim(KEY.orders, 0, 99)
        .exec();
      const failed = results?.find(([error]) => error !== null);
      if (failed) {
        throw failed[0];
      }
    });
  }

  async close(): Promise<void> {
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }
}
