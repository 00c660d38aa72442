import { searchTableFrame } from '../testing/grafanaFrames';
import { TraceCache } from './fetchTraces';
import { runSearchPipeline, runSeriesPipeline } from './pipeline';
import { installDataSources } from './testing/dataSources';
import {
  dsQueryReply,
  jaegerTraceAnswer,
  RecordedBackend,
  type RecordedRequest,
  type Reply,
} from './testing/recordedBackend';
import { byId, manyTraces, searchSeries, traceSeries } from './testing/traces';
import type { HotspotQuery, HotspotState } from './types';

const RANGE = { from: 1_700_000_000_000, to: 1_700_000_600_000 };
const QUERY: HotspotQuery = { jaegerUid: 'jaeger', maxTraces: 500, window: 'root', asyncBlocking: false };

let backend: RecordedBackend;

beforeEach(() => {
  installDataSources([
    { uid: 'jaeger', type: 'jaeger' },
    { uid: 'tempo', type: 'tempo', name: 'Tempo' },
  ]);
});

afterEach(() => {
  expect(backend?.violations ?? []).toEqual([]);
});

function serveTraces(
  traces: ReturnType<typeof manyTraces>,
  mode: 'async' | 'manual' = 'async',
  failing?: Map<string, string>
) {
  backend = new RecordedBackend(
    jaegerTraceAnswer(byId(traces), () => backend, failing),
    mode
  ).install();
}

/** Each run gets its own cache, so every test sees real requests. */
const fresh = () => ({ fetch: { cache: new TraceCache() } });

function record() {
  const states: HotspotState[] = [];
  return { states, onState: (s: HotspotState) => states.push(s) };
}

const summary = (s: HotspotState) => ({ phase: s.phase, ...s.progress });

