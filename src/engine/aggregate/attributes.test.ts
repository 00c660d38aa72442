/** @jest-environment node */
import fc from 'fast-check';

import { OperationTable } from '../model/operations';
import type { TraceRecord } from './aggregator';
import { compareSlowToBaseline, SlowSplit } from './compare';
import { AttributeCollector, differenceLowerBound, findSharedAttributes } from './attributes';
import { inverseNormal, oneSidedZ, wilsonInterval } from './proportions';

/** A deterministic PRNG (mulberry32), so every seed is a reproducible trace set. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface TraceSpec {
  latencyUs: number;
  /** CP time of `inventory SELECT stock` (the operation that grows in slow traces). */
  selectUs: number;
  attributes: Array<[service: string, key: string, value: string]>;
}

/** Records and collected attributes of `specs`, and the p90 comparison over them. */
function analyse(specs: TraceSpec[], split?: SlowSplit, collector = new AttributeCollector()) {
  const operations = new OperationTable();
  const select = operations.intern('inventory', 'SELECT stock');
  const handler = operations.intern('frontend', 'GET /');
  const records: TraceRecord[] = specs.map((spec, i) => {
    collector.startTrace(`t${i}`);
    for (const [service, key, value] of spec.attributes) {
      collector.add(service, key, value);
    }
    collector.endTrace();
    return {
      traceId: `t${i}`,
      latencyUs: spec.latencyUs,
      coverage: 1,
      operations: Int32Array.of(handler, select),
      criticalPathUs: Float64Array.of(spec.latencyUs - spec.selectUs, spec.selectUs),
    };
  });
  const comparison = compareSlowToBaseline(records, operations, split);
  return findSharedAttributes(records, collector, comparison, operations);
}

/**
 * `traces` requests with noise attributes independent of latency: 4 hosts, 3 versions, 2 regions, and a request
 * ID. With `plantedIn`, host `node-7` of `inventory` is in that share of the slow (top ~10 %) traces and in
 * `plantedElsewhere` of the rest.
 */
function traceSet(seed: number, traces: number, planted?: { inSlow: number; elsewhere: number }): TraceSpec[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)];
  const specs: TraceSpec[] = [];
  for (let i = 0; i < traces; i++) {
    const slow = next() < 0.1;
    const latencyUs = slow ? 500_000 + next() * 500_000 : 10_000 + next() * 200_000;
    const attributes: TraceSpec['attributes'] = [
      ['inventory', 'host.name', pick(['node-1', 'node-2', 'node-3', 'node-4'])],
      ['frontend', 'host.name', pick(['node-1', 'node-2', 'node-3', 'node-4'])],
      ['inventory', 'service.version', pick(['1.4.0', '1.4.1', '1.5.0'])],
      ['frontend', 'cloud.region', pick(['eu-west-1', 'us-east-1'])],
      ['frontend', 'request.id', `req-${seed}-${i}`],
    ];
    if (planted !== undefined && next() < (slow ? planted.inSlow : planted.elsewhere)) {
      attributes[0] = ['inventory', 'host.name', 'node-7'];
    }
    specs.push({ latencyUs, selectUs: slow ? latencyUs * 0.6 : latencyUs * 0.1, attributes });
  }
  return specs;
}

describe('proportion bounds', () => {
  it('inverts the normal CDF (Acklam) to published quantiles', () => {
    expect(inverseNormal(0.975)).toBeCloseTo(1.959964, 5);
    expect(inverseNormal(0.5)).toBeCloseTo(0, 9);
    expect(oneSidedZ(0.05)).toBeCloseTo(1.644854, 5);
    expect(oneSidedZ(0.001)).toBeCloseTo(3.090232, 5);
  });

  it('gives the Wilson interval of a proportion, never a point at 0 or n successes', () => {
    // Wilson 95 % for 0/10 is [0, 0.2775] and for 10/10 [0.7225, 1] (Newcombe 1998, table I).
    const [low0, high0] = wilsonInterval(0, 10, 1.959964);
    expect(low0).toBe(0);
    expect(high0).toBeCloseTo(0.2775, 4);
    expect(wilsonInterval(10, 10, 1.959964)[0]).toBeCloseTo(0.7225, 4);
  });

  it('bounds the difference of proportions as Newcombe method 10 does', () => {
    // Newcombe 1998, table II example (e): 56/70 − 48/80 = 0.2, 95 % interval [0.0524, 0.3339].
    expect(differenceLowerBound(56, 70, 48, 80, 1.959964)).toBeCloseTo(0.0524, 4);
    // One slow trace of 20 with a value no baseline trace has, among 10 values tested: nothing to be sure of.
    expect(differenceLowerBound(1, 20, 0, 180, oneSidedZ(0.05 / 10 / 2))).toBeLessThan(0);
  });
});

