/** @jest-environment node */
import { analyzeFixtures, fixture, SMARTTHINGS } from '../testing/fixtures';
import { JsonOutput, renderJson, toJson } from './json';

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

describe('toJson on the SmartThings trace', () => {
  const result = analyzeFixtures([SMARTTHINGS]);
  const json = toJson(result);

  it('has the run-level fields', () => {
    expect(json).toMatchObject({
      traces: 1,
      spans: 957,
      files: 1,
      window: 'root',
      asyncBlocking: false,
      latencyMs: { p50: 36.713, p95: 36.713, p99: 36.713 },
      problems: [],
    });
    expect(json.criticalPaths).toBeUndefined();
    expect(json.comparison).toBeUndefined();
    expect(json.whatIf).toBeUndefined();
  });

  it('lists every operation and service by default, ranked', () => {
    expect(json.hotspots).toHaveLength(87);
    expect(json.services).toHaveLength(16);
    expect(json.hotspots[0]).toEqual({
      service: 'coreSrv',
      operation: 'get /login/tokenauth',
      criticalPathMs: 8.376,
      criticalPathShare: 8376 / 36713,
      meanCriticalPathMsPerTrace: 8.376,
      criticalPathPerTraceMs: { p50: 8.376, p95: 8.376, p99: 8.376 },
      spanDurationMs: { p50: 36.713, p95: 36.713, p99: 36.713 },
      selfTimeMs: 8.376,
      calls: 1,
      errors: 0,
      errorRate: 0,
      traces: 1,
      exemplarTraceIds: ['14b60fd9ae504820'],
    });
    expect(json.services[0]).not.toHaveProperty('operation');
    expect(json.services[0]).toMatchObject({ service: 'coreSrv', criticalPathMs: 22.56 });
  });

  it('splits the total latency exactly: critical-path times sum to it, shares to 1', () => {
    const totalMs = result.report.totalLatencyUs / 1000;
    expect(totalMs).toBe(36.713);
    expect(sum(json.hotspots.map((row) => row.criticalPathMs))).toBeCloseTo(totalMs, 9);
    expect(sum(json.services.map((row) => row.criticalPathMs))).toBeCloseTo(totalMs, 9);
    expect(sum(json.hotspots.map((row) => row.criticalPathShare))).toBeCloseTo(1, 12);
  });

  it('carries the engine diagnostics and coverage', () => {
    expect(json.diagnostics).toEqual({
      ...result.report.diagnostics,
      coverage: result.report.coverage,
      lowCoverageTraces: 1,
      duplicateTraceIds: 0,
    });
    expect(json.diagnostics.coverage).toBeCloseTo(88191 / 61405619, 12);
    expect(json.diagnostics.spansOutsideWindow).toBe(943);
  });

  it('limits the lists only when --top is given', () => {
    const top = toJson(result, { top: 3 });
    expect(top.hotspots.map((row) => row.operation)).toEqual([
      'get /login/tokenauth',
      'post /implicit-tokens/access',
      'post /oauth/check_token',
    ]);
    expect(top.services).toHaveLength(3);
  });

  it('renders as indented JSON text that parses back to the same', () => {
    const text = renderJson(result);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "traces": 1,');
    expect(JSON.parse(text) as JsonOutput).toEqual(JSON.parse(JSON.stringify(json)) as JsonOutput);
  });
});

describe('toJson options', () => {
  it('criticalPaths: segments in time order that tile the analysed window', () => {
    const result = analyzeFixtures([SMARTTHINGS], { criticalPaths: true });
    const { criticalPaths } = toJson(result);
    expect(criticalPaths).toHaveLength(1);
    const { traceId, segments } = criticalPaths![0];
    expect(traceId).toBe('14b60fd9ae504820');
    expect(segments[0]).toEqual({
      spanId: '14b60fd9ae504820',
      service: 'coreSrv',
      operation: 'get /login/tokenauth',
      startUs: 1543549524565942,
      endUs: 1543549524566268,
    });
    for (let k = 1; k < segments.length; k++) {
      expect(segments[k].startUs).toBe(segments[k - 1].endUs);
    }
    expect(segments[segments.length - 1].endUs - segments[0].startUs).toBe(36713);
    expect(sum(segments.map((s) => s.endUs - s.startUs))).toBe(36713);
  });

  it('comparison: threshold and means in ms, the warning, rows limited by --top', () => {
    const files = ['otlp/kiali-tempo-istio-bookinfo-trace.json', 'otlp/otel-proto-example-trace.json'].map(fixture);
    const result = analyzeFixtures(files, { compare: { label: '5ms', split: { thresholdUs: 5000 } } });
    const { comparison } = toJson(result, { top: 1 });
    expect(comparison).toEqual({
      slowIf: '5ms',
      thresholdMs: 5,
      slowTraces: 2,
      baselineTraces: 0,
      slowMeanLatencyMs: (11.932 + 1000) / 2,
      baselineMeanLatencyMs: 0,
      warning: 'only 2 slow and 0 baseline traces: fewer than 20 on a side makes this ranking unreliable',
      rows: [
        {
          service: 'my.service',
          operation: "I'm a server span",
          deltaMs: 500,
          slowMeanMs: 500,
          baselineMeanMs: 0,
          shareOfSlowdown: 0 /* no baseline traces: no share to speak of */,
        },
      ],
    });
  });

  it('whatIf: current and projected p50/p95 in ms, with the caveat', () => {
    const result = analyzeFixtures([SMARTTHINGS], {
      whatIf: { service: 'coreSrv', operation: 'get /login/tokenauth', reduction: 0.5 },
    });
    expect(toJson(result).whatIf).toEqual({
      service: 'coreSrv',
      operation: 'get /login/tokenauth',
      reduction: 0.5,
      currentMs: { p50: 36.713, p95: 36.713 },
      projectedMs: { p50: 32.525, p95: 32.525 },
      tracesAffected: 1,
      caveat: result.whatIf!.caveat,
    });
  });

  it('problems keep their location fields', () => {
    const result = analyzeFixtures([SMARTTHINGS]);
    result.problems.push({ message: 'startTime is not a number', source: 'a.json', traceId: 't', path: 'data[0]' });
    expect(toJson(result).problems).toEqual([
      { message: 'startTime is not a number', source: 'a.json', traceId: 't', spanId: undefined, path: 'data[0]' },
    ]);
  });
});
