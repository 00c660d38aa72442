/** @jest-environment node */
/**
 * `hotpath analyze --jaeger …` against a stub Jaeger on 127.0.0.1 that serves answers recorded from the real Jaeger
 * 2.12 (test/fixtures/jaeger/jaeger-2.12, recorded by e2e/servers/journey.test.ts), or misbehaves on purpose.
 * The real Jaeger itself is exercised in e2e/servers/journey.test.ts.
 */
import { readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { INPUT_LIMIT_TEST_ENV } from './inputLimit';
import type { JsonOutput } from './render/json';
import { fixture } from './testing/fixtures';
import { hotpath } from './testing/runMain';

const RECORDED = 'jaeger/jaeger-2.12';
const SEARCH = fixture(`${RECORDED}/demo-slow-redis.search.json`);

interface RecordedAnswer {
  status: number;
  contentType: string;
  body: string;
}

const recorded = (name: string) =>
  JSON.parse(readFileSync(fixture(`${RECORDED}/api/${name}.json`), 'utf8')) as RecordedAnswer;

type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

/** A stub Jaeger: `routes` by path (`/api/traces`, `/api/services`); every request's URL is kept. */
class StubJaeger {
  readonly requests: URL[] = [];
  private server?: http.Server;
  private readonly sockets = new Set<import('node:net').Socket>();

  constructor(private readonly routes: Record<string, Handler>) {}

  async start(): Promise<string> {
    this.server = http.createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://stub');
      this.requests.push(url);
      const route = this.routes[url.pathname];
      if (route === undefined) {
        send(recorded('trace-not-found.404'))(request, response);
      } else {
        route(request, response);
      }
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) {
      socket.destroy(); // stalled answers hold theirs open
    }
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

/** Serves a recorded answer as Jaeger sent it (status, Content-Type, body). */
function send(answer: RecordedAnswer): Handler {
  return (_request, response) => {
    response.writeHead(answer.status, { 'content-type': answer.contentType });
    response.end(answer.body);
  };
}

function sendFile(file: string, headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json' }): Handler {
  return (_request, response) => {
    response.writeHead(200, headers);
    response.end(readFileSync(file));
  };
}

let stub: StubJaeger | undefined;

async function startStub(routes: Record<string, Handler>): Promise<string> {
  stub = new StubJaeger(routes);
  return stub.start();
}

afterEach(async () => {
  await stub?.stop();
  stub = undefined;
});

describe('hotpath analyze --jaeger URL --service S', () => {
  it("gives the same report as the file of Jaeger's answer, and says on stderr what it asked and got", async () => {
    const url = await startStub({ '/api/traces': sendFile(SEARCH) });
    const live = await hotpath(['analyze', '--jaeger', url, '--service', 'frontend', '--format', 'json']);
    expect(live.code).toBe(0);
    const fromFile = await hotpath(['analyze', SEARCH, '--format', 'json']);
    expect(JSON.parse(live.stdout)).toEqual(JSON.parse(fromFile.stdout));
    const output = JSON.parse(live.stdout) as JsonOutput;
    expect(output.traces).toBe(30);
    expect(`${output.hotspots[0].service} / ${output.hotspots[0].operation}`).toBe('backend / redis.slow_down');
    expect(live.stderr.split('\n')).toEqual([
      `hotpath: asking Jaeger at ${url} for up to 1000 traces (service "frontend", last 1h)…`,
      expect.stringMatching(/^hotpath: Jaeger answered 289\.8 KB in \d+\.\d s$/),
      '',
    ]);
    // The tables are the same too.
    const table = await hotpath(['analyze', '--jaeger', `${url}/`, '--service', 'frontend']);
    expect(table.stdout).toBe((await hotpath(['analyze', SEARCH])).stdout);
  });

  it('asks what Jaeger UI asks: the last hour by default, start and end in µs, limit, lookback', async () => {
    const url = await startStub({ '/api/traces': sendFile(SEARCH) });
    const before = Date.now() * 1000;
    await hotpath(['analyze', '--jaeger', url, '--service', 'frontend']);
    const after = Date.now() * 1000;
    expect(stub?.requests).toHaveLength(1);
    const asked = stub!.requests[0];
    expect(asked.pathname).toBe('/api/traces');
    expect([...asked.searchParams.keys()].sort()).toEqual(['end', 'limit', 'lookback', 'service', 'start']);
    expect(asked.searchParams.get('service')).toBe('frontend');
    expect(asked.searchParams.get('limit')).toBe('1000');
    expect(asked.searchParams.get('lookback')).toBe('1h');
    const start = Number(asked.searchParams.get('start'));
    const end = Number(asked.searchParams.get('end'));
    expect(end - start).toBe(3_600_000_000);
    expect(end).toBeGreaterThanOrEqual(before);
    expect(end).toBeLessThanOrEqual(after);
  });

  it('sends every option as its own encoded parameter (values cannot add parameters), tags as JSON', async () => {
    const url = await startStub({ '/api/traces': sendFile(SEARCH) });
    const run = await hotpath([
      'analyze',
      '--jaeger',
      `${url}/base/path/`,
      '--service',
      'front&limit=1#x',
      '--operation',
      'POST /api/checkout?a=b',
      '--tags',
      'http.route=/api/visits',
      '--tags',
      'note=a=b&c="d"',
      '--start',
      '2026-12-03T09:00:00Z',
      '--end',
      '1796288400500000',
      '--limit',
      '25',
      '--min-duration',
      '1.5ms',
      '--max-duration',
      '2s',
    ]);
    // The stub has no /base/path/api/traces: it answers Jaeger's 404 (the run fails; the request is what counts).
    expect(run.code).toBe(2);
    const asked = stub!.requests[0];
    expect(asked.pathname).toBe('/base/path/api/traces');
    expect(Object.fromEntries(asked.searchParams)).toEqual({
      service: 'front&limit=1#x',
      operation: 'POST /api/checkout?a=b',
      tags: '{"http.route":"/api/visits","note":"a=b&c=\\"d\\""}',
      start: '1796288400000000',
      end: '1796288400500000',
      limit: '25',
      minDuration: '1500us',
      maxDuration: '2000000us',
    });
    expect(run.stderr).toContain(
      '(service "front&limit=1#x", operation "POST /api/checkout?a=b", http.route=/api/visits'
    );
  });

  it.each([
    ['bad-limit.400', 'answered HTTP 400 Bad Request: strconv.ParseInt: parsing "many": invalid syntax'],
    ['no-service.400', "answered HTTP 400 Bad Request: parameter 'service' is required"],
    [
      'trace-not-found.404',
      "answered HTTP 404 Not Found: trace not found (is URL the address of Jaeger's query service, with its base path if it has one?)",
    ],
  ])("words Jaeger's error answer %s in one line, exit 2", async (name, message) => {
    const url = await startStub({ '/api/traces': send(recorded(name)) });
    const run = await hotpath(['analyze', '--jaeger', url, '--service', 'frontend']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe(`hotpath: Jaeger at ${url} ${message.replace('URL', url)}`);
  });

  it('quotes an error answer that is not JSON (a proxy page), shortened and on one line', async () => {
    const page = `<html>\n<body>${'Bad gateway '.repeat(40)}\u001b[2J</body></html>`;
    const url = await startStub({
      '/api/traces': (_request, response) => {
        response.writeHead(502, { 'content-type': 'text/html' });
        response.end(page);
      },
    });
    const run = await hotpath(['analyze', '--jaeger', url, '--service', 'frontend']);
    expect(run.code).toBe(2);
    const line = run.stderr.trimEnd().split('\n')[1];
    expect(line).toMatch(/^hotpath: Jaeger at http:\S+ answered HTTP 502 Bad Gateway: <html> <body>Bad gateway Bad/);
    expect(line).toMatch(/…$/);
    expect(line.length).toBeLessThan(300);
  });

  it('says when the answer is not JSON at all (the URL points at something else)', async () => {
    const url = await startStub({
      '/api/traces': (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end('<!doctype html><title>Jaeger UI</title>');
      },
    });
    const run = await hotpath(['analyze', '--jaeger', url, '--service', 'frontend']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `hotpath: Jaeger at ${url} answered with something other than JSON (text/html; charset=utf-8): is ${url} the ` +
        "address of Jaeger's query service (where Jaeger UI is served)?"
    );
  });

  it('no traces: says so, and which services Jaeger does know when it does not know this one', async () => {
    const url = await startStub({
      '/api/traces': send(recorded('no-traces')),
      '/api/services': send(recorded('services')),
    });
    const unknown = await hotpath(['analyze', '--jaeger', url, '--service', 'frontnd', '--lookback', '15m']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trimEnd().split('\n').slice(2)).toEqual([
      `hotpath: Jaeger at ${url} has no traces for service "frontnd", last 15m: Jaeger knows no service "frontnd"; ` +
        'it has "backend", "frontend"',
    ]);
    const known = await hotpath(['analyze', '--jaeger', url, '--service', 'frontend', '--operation', 'GET /']);
    expect(known.stderr.trimEnd().split('\n').slice(2)).toEqual([
      `hotpath: Jaeger at ${url} has no traces for service "frontend", operation "GET /", last 1h`,
    ]);
  });

  it("escapes what Jaeger's answers hold before printing it (service names are span data)", async () => {
    const url = await startStub({
      '/api/traces': send(recorded('no-traces')),
      '/api/services': (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ data: ['\u001b]0;pwned\u0007evil', 'ok'] }));
      },
    });
    const run = await hotpath(['analyze', '--jaeger', url, '--service', 'x']);
    expect(run.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(run.stderr).toContain('it has "\\u001b]0;pwned\\u0007evil", "ok"');
  });

  it('cannot reach Jaeger: says so, exit 2', async () => {
    // A port that was just free: nothing listens there.
    const url = await startStub({});
    await stub?.stop();
    stub = undefined;
    const run = await hotpath(['analyze', '--jaeger', url, '--service', 'frontend']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `hotpath: cannot reach Jaeger at ${url}: connection refused (is Jaeger running, and is this its query port`
    );
  });

  it.each([
    ['no headers', (_request: http.IncomingMessage, _response: http.ServerResponse) => undefined],
    [
      'half a body',
      (_request: http.IncomingMessage, response: http.ServerResponse) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"data":[');
      },
    ],
  ])('a stalled Jaeger (%s) is given up on after --timeout', async (_name, stall) => {
    const url = await startStub({ '/api/traces': stall });
    const run = await hotpath(['analyze', '--jaeger', url, '--service', 'frontend', '--timeout', '300ms']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`hotpath: Jaeger at ${url} sent nothing for 0.3 s (--timeout): gave up`);
  });

  describe('an answer over the input cap (the same cap as files) is refused', () => {
    const saved = process.env[INPUT_LIMIT_TEST_ENV];
    beforeEach(() => {
      process.env[INPUT_LIMIT_TEST_ENV] = '100000';
    });
    afterEach(() => {
      if (saved === undefined) {
        delete process.env[INPUT_LIMIT_TEST_ENV];
      } else {
        process.env[INPUT_LIMIT_TEST_ENV] = saved;
      }
    });

    it.each([
      ['with its Content-Length', { 'content-type': 'application/json', 'content-length': statSync(SEARCH).size }],
      ['while it streams (chunked, no length)', { 'content-type': 'application/json' }],
    ])('%s', async (_name, headers) => {
      const url = await startStub({ '/api/traces': sendFile(SEARCH, headers) });
      const run = await hotpath(['analyze', '--jaeger', url, '--service', 'frontend']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        `hotpath: the answer of Jaeger at ${url} is larger than 97.7 KB, the most one input may hold: ask for ` +
          'fewer traces (--limit) or a shorter time range'
      );
    });
  });
});
