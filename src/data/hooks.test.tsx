import { act, renderHook, waitFor } from '@testing-library/react';
import { searchTableFrame } from '../testing/grafanaFrames';
import { TraceCache } from './fetchTraces';
import { useHotspotAnalysis, useHotspotSearch } from './hooks';
import { clearLogCountCache } from './logCount';
import type { PipelineOptions } from './pipeline';
import { installDataSources } from './testing/dataSources';
import { dsQueryReply, jaegerTraceAnswer, RecordedBackend, type RecordedRequest } from './testing/recordedBackend';
import { byId, manyTraces, searchSeries } from './testing/traces';
import type { HotspotQuery, TraceSearch } from './types';

const QUERY: HotspotQuery = { jaegerUid: 'jaeger', maxTraces: 500, window: 'root', asyncBlocking: false };
const RANGE = { from: 1_700_000_000_000, to: 1_700_000_600_000 };
const LATER = { from: 1_700_000_600_000, to: 1_700_001_200_000 };

let backend: RecordedBackend;
let options: PipelineOptions;

beforeEach(() => {
  installDataSources([
    { uid: 'jaeger', type: 'jaeger' },
    { uid: 'loki', type: 'loki' },
  ]);
  options = { fetch: { cache: new TraceCache(), batchSize: 10 } };
  clearLogCountCache();
});
afterEach(() => {
  expect(backend.violations).toEqual([]);
});

function serve(traces: ReturnType<typeof manyTraces>, mode: 'async' | 'manual') {
  const byTrace = jaegerTraceAnswer(byId(traces), () => backend);
  backend = new RecordedBackend((request: RecordedRequest) => {
    const [query] = request.body.queries;
    if (query.queryType === 'search') {
      return dsQueryReply({
        search: { status: 200, frames: [searchTableFrame(traces.slice(0, Number(query.limit)))] },
      });
    }
    return byTrace(request);
  }, mode).install();
}

async function releaseAll() {
  while (backend.heldCount > 0) {
    await act(async () => {
      backend.release();
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
  }
}

describe('useHotspotAnalysis', () => {
  it('fetches and analyses the search table of the panel, with partial state first', async () => {
    const traces = manyTraces(30);
    serve(traces, 'manual');
    const series = [searchSeries(traces)];
    const { result } = renderHook(() => useHotspotAnalysis({ series, timeRange: RANGE, query: QUERY }, options));
    expect(result.current.phase).toBe('fetching');
    expect(result.current.progress).toMatchObject({ searched: 30, toFetch: 30, fetched: 0 });
    await releaseAll();
    await waitFor(() => expect(result.current.phase).toBe('done'));
    expect(result.current.progress).toEqual({ searched: 30, toFetch: 30, fetched: 30, failed: 0, analysed: 30 });
    expect(result.current.range).toEqual(RANGE);
  });

  it('cancels the running fetch and starts over when the time range changes', async () => {
    const traces = manyTraces(60);
    serve(traces, 'manual');
    const series = [searchSeries(traces)];
    // Every snapshot at once (no coalescing), so the test sees the first batch land before it cancels.
    const { result, rerender } = renderHook(
      ({ range }) =>
        useHotspotAnalysis({ series, timeRange: range, query: QUERY }, { ...options, publishIntervalMs: 0 }),
      { initialProps: { range: RANGE } }
    );
    await act(async () => {
      backend.release(1);
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    expect(result.current.progress.fetched).toBe(10);
    expect(backend.requests).toHaveLength(4);

    rerender({ range: LATER });
    // The old run's three requests in flight are cancelled; the new run starts from its own state, where only the
    // ten traces the cache already holds are fetched.
    expect(backend.cancelled).toBe(3);
    expect(result.current.range).toEqual(LATER);
    expect(result.current.progress).toMatchObject({ searched: 60, toFetch: 60, fetched: 10 });
    const newRequests = backend.requests.slice(4);
    expect(newRequests.every((r) => r.body.from === String(LATER.from) && r.body.to === String(LATER.to))).toBe(true);
    // The first ten traces are cached: the new run asks only for the other fifty.
    const firstBatch = backend.requests[0].body.queries.map((q) => q.query);
    const asked = newRequests.flatMap((r) => r.body.queries.map((q) => q.query));
    expect(asked.filter((id) => firstBatch.includes(id))).toEqual([]);
    await releaseAll();
    await waitFor(() => expect(result.current.phase).toBe('done'));
    expect(result.current.progress.analysed).toBe(60);
    expect(backend.requests).toHaveLength(4 + 5);
  });

  it('does not refetch for a re-render with equal options, series, range and query (all built inline)', async () => {
    const traces = manyTraces(5);
    serve(traces, 'async');
    const table = searchSeries(traces);
    const cache = new TraceCache();
    const { result, rerender } = renderHook(
      ({ query }) =>
        useHotspotAnalysis({ series: [table], timeRange: { ...RANGE }, query }, { fetch: { cache, batchSize: 10 } }),
      { initialProps: { query: { ...QUERY } } }
    );
    await waitFor(() => expect(result.current.phase).toBe('done'));
    const done = result.current;
    rerender({ query: { ...QUERY } });
    expect(result.current).toBe(done);
    expect(backend.requests).toHaveLength(1);
  });

  it('stops fetching when unmounted', async () => {
    const traces = manyTraces(50);
    serve(traces, 'manual');
    const series = [searchSeries(traces)];
    const { unmount } = renderHook(() => useHotspotAnalysis({ series, timeRange: RANGE, query: QUERY }, options));
    expect(backend.inFlight).toBe(3);
    unmount();
    expect(backend.inFlight).toBe(0);
    expect(backend.cancelled).toBe(3);
    expect(backend.release()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(backend.requests).toHaveLength(3);
  });

  it('shows the error for series that are not traces', () => {
    serve([], 'async');
    const { result } = renderHook(() => useHotspotAnalysis({ series: [], timeRange: RANGE, query: QUERY }, options));
    expect(result.current.phase).toBe('error');
    expect(result.current.error?.title).toBe('No data from the query');
  });
});

describe('useHotspotSearch', () => {
  it('is idle without a service, then searches, fetches and analyses', async () => {
    const traces = manyTraces(12);
    serve(traces, 'async');
    const { result, rerender } = renderHook(
      ({ search }) => useHotspotSearch({ search, timeRange: RANGE, query: QUERY }, options),
      { initialProps: { search: null as TraceSearch | null } }
    );
    expect(result.current.phase).toBe('idle');
    expect(backend.requests).toHaveLength(0);
    rerender({ search: { service: 'frontend' } });
    expect(result.current.phase).toBe('searching');
    await waitFor(() => expect(result.current.phase).toBe('done'));
    expect(result.current.progress).toEqual({ searched: 12, toFetch: 12, fetched: 12, failed: 0, analysed: 12 });
    expect(backend.requests[0].body.queries[0]).toMatchObject({ queryType: 'search', service: 'frontend', limit: 501 });
  });
});
