import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, timingSafeEqual } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import express, { type Express, type Request, type RequestHandler } from 'express';
import type { Logger } from '../lib/logger';
import { HttpMetrics, routeLabel } from '../lib/metrics';
import { clientGoneSignal, errorHandler, HttpError, nameServerSpan, requestContext, requestLog } from '../lib/http';
import { Shop } from './checkout';
import { recordTier, requestTier } from '../lib/tier';
import {
  describeFaults,
  FAULT_USAGE,
  FaultSpecError,
  Faults,
  faultsFor,
  parseFaults,
  type RequestTraits,
} from './faults';
import { PoolQueueFullError } from './pool';
import { markFailed, tracer } from './spans';
import { Store, StoreUnavailableError } from './store';

export interface BackendOptions {
  store: Store;
  logger: Logger;
  /** Faults at start (DEMO_FAULTS, already parsed). */
  faults: Faults;
  /** DEMO_ADMIN_TOKEN; unset or empty switches /admin/faults off (404). */
  adminToken?: string;
}

const PAGE = /^[A-Za-z0-9._~/-]{1,64}$/;
const MAX_CHECKOUT_ITEMS = 20;

const ROUTES = ['/api/visits', '/api/checkout', '/admin/faults', '/healthz', '/readyz', '/metrics'];

function routeOf(request: Request): string {
  return routeLabel(request, ROUTES);
}

function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The backend's HTTP API. Returns the app and a handle on the live faults (for tests and the admin endpoint). */
export function createBackend(options: BackendOptions): { app: Express; faults: () => Readonly<Faults> } {
  const { store, logger, adminToken } = options;
  let faults: Readonly<Faults> = options.faults;
  // The faults the current request meets: scoped ones only for their cohort (its traits, set per API request).
  const traits = new AsyncLocalStorage<RequestTraits>();
  const requestFaults = () => faultsFor(faults, traits.getStore() ?? {});
  const shop = new Shop(store, requestFaults);
  const metrics = new HttpMetrics('backend', routeOf);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(metrics.middleware());

  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });
  app.get('/readyz', async (_request, response) => {
    try {
      await store.ping();
      response.json({ status: 'ready', redis: 'ok' });
    } catch (error) {
      response.status(503).json({ status: 'not ready', redis: error instanceof Error ? error.message : String(error) });
    }
  });
  app.get('/metrics', metrics.handler());

  // --- run-time faults -------------------------------------------------------------------------------------------
  const admin = express.Router();
  admin.use((request, response, next) => {
    if (!adminToken) {
      response.status(404).json({ error: 'not found (the admin endpoint is off: DEMO_ADMIN_TOKEN is not set)' });
      return;
    }
    const header = request.get('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match || !sameSecret(match[1].trim(), adminToken)) {
      response.set('WWW-Authenticate', 'Bearer').status(401).json({ error: 'a valid bearer token is required' });
      return;
    }
    next();
  });
  const state = () => ({ faults: describeFaults(faults), active: faults, valid: FAULT_USAGE, pool: shop.poolState() });
  admin.get('/', (_request, response) => {
    response.json(state());
  });
  admin.post('/', express.text({ type: () => true, limit: '4kb' }), (request, response) => {
    const body: unknown = request.body;
    const text = typeof body === 'string' ? body : '';
    let spec: string;
    if (request.is('application/json')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new HttpError(400, 'the request body is not valid JSON; send {"faults": "slow-redis=300ms"}', {
          valid: FAULT_USAGE,
        });
      }
      if (typeof parsed !== 'object' || parsed === null || !('faults' in parsed) || typeof parsed.faults !== 'string') {
        throw new HttpError(400, 'expected {"faults": "<spec>"}, e.g. {"faults": "slow-redis=300ms,errors=0.2"}', {
          valid: FAULT_USAGE,
        });
      }
      spec = parsed.faults;
    } else {
      spec = text;
    }
    if (spec.trim() === '') {
      throw new HttpError(400, 'no faults given; send e.g. "slow-redis=300ms" or "none"', { valid: FAULT_USAGE });
    }
    try {
      faults = parseFaults(spec, faults);
    } catch (error) {
      if (error instanceof FaultSpecError) {
        throw new HttpError(400, error.message, { valid: FAULT_USAGE });
      }
      throw error;
    }
    logger.warn({ faults: describeFaults(faults) }, 'faults changed');
    response.json(state());
  });
  admin.delete('/', (_request, response) => {
    faults = parseFaults('none');
    logger.warn({ faults: 'none' }, 'faults changed');
    response.json(state());
  });
  app.use('/admin/faults', admin);

  // --- the API ------------------------------------------------------------------------------------------------------
  const api = express.Router();
  api.use(requestLog(logger, routeOf));
  api.use(express.json({ limit: '16kb' }));
  // After the body parser: its continuation runs in the socket's context, not in one entered before it.
  api.use((request, _response, next) => {
    const tier = requestTier(request);
    recordTier(tier);
    traits.run(tier === undefined ? {} : { tier }, next);
  });
  const injectErrors: RequestHandler = (request, response, next) => {
    const rate = requestFaults().errorRate;
    if (rate > 0 && Math.random() < rate) {
      nameServerSpan(request, routeOf);
      const failure = new Error('injected failure (fault "errors")');
      tracer.startActiveSpan('error.injected', (span) => {
        span.setAttribute('demo.fault', 'errors');
        span.setAttribute('demo.error_rate', rate);
        markFailed(span, failure);
        span.end();
      });
      response.status(500).json({ error: failure.message });
      return;
    }
    next();
  };
  api.use(injectErrors);

  api.get('/visits', async (_request, response) => {
    const pages = await shop.visits();
    const total = Object.values(pages).reduce((sum, count) => sum + count, 0);
    response.json({ total, pages });
  });

  api.post('/visits', async (request, response) => {
    const body: unknown = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new HttpError(400, 'expected a JSON object body: {"page": "<name>"} (Content-Type: application/json)');
    }
    const page = 'page' in body ? body.page : undefined;
    if (typeof page !== 'string' || !PAGE.test(page)) {
      throw new HttpError(400, '"page" must be a string of 1-64 letters, digits or ._~/- characters');
    }
    const count = await shop.recordVisit(page);
    response.status(201).json({ page, count });
  });

  api.post('/checkout', async (request, response) => {
    const body: unknown = request.body ?? {};
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new HttpError(400, 'expected a JSON object body (or none): {"items": <1-20>}');
    }
    const requested = 'items' in body ? body.items : undefined;
    if (
      requested !== undefined &&
      !(Number.isInteger(requested) && Number(requested) >= 1 && Number(requested) <= MAX_CHECKOUT_ITEMS)
    ) {
      throw new HttpError(400, `"items" must be an integer from 1 to ${MAX_CHECKOUT_ITEMS}`);
    }
    const items = typeof requested === 'number' ? requested : 2 + Math.floor(Math.random() * 5);
    try {
      response.status(201).json(await shop.checkout(items, clientGoneSignal(response)));
    } catch (error) {
      if (error instanceof PoolQueueFullError) {
        response.set('Retry-After', '1');
        throw new HttpError(503, error.message);
      }
      throw error;
    }
  });
  app.use('/api', api);

  app.use((request, response) => {
    response.status(404).json({ error: `no route for ${request.method} ${request.path}` });
  });
  app.use(
    errorHandler(logger, routeOf, (error) => {
      if (error instanceof StoreUnavailableError) {
        const span = trace.getSpan(requestContext());
        if (span) {
          markFailed(span, error);
        }
        return new HttpError(503, error.message);
      }
      return undefined;
    })
  );
  return { app, faults: () => faults };
}
