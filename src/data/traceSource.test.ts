import { FieldType, toDataFrame } from '@grafana/data';
import { readFixture } from '../testing/fixtures';
import type { WireFrame } from '../testing/grafanaFrames';
import { manyTraces, realTraces, searchSeries, traceSeries, wireToFrame } from './testing/traces';
import { readTraceSource } from './traceSource';

const golden = () =>
  wireToFrame(readFixture<{ frames: WireFrame[] }>('jaeger/grafana-frames/complex-trace.frame.json').frames[0]);

/** The newest-first order Grafana's search transform promises, recomputed from the traces themselves. */
function newestFirst(traces: ReturnType<typeof manyTraces>): string[] {
  const start = (t: (typeof traces)[number]) => Math.min(...t.spans.map((s) => s.startTime));
  return [...traces].sort((a, b) => start(b) - start(a)).map((t) => t.traceID);
}

describe('readTraceSource', () => {
  it('analyses trace frames directly: the data source’s golden frame', () => {
    const result = readTraceSource([golden()], 500);
    expect(result.ok).toBe(true);
    if (!result.ok) {
      return;
    }
    expect(result.source.frames).toHaveLength(1);
    expect(result.source.frameTraces).toBe(1);
    expect(result.source.toFetch).toEqual([]);
    expect(result.source.limitHit).toBeUndefined();
  });

  it('analyses trace frames built from every real Jaeger fixture', () => {
    const traces = realTraces();
    const result = readTraceSource(
      traces.map((t, i) => traceSeries(t, `R${i}`)),
      500
    );
    expect(result.ok && result.source.frameTraces).toBe(new Set(traces.map((t) => t.traceID)).size);
    expect(result.ok && result.source.frames).toHaveLength(traces.length);
  });

  it('takes trace IDs from a search table, newest first, capped, and says the limit was hit', () => {
    const traces = manyTraces(30);
    const result = readTraceSource([searchSeries(traces)], 10);
    expect(result.ok).toBe(true);
    if (!result.ok) {
      return;
    }
    expect(result.source.toFetch).toEqual(newestFirst(traces).slice(0, 10));
    expect(result.source.found).toBe(30);
    expect(result.source.limitHit).toEqual({ found: 30, max: 10 });
    expect(result.source.frames).toEqual([]);
  });

  it('does not report a limit when the search fits, and reads the Jaeger uid from the traceID link', () => {
    const traces = manyTraces(5);
    const result = readTraceSource([searchSeries(traces, 'jaeger-uid')], 500);
    expect(result.ok && result.source.limitHit).toBeUndefined();
    expect(result.ok && result.source.toFetch).toHaveLength(5);
    expect(result.ok && result.source.jaegerUid).toBe('jaeger-uid');
  });

  it('sorts by startTime even when the table is not sorted, and drops duplicates and traces already present', () => {
    const traces = manyTraces(6);
    const reversed = searchSeries(traces);
    // Two tables listing overlapping traces; one trace also arrives as a full trace frame.
    const again = searchSeries(traces.slice(0, 3));
    const result = readTraceSource([again, reversed, traceSeries(traces[5])], 500);
    expect(result.ok).toBe(true);
    if (!result.ok) {
      return;
    }
    const expected = newestFirst(traces).filter((id) => id !== traces[5].traceID);
    expect(result.source.toFetch).toEqual(expected);
    expect(result.source.found).toBe(5);
    expect(result.source.frameTraces).toBe(1);
  });

  it('an empty search table is an empty sample, not an error', () => {
    const result = readTraceSource([searchSeries([])], 500);
    expect(result).toEqual({ ok: true, source: { frames: [], frameTraces: 0, toFetch: [], found: 0 } });
  });

  it('names what arrived and asks for a Search query when the data are not traces', () => {
    const series = toDataFrame({
      name: 'cpu',
      refId: 'A',
      fields: [
        { name: 'time', type: FieldType.time, values: [1, 2] },
        { name: 'value', type: FieldType.number, values: [3, 4] },
      ],
    });
    const result = readTraceSource([series], 500);
    expect(result.ok).toBe(false);
    if (result.ok) {
      return;
    }
    expect(result.error.title).toBe('These are not Jaeger search results');
    expect(result.error.message).toBe(
      'The panel received one frame: “cpu” with fields time, value, 2 rows. Hotpath needs the traces table of a ' +
        'Jaeger search: set the query type to Search (a trace-by-ID query works too).'
    );
  });

  it('names a dependency graph (nodes and edges frames) too', () => {
    const nodes = toDataFrame({
      name: 'A_nodes',
      meta: { preferredVisualisationType: 'nodeGraph' },
      fields: [
        { name: 'id', type: FieldType.string, values: ['a'] },
        { name: 'title', type: FieldType.string, values: ['a'] },
      ],
    });
    const edges = toDataFrame({
      name: 'A_edges',
      meta: { preferredVisualisationType: 'nodeGraph' },
      fields: [{ name: 'id', type: FieldType.string, values: [] }],
    });
    const result = readTraceSource([nodes, edges], 500);
    expect(!result.ok && result.error.message).toContain(
      '2 frames: “A_nodes” (nodeGraph) with fields id, title, 1 row; “A_edges” (nodeGraph) with fields id, 0 rows.'
    );
    expect(!result.ok && result.error.message).toContain('set the query type to Search');
  });

  it('says so when the query returned nothing at all', () => {
    const result = readTraceSource([], 500);
    expect(!result.ok && result.error).toEqual({
      title: 'No data from the query',
      message:
        'The query returned no data frames. Hotpath needs the traces table of a Jaeger search: set the query type ' +
        'to Search (a trace-by-ID query works too).',
    });
  });
});
