/** @jest-environment node */
import fc from 'fast-check';

import { jaegerTrace, SpanSpec } from '../../testing/traces';
import { readJaeger } from '../adapters/jaeger';
import { analyzeTrace } from '../analyze';
import { OperationTable } from '../model/operations';
import { HotspotAggregator, TraceRecord } from './aggregator';
import { compareSlowToBaseline, MIN_TRUSTED_SAMPLE } from './compare';
import { percentileOfSorted, percentiles } from './percentile';
import { whatIf } from './whatIf';

/**
 * A request: `frontend GET /` [0, total] calls `api query` then `db select` one after the other.
 * frontend waits 10 µs itself before, between and after (30 µs in all).
 */
function request(traceNo: number, apiUs: number, dbUs: number, opts: { dbError?: boolean } = {}): SpanSpec[] {
  const base = 1_000_000 * traceNo;
  return [
    { id: `r${traceNo}`, service: 'frontend', op: 'GET /', start: base, duration: apiUs + dbUs + 30, kind: 'server' },
    { id: `a${traceNo}`, parent: `r${traceNo}`, service: 'api', op: 'query', start: base + 10, duration: apiUs },
    {
      id: `d${traceNo}`,
      parent: `r${traceNo}`,
      service: 'db',
      op: 'select',
      start: base + 20 + apiUs,
      duration: dbUs,
      error: opts.dbError,
    },
  ];
}

function aggregate(traces: SpanSpec[][]) {
  const operations = new OperationTable();
  const aggregator = new HotspotAggregator(operations);
  traces.forEach((spans, i) => {
    const { traces: built } = readJaeger(jaegerTrace(spans, `trace-${i}`), operations);
    aggregator.add(analyzeTrace(built[0]));
  });
  return { operations, aggregator, report: aggregator.report() };
}

describe('percentiles (nearest rank)', () => {
  it('returns values that occurred', () => {
    const sorted = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(percentileOfSorted(sorted, 50)).toBe(50);
    expect(percentileOfSorted(sorted, 90)).toBe(90);
    expect(percentileOfSorted(sorted, 95)).toBe(100);
    expect(percentileOfSorted(sorted, 0)).toBe(10);
    expect(percentileOfSorted([], 50)).toBeNaN();
    expect(percentiles([3, 1, 2])).toEqual({ p50: 2, p95: 3, p99: 3 });
  });

  it('selects exactly what sorting would give, for any list', () => {
    const bySorting = (values: number[]) => {
      const sorted = Float64Array.from(values).sort();
      return {
        p50: percentileOfSorted(sorted, 50),
        p95: percentileOfSorted(sorted, 95),
        p99: percentileOfSorted(sorted, 99),
      };
    };
    const value = fc.oneof(
      fc.integer({ min: -5, max: 5 }),
      fc.double({ noNaN: true }).map((v) => (v === 0 ? 0 : v)) /* -0 and 0 tie */,
      fc.constant(NaN)
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 300 }), (values) => {
        const before = [...values];
        expect(percentiles(values)).toEqual(bySorting(values));
        expect(values).toEqual(before);
      }),
      { numRuns: 500 }
    );
    const ascending = Array.from({ length: 5000 }, (_, i) => i);
    expect(percentiles(ascending)).toEqual(bySorting(ascending));
    expect(percentiles([...ascending].reverse())).toEqual(bySorting(ascending));
    expect(percentiles(new Array<number>(1000).fill(7))).toEqual({ p50: 7, p95: 7, p99: 7 });
  });
});

describe('HotspotAggregator', () => {
  const traces = [request(0, 100, 400), request(1, 100, 200, { dbError: true }), request(2, 300, 100)];
  const { report } = aggregate(traces);
  const row = (service: string) => report.operations.find((r) => r.service === service)!;

  it('ranks operations by total critical-path time, with shares of summed latency', () => {
    expect(report.traces).toBe(3);
    expect(report.spans).toBe(9);
    expect(report.totalLatencyUs).toBe(530 + 330 + 430);
    expect(report.operations.map((r) => `${r.service} ${r.operation}`)).toEqual([
      'db select',
      'api query',
      'frontend GET /',
    ]);
    expect(row('db').criticalPathUs).toBe(700);
    expect(row('api').criticalPathUs).toBe(500);
    expect(row('frontend').criticalPathUs).toBe(90);
    expect(row('db').criticalPathShare).toBeCloseTo(700 / 1290, 12);
    const shares = report.operations.reduce((sum, r) => sum + r.criticalPathShare, 0);
    expect(shares).toBeCloseTo(1, 12);
  });

  it('computes per-trace and per-span percentiles, self time, calls, errors and exemplars', () => {
    const db = row('db');
    expect(db.criticalPathPerTraceUs).toEqual({ p50: 200, p95: 400, p99: 400 });
    expect(db.spanDurationUs).toEqual({ p50: 200, p95: 400, p99: 400 });
    expect(db.meanCriticalPathUsPerTrace).toBeCloseTo(700 / 3, 12);
    expect(db.calls).toBe(3);
    expect(db.traces).toBe(3);
    expect(db.errors).toBe(1);
    expect(db.errorRate).toBeCloseTo(1 / 3, 12);
    expect(db.exemplars).toEqual([
      { traceId: 'trace-0', criticalPathUs: 400 },
      { traceId: 'trace-1', criticalPathUs: 200 },
      { traceId: 'trace-2', criticalPathUs: 100 },
    ]);
    expect(row('frontend').selfTimeUs).toBe(90);
    expect(row('api').selfTimeUs).toBe(500);
  });

  it('rolls operations up per service', () => {
    expect(report.services.map((r) => r.service)).toEqual(['db', 'api', 'frontend']);
    expect(report.services[0]).toMatchObject({ operation: undefined, criticalPathUs: 700, calls: 3, traces: 3 });
  });

  it('reports end-to-end latency percentiles and full coverage for well-formed traces', () => {
    expect(report.latencyUs).toEqual({ p50: 430, p95: 530, p99: 530 });
    expect(report.coverage).toBe(1);
    expect(report.lowCoverageTraces).toBe(0);
  });

  it('keeps only the three costliest exemplars', () => {
    const many = aggregate([50, 10, 90, 70, 30].map((db, i) => request(i, 5, db)));
    const db = many.report.operations.find((r) => r.service === 'db')!;
    expect(db.exemplars.map((e) => e.traceId)).toEqual(['trace-2', 'trace-3', 'trace-0']);
  });

  it('gives an empty report for no traces', () => {
    const empty = new HotspotAggregator(new OperationTable()).report();
    expect(empty).toMatchObject({ traces: 0, spans: 0, operations: [], services: [], coverage: 1 });
  });
});

