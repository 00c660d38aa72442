import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { context, propagation } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import { errorHandler, nameServerSpan, requestContext, requestLog } from '../lib/http';
import type { Logger } from '../lib/logger';
import { HttpMetrics, routeLabel } from '../lib/metrics';
import { recordTier, requestTier, TIER_HEADER } from '../lib/tier';
import { apiTarget, FORWARDED_ROUTES, isApiTarget, isPathTarget } from './api-route';

export interface FrontendOptions {
  logger: Logger;
  /** BACKEND_URL: where /api/* goes. */
  backendUrl: URL;
  /** Where the browser's spans go: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces. */
  otlpTracesUrl: URL;
  /** The built page: index.html, app.js. */
  publicDir: string;
}

/**
 * Headers passed through to the backend and back; everything else (cookies, hop-by-hop, trace headers) is not.
 * The customer tier goes on only when it is an allow-listed value (lib/tier.ts).
 */
const REQUEST_HEADERS = ['content-type', 'content-length', 'accept', 'authorization', TIER_HEADER];
const RESPONSE_HEADERS = ['content-type', 'content-length', 'www-authenticate', 'retry-after'];
const OTLP_TYPES = ['application/json', 'application/x-protobuf'];
/** The largest browser span upload relayed: 5 MB. */
const MAX_SPAN_UPLOAD = 5 * 1024 * 1024;

const ROUTES = ['/', '/otlp/v1/traces', '/healthz', '/readyz', '/metrics', ...FORWARDED_ROUTES];

function routeOf(request: Request): string {
  return routeLabel(request, ROUTES, request.originalUrl.startsWith('/api/') ? '/api/*' : '/static');
}

function pick(source: IncomingMessage['headers'], names: string[]): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const name of names) {
    const value = source[name];
    if (value !== undefined) {
      headers[name] = value;
    }
  }
  return headers;
}

function client(url: URL): typeof http | typeof https {
  return url.protocol === 'https:' ? https : http;
}

interface Upstream {
  agent: http.Agent;
  logger: Logger;
  /** The request headers passed on. */
  headers: string[];
  /** Body bytes passed on at most, counted as they stream (whatever Content-Length says); beyond: 413. */
  maxBodyBytes?: number;
}

/**
 * Passes a body on until `maxBytes`; the chunk that would cross the limit is not passed on, and `exceeded` is
 * called once instead.
 */
class ByteLimit extends Transform {
  private seen = 0;
  private over = false;

  constructor(
    private readonly maxBytes: number,
    private readonly exceeded: () => void
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen <= this.maxBytes) {
      callback(null, chunk);
      return;
    }
    callback();
    if (!this.over) {
      this.over = true;
      this.exceeded();
    }
  }
}

/**
 * Forwards the request (method, body, the `headers` named) to `url`, and the answer back. The outgoing call runs
 * in the request's context, so the http instrumentation makes it a child span and injects `traceparent`.
 */
function forward(request: Request, response: Response, url: URL, upstream: Upstream): void {
  nameServerSpan(request, routeOf);
  // Set when the upstream request is aborted on purpose: its error is then expected, not a failure to report.
  let abandoned = false;
  const outgoing = client(url).request(
    url,
    {
      method: request.method,
      headers: pick(request.headers, upstream.headers),
      agent: url.protocol === 'https:' ? undefined : upstream.agent,
      timeout: 30_000,
    },
    (answer) => {
      response.status(answer.statusCode ?? 502);
      for (const [name, value] of Object.entries(pick(answer.headers, RESPONSE_HEADERS))) {
        if (value !== undefined) {
          response.setHeader(name, value);
        }
      }
      answer.pipe(response);
    }
  );
  outgoing.on('timeout', () => outgoing.destroy(new Error('timed out after 30 s')));
  outgoing.on('error', (error) => {
    if (abandoned) {
      return;
    }
    upstream.logger.error({ err: error, target: url.origin }, 'upstream request failed');
    if (!response.headersSent) {
      response.status(502).json({ error: `upstream ${url.origin} unavailable: ${error.message}` });
    } else {
      response.destroy(error);
    }
  });
  // A client that gives up takes its upstream request with it, so the backend can drop the work (and its place in
  // a queue) instead of finishing it for nobody.
  response.once('close', () => {
    if (!response.writableFinished) {
      abandoned = true;
      outgoing.destroy();
    }
  });
  const limit = upstream.maxBodyBytes;
  if (limit === undefined) {
    request.pipe(outgoing);
    return;
  }
  const limiter = new ByteLimit(limit, () => {
    // The upstream request is aborted part-way (never completed, so the receiver drops it), the client is told
    // why, and the rest of its body is read and thrown away by Node once the answer is sent.
    abandoned = true;
    request.unpipe(limiter);
    limiter.unpipe(outgoing);
    outgoing.destroy();
    if (!response.headersSent) {
      response.status(413).json({ error: `the request body is larger than ${limit} bytes` });
    }
    request.resume();
  });
  request.pipe(limiter).pipe(outgoing);
}

