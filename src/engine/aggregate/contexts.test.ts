/** @jest-environment node */
import fc from 'fast-check';

import { arbitraryTraceSet } from '../../testing/arbitraryTraces';
import { jaegerTrace, SpanSpec } from '../../testing/traces';
import { readJaeger } from '../adapters/jaeger';
import { analyzeTrace } from '../analyze';
import { OperationTable } from '../model/operations';
import { AggregatorOptions, HotspotAggregator } from './aggregator';
import { compareSlowToBaseline } from './compare';
import { compareContexts } from './contextCompare';
import { ContextNode, ContextReport } from './contexts';
import { contributionOf, TraceSummarizer } from './traceSummary';

/** Fixed seed: the same cases on every run. */
const RUNS = { seed: 15_2026, numRuns: 300 };

/**
 * `frontend GET /` [0, total] calls `checkout pay`, which calls `redis GET` for `redisUs`, then `auth login`, which
 * calls `redis GET` for 10 µs. Critical path: frontend 20, pay 20, redis under pay `redisUs`, login 20, redis
 * under login 10.
 */
function request(traceNo: number, redisUs: number): SpanSpec[] {
  const b = 1_000_000 * traceNo;
  const payEnd = 30 + redisUs;
  return [
    { id: `r${traceNo}`, service: 'frontend', op: 'GET /', start: b, duration: payEnd + 40 },
    { id: `c${traceNo}`, parent: `r${traceNo}`, service: 'checkout', op: 'pay', start: b + 10, duration: payEnd - 10 },
    { id: `g${traceNo}`, parent: `c${traceNo}`, service: 'redis', op: 'GET', start: b + 20, duration: redisUs },
    { id: `a${traceNo}`, parent: `r${traceNo}`, service: 'auth', op: 'login', start: b + payEnd, duration: 30 },
    { id: `h${traceNo}`, parent: `a${traceNo}`, service: 'redis', op: 'GET', start: b + payEnd + 10, duration: 10 },
  ];
}

function aggregate(traces: SpanSpec[][], options: AggregatorOptions = { callContexts: true }) {
  const operations = new OperationTable();
  const aggregator = new HotspotAggregator(operations, options);
  traces.forEach((spans, i) => {
    const { traces: built } = readJaeger(jaegerTrace(spans, `trace-${i}`), operations);
    aggregator.add(analyzeTrace(built[0]));
  });
  return { operations, aggregator, report: aggregator.report(), contexts: aggregator.contextReport() };
}

/** Each frame as `service: operation` joined by `;` from the root down (the "other" frame as `[other]`). */
function paths(report: ContextReport): string[] {
  const name = (node: ContextNode) => (node.other ? '[other]' : `${node.service}: ${node.operation}`);
  const pathOf = (k: number): string => {
    const node = report.nodes[k];
    return node.parent < 0 ? name(node) : `${pathOf(node.parent)};${name(node)}`;
  };
  return report.nodes.map((_, k) => pathOf(k));
}

