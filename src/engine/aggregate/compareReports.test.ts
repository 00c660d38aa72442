/** @jest-environment node */
import { jaegerTrace, SpanSpec } from '../../testing/traces';
import { readJaeger } from '../adapters/jaeger';
import { analyzeTrace } from '../analyze';
import { OperationTable } from '../model/operations';
import { HotspotAggregator, HotspotReport } from './aggregator';
import { compareReports } from './compareReports';

/**
 * `frontend GET /` calls `api query` then `db select`, waiting 10 µs before, between and after (30 µs of its own).
 * With `cacheUs`, `api query` spends that long of its window in `cache get` (listed first, so the two reports'
 * operation tables number their operations differently).
 */
function request(traceNo: number, apiUs: number, dbUs: number, cacheUs = 0): SpanSpec[] {
  const base = 1_000_000 * traceNo;
  const cache: SpanSpec[] =
    cacheUs > 0
      ? [{ id: `c${traceNo}`, parent: `a${traceNo}`, service: 'cache', op: 'get', start: base + 10, duration: cacheUs }]
      : [];
  return [
    ...cache,
    { id: `r${traceNo}`, service: 'frontend', op: 'GET /', start: base, duration: apiUs + dbUs + 30, kind: 'server' },
    { id: `a${traceNo}`, parent: `r${traceNo}`, service: 'api', op: 'query', start: base + 10, duration: apiUs },
    { id: `d${traceNo}`, parent: `r${traceNo}`, service: 'db', op: 'select', start: base + 20 + apiUs, duration: dbUs },
  ];
}

function report(traces: SpanSpec[][]): HotspotReport {
  const operations = new OperationTable();
  const aggregator = new HotspotAggregator(operations);
  traces.forEach((spans, i) => {
    for (const trace of readJaeger(jaegerTrace(spans, `t${i}`), operations).traces) {
      aggregator.add(analyzeTrace(trace));
    }
  });
  return aggregator.report();
}

// Before: per trace frontend 30, api 100, db 100 µs (latency 230). After: frontend 30, api 50, cache 50, db 400
// (latency 530): the change is +300 µs per trace, all of it db's.
const before = report([request(0, 100, 100), request(1, 100, 100)]);
const after = report([request(0, 100, 400, 50), request(1, 100, 400, 50)]);

describe('compareReports', () => {
  it('ranks by the change in mean critical-path time per trace, matched by names', () => {
    const change = compareReports(before, after);
    expect(change.before).toEqual({ traces: 2, meanLatencyUs: 230, p50LatencyUs: 230, p95LatencyUs: 230 });
    expect(change.after).toMatchObject({ traces: 2, meanLatencyUs: 530 });
    expect(change.latencyDeltaUs).toBe(300);
    expect(change.rows.map((r) => [r.service, r.operation, r.beforeMeanUs, r.afterMeanUs, r.deltaUs])).toEqual([
      ['db', 'select', 100, 400, 300],
      ['cache', 'get', 0, 50, 50],
      ['frontend', 'GET /', 30, 30, 0],
      ['api', 'query', 100, 50, -50],
    ]);
    expect(change.rows.map((r) => r.shareOfChange)).toEqual([1, 50 / 300, 0, -50 / 300]);
    expect(change.rows.map((r) => r.presence)).toEqual(['both', 'new', 'both', 'both']);
    expect(change.rows.find((r) => r.service === 'cache')).toMatchObject({ beforeTraces: 0, afterTraces: 2 });
  });

  it('reports operations that disappeared, with a negative change', () => {
    const change = compareReports(after, before);
    const cache = change.rows.find((r) => r.service === 'cache');
    expect(cache).toMatchObject({ presence: 'gone', deltaUs: -50, beforeTraces: 2, afterTraces: 0 });
    expect(change.rows[0]).toMatchObject({ service: 'api', deltaUs: 50 });
  });

  it('compares the per-service rollup when asked', () => {
    const change = compareReports(before, after, { level: 'service' });
    expect(change.rows.map((r) => [r.service, r.deltaUs])).toEqual([
      ['db', 300],
      ['cache', 50],
      ['frontend', 0],
      ['api', -50],
    ]);
    expect(change.rows.every((r) => r.operation === undefined)).toBe(true);
  });

  it('warns when a side has too few traces to rank by', () => {
    expect(compareReports(before, after).warning).toBe(
      'only 2 traces before and 2 after: fewer than 20 on a side makes this ranking unreliable'
    );
    const many = (dbUs: number) => report(Array.from({ length: 20 }, (_, i) => request(i, 100, dbUs)));
    expect(compareReports(many(100), many(200)).warning).toBeUndefined();
  });

  it('copes with an empty side: means of 0, no share of a change it cannot measure', () => {
    const empty = report([]);
    const change = compareReports(empty, after);
    expect(change.before).toMatchObject({ traces: 0, meanLatencyUs: 0 });
    expect(change.rows[0]).toMatchObject({ service: 'db', beforeMeanUs: 0, afterMeanUs: 400, shareOfChange: 0 });
    expect(change.rows.every((r) => r.presence === 'new')).toBe(true);
    expect(change.warning).toMatch(/^only 0 traces before and 2 after/);
  });
});
