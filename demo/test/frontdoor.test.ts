/**
 * The demo's public front door, tried as an attacker would: every spelling of "up out of /api/" into the backend's
 * admin API or metrics, and absolute-form targets, sent byte for byte (no client normalises them). Behind the
 * frontend sits a stub that answers 200 to anything, so a request that got through would show, whatever the
 * backend's own checks; then the same attempts against the real backend with the admin token.
 */
import { chunkedUpload, rawRequest, request } from './harness/http';
import { Cleanup, waitFor } from './harness/process';
import { RecordingServer } from './harness/recorder';
import { ADMIN_TOKEN, startFrontend, type Demo, type Service } from './harness/services';
import { startDemoWithDeps } from './harness/stack';

/** `..` and `.` in every spelling a decoder might turn back into dots. */
const DOT_DOT = ['..', '%2e%2e', '%2E%2E', '%2e.', '.%2e', '%2E.', '.%2E', '%2e%2E', '%2E%2e'];
const DOT = ['.', '%2e', '%2E'];
/** `/` and what some parsers read as `/`. */
const SEPARATORS = ['/', '%2f', '%2F', '\\', '%5c', '%5C'];
const PREFIXES = ['/api', '/API', '/Api'];
/** What sits on the backend beside the API. */
const TARGETS = ['admin/faults', 'metrics'];

/** Every way of writing `<prefix>/../<target>` (and `<prefix>/./../<target>`, `<prefix>/visits/../../<target>`). */
function escapes(): string[] {
  const out = new Set<string>();
  for (const prefix of PREFIXES) {
    for (const target of TARGETS) {
      for (const sep of SEPARATORS) {
        const rest = target.replace('/', sep);
        for (const up of DOT_DOT) {
          out.add(`${prefix}${sep}${up}${sep}${rest}`);
          out.add(`${prefix}/visits${sep}${up}${sep}${up}${sep}${rest}`);
          // Mixed separators: a plain slash into the API, an encoded or back slash out of it.
          out.add(`${prefix}/${up}${sep}${rest}`);
          out.add(`${prefix}${sep}${up}/${rest}`);
        }
        for (const here of DOT) {
          out.add(`${prefix}${sep}${here}${sep}..${sep}${rest}`);
        }
      }
      out.add(`${prefix}//../${target}`);
      out.add(`${prefix}/..//${target}`);
      out.add(`${prefix}/../${target}?x=1`);
    }
  }
  return [...out];
}

const ESCAPES = escapes();

