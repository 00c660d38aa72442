import { lastValueFrom, toArray } from 'rxjs';
import { jaegerTraceToFrame, searchTableFrame } from '../testing/grafanaFrames';
import { HotpathError } from './errors';
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  fetchTraces,
  fetchTraces$,
  searchTraceIds,
  TraceCache,
  type TraceBatch,
} from './fetchTraces';
import { dsQueryReply, jaegerTraceAnswer, RecordedBackend, type Reply } from './testing/recordedBackend';
import { byId, manyTraces } from './testing/traces';

const RANGE = { from: 1_700_000_000_000, to: 1_700_000_600_000 };
const UID = 'jaeger-uid';

let backend: RecordedBackend;

afterEach(() => {
  expect(backend.violations).toEqual([]);
});

function serve(traces = manyTraces(60), mode: 'async' | 'manual' = 'async', failing?: Map<string, string>) {
  backend = new RecordedBackend(
    jaegerTraceAnswer(byId(traces), () => backend, failing),
    mode
  ).install();
  return traces;
}

function replyWith(reply: Reply | ((n: number) => Reply), mode: 'async' | 'manual' = 'async') {
  let n = 0;
  backend = new RecordedBackend(() => (typeof reply === 'function' ? reply(n++) : reply), mode).install();
}

const ids = (traces: Array<{ traceID: string }>) => traces.map((t) => t.traceID);
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('fetchTraces: batching', () => {
  it('posts 25 trace-by-ID queries per request to /api/ds/query, each with its own refId', async () => {
    const traces = serve(manyTraces(60));
    const result = await fetchTraces(ids(traces), { jaegerUid: UID, range: RANGE, cache: null });

    expect(backend.requests.map((r) => r.body.queries.length)).toEqual([25, 25, 10]);
    const first = backend.requests[0];
    expect(first.url).toBe('/api/ds/query?ds_type=jaeger');
    expect(first.method).toBe('POST');
    expect(first.headers).toEqual({ 'X-Plugin-Id': 'jaeger', 'X-Datasource-Uid': UID });
    expect(first.body.from).toBe('1700000000000');
    expect(first.body.to).toBe('1700000600000');
    expect(first.body.queries[0]).toEqual({
      refId: 't0',
      datasource: { type: 'jaeger', uid: UID },
      query: traces[0].traceID,
    });
    expect(backend.requests.flatMap((r) => r.body.queries.map((q) => q.query))).toEqual(ids(traces));
    expect(result.failures).toEqual([]);
    expect(result.traces.map((t) => t.traceId).sort()).toEqual(ids(traces).sort());
    // Each fetched frame is the trace asked for, spans and all.
    const sample = result.traces.find((t) => t.traceId === traces[7].traceID)!;
    expect(sample.frame.length).toBe(traces[7].spans.length);
  });

  it('honours another batch size, and asks for each ID once', async () => {
    const traces = serve(manyTraces(23));
    await fetchTraces([...ids(traces), ...ids(traces).slice(0, 5)], {
      jaegerUid: UID,
      range: RANGE,
      batchSize: 10,
      cache: null,
    });
    expect(backend.requests.map((r) => r.body.queries.length)).toEqual([10, 10, 3]);
  });

  it.each([
    [undefined, 3],
    [2, 2],
    [4, 4],
  ])('keeps at most %p (default 3) requests in flight', async (concurrency, expected) => {
    const traces = serve(manyTraces(200), 'manual');
    const done = fetchTraces(ids(traces), { jaegerUid: UID, range: RANGE, batchSize: 10, concurrency, cache: null });
    expect(backend.inFlight).toBe(expected);
    let rounds = 0;
    while (backend.heldCount > 0) {
      backend.release(1);
      await flush();
      expect(backend.inFlight).toBeLessThanOrEqual(expected);
      rounds++;
    }
    await done;
    expect(rounds).toBe(20);
    expect(backend.maxInFlight).toBe(expected);
    expect(backend.requests).toHaveLength(20);
  });
});

