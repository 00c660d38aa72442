import { analyzeTrace, HotspotAggregator, OperationTable, readGrafanaFrames, type FrameLike } from '../engine';
import { readFixture, readFixtureText } from '../testing/fixtures';
import type { WireFrame } from '../testing/grafanaFrames';
import { grafanaTraceFrame, type SpanSpec } from '../testing/traces';
import { analyzeLocalFiles, createHotspotAnalysis } from './analysis';
import { manyTraces, realTraces, traceSeries, wireToFrame } from './testing/traces';
import type { HotspotQuery, HotspotState } from './types';

const QUERY: HotspotQuery = { jaegerUid: 'j', maxTraces: 500, window: 'root', asyncBlocking: false };
const RANGE = { from: 1000, to: 2000 };

/** Runs the analysis with an event loop we can watch: every yield is counted and the work between them timed. */
function watched(query: HotspotQuery = QUERY, options: { sliceBudgetMs?: number; reportIntervalMs?: number } = {}) {
  const slices: number[] = [];
  let sliceStart = performance.now();
  const states: HotspotState[] = [];
  const analysis = createHotspotAnalysis(query, {
    range: RANGE,
    ...options,
    yieldToEventLoop: async () => {
      slices.push(performance.now() - sliceStart);
      await new Promise((resolve) => setTimeout(resolve, 0));
      sliceStart = performance.now();
    },
  });
  analysis.subscribe((s) => states.push(s));
  return { analysis, states, slices };
}

/** What the engine alone says about the same frames: the reference the incremental run must equal. */
function engineReport(frames: FrameLike[], query: HotspotQuery = QUERY) {
  const operations = new OperationTable();
  const aggregator = new HotspotAggregator(operations);
  const parsed = readGrafanaFrames(frames, operations);
  for (const trace of parsed.traces) {
    aggregator.add(analyzeTrace(trace, { window: query.window, asyncBlocking: query.asyncBlocking }));
  }
  return aggregator.report();
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  expect(condition()).toBe(true);
}

const golden = () =>
  wireToFrame(readFixture<{ frames: WireFrame[] }>('jaeger/grafana-frames/complex-trace.frame.json').frames[0]);