export function createFrontend(options: FrontendOptions): Express {
  const { logger, backendUrl, otlpTracesUrl, publicDir } = options;
  const template = readFileSync(path.join(publicDir, 'index.html'), 'utf8');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const metrics = new HttpMetrics('frontend', routeOf);
  const app = express();
  app.disable('x-powered-by');
  app.use(metrics.middleware());
  // Absolute-form targets (`GET http://other-host/api/visits`) are for proxies, which this server is not; `//host/…`
  // (and `/\host/…`, which URL parsers read the same) would name another host to anything that resolves it.
  app.use((request, response, next) => {
    if (!isPathTarget(request.originalUrl)) {
      response.status(400).json({ error: 'the request target must be a path starting with a single "/"' });
      return;
    }
    next();
  });

  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });
  app.get('/readyz', (_request, response) => {
    // Ready when the backend answers its liveness probe.
    const url = new URL('/healthz', backendUrl);
    const probe = client(url).get(url, { timeout: 1000 }, (answer) => {
      answer.resume();
      const ok = answer.statusCode === 200;
      response.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not ready', backend: answer.statusCode });
    });
    probe.on('timeout', () => probe.destroy(new Error('timed out')));
    probe.on('error', (error) => {
      if (!response.headersSent) {
        response.status(503).json({ status: 'not ready', backend: error.message });
      }
    });
  });
  app.get('/metrics', metrics.handler());

  // The browser's spans: same origin for the page, relayed to the collector. Untraced, or every upload would
  // produce spans that produce uploads.
  const relayUpstream = { agent, logger, headers: ['content-type', 'content-length'], maxBodyBytes: MAX_SPAN_UPLOAD };
  app.post('/otlp/v1/traces', (request, response) => {
    if (!request.is(OTLP_TYPES)) {
      response.status(415).json({ error: `expected Content-Type ${OTLP_TYPES.join(' or ')}` });
      return;
    }
    // Refused at once when it says so; a body without (or with a false) Content-Length is counted as it streams.
    const length = Number(request.get('content-length') ?? 0);
    if (length > MAX_SPAN_UPLOAD) {
      response.status(413).json({ error: `the request body is larger than ${MAX_SPAN_UPLOAD} bytes` });
      return;
    }
    context.with(suppressTracing(context.active()), () => forward(request, response, otlpTracesUrl, relayUpstream));
  });

  // The API: only the allow-listed routes, spelt plainly, reach the backend (see api-route.ts); the backend's URL is
  // built from the checked path, never by resolving the client's target against it.
  const apiUpstream = { agent, logger, headers: REQUEST_HEADERS };
  const api: RequestHandler = (request, response) => {
    const target = apiTarget(request.originalUrl);
    if (!target.ok) {
      nameServerSpan(request, routeOf);
      response.status(target.status).json({ error: target.error });
      return;
    }
    const tier = requestTier(request);
    recordTier(tier);
    if (tier === undefined) {
      delete request.headers[TIER_HEADER];
    }
    const url = new URL(backendUrl.origin);
    url.pathname = target.path;
    url.search = target.query;
    forward(request, response, url, apiUpstream);
  };
  const log = requestLog(logger, routeOf);
  app.use((request, response, next) => {
    if (!isApiTarget(request.originalUrl)) {
      next();
      return;
    }
    log(request, response, () => api(request, response, next));
  });

  // The page carries the server span's traceparent, so the browser's document-load spans join this trace.
  app.get('/', requestLog(logger, routeOf), (_request, response) => {
    const carrier: Record<string, string> = {};
    propagation.inject(requestContext(), carrier);
    const meta = carrier.traceparent
      ? `<meta name="traceparent" content="${carrier.traceparent.replace(/[^0-9a-f-]/g, '')}" />`
      : '';
    response.set('Cache-Control', 'no-store').type('html').send(template.replace('<!--traceparent-->', meta));
  });
  app.use(express.static(publicDir, { index: false, maxAge: '1h' }));
  app.use((request, response) => {
    response.status(404).json({ error: `no route for ${request.method} ${request.path}` });
  });
  app.use(errorHandler(logger, routeOf, () => undefined));
  return app;
}