describe('fetchTraces: per-trace failures', () => {
  it('records a failed query as that trace’s failure and still returns the others', async () => {
    const traces = manyTraces(30);
    const failing = new Map([[traces[3].traceID, 'request failed: 500 Internal Server Error']]);
    const known = traces.filter((_, i) => i !== 9); // traces[9] is unknown to Jaeger
    serve(known, 'async', failing);
    const batches: TraceBatch[] = [];
    const result = await fetchTraces(ids(traces), {
      jaegerUid: UID,
      range: RANGE,
      cache: null,
      onBatch: (batch) => batches.push(batch),
    });
    expect(result.failures).toEqual([
      { traceId: traces[3].traceID, message: 'request failed: 500 Internal Server Error', status: 500 },
      { traceId: traces[9].traceID, message: 'request failed: 404 Not Found', status: 500 },
    ]);
    expect(result.traces).toHaveLength(28);
    expect(batches.every((b) => b.batchError === undefined)).toBe(true);
  });

  it('counts an empty trace frame (Jaeger found nothing) and a missing result as failures', async () => {
    backend = new RecordedBackend((request) =>
      dsQueryReply({
        [request.body.queries[0].refId]: {
          status: 200,
          frames: [jaegerTraceToFrame({ traceID: 'x', spans: [], processes: {} }, request.body.queries[0].refId)],
        },
      })
    ).install();
    const result = await fetchTraces(['aaa', 'bbb'], { jaegerUid: UID, range: RANGE, cache: null });
    expect(result.failures).toEqual([
      { traceId: 'aaa', message: 'trace not found (Jaeger returned no spans)' },
      { traceId: 'bbb', message: 'Grafana returned no result for this trace' },
    ]);
  });
});

describe('fetchTraces: cache', () => {
  it('answers known traces from the cache without a request, and fetches only the others', async () => {
    const traces = serve(manyTraces(40));
    const cache = new TraceCache(100);
    await fetchTraces(ids(traces).slice(0, 30), { jaegerUid: UID, range: RANGE, cache });
    expect(backend.requests).toHaveLength(2);
    expect(cache.size).toBe(30);

    const batches = await lastValueFrom(
      fetchTraces$(ids(traces), { jaegerUid: UID, range: RANGE, cache }).pipe(toArray())
    );
    expect(batches[0].fromCache).toBe(true);
    expect(batches[0].traces.map((t) => t.traceId)).toEqual(ids(traces).slice(0, 30));
    expect(backend.requests).toHaveLength(3);
    expect(backend.requests[2].body.queries.map((q) => q.query)).toEqual(ids(traces).slice(30));
  });

  it('is per data source, keeps no failures, and evicts the least recently used', async () => {
    const traces = manyTraces(3);
    serve(traces.slice(0, 2));
    const cache = new TraceCache(2);
    await fetchTraces(ids(traces), { jaegerUid: UID, range: RANGE, cache });
    expect(cache.size).toBe(2);
    expect(cache.get('other-uid', traces[0].traceID)).toBeUndefined();
    expect(cache.get(UID, traces[2].traceID)).toBeUndefined();
    cache.get(UID, traces[0].traceID);
    cache.set(UID, 'new', cache.get(UID, traces[0].traceID)!);
    expect(cache.get(UID, traces[1].traceID)).toBeUndefined();
    expect(cache.get(UID, traces[0].traceID)).toBeDefined();
  });
});

