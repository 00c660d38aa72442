import http from 'node:http';
import net from 'node:net';

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json(): unknown;
}

/** Reads a whole response as an Answer (rejects if the response breaks off). */
export function readAnswer(response: http.IncomingMessage): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        text,
        json: () => JSON.parse(text) as unknown,
      });
    });
    response.on('error', reject);
  });
}

/** A plain HTTP request to 127.0.0.1 with a 10 s timeout. */
export function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number } = {}
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, timeout: options.timeoutMs ?? 10_000 },
      (response) => {
        readAnswer(response).then(resolve, reject);
      }
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`${url}: timed out`)));
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return request(url, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** Resolves when `url` answers `status` (default 200). */
export async function answers(url: string, status = 200): Promise<boolean | undefined> {
  try {
    return (await request(url, { timeoutMs: 1000 })).status === status ? true : undefined;
  } catch {
    return undefined;
  }
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** Decodes a `Transfer-Encoding: chunked` body (no trailers expected). */
function unchunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', offset);
    const size = lineEnd < 0 ? 0 : parseInt(body.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!(size > 0)) {
      return Buffer.concat(parts);
    }
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
}

/**
 * One request written byte for byte over a TCP socket: the request target goes out exactly as given (`/api/../x`,
 * `/api/%2e%2e/x`, `/api\..\x`, an absolute-form URL), where an HTTP client library would normalise or reject it.
 * Sends `Connection: close` and reads the answer until the server closes.
 */
export function rawRequest(
  port: number,
  target: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {}
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error(`${target}: timed out`)));
    socket.on('connect', () => {
      const body = options.body ?? '';
      const headers = {
        host: `127.0.0.1:${port}`,
        'content-length': String(Buffer.byteLength(body)),
        ...options.headers,
        connection: 'close',
      };
      const lines = [
        `${options.method ?? 'GET'} ${target} HTTP/1.1`,
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      ];
      socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`, 'latin1');
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const all = Buffer.concat(chunks);
      const headEnd = all.indexOf('\r\n\r\n');
      if (headEnd < 0) {
        reject(new Error(`${target}: no HTTP answer (${all.length} bytes)`));
        return;
      }
      const [statusLine, ...headerLines] = all.subarray(0, headEnd).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const body = all.subarray(headEnd + 4);
      resolve({
        status: Number(statusLine.split(' ')[1]),
        headers,
        text: (headers['transfer-encoding'] === 'chunked' ? unchunk(body) : body).toString('utf8'),
      });
    });
  });
}

/**
 * POSTs `totalBytes` of filler with `Transfer-Encoding: chunked` (no Content-Length), `chunkBytes` at a time as the
 * socket takes them, and stops sending as soon as an answer arrives (as a client does that is told 413 early).
 */
export function chunkedUpload(
  url: string,
  options: { totalBytes: number; chunkBytes?: number; headers?: Record<string, string> }
): Promise<Answer> {
  const chunk = Buffer.alloc(options.chunkBytes ?? 64 * 1024, 0x61);
  return new Promise((resolve, reject) => {
    let sentBytes = 0;
    let answered = false;
    const outgoing = http.request(url, { method: 'POST', headers: options.headers, timeout: 30_000 }, (response) => {
      answered = true;
      readAnswer(response).then(resolve, reject);
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`${url}: timed out`)));
    outgoing.on('error', (error) => {
      if (!answered) {
        reject(error);
      }
    });
    const send = () => {
      while (!answered && sentBytes < options.totalBytes) {
        const piece = chunk.subarray(0, Math.min(chunk.length, options.totalBytes - sentBytes));
        sentBytes += piece.length;
        if (!outgoing.write(piece)) {
          outgoing.once('drain', send);
          return;
        }
      }
      outgoing.end();
    };
    send();
  });
}