describe('runSeriesPipeline (the panel)', () => {
  it('fetches the traces of a search table and analyses them, reporting an honest, growing sample', async () => {
    const traces = manyTraces(60);
    serveTraces(traces);
    const { states, onState } = record();
    const run = runSeriesPipeline(
      { series: [searchSeries(traces)], range: RANGE, query: { ...QUERY, maxTraces: 50 } },
      onState,
      fresh()
    );
    const final = await run.done;

    expect(backend.requests.map((r) => r.body.queries.length)).toEqual([25, 25]);
    expect(backend.requests.every((r) => r.body.from === String(RANGE.from) && r.body.to === String(RANGE.to))).toBe(
      true
    );
    expect(summary(states[0])).toEqual({ phase: 'idle', searched: 0, toFetch: 0, fetched: 0, failed: 0, analysed: 0 });
    expect(summary(final)).toEqual({
      phase: 'done',
      searched: 60,
      toFetch: 50,
      fetched: 50,
      failed: 0,
      analysed: 50,
      limitHit: { found: 60, max: 50 },
    });
    const fetched = states.map((s) => s.progress.fetched);
    expect([...new Set(fetched)]).toEqual([0, 25, 50]);
    expect(states.filter((s) => s.phase === 'fetching').length).toBeGreaterThan(1);
    expect(final.range).toEqual(RANGE);
    expect(final.report?.traces).toBe(50);
  });

  it('analyses trace frames in the data without any request', async () => {
    const traces = manyTraces(4);
    serveTraces([]);
    const final = await runSeriesPipeline(
      { series: traces.map((t) => traceSeries(t)), range: RANGE, query: QUERY },
      () => undefined,
      fresh()
    ).done;
    expect(backend.requests).toHaveLength(0);
    expect(summary(final)).toEqual({ phase: 'done', searched: 4, toFetch: 4, fetched: 4, failed: 0, analysed: 4 });
  });

  it('uses the data source the search table links to when the query names none', async () => {
    const traces = manyTraces(3);
    serveTraces(traces);
    await runSeriesPipeline(
      { series: [searchSeries(traces, 'jaeger')], range: RANGE, query: { ...QUERY, jaegerUid: '' } },
      () => undefined,
      fresh()
    ).done;
    expect(backend.requests[0].body.queries[0].datasource).toEqual({ type: 'jaeger', uid: 'jaeger' });
  });

  it('reports traces that could not be fetched, and still analyses the rest', async () => {
    const traces = manyTraces(10);
    serveTraces(traces.slice(2));
    const final = await runSeriesPipeline(
      { series: [searchSeries(traces)], range: RANGE, query: QUERY },
      () => undefined,
      fresh()
    ).done;
    expect(summary(final)).toMatchObject({ phase: 'done', fetched: 8, failed: 2, analysed: 8 });
    expect(final.problems.filter((p) => p.source === 'fetch')).toHaveLength(2);
  });

  it('is empty for a search that found nothing', async () => {
    serveTraces([]);
    const final = await runSeriesPipeline({ series: [searchSeries([])], range: RANGE, query: QUERY }, () => undefined)
      .done;
    expect(final.phase).toBe('empty');
    expect(backend.requests).toHaveLength(0);
  });

  it.each<[string, Reply, string]>([
    [
      'no permission',
      { kind: 'http', status: 403, body: { message: 'Access denied to data source' } },
      'Access denied (403)',
    ],
    [
      'data source deleted',
      { kind: 'http', status: 404, body: { message: 'Data source not found' } },
      'Data source not found',
    ],
    [
      'every request failing on the server',
      { kind: 'http', status: 500, body: { message: 'Query data error' } },
      'Query failed (500)',
    ],
    ['Grafana unreachable', { kind: 'network' }, 'Grafana server unreachable'],
  ])('%s is the run’s error', async (_, reply, title) => {
    backend = new RecordedBackend(() => reply).install();
    const final = await runSeriesPipeline(
      { series: [searchSeries(manyTraces(80))], range: RANGE, query: QUERY },
      () => undefined,
      fresh()
    ).done;
    expect(final.phase).toBe('error');
    expect(final.error?.title).toBe(title);
  });

  it('every trace failing on its own is an error too, naming the first failure', async () => {
    serveTraces([]);
    const final = await runSeriesPipeline(
      { series: [searchSeries(manyTraces(3))], range: RANGE, query: QUERY },
      () => undefined,
      fresh()
    ).done;
    expect(final.phase).toBe('error');
    expect(final.error).toEqual({
      title: 'None of the 3 traces could be fetched',
      message: 'The first failure: request failed: 404 Not Found',
      status: 500,
    });
  });

  it('refuses to fetch without a data source, or from one that is not Jaeger', async () => {
    serveTraces(manyTraces(2));
    const none = await runSeriesPipeline(
      { series: [searchSeries(manyTraces(2))], range: RANGE, query: { ...QUERY, jaegerUid: '' } },
      () => undefined
    ).done;
    expect(none.error?.title).toBe('No Jaeger data source');
    const tempo = await runSeriesPipeline(
      { series: [searchSeries(manyTraces(2))], range: RANGE, query: { ...QUERY, jaegerUid: 'tempo' } },
      () => undefined
    ).done;
    expect(tempo.error).toEqual({
      title: 'Not a Jaeger data source',
      message: '“Tempo” is a data source of type tempo. Hotpath fetches full traces from Jaeger data sources only.',
    });
    expect(backend.requests).toHaveLength(0);
  });

  it('says what it received when the series are not traces', async () => {
    serveTraces([]);
    const { states, onState } = record();
    const final = await runSeriesPipeline({ series: [], range: RANGE, query: QUERY }, onState).done;
    expect(final.phase).toBe('error');
    expect(final.error?.title).toBe('No data from the query');
    expect(states).toEqual([final]);
  });

  it('cancel() stops requests and state updates', async () => {
    const traces = manyTraces(100);
    serveTraces(traces, 'manual');
    const { states, onState } = record();
    const run = runSeriesPipeline({ series: [searchSeries(traces)], range: RANGE, query: QUERY }, onState, {
      fetch: { cache: new TraceCache(), batchSize: 10 },
    });
    backend.release(1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const seen = states.length;
    expect(backend.requests).toHaveLength(4);
    run.cancel();
    expect(backend.inFlight).toBe(0);
    expect(backend.release()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(backend.requests).toHaveLength(4);
    expect(states).toHaveLength(seen);
  });
});

describe('runSearchPipeline (the app pages)', () => {
  /** A Jaeger that searches (returning `found` traces) and serves them by ID. */
  function jaeger(found: ReturnType<typeof manyTraces>, mode: 'async' | 'manual' = 'async') {
    const byTrace = jaegerTraceAnswer(byId(found), () => backend);
    backend = new RecordedBackend((request: RecordedRequest) => {
      const [query] = request.body.queries;
      if (query.queryType === 'search') {
        const limit = Number(query.limit);
        return dsQueryReply({ search: { status: 200, frames: [searchTableFrame(found.slice(0, limit))] } });
      }
      return byTrace(request);
    }, mode).install();
  }

  it('searches (one more than it will fetch), then fetches and analyses, saying the limit was hit', async () => {
    const traces = manyTraces(40);
    jaeger(traces);
    const { states, onState } = record();
    const final = await runSearchPipeline(
      { search: { service: 'frontend', tags: 'error=true' }, range: RANGE, query: { ...QUERY, maxTraces: 30 } },
      onState,
      fresh()
    ).done;
    expect(backend.requests[0].body.queries).toEqual([
      {
        refId: 'search',
        datasource: { type: 'jaeger', uid: 'jaeger' },
        queryType: 'search',
        service: 'frontend',
        tags: 'error=true',
        limit: 31,
      },
    ]);
    expect(backend.requests.slice(1).map((r) => r.body.queries.length)).toEqual([25, 5]);
    expect([...new Set(states.map((s) => s.phase))]).toEqual(['idle', 'searching', 'fetching', 'done']);
    expect(summary(final)).toEqual({
      phase: 'done',
      searched: 31,
      toFetch: 30,
      fetched: 30,
      failed: 0,
      analysed: 30,
      limitHit: { found: 31, max: 30, atLeast: true },
    });
  });

  it('caps at the search’s own limit and reports no limit when all traces fit', async () => {
    jaeger(manyTraces(8));
    const final = await runSearchPipeline(
      { search: { service: 'frontend', limit: 20 }, range: RANGE, query: QUERY },
      () => undefined,
      fresh()
    ).done;
    expect(backend.requests[0].body.queries[0].limit).toBe(21);
    expect(summary(final)).toEqual({ phase: 'done', searched: 8, toFetch: 8, fetched: 8, failed: 0, analysed: 8 });
  });

  it('gives up on a search that gets no answer within the run’s request timeout', async () => {
    jest.useFakeTimers();
    try {
      backend = new RecordedBackend(() => ({ kind: 'never' })).install();
      const { states, onState } = record();
      runSearchPipeline({ search: { service: 'frontend' }, range: RANGE, query: QUERY }, onState, {
        fetch: { cache: new TraceCache(), timeoutMs: 5_000 },
      });
      await jest.advanceTimersByTimeAsync(5_000);
      const last = states[states.length - 1];
      expect(last.phase).toBe('error');
      expect(last.error?.title).toBe('Request timed out');
      expect(last.error?.message).toMatch(/within 5 s/);
      expect(backend.cancelled).toBe(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('cancel() during the search aborts the search request, fetches nothing and reports nothing more', async () => {
    jaeger(manyTraces(10), 'manual');
    const { states, onState } = record();
    const run = runSearchPipeline({ search: { service: 'frontend' }, range: RANGE, query: QUERY }, onState, fresh());
    expect(states.map((s) => s.phase)).toEqual(['idle', 'searching']);
    expect(backend.inFlight).toBe(1);
    run.cancel();
    expect(backend.inFlight).toBe(0);
    expect(backend.cancelled).toBe(1);
    expect(backend.release()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(backend.requests).toHaveLength(1);
    expect(states.map((s) => s.phase)).toEqual(['idle', 'searching']);
  });

  it('is empty when the search finds nothing, and an error when it fails', async () => {
    jaeger([]);
    const empty = await runSearchPipeline({ search: { service: 'x' }, range: RANGE, query: QUERY }, () => undefined)
      .done;
    expect(empty.phase).toBe('empty');
    backend = new RecordedBackend(() =>
      dsQueryReply({ search: { error: 'request failed: 400 Bad Request', errorSource: 'downstream', status: 400 } })
    ).install();
    const failed = await runSearchPipeline({ search: { service: 'x' }, range: RANGE, query: QUERY }, () => undefined)
      .done;
    expect(failed.phase).toBe('error');
    expect(failed.error?.title).toBe('Jaeger search failed');
  });
});
