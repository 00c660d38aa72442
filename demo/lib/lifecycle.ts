import http, { type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './logger';
import type { Telemetry } from './telemetry';

/** Starts an HTTP server and resolves once it listens. */
export function listen(handler: RequestListener, port: number, host?: string): Promise<http.Server> {
  const server = http.createServer(handler);
  // Behind a load balancer or the frontend's keep-alive agent, idle sockets must outlive the client's.
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

export function boundPort(server: http.Server): number {
  return (server.address() as AddressInfo).port;
}

export interface ShutdownOptions {
  server: http.Server;
  logger: Logger;
  telemetry: Telemetry;
  /** Closes the service's own resources (e.g. the Redis client) after in-flight requests ended. */
  close?: () => Promise<void>;
  /** How long in-flight requests may take before their connections are cut. */
  drainMs?: number;
}

/**
 * SIGTERM/SIGINT: stop accepting connections, let in-flight requests finish (bounded), close resources, then flush
 * spans and logs and exit. A second signal, or a stuck step, exits at once with status 1.
 */
export function handleShutdown(options: ShutdownOptions): void {
  const { server, logger, telemetry, close, drainMs = 10_000 } = options;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal during shutdown: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const hardStop = setTimeout(() => {
      logger.error('shutdown took too long: exiting');
      process.exit(1);
    }, drainMs + 10_000);
    hardStop.unref();
    void (async () => {
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections become idle as their last response ends: close them as they do.
      server.closeIdleConnections();
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const cut = setTimeout(() => server.closeAllConnections(), drainMs);
      await drained;
      clearInterval(sweep);
      clearTimeout(cut);
      try {
        await close?.();
      } catch (error) {
        logger.warn({ err: error }, 'closing resources failed');
      }
      logger.info('stopped; flushing telemetry');
      try {
        await telemetry.shutdown();
      } catch (error) {
        // Nothing left to export to: say so on stdout and exit anyway.
        logger.warn({ err: error }, 'flushing telemetry failed');
      }
      logger.flush();
      process.exit(0);
    })();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
