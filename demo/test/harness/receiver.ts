import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { anyValue, serviceName } from '../../../src/engine/adapters/otlp';
import { decodeLogs, decodeTraces } from './protobuf';
import { sleep, waitFor } from './process';

/** One OTLP/HTTP export as it arrived. */
export interface Export {
  signal: 'traces' | 'logs';
  contentType: string;
  /** The request decoded into OTLP/JSON form (from JSON or from protobuf). */
  payload: Record<string, unknown>;
}

export interface CapturedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  durationMs: number;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  status: number;
  attributes: Record<string, unknown>;
  events: Array<{ name: string; attributes: Record<string, unknown> }>;
}

export interface CapturedLog {
  service: string;
  traceId?: string;
  spanId?: string;
  body?: string;
  severity?: number;
  attributes: Record<string, unknown>;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);

function attributes(value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list(value)) {
    if (typeof kv.key === 'string') {
      out[kv.key] = anyValue(kv.value);
    }
  }
  return out;
}

function id(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value.toLowerCase() : undefined;
}

/** The exact Content-Types Loki and Jaeger accept for OTLP/HTTP. */
export const OTLP_CONTENT_TYPES = ['application/json', 'application/x-protobuf'];

/**
 * An OTLP/HTTP receiver (`POST /v1/traces`, `POST /v1/logs`) on 127.0.0.1 that keeps what it gets. It checks
 * the wire format as a collector would: exact Content-Type, a body that decodes as the signal's export request.
 * Anything else is answered 4xx and listed in `rejected`.
 */
export class OtlpReceiver {
  exports: Export[] = [];
  readonly rejected: string[] = [];
  private server?: http.Server;

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const reject = (status: number, why: string) => {
          this.rejected.push(`${request.method} ${request.url}: ${why}`);
          response.writeHead(status, { 'content-type': 'text/plain' }).end(why);
        };
        const signal = request.url === '/v1/traces' ? 'traces' : request.url === '/v1/logs' ? 'logs' : undefined;
        if (request.method !== 'POST' || signal === undefined) {
          reject(404, 'only POST /v1/traces and POST /v1/logs');
          return;
        }
        const contentType = request.headers['content-type'] ?? '';
        if (!OTLP_CONTENT_TYPES.includes(contentType)) {
          reject(
            415,
            `Content-Type must be exactly ${OTLP_CONTENT_TYPES.join(' or ')}, got ${JSON.stringify(contentType)}`
          );
          return;
        }
        let body = Buffer.concat(chunks);
        let payload: Json;
        try {
          if (request.headers['content-encoding'] === 'gzip') {
            body = gunzipSync(body);
          }
          if (contentType === 'application/json') {
            const parsed: unknown = JSON.parse(body.toString('utf8'));
            if (!isObject(parsed)) {
              throw new Error('not a JSON object');
            }
            payload = parsed;
          } else {
            payload = signal === 'traces' ? decodeTraces(body) : decodeLogs(body);
          }
          const key = signal === 'traces' ? 'resourceSpans' : 'resourceLogs';
          if (!Array.isArray(payload[key])) {
            throw new Error(`no ${key} array`);
          }
        } catch (error) {
          reject(400, `undecodable ${signal} export: ${error instanceof Error ? error.message : String(error)}`);
          return;
        }
        this.exports.push({ signal, contentType, payload });
        if (contentType === 'application/json') {
          response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        } else {
          response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
        }
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  clear(): void {
    this.exports = [];
  }

  /** The trace export requests as OTLP/JSON objects (what Hotpath's `readOtlp` reads). */
  traceExports(): Json[] {
    return this.exports.filter((e) => e.signal === 'traces').map((e) => e.payload);
  }

  spans(): CapturedSpan[] {
    const out: CapturedSpan[] = [];
    for (const payload of this.traceExports()) {
      for (const rs of list(payload.resourceSpans)) {
        const service = serviceName(rs.resource);
        for (const ss of list(rs.scopeSpans)) {
          for (const span of list(ss.spans)) {
            const start = BigInt(String(span.startTimeUnixNano ?? 0));
            const end = BigInt(String(span.endTimeUnixNano ?? 0));
            out.push({
              service,
              traceId: id(span.traceId) ?? '',
              spanId: id(span.spanId) ?? '',
              parentSpanId: id(span.parentSpanId),
              name: String(span.name),
              kind: Number(span.kind ?? 0),
              durationMs: Number(end - start) / 1e6,
              status: isObject(span.status) ? Number(span.status.code ?? 0) : 0,
              attributes: attributes(span.attributes),
              events: list(span.events).map((e) => ({ name: String(e.name), attributes: attributes(e.attributes) })),
            });
          }
        }
      }
    }
    return out;
  }

  logs(): CapturedLog[] {
    const out: CapturedLog[] = [];
    for (const e of this.exports.filter((x) => x.signal === 'logs')) {
      for (const rl of list(e.payload.resourceLogs)) {
        const service = serviceName(rl.resource);
        for (const sl of list(rl.scopeLogs)) {
          for (const record of list(sl.logRecords)) {
            const body = anyValue(record.body);
            out.push({
              service,
              traceId: id(record.traceId),
              spanId: id(record.spanId),
              body: typeof body === 'string' ? body : undefined,
              severity: typeof record.severityNumber === 'number' ? record.severityNumber : undefined,
              attributes: attributes(record.attributes),
            });
          }
        }
      }
    }
    return out;
  }

  /** Waits until `check` holds for the spans received so far. */
  waitForSpans(what: string, check: (spans: CapturedSpan[]) => boolean, timeoutMs = 15_000): Promise<CapturedSpan[]> {
    return waitFor(
      what,
      () => {
        const spans = this.spans();
        return check(spans) ? spans : undefined;
      },
      timeoutMs
    );
  }

  /** Waits until nothing new has arrived for `quietMs` (exports are batched every 100 ms in the tests). */
  async settle(quietMs = 600, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let seen = -1;
    while (seen !== this.exports.length) {
      if (Date.now() > deadline) {
        throw new Error('the receiver kept receiving exports: never quiet');
      }
      seen = this.exports.length;
      await sleep(quietMs);
    }
  }
}