describe('findSharedAttributes', () => {
  it('finds the host the slow requests share, keyed by service, with the critical-path time that goes with it', () => {
    const specs = traceSet(7, 400, { inSlow: 0.8, elsewhere: 0.05 });
    const analysis = analyse(specs);
    const top = analysis.rows[0];
    expect(top).toMatchObject({ service: 'inventory', key: 'host.name', value: 'node-7' });
    expect(top?.slowShare).toBeGreaterThan(0.6);
    expect(top?.lowerBound).toBeGreaterThan(0);
    // frontend's host.name never had node-7: the keys of two services are not mixed up.
    expect(analysis.rows.some((row) => row.service === 'frontend' && row.value === 'node-7')).toBe(false);
    expect(analysis.hotspotOperations[0]).toEqual({ service: 'inventory', operation: 'SELECT stock' });
    expect(top?.hotspotDeltaUs).not.toBeNull();
    expect(top?.exemplarTraceId).toMatch(/^t\d+$/);
  });

  it('names identifier keys once and never tests them', () => {
    const analysis = analyse(traceSet(3, 300));
    expect(analysis.skippedKeys).toEqual([
      { service: 'frontend', key: 'request.id', distinctValues: 300, traces: 300, reason: 'identifier' },
    ]);
    expect(analysis.rows.some((row) => row.key === 'request.id')).toBe(false);
  });

  it('never lists a value seen in one slow trace and nowhere else', () => {
    const specs = traceSet(11, 200);
    const slowest = specs.reduce((worst, spec) => (spec.latencyUs > worst.latencyUs ? spec : worst));
    slowest.attributes.push(['inventory', 'db.statement', 'SELECT * FROM stock WHERE sku = 42']);
    const analysis = analyse(specs);
    expect(analysis.rows.some((row) => row.key === 'db.statement')).toBe(false);
  });

  it('computes the hotspot critical-path time with the value against without it', () => {
    const specs: TraceSpec[] = [];
    for (let i = 0; i < 100; i++) {
      const slow = i >= 90;
      const onNode7 = slow && i < 96;
      const selectUs = onNode7 ? 800 : slow ? 300 : 10;
      // frontend's own 100 µs never grows: SELECT stock is the only hotspot.
      specs.push({
        latencyUs: 100 + selectUs,
        selectUs,
        attributes: [['inventory', 'host.name', onNode7 ? 'node-7' : `node-${i % 3}`]],
      });
    }
    const row = analyse(specs, { thresholdUs: 400 }).rows.find((r) => r.value === 'node-7');
    expect(row).toMatchObject({ slowTraces: 6, baselineTraces: 0, hotspotWithUs: 800, hotspotWithoutUs: 300 });
    expect(row?.hotspotDeltaUs).toBe(500);
  });

  it('folds values found on exactly the same traces into one row', () => {
    const specs = traceSet(7, 400, { inSlow: 0.8, elsewhere: 0.05 });
    for (const spec of specs) {
      if (spec.attributes[0][2] === 'node-7') {
        spec.attributes.push(['inventory', 'host.id', 'h-7']);
      }
    }
    const rows = analyse(specs).rows;
    // Equal bounds rank by service, key, value: host.id comes first and carries host.name.
    expect(rows[0]).toMatchObject({ key: 'host.id', value: 'h-7', sameTraces: ['inventory host.name=node-7'] });
    expect(rows.some((row) => row.value === 'node-7')).toBe(false);
  });

  it('counts what the caps leave out', () => {
    const collector = new AttributeCollector({ maxKeys: 1, maxValuesPerKey: 2, maxValueLength: 4 });
    collector.startTrace('t');
    collector.add('s', 'a', 'x');
    collector.add('s', 'a', 'y');
    collector.add('s', 'a', 'z');
    collector.add('s', 'b', 'x');
    collector.add('s', 'a', 'toolong');
    collector.add('s', 'a', { nested: true });
    collector.add('s', 'a'.repeat(5), 'x');
    collector.endTrace();
    expect(collector.drops).toEqual({ keysOverCap: 1, valuesOverCap: 1, unusableValues: 3 });
    expect(collector.overflowed(0)).toBe(true);
    expect(collector.setOf('t')).toHaveLength(2);
  });

  it('ranks a planted value first in random trace sets (property, fixed seed)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e9 }),
        fc.integer({ min: 200, max: 1000 }),
        fc.double({ min: 0.7, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 0.1, noNaN: true }),
        (seed, traces, inSlow, elsewhere) => {
          const top = analyse(traceSet(seed, traces, { inSlow, elsewhere })).rows[0];
          expect(top).toMatchObject({ service: 'inventory', key: 'host.name', value: 'node-7' });
        }
      ),
      { seed: 16, numRuns: 60 }
    );
  });

  it('raises almost no false alarm on noise: the false-positive rate over 200 seeds stays under 5 %', () => {
    let alarms = 0;
    const runs = 200;
    for (let seed = 0; seed < runs; seed++) {
      const traces = 100 + ((seed * 37) % 900);
      if (analyse(traceSet(1000 + seed, traces)).rows.length > 0) {
        alarms++;
      }
    }
    // Bonferroni over the tested values bounds the family-wise rate by 5 %: measured 7 of 200 (3.5 %). With a
    // one-sided bound at α/m instead it was 17 of 200 (8.5 %): Newcombe's interval is not conservative that far out.
    expect(alarms / runs).toBeLessThanOrEqual(0.05);
  });
});