describe('createHotspotAnalysis', () => {
  it('gives the engine’s own report for the golden frame and every real Jaeger fixture', async () => {
    const goldenFrame = golden();
    const goldenId = String(goldenFrame.fields.find((f) => f.name === 'traceID')!.values[0]);
    // (grafana-complex-trace.json is the golden frame's input: the same trace, left out here.)
    const others = manyTraces(realTraces().length).filter((t) => t.traceID !== goldenId);
    const frames = [goldenFrame, ...others.map((t, i) => traceSeries(t, `R${i}`))];
    expect(others.length).toBe(realTraces().length - 1);
    const { analysis } = watched();
    analysis.setPhase('fetching');
    analysis.addTraceFrames(frames);
    const final = await analysis.finish();
    expect(final.phase).toBe('done');
    expect(final.progress).toEqual({
      searched: 0,
      toFetch: 0,
      fetched: frames.length,
      failed: 0,
      analysed: frames.length,
    });
    expect(final.report).toEqual(engineReport(frames));
    expect(final.records).toHaveLength(frames.length);
    expect(final.range).toEqual(RANGE);
  });

  it('honours the window and async options of the query', async () => {
    const frames = manyTraces(realTraces().length).map((t) => traceSeries(t));
    const query: HotspotQuery = { ...QUERY, window: 'full', asyncBlocking: true };
    const { analysis } = watched(query);
    analysis.addTraceFrames(frames);
    const final = await analysis.finish();
    expect(final.report).toEqual(engineReport(frames, query));
    expect(final.report).not.toEqual(engineReport(frames));
  });

  it('publishes partial results while traces arrive, each snapshot a new immutable object', async () => {
    const traces = manyTraces(30);
    const { analysis, states } = watched(QUERY, { reportIntervalMs: 0, sliceBudgetMs: 0 });
    analysis.setPhase('fetching');
    analysis.setSample({ searched: 40, toFetch: 30, limitHit: { found: 40, max: 30 } });
    analysis.addTraceFrames(traces.slice(0, 10).map((t) => traceSeries(t)));
    await until(() => analysis.getState().progress.analysed === 10);
    const partial = analysis.getState();
    expect(partial.phase).toBe('fetching');
    expect(partial.progress.analysed).toBe(10);
    expect(partial.report?.traces).toBe(10);

    analysis.addTraceFrames(traces.slice(10).map((t) => traceSeries(t)));
    const final = await analysis.finish();
    expect(final.report?.traces).toBe(30);
    expect(final.progress).toEqual({
      searched: 40,
      toFetch: 30,
      fetched: 30,
      failed: 0,
      analysed: 30,
      limitHit: { found: 40, max: 30 },
    });
    // The earlier snapshot did not change under our feet.
    expect(partial.progress.analysed).toBe(10);
    expect(partial.report?.traces).toBe(10);
    expect(partial.records).toHaveLength(10);
    expect(new Set(states).size).toBe(states.length);
    // Progress only moves forward, and the report is there as soon as one trace is analysed.
    const analysed = states.map((s) => s.progress.analysed);
    expect(analysed).toEqual([...analysed].sort((a, b) => a - b));
    expect(states.filter((s) => s.progress.analysed > 0).every((s) => s.report !== undefined)).toBe(true);
  });

  it('rebuilds the interim report at most once per interval, however many batches arrive, and the final at once', async () => {
    const traces = manyTraces(20);
    // An interval no test run reaches: after the first report, only finish() may rebuild it.
    const { analysis, states } = watched(QUERY, { reportIntervalMs: 3_600_000 });
    analysis.setPhase('fetching');
    for (const [i, trace] of traces.entries()) {
      analysis.addTraceFrames([traceSeries(trace)]);
      // The analysed count is published as soon as the queue runs dry, report or not.
      await until(() => analysis.getState().progress.analysed === i + 1);
    }
    const interim = new Set(states.filter((s) => s.phase === 'fetching' && s.report).map((s) => s.report));
    expect(interim.size).toBe(1);
    expect([...interim][0]?.traces).toBeLessThan(20);
    // Records belong to the report they were taken with.
    expect(analysis.getState().records).toHaveLength([...interim][0]!.traces);
    const final = await analysis.finish();
    expect(final.report?.traces).toBe(20);
    expect(final.records).toHaveLength(20);
    expect(final.report).toEqual(engineReport(traces.map((t) => traceSeries(t))));
  });

  it('brings the report up to date while no new traces arrive, once the interval has passed', async () => {
    const traces = manyTraces(20);
    const { analysis } = watched(QUERY, { reportIntervalMs: 20 });
    analysis.setPhase('fetching');
    analysis.addTraceFrames(traces.slice(0, 10).map((t) => traceSeries(t)));
    analysis.addTraceFrames(traces.slice(10).map((t) => traceSeries(t)));
    // No finish(): the last batch is in the report by the idle-time refresh alone.
    await until(() => analysis.getState().report?.traces === 20);
    expect(analysis.getState().phase).toBe('fetching');
    expect(analysis.getState().records).toHaveLength(20);
    await analysis.finish();
  });

  it('reuses unchanged parts of the previous snapshot, so views can skip them by identity', async () => {
    const { analysis, states } = watched(QUERY, { reportIntervalMs: 3_600_000 });
    analysis.setPhase('fetching');
    analysis.addTraceFrames([traceSeries(manyTraces(1)[0])]);
    await until(() => analysis.getState().progress.analysed === 1);
    analysis.setSample({ searched: 5, toFetch: 5 });
    const [before, after] = states.slice(-2);
    expect(after).not.toBe(before);
    expect(after.progress).not.toEqual(before.progress);
    expect(after.report).toBe(before.report);
    expect(after.records).toBe(before.records);
    expect(after.problems).toBe(before.problems);
    expect(after.range).toBe(before.range);
    await analysis.finish();
  });

  it('time-slices 1,000 traces × 50 spans: adding returns at once, the work runs in many slices', async () => {
    const frames = Array.from({ length: 1000 }, (_, t) => {
      const spans: SpanSpec[] = Array.from({ length: 50 }, (__, s) => ({
        id: `s${s}`,
        parent: s === 0 ? undefined : `s${Math.floor((s - 1) / 3)}`,
        service: `svc${s % 7}`,
        op: `op${s % 11}`,
        start: 1_700_000_000_000_000 + t * 1_000_000 + s * 100,
        duration: 10_000 - s * 150,
      }));
      return wireToFrame(grafanaTraceFrame(spans, `trace${t}`));
    });
    const { analysis, slices } = watched();
    analysis.addTraceFrames(frames);
    // Adding returns after one slice of work, at the first yield: the caller (an RxJS handler) is not blocked.
    // Counted, not timed (speed belongs in bench/; the slice budget is checked on a deterministic clock below).
    expect(slices).toHaveLength(1);
    const final = await analysis.finish();
    expect(final.progress.analysed).toBe(1000);
    expect(final.report?.spans).toBe(50_000);
    expect(slices.length).toBeGreaterThan(5);
  });

  it('does at most a slice budget of work between yields (deterministic clock)', async () => {
    let clock = 0;
    const perSlice: number[] = [];
    let last = 0;
    const analysis = createHotspotAnalysis(QUERY, {
      sliceBudgetMs: 5,
      // A snapshot after every slice, so the yield sees the count.
      reportIntervalMs: 0,
      // Every look at the clock costs 1 ms: a slice can look about five times.
      now: () => clock++,
      yieldToEventLoop: async () => {
        const analysed = analysis.getState().progress.analysed;
        perSlice.push(analysed - last);
        last = analysed;
      },
    });
    analysis.addTraceFrames(manyTraces(60).map((t) => traceSeries(t)));
    const final = await analysis.finish();
    expect(final.progress.analysed).toBe(60);
    expect(perSlice.length).toBeGreaterThan(20);
    expect(Math.max(...perSlice)).toBeLessThanOrEqual(5);
  });

  it('compares slow traces with the baseline when asked, by percentile or threshold', async () => {
    const frames = manyTraces(40).map((t) => traceSeries(t));
    const byPercentile = watched({ ...QUERY, compare: { percentile: 90 } }).analysis;
    byPercentile.addTraceFrames(frames);
    const p90 = await byPercentile.finish();
    expect(p90.comparison).toBeDefined();
    expect(p90.comparison!.slowTraces + p90.comparison!.baselineTraces).toBe(40);

    const byThreshold = watched({ ...QUERY, compare: { thresholdMs: 5 } }).analysis;
    byThreshold.addTraceFrames(frames);
    const threshold = await byThreshold.finish();
    expect(threshold.comparison?.thresholdUs).toBe(5000);
    const slow = threshold.records.filter((r) => r.latencyUs >= 5000).length;
    expect(threshold.comparison?.slowTraces).toBe(slow);

    const none = watched().analysis;
    none.addTraceFrames(frames);
    expect((await none.finish()).comparison).toBeUndefined();
  });

  it('counts failures as problems of their trace, and analyses a trace that arrives twice once', async () => {
    const traces = manyTraces(3);
    const { analysis } = watched();
    analysis.addFailures([{ traceId: 'gone', message: 'request failed: 404 Not Found', status: 500 }]);
    analysis.addTraceFrames([traceSeries(traces[0]), traceSeries(traces[1]), traceSeries(traces[0], 'B')]);
    const final = await analysis.finish();
    expect(final.phase).toBe('done');
    expect(final.progress).toMatchObject({ fetched: 2, failed: 1, analysed: 2 });
    expect(final.problems).toContainEqual({
      source: 'fetch',
      traceId: 'gone',
      message: 'not fetched: request failed: 404 Not Found',
    });
    expect(final.problems).toContainEqual({
      traceId: traces[0].traceID,
      message: 'the trace arrived more than once; analysed once',
    });
  });

  it('keeps the engine’s input problems (with their trace and span)', async () => {
    const frame = wireToFrame(
      grafanaTraceFrame([
        { id: 'root', start: 0, duration: 100 },
        { id: 'child', parent: 'missing', start: 10, duration: 10 },
      ])
    );
    const { analysis } = watched();
    analysis.addTraceFrames([frame]);
    const final = await analysis.finish();
    expect(final.report?.diagnostics.orphans).toBe(1);
  });

  it('is an error, not an empty result, when every trace failed', async () => {
    const { analysis } = watched();
    analysis.setSample({ searched: 2, toFetch: 2 });
    analysis.addFailures([
      { traceId: 'a', message: 'request failed: 404 Not Found', status: 500 },
      { traceId: 'b', message: 'request failed: 404 Not Found', status: 500 },
    ]);
    const final = await analysis.finish();
    expect(final.phase).toBe('error');
    expect(final.error).toEqual({
      title: 'None of the 2 traces could be fetched',
      message: 'The first failure: request failed: 404 Not Found',
      status: 500,
    });
  });

  it('is empty when there was nothing to analyse', async () => {
    const { analysis } = watched();
    analysis.setSample({ searched: 0, toFetch: 0 });
    const final = await analysis.finish();
    expect(final.phase).toBe('empty');
    expect(final.report).toBeUndefined();
  });

  it('fail() ends the run in error and keeps what was analysed', async () => {
    const { analysis } = watched();
    analysis.addTraceFrames([traceSeries(realTraces()[0])]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    analysis.fail({ title: 'Access denied (403)', message: 'no', status: 403 });
    const final = await analysis.done;
    expect(final.phase).toBe('error');
    expect(final.error?.status).toBe(403);
    expect(final.report?.traces).toBe(1);
    analysis.addTraceFrames([traceSeries(realTraces()[1])]);
    expect(analysis.getState()).toBe(final);
  });

  it('cancel() stops the work and the snapshots', async () => {
    const frames = manyTraces(200).map((t) => traceSeries(t));
    const { analysis, states } = watched(QUERY, { sliceBudgetMs: 0 });
    analysis.addTraceFrames(frames);
    const before = states.length;
    analysis.cancel();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(states).toHaveLength(before);
    expect(analysis.getState().progress.analysed).toBeLessThan(200);
    await expect(analysis.finish()).resolves.toBe(analysis.getState());
  });
});

describe('analyzeLocalFiles', () => {
  it('reads Jaeger and OTLP files in the browser and names the files it cannot read', async () => {
    const files = [
      { name: 'smartthings.json', text: readFixtureText('jaeger/zipkin-smartthings-oauth-authorization.jaeger.json') },
      { name: 'bookinfo.otlp.json', text: readFixtureText('otlp/kiali-tempo-istio-bookinfo-trace.json') },
      { name: 'lines.jsonl', text: readFixtureText('otlp/jaeger-ui-otlp2jaeger-multi-in.jsonl') },
      { name: 'notes.txt', text: 'these are not traces' },
    ];
    const states: HotspotState[] = [];
    const final = await analyzeLocalFiles(files, QUERY, { onState: (s) => states.push(s) });
    expect(final.phase).toBe('done');
    expect(final.progress).toMatchObject({ failed: 1, analysed: 3, fetched: 3, searched: 3 });
    expect(final.problems).toContainEqual({
      source: 'notes.txt',
      message: expect.stringContaining('not valid JSON or JSON lines'),
    });
    expect(final.report?.services.map((s) => s.service)).toContain('productpage.bookinfo');
    // No data source: the range is the extent of the traces themselves.
    expect(final.range.from).toBeGreaterThan(1_000_000_000_000);
    expect(final.range.to).toBeGreaterThan(final.range.from);
    expect(states[0].phase).toBe('fetching');
  });

  it('is an error naming the file when no file could be read', async () => {
    const final = await analyzeLocalFiles(
      [
        { name: 'a.json', text: '{"hello": 1}' },
        { name: 'b.json', text: '' },
      ],
      QUERY
    );
    expect(final.phase).toBe('error');
    expect(final.error?.title).toBe('None of the 2 files could be read');
    expect(final.error?.message).toMatch(/^a\.json: expected Jaeger JSON/);
  });
});
