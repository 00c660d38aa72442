import { context, trace, type Context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { Logger } from './logger';

/** An error with the HTTP status and message the client should see. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * The client closed the connection before its answer was sent; the work for it was abandoned. 499 ("client closed
 * request", as nginx logs it): nobody receives it, but logs and metrics show what happened.
 */
export class ClientGoneError extends HttpError {
  constructor() {
    super(499, 'the client closed the connection before the answer; its work was abandoned');
    this.name = 'ClientGoneError';
  }
}

/**
 * A signal that aborts (with ClientGoneError) when the connection closes before the answer is complete, so work
 * for a client that gave up can be dropped instead of holding resources that waiting clients need.
 */
export function clientGoneSignal(response: Response): AbortSignal {
  const controller = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) {
      controller.abort(new ClientGoneError());
    }
  });
  return controller.signal;
}

/** The context of the request's server span (not of whichever Express layer happens to be active). */
export function requestContext(): Context {
  const active = context.active();
  const serverSpan = getRPCMetadata(active)?.span;
  return serverSpan ? trace.setSpan(active, serverSpan) : active;
}

/**
 * Names the request's server span after its route (`POST /api/checkout`, and sets `http.route`). Express does
 * that when a route handler answers; call this before answering anywhere else (a middleware, an error handler,
 * the proxy), as the instrumentation sets the route of each layer it passes.
 */
export function nameServerSpan(request: Request, routeOf: (request: Request) => string): void {
  const metadata = getRPCMetadata(context.active());
  if (metadata?.type === RPCType.HTTP) {
    metadata.route = routeOf(request);
  }
}

/** One log line per request, written in the request's trace context so it carries its trace_id and span_id. */
export function requestLog(logger: Logger, routeOf: (request: Request) => string): RequestHandler {
  return (request, response, next) => {
    const start = performance.now();
    const ctx = requestContext();
    response.once('finish', () => {
      const durationMs = Math.round((performance.now() - start) * 1000) / 1000;
      const fields = {
        method: request.method,
        route: routeOf(request),
        path: request.originalUrl.split('?')[0],
        status: response.statusCode,
        duration_ms: durationMs,
      };
      context.with(ctx, () => {
        if (response.statusCode >= 500) {
          logger.error(fields, 'request failed');
        } else {
          logger.info(fields, 'request');
        }
      });
    });
    next();
  };
}

/** Body-parser's errors carry `type` and `status`. */
function bodyParserStatus(error: unknown): { status: number; message: string } | undefined {
  if (typeof error !== 'object' || error === null || !('type' in error)) {
    return undefined;
  }
  switch (error.type) {
    case 'entity.parse.failed':
      return { status: 400, message: 'the request body is not valid JSON' };
    case 'entity.too.large':
      return { status: 413, message: 'the request body is too large' };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: 415, message: 'unsupported body encoding' };
    default:
      return undefined;
  }
}

/**
 * The last middleware: known errors get their status and message; anything else is a 500 whose details go to
 * the log (with the trace_id), not to the client.
 */
export function errorHandler(
  logger: Logger,
  routeOf: (request: Request) => string,
  classify: (error: unknown) => HttpError | undefined
): ErrorRequestHandler {
  return (error: unknown, request, response, next) => {
    if (response.headersSent) {
      next(error);
      return;
    }
    nameServerSpan(request, routeOf);
    const parsed = bodyParserStatus(error);
    const known =
      error instanceof HttpError ? error : parsed ? new HttpError(parsed.status, parsed.message) : classify(error);
    if (known) {
      if (known.status >= 500) {
        logger.error({ err: error, path: request.originalUrl.split('?')[0] }, known.message);
      }
      response.status(known.status).json({ error: known.message, ...known.details });
      return;
    }
    logger.error({ err: error, path: request.originalUrl.split('?')[0] }, 'unhandled error');
    response.status(500).json({ error: 'internal error' });
  };
}
