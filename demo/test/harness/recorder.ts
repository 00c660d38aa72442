import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as it reached the stub. */
export interface Recorded {
  method: string;
  /** The request target exactly as it arrived. */
  target: string;
  /** Body bytes received (also when the sender aborted part-way). */
  bytes: number;
  /** False when the body never ended (the sender aborted it). */
  complete: boolean;
  /** The request is over: answered, or aborted by the sender. */
  closed: boolean;
  /** The request's headers as they arrived (lower-case names). */
  headers: http.IncomingHttpHeaders;
}

/**
 * A stand-in for whatever sits behind the frontend (the backend, the OTLP collector) on 127.0.0.1: it answers
 * 200 `{"reached": "stub"}` to everything, the worst case for a request that should never have got there, and
 * records what arrived.
 */
export class RecordingServer {
  readonly requests: Recorded[] = [];
  private server?: http.Server;

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((request, response) => {
      const record: Recorded = {
        method: request.method ?? '',
        target: request.url ?? '',
        bytes: 0,
        complete: false,
        closed: false,
        headers: request.headers,
      };
      this.requests.push(record);
      request.on('data', (chunk: Buffer) => {
        record.bytes += chunk.length;
      });
      request.on('end', () => {
        record.complete = true;
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"reached":"stub"}');
      });
      request.on('error', () => undefined);
      request.on('close', () => {
        record.closed = true;
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  /** What arrived, without the frontend's readiness probes of the backend. */
  received(): Recorded[] {
    return this.requests.filter((r) => r.target !== '/healthz');
  }

  clear(): void {
    this.requests.length = 0;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