describe('the frontend in front of a stub that answers 200 to anything', () => {
  const cleanup = new Cleanup();
  let stub: RecordingServer;
  let frontend: Service;

  beforeAll(async () => {
    stub = new RecordingServer();
    await stub.start();
    cleanup.add(() => stub.stop());
    frontend = await startFrontend(stub.url, stub.url);
    cleanup.add(() => frontend.proc.stop());
  });
  afterAll(() => cleanup.run());
  beforeEach(() => stub.clear());

  test(`refuses every dot-segment, encoded, mixed-case and backslash escape with 400 (${ESCAPES.length} spellings), and forwards none`, async () => {
    expect(ESCAPES.length).toBeGreaterThan(500);
    const answered: Record<string, number> = {};
    for (const target of ESCAPES) {
      for (const method of ['GET', 'POST', 'DELETE']) {
        const answer = await rawRequest(frontend.port, target, {
          method,
          headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        });
        answered[`${method} ${target}`] = answer.status;
      }
    }
    const notRefused = Object.entries(answered).filter(([, status]) => status !== 400);
    expect(notRefused).toEqual([]);
    expect(stub.received()).toEqual([]);
  });

  test('absolute-form and scheme-relative targets are refused, not fetched from the host they name', async () => {
    const stubOrigin = stub.url;
    for (const target of [
      `${stubOrigin}/api/visits`,
      `${stubOrigin}/admin/faults`,
      `${stubOrigin}/metrics`,
      `http://169.254.169.254/api/visits`,
      `//127.0.0.1/api/visits`,
      `/\\127.0.0.1/api/visits`,
    ]) {
      const answer = await rawRequest(frontend.port, target);
      expect({ target, status: answer.status }).toEqual({ target, status: 400 });
    }
    expect(stub.received()).toEqual([]);
  });

  test('x-customer-tier reaches the backend only as an allow-listed tier', async () => {
    for (const tier of ['gold', 'GOLD', 'gold, silver', 'platinum', 'gold\tx', '"><script>', 'g'.repeat(2000)]) {
      await request(`${frontend.url}/api/visits`, { headers: { 'x-customer-tier': tier } });
    }
    const forwarded = stub.received().map((r) => r.headers['x-customer-tier']);
    expect(forwarded).toEqual(['gold', undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  test('only the API routes reach the backend: anything else under /api is 404 and never forwarded', async () => {
    for (const target of [
      '/api/admin/faults',
      '/api/metrics',
      '/api',
      '/api/',
      '/api/visits/',
      '/API/visits',
      '/apivisits',
    ]) {
      const answer = await rawRequest(frontend.port, target);
      expect({ target, status: answer.status }).toEqual({ target, status: 404 });
    }
    expect(stub.received()).toEqual([]);
  });

  describe('the span relay (POST /otlp/v1/traces, at most 5 MB)', () => {
    const LIMIT = 5 * 1024 * 1024;
    const upload = (totalBytes: number) =>
      chunkedUpload(`${frontend.url}/otlp/v1/traces`, {
        totalBytes,
        headers: { 'content-type': 'application/x-protobuf' },
      });
    /** What the collector stand-in received on /v1/traces. */
    const relayed = () => stub.received().filter((r) => r.target === '/v1/traces');

    test('a 12 MB chunked upload (no Content-Length) gets 413, and the collector never receives a whole body', async () => {
      const answer = await upload(12 * 1024 * 1024);
      expect(answer.status).toBe(413);
      expect((answer.json() as { error: string }).error).toContain(`larger than ${LIMIT} bytes`);
      await waitFor('the relayed request to be over', () => (relayed().every((r) => r.closed) ? true : undefined));
      for (const record of relayed()) {
        expect(record.complete).toBe(false);
        expect(record.bytes).toBeLessThanOrEqual(LIMIT);
      }
      // The frontend is fine afterwards.
      expect((await request(`${frontend.url}/healthz`)).status).toBe(200);
    });

    test('one byte over the limit is refused; exactly the limit, and a normal upload, are relayed whole', async () => {
      expect((await upload(LIMIT + 1)).status).toBe(413);
      stub.clear();
      expect((await upload(LIMIT)).status).toBe(200);
      expect((await upload(200 * 1024)).status).toBe(200);
      expect(relayed().map((r) => [r.bytes, r.complete])).toEqual([
        [LIMIT, true],
        [200 * 1024, true],
      ]);
    });
  });

  test('the API routes are forwarded with their exact path and query', async () => {
    expect((await rawRequest(frontend.port, '/api/visits?page=1&x=%2e%2e')).status).toBe(200);
    expect((await request(`${frontend.url}/api/checkout`, { method: 'POST', body: '{}' })).status).toBe(200);
    expect(stub.received().map((r) => `${r.method} ${r.target}`)).toEqual([
      'GET /api/visits?page=1&x=%2e%2e',
      'POST /api/checkout',
    ]);
  });
});

describe('the frontend in front of the real backend (admin token set)', () => {
  const cleanup = new Cleanup();
  let demo: Demo;

  beforeAll(async () => {
    ({ demo } = await startDemoWithDeps(cleanup));
  }, 60_000);
  afterAll(() => cleanup.run());

  test("the review's reproductions: /api/../admin/faults, /api/%2e%2e/admin/faults and /api/../metrics are 400", async () => {
    const port = demo.frontend?.port ?? 0;
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    for (const target of ['/api/../admin/faults', '/api/%2e%2e/admin/faults', '/api/../metrics']) {
      const answer = await rawRequest(port, target, { headers: auth });
      expect({ target, status: answer.status }).toEqual({ target, status: 400 });
      expect(answer.text).not.toContain('faults');
      expect(answer.text).not.toContain('demo_http_request_duration_seconds');
    }
    const post = await rawRequest(port, '/api/../admin/faults', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/plain' },
      body: 'errors=1',
    });
    expect(post.status).toBe(400);
    // The faults are as they were (none), seen directly on the backend.
    const state = await request(`${demo.backend.url}/admin/faults`, { headers: auth });
    expect((state.json() as { faults: string }).faults).toBe('none');
    // And the API still works through the front door.
    expect((await rawRequest(port, '/api/visits')).status).toBe(200);
  });
});