describe('critical path by calling context', () => {
  it('splits an operation by the path that called it, with self and total time, traces and exemplar', () => {
    const { contexts } = aggregate([request(0, 30), request(1, 130)]);
    expect(contexts).toBeDefined();
    const report = contexts!;
    expect(paths(report)).toEqual([
      'frontend: GET /',
      'frontend: GET /;auth: login',
      'frontend: GET /;auth: login;redis: GET',
      'frontend: GET /;checkout: pay',
      'frontend: GET /;checkout: pay;redis: GET',
    ]);
    const summary = report.nodes.map(({ depth, parent, selfUs, totalUs, traces, exemplar }) => [
      depth,
      parent,
      selfUs,
      totalUs,
      traces,
      exemplar.traceId,
      exemplar.criticalPathUs,
    ]);
    expect(summary).toEqual([
      [0, -1, 40, 300, 2, 'trace-1', 200],
      [1, 0, 40, 60, 2, 'trace-0', 30], // a tie: the earlier trace stays
      [2, 1, 20, 20, 2, 'trace-0', 10],
      [1, 0, 40, 200, 2, 'trace-1', 150],
      [2, 3, 160, 160, 2, 'trace-1', 130],
    ]);
    expect(report.totalUs).toBe(300);
    expect(report.contexts).toBe(5);
    expect(report.overflow).toEqual({ contexts: 0, criticalPathUs: 0, traces: 0 });
  });

  it('keeps an operation under itself (recursion) as separate frames', () => {
    const chain: SpanSpec[] = [
      { id: 'a', service: 'api', op: 'work', start: 0, duration: 30 },
      { id: 'b', parent: 'a', service: 'api', op: 'work', start: 10, duration: 10 },
      { id: 'c', parent: 'b', service: 'api', op: 'work', start: 12, duration: 5 },
    ];
    const report = aggregate([chain]).contexts!;
    expect(paths(report)).toEqual(['api: work', 'api: work;api: work', 'api: work;api: work;api: work']);
    expect(report.nodes.map((n) => n.selfUs)).toEqual([20, 5, 5]);
  });

  it('is not computed unless asked for', () => {
    const { aggregator, contexts } = aggregate([request(0, 30)], {});
    expect(contexts).toBeUndefined();
    expect(aggregator.callContexts()).toBeUndefined();
  });

  it('folds contexts beyond the limit under "other" by operation, keeping per-operation totals, and counts them', () => {
    const { contexts, report } = aggregate([request(0, 30), request(1, 130)], { callContexts: { maxContexts: 2 } });
    // The first two contexts the first trace reached (span order: frontend, then pay) are kept.
    expect(paths(contexts!)).toEqual([
      'frontend: GET /',
      'frontend: GET /;checkout: pay',
      '[other]',
      '[other];auth: login',
      '[other];redis: GET',
    ]);
    expect(contexts!.nodes.map((n) => n.selfUs)).toEqual([40, 40, 0, 40, 180]);
    expect(contexts!.contexts).toBe(2);
    expect(contexts!.overflow).toEqual({ contexts: 6, criticalPathUs: 220, traces: 2 });
    const redis = report.operations.find((row) => row.service === 'redis');
    expect(redis?.criticalPathUs).toBe(180);
  });

  it('rejects a limit that is not a whole number of at least 1', () => {
    expect(() => new HotspotAggregator(new OperationTable(), { callContexts: { maxContexts: 0 } })).toThrow(
      /maxContexts/
    );
  });

  it('slow vs baseline: the grown context stands out, and per operation the deltas add up', () => {
    const traces = [...Array.from({ length: 9 }, (_, i) => request(i, 30)), request(9, 130)];
    const { aggregator, operations } = aggregate(traces);
    const diff = compareContexts(aggregator.callContexts()!, { thresholdUs: 150 });
    expect([diff.slowTraces, diff.baselineTraces, diff.thresholdUs]).toEqual([1, 9, 150]);
    const byPath = Object.fromEntries(
      paths(aggregator.contextReport()!).map((path, k) => [path, diff.nodes[k].deltaTotalUs])
    );
    expect(byPath).toEqual({
      'frontend: GET /': 100,
      'frontend: GET /;auth: login': 0,
      'frontend: GET /;auth: login;redis: GET': 0,
      'frontend: GET /;checkout: pay': 100,
      'frontend: GET /;checkout: pay;redis: GET': 100,
    });
    const redisDelta = compareSlowToBaseline(aggregator.traceRecords(), operations, { thresholdUs: 150 }).rows.find(
      (row) => row.service === 'redis'
    )?.deltaUs;
    const contextDeltas = diff.nodes.filter((n) => n.service === 'redis').reduce((sum, n) => sum + n.deltaSelfUs, 0);
    expect(contextDeltas).toBeCloseTo(redisDelta ?? NaN, 9);
    expect(diff.warning).toMatch(/fewer than 20/);
  });
});

describe('call context properties (random trace sets, integer µs)', () => {
  const limits = fc.oneof(fc.constant(undefined), fc.integer({ min: 1, max: 12 }));

  it('per (service, operation), the contexts add up exactly to its critical-path total; all to the latencies', () => {
    fc.assert(
      fc.property(arbitraryTraceSet, limits, (traces, maxContexts) => {
        const { report, contexts } = aggregate(traces, { callContexts: { maxContexts } });
        const perOperation = new Map<string, number>();
        for (const node of contexts!.nodes) {
          const key = `${node.service}\u0000${node.operation}`;
          perOperation.set(key, (perOperation.get(key) ?? 0) + node.selfUs);
        }
        for (const row of report.operations) {
          expect(perOperation.get(`${row.service}\u0000${row.operation}`) ?? 0).toBe(row.criticalPathUs);
        }
        expect(contexts!.totalUs).toBe(report.totalLatencyUs);
        expect(contexts!.contexts).toBeLessThanOrEqual(maxContexts ?? Infinity);
      }),
      RUNS
    );
  });

  it('frames form a depth-first tree whose totals never exceed their parents', () => {
    fc.assert(
      fc.property(arbitraryTraceSet, limits, (traces, maxContexts) => {
        const { nodes } = aggregate(traces, { callContexts: { maxContexts } }).contexts!;
        const childTotals = new Float64Array(nodes.length);
        const stack: number[] = [];
        nodes.forEach((node, k) => {
          stack.length = node.depth;
          expect(node.parent).toBe(node.depth === 0 ? -1 : stack[node.depth - 1]);
          stack.push(k);
          if (node.parent >= 0) {
            const parent = nodes[node.parent];
            expect(node.totalUs).toBeLessThanOrEqual(parent.totalUs);
            expect(node.traces).toBeLessThanOrEqual(parent.traces);
            childTotals[node.parent] += node.totalUs;
          }
          expect(node.exemplar.criticalPathUs).toBeLessThanOrEqual(node.totalUs);
        });
        nodes.forEach((node, k) => expect(node.totalUs).toBe(node.selfUs + childTotals[k]));
      }),
      RUNS
    );
  });

  it('summaries made apart (as worker threads make them) give the same contexts as whole analyses', () => {
    fc.assert(
      fc.property(arbitraryTraceSet, (traces) => {
        const direct = aggregate(traces).contexts;
        const operations = new OperationTable();
        const aggregator = new HotspotAggregator(operations, { callContexts: true });
        const summarizer = new TraceSummarizer({ callContexts: true });
        traces.forEach((spans, i) => {
          const { traces: built } = readJaeger(jaegerTrace(spans, `trace-${i}`), operations);
          aggregator.addSummary(summarizer.summarize(contributionOf(analyzeTrace(built[0]))));
        });
        expect(aggregator.contextReport()).toEqual(direct);
      }),
      { ...RUNS, numRuns: 100 }
    );
  });
});