describe('fetchTraces: cancellation', () => {
  it('unsubscribing cancels the requests in flight and starts no more', async () => {
    const traces = serve(manyTraces(100), 'manual');
    const seen: TraceBatch[] = [];
    const subscription = fetchTraces$(ids(traces), {
      jaegerUid: UID,
      range: RANGE,
      batchSize: 10,
      cache: null,
    }).subscribe((batch) => seen.push(batch));
    backend.release(1);
    await flush();
    expect(seen).toHaveLength(1);
    expect(backend.requests).toHaveLength(4);
    subscription.unsubscribe();
    expect(backend.inFlight).toBe(0);
    expect(backend.cancelled).toBe(3);
    expect(backend.release()).toBe(0);
    await flush();
    expect(backend.requests).toHaveLength(4);
    expect(seen).toHaveLength(1);
  });

  it('aborting the signal rejects with an AbortError and sends nothing more', async () => {
    const traces = serve(manyTraces(100), 'manual');
    const controller = new AbortController();
    const progress: number[] = [];
    const done = fetchTraces(ids(traces), {
      jaegerUid: UID,
      range: RANGE,
      batchSize: 10,
      cache: null,
      signal: controller.signal,
      onBatch: (_, p) => progress.push(p.fetched),
    });
    backend.release(2);
    await flush();
    controller.abort();
    await expect(done).rejects.toMatchObject({ name: 'AbortError' });
    expect(backend.release()).toBe(0);
    await flush();
    expect(backend.requests).toHaveLength(5);
    expect(progress).toEqual([10, 20]);
  });

  it('an already aborted signal sends nothing', async () => {
    serve(manyTraces(5));
    const controller = new AbortController();
    controller.abort();
    await expect(
      fetchTraces(['a'], { jaegerUid: UID, range: RANGE, cache: null, signal: controller.signal })
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(backend.requests).toHaveLength(0);
  });
});

describe('fetchTraces: progress', () => {
  it('reports running totals after every batch, cache first', async () => {
    const traces = serve(manyTraces(60));
    const cache = new TraceCache();
    await fetchTraces(ids(traces).slice(0, 5), { jaegerUid: UID, range: RANGE, cache });
    const progress: unknown[] = [];
    await fetchTraces(ids(traces), {
      jaegerUid: UID,
      range: RANGE,
      cache,
      batchSize: 20,
      concurrency: 1,
      onBatch: (batch, p) => progress.push({ ...p, batch: batch.traces.length, cached: batch.fromCache }),
    });
    expect(progress).toEqual([
      { total: 60, fetched: 5, failed: 0, fromCache: 5, batch: 5, cached: true },
      { total: 60, fetched: 25, failed: 0, fromCache: 5, batch: 20, cached: false },
      { total: 60, fetched: 45, failed: 0, fromCache: 5, batch: 20, cached: false },
      { total: 60, fetched: 60, failed: 0, fromCache: 5, batch: 15, cached: false },
    ]);
  });
});

describe('fetchTraces: whole-request failures', () => {
  const fatal: Array<[string, Reply, { title: string; status?: number; message?: RegExp }]> = [
    [
      'data source missing',
      { kind: 'http', status: 404, body: { message: 'Data source not found' } },
      { title: 'Data source not found', status: 404, message: /Jaeger data source "jaeger-uid"/ },
    ],
    [
      'data source missing (newer Grafana: 500 with the error text)',
      { kind: 'http', status: 500, body: { message: 'Query data error', error: 'data source not found' } },
      { title: 'Data source not found', status: 500 },
    ],
    [
      'signed out',
      { kind: 'http', status: 401, body: { message: 'Unauthorized' } },
      { title: 'Not signed in (401)', status: 401, message: /session may have expired.*“Unauthorized”/ },
    ],
    [
      'no permission',
      { kind: 'http', status: 403, body: { message: 'Access denied to data source' } },
      { title: 'Access denied (403)', status: 403, message: /“Access denied to data source”/ },
    ],
    [
      'plugin missing',
      { kind: 'http', status: 404, body: { message: 'Plugin not found' } },
      { title: 'Data source plugin not found (404)', status: 404 },
    ],
    [
      'bad request',
      { kind: 'http', status: 400, body: { message: 'Query does not contain a valid data source identifier' } },
      { title: 'Query rejected (400)', status: 400, message: /valid data source identifier/ },
    ],
    ['Grafana unreachable', { kind: 'network' }, { title: 'Grafana server unreachable', message: /Failed to fetch/ }],
  ];

  it.each(fatal)('%s ends the run with a clear error and no further request', async (_, reply, expected) => {
    replyWith(reply);
    const error = await fetchTraces(ids(manyTraces(100)), { jaegerUid: UID, range: RANGE, cache: null }).catch(
      (e: unknown) => e
    );
    expect(error).toBeInstanceOf(HotpathError);
    const { userError, fatal: isFatal } = error as HotpathError;
    expect(isFatal).toBe(true);
    expect(userError.title).toBe(expected.title);
    expect(userError.status).toBe(expected.status);
    if (expected.message) {
      expect(userError.message).toMatch(expected.message);
    }
    await flush();
    // The first three went out together; the error stopped the rest.
    expect(backend.requests).toHaveLength(3);
    expect(backend.inFlight).toBe(0);
  });

  const batchLevel: Array<[string, Reply, string]> = [
    [
      '5xx with the backend’s message',
      {
        kind: 'http',
        status: 500,
        body: { message: 'Query data error', error: 'dial tcp 10.0.0.7:16686: connect: connection refused' },
      },
      'Query failed (500): The query to the Jaeger data source "jaeger-uid" failed on the server. Grafana said: “dial tcp 10.0.0.7:16686: connect: connection refused”.',
    ],
    [
      '502 from a proxy',
      { kind: 'http', status: 502, body: 'upstream connect error' },
      'Query failed (502): The query to the Jaeger data source "jaeger-uid" failed on the server. Grafana said: “upstream connect error”.',
    ],
    [
      'gateway timeout',
      { kind: 'http', status: 504, body: { message: 'Timeout' } },
      'Request timed out (504): The Jaeger data source "jaeger-uid" did not answer in time. Grafana said: “Timeout”. Try a shorter time range or fewer traces.',
    ],
    [
      'rate-limited (429)',
      { kind: 'http', status: 429, body: { message: 'Too many requests' } },
      'Too many requests (429): Grafana is rate-limiting queries. Grafana said: “Too many requests”.',
    ],
    [
      'cancelled by Grafana',
      { kind: 'cancelled' },
      'Request cancelled: Grafana cancelled a query to the Jaeger data source "jaeger-uid".',
    ],
  ];

  it.each(batchLevel)('%s fails only that batch’s traces', async (_, reply, message) => {
    replyWith((n) => (n === 1 ? reply : { kind: 'http', status: 200, body: { results: {} } }));
    const result = await fetchTraces(ids(manyTraces(60)), { jaegerUid: UID, range: RANGE, cache: null });
    expect(backend.requests).toHaveLength(3);
    expect(result.failures).toHaveLength(60);
    const second = new Set(backend.requests[1].body.queries.map((q) => q.query));
    expect(result.failures.filter((f) => second.has(f.traceId)).every((f) => f.message === message)).toBe(true);
  });

  it('a request that outlives our timeout fails its batch as timed out', async () => {
    replyWith((n) => (n === 0 ? { kind: 'never' } : dsQueryReply({})));
    const batches: TraceBatch[] = [];
    await fetchTraces(['a', 'b', 'c'], {
      jaegerUid: UID,
      range: RANGE,
      batchSize: 2,
      timeoutMs: 30,
      cache: null,
      onBatch: (b) => batches.push(b),
    });
    const timedOut = batches.find((b) => b.batchError)!;
    expect(timedOut.batchError?.title).toBe('Request timed out');
    expect(timedOut.batchError?.message).toMatch(/within 30 ms/);
    expect(timedOut.failures.map((f) => f.traceId)).toEqual(['a', 'b']);
    expect(backend.cancelled).toBe(1);
  });
});

describe('searchTraceIds', () => {
  it('sends the data source’s search query model and returns the table’s IDs newest first', async () => {
    const traces = manyTraces(12);
    backend = new RecordedBackend((request) =>
      dsQueryReply({ [request.body.queries[0].refId]: { status: 200, frames: [searchTableFrame(traces)] } })
    ).install();
    const found = await searchTraceIds(
      UID,
      {
        service: 'frontend',
        operation: 'HTTP GET /dispatch',
        tags: 'error=true',
        minDuration: '100ms',
        maxDuration: ' ',
        limit: 21,
      },
      RANGE
    );
    expect(backend.requests).toHaveLength(1);
    expect(backend.requests[0].body.queries).toEqual([
      {
        refId: 'search',
        datasource: { type: 'jaeger', uid: UID },
        queryType: 'search',
        service: 'frontend',
        operation: 'HTTP GET /dispatch',
        tags: 'error=true',
        minDuration: '100ms',
        limit: 21,
      },
    ]);
    const start = (t: (typeof traces)[number]) => Math.min(...t.spans.map((s) => s.startTime));
    expect(found).toEqual([...traces].sort((a, b) => start(b) - start(a)).map((t) => t.traceID));
  });

  it('reports a failed search with the data source’s message', async () => {
    backend = new RecordedBackend(() =>
      dsQueryReply({
        search: { error: 'request failed: 500 Internal Server Error', errorSource: 'downstream', status: 500 },
      })
    ).install();
    await expect(searchTraceIds(UID, { service: 'frontend', limit: 20 }, RANGE)).rejects.toMatchObject({
      userError: {
        title: 'Jaeger search failed',
        message: 'Searching service “frontend” failed: request failed: 500 Internal Server Error',
        status: 500,
      },
    });
  });

  it('gives up on a search Grafana never answers after our own 60 s, and cancels the request', async () => {
    jest.useFakeTimers();
    try {
      replyWith({ kind: 'never' });
      let outcome: unknown = 'pending';
      searchTraceIds(UID, { service: 'frontend', limit: 20 }, RANGE).then(
        () => (outcome = 'resolved'),
        (e: unknown) => (outcome = e)
      );
      await jest.advanceTimersByTimeAsync(DEFAULT_REQUEST_TIMEOUT_MS);
      expect(outcome).toBeInstanceOf(HotpathError);
      expect((outcome as HotpathError).userError).toEqual({
        title: 'Request timed out',
        message:
          'Grafana did not answer a query to the Jaeger data source "jaeger-uid" within 60 s. The data source may be overloaded; try a shorter time range or fewer traces.',
      });
      expect(backend.cancelled).toBe(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('maps a whole-request failure', async () => {
    replyWith({ kind: 'http', status: 403, body: { message: 'Access denied to data source' } });
    await expect(searchTraceIds(UID, { service: 'frontend', limit: 20 }, RANGE)).rejects.toMatchObject({
      userError: { title: 'Access denied (403)', status: 403 },
    });
  });
});
