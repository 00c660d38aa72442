import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { context, propagation } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import express, { type Express, type Request, type RequestHandler } from 'express';
import { errorHandler, nameServerSpan, requestContext, requestLog } from '../lib/http';
import type { Logger } from '../lib/logger';
import { HttpMetrics, routeLabel } from '../lib/metrics';

export interface FrontendOptions {
  logger: Logger;
  /** BACKEND_URL: where /api/* goes. */
  backendUrl: URL;
  /** Where the browser's spans go: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces. */
  otlpTracesUrl: URL;
  /** The built page: index.html, app.js. */
  publicDir: string;
}

const API_ROUTES = ['/api/visits', '/api/checkout'];
/** Headers passed through to the backend and back; everything else (cookies, hop-by-hop, trace headers) is not. */
const REQUEST_HEADERS = ['content-type', 'content-length', 'accept', 'authorization'];
const RESPONSE_HEADERS = ['content-type', 'content-length', 'www-authenticate', 'retry-after'];
const OTLP_TYPES = ['application/json', 'application/x-protobuf'];

const ROUTES = ['/', '/otlp/v1/traces', '/healthz', '/readyz', '/metrics', ...API_ROUTES];

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

/**
 * Forwards the request as it is (method, path, query, body) to `target`, and the answer back. The outgoing call
 * runs in the request's context, so the http instrumentation makes it a child span and injects `traceparent`.
 */
function forward(
  target: (request: Request) => URL,
  agent: http.Agent,
  logger: Logger,
  headers = REQUEST_HEADERS
): RequestHandler {
  return (request, response) => {
    nameServerSpan(request, routeOf);
    const url = target(request);
    const outgoing = client(url).request(
      url,
      {
        method: request.method,
        headers: pick(request.headers, headers),
        agent: url.protocol === 'https:' ? undefined : agent,
        timeout: 30_000,
      },
      (upstream) => {
        response.status(upstream.statusCode ?? 502);
        for (const [name, value] of Object.entries(pick(upstream.headers, RESPONSE_HEADERS))) {
          if (value !== undefined) {
            response.setHeader(name, value);
          }
        }
        upstream.pipe(response);
      }
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error('timed out after 30 s')));
    outgoing.on('error', (error) => {
      logger.error({ err: error, target: url.origin }, 'upstream request failed');
      if (!response.headersSent) {
        response.status(502).json({ error: `upstream ${url.origin} unavailable: ${error.message}` });
      } else {
        response.destroy(error);
      }
    });
    request.pipe(outgoing);
  };
}

export function createFrontend(options: FrontendOptions): Express {
  const { logger, backendUrl, otlpTracesUrl, publicDir } = options;
  const template = readFileSync(path.join(publicDir, 'index.html'), 'utf8');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const metrics = new HttpMetrics('frontend', routeOf);
  const app = express();
  app.disable('x-powered-by');
  app.use(metrics.middleware());

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
  const relay = forward(() => otlpTracesUrl, agent, logger, ['content-type', 'content-length']);
  app.post('/otlp/v1/traces', (request, response, next) => {
    if (!request.is(OTLP_TYPES)) {
      response.status(415).json({ error: `expected Content-Type ${OTLP_TYPES.join(' or ')}` });
      return;
    }
    const length = Number(request.get('content-length') ?? 0);
    if (length > 5 * 1024 * 1024) {
      response.status(413).json({ error: 'span upload larger than 5 MB' });
      return;
    }
    context.with(suppressTracing(context.active()), () => relay(request, response, next));
  });

  app.use(
    '/api',
    requestLog(logger, routeOf),
    forward((request) => new URL(request.originalUrl, backendUrl), agent, logger)
  );

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