describe('slow vs baseline', () => {
  // 30 fast requests (db 100 µs) and 10 slow ones whose db select takes 1,000 µs more.
  const traces = [
    ...Array.from({ length: 30 }, (_, i) => request(i, 50 + (i % 3), 100)),
    ...Array.from({ length: 10 }, (_, i) => request(30 + i, 50, 1100)),
  ];
  const { aggregator, operations } = aggregate(traces);
  const records: readonly TraceRecord[] = aggregator.traceRecords();

  it('splits at the p90 by default and ranks the operation that grew first', () => {
    const comparison = compareSlowToBaseline(records, operations);
    expect(comparison.thresholdUs).toBe(1180); // nearest-rank p90 of the 40 latencies: the 36th, a slow one
    expect(comparison.slowTraces).toBe(10);
    expect(comparison.baselineTraces).toBe(30);
    expect(comparison.rows[0]).toMatchObject({ service: 'db', operation: 'select', deltaUs: 1000 });
    expect(comparison.rows[2]).toMatchObject({ service: 'api', operation: 'query', deltaUs: -1 });
    expect(comparison.warning).toMatch(/only 10 slow and 30 baseline traces/);
  });

  it('splits at an explicit threshold and explains most of the slowdown by the grown operation', () => {
    const comparison = compareSlowToBaseline(records, operations, { thresholdUs: 182 });
    expect(comparison.slowTraces).toBe(20); // at or above: 10 slow + the 10 fast ones with api 52 µs (latency 182)
    expect(comparison.baselineTraces).toBe(20);
    expect(comparison.rows[0].deltaUs).toBe(500);
    expect(comparison.rows[0].shareOfSlowdown).toBeGreaterThan(0.99);
    expect(comparison.warning).toBeUndefined();
    expect(compareSlowToBaseline(records, operations, { thresholdUs: 1000 }).warning).toContain(
      `fewer than ${MIN_TRUSTED_SAMPLE}`
    );
  });
});

describe('what-if', () => {
  const { aggregator, operations } = aggregate([request(0, 100, 400), request(1, 100, 200), request(2, 300, 100)]);

  it('projects p50/p95 by removing a share of the operation’s critical-path time per trace', () => {
    const projection = whatIf(aggregator.traceRecords(), operations, 'db', 'select', 0.5)!;
    expect(projection.currentUs).toEqual({ p50: 430, p95: 530 });
    // Latencies 530, 330, 430 lose 200, 100, 50 → 330, 230, 380.
    expect(projection.projectedUs).toEqual({ p50: 330, p95: 380 });
    expect(projection.tracesAffected).toBe(3);
    expect(projection.caveat).toMatch(/^Estimate/);
  });

  it('returns null for an operation it has never seen', () => {
    expect(whatIf(aggregator.traceRecords(), operations, 'db', 'nope', 0.5)).toBeNull();
  });
});

describe('HotspotAggregator.addContribution', () => {
  it('gives the same report and records as add() for the same traces sent as copied columns', () => {
    const traces = [request(0, 100, 50), request(1, 40, 300, { dbError: true }), request(2, 7, 9)];
    const direct = aggregate(traces);
    const operations = new OperationTable();
    const aggregator = new HotspotAggregator(operations);
    traces.forEach((spans, i) => {
      const { traces: built } = readJaeger(jaegerTrace(spans, `trace-${i}`), operations);
      const { trace, path, selfUs, latencyUs } = analyzeTrace(built[0]);
      // Copies, as a structured clone from another thread would arrive: nothing shared with the model.
      aggregator.addContribution({
        traceId: trace.traceId,
        size: trace.size,
        operation: Int32Array.from(trace.operation),
        duration: Float64Array.from(trace.duration),
        error: Uint8Array.from(trace.error),
        selfUs: Float64Array.from(selfUs),
        spanPathUs: Float64Array.from(path.spanPathUs),
        latencyUs,
        diagnostics: { ...path.diagnostics },
      });
    });
    expect(aggregator.report()).toEqual(direct.report);
    expect(aggregator.report().operations.map((row) => row.calls)).toEqual([3, 3, 3]);
    expect(aggregator.traceRecords()).toEqual(direct.aggregator.traceRecords());
  });
});
