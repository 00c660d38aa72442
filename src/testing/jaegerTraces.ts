/**
 * Test-only: real Jaeger traces from test/fixtures/jaeger/, and as many as a test needs by
 * renaming copies (new trace ID, start shifted by a second per copy — content otherwise untouched). No
 * @grafana/data here: the Playwright specs in e2e/ (Node, no window) use these too.
 */
import { listFixtures, readFixture } from './fixtures';
import type { JaegerTrace } from './grafanaFrames';

let pool: JaegerTrace[] | undefined;

/** Every trace of the Jaeger API fixtures (envelopes and bare traces), in file order. */
export function realTraces(): JaegerTrace[] {
  if (!pool) {
    pool = [];
    for (const name of listFixtures('jaeger')) {
      const value = readFixture<unknown>(`jaeger/${name}`);
      const traces = isEnvelope(value) ? value.data : isTrace(value) ? [value] : [];
      pool.push(...traces.filter(isTrace));
    }
  }
  return pool;
}

function isEnvelope(value: unknown): value is { data: unknown[] } {
  return typeof value === 'object' && value !== null && Array.isArray((value as { data?: unknown }).data);
}

function isTrace(value: unknown): value is JaegerTrace {
  const v = value as Partial<JaegerTrace> | null;
  return (
    typeof v === 'object' && v !== null && typeof v.traceID === 'string' && Array.isArray(v.spans) && !!v.processes
  );
}

/** `n` traces: the real ones, then renamed copies; every one with a distinct trace ID. */
export function manyTraces(n: number): JaegerTrace[] {
  const real = realTraces();
  const out: JaegerTrace[] = [];
  const used = new Set<string>();
  for (let i = 0; i < n; i++) {
    const base = real[i % real.length];
    // Some fixtures share a trace ID (the same upstream trace in two files): those get renamed too.
    const trace = i < real.length && !used.has(base.traceID) ? base : renamed(base, i);
    used.add(trace.traceID);
    out.push(trace);
  }
  return out;
}

export function renamed(trace: JaegerTrace, copy: number): JaegerTrace {
  const traceID = `${copy.toString(16).padStart(4, '0')}${trace.traceID}`.slice(0, 32);
  const shift = copy * 1_000_000;
  return {
    ...trace,
    traceID,
    spans: trace.spans.map((span) => ({
      ...span,
      traceID,
      startTime: span.startTime + shift,
      references: span.references?.map((ref) => (ref.traceID === trace.traceID ? { ...ref, traceID } : ref)),
    })),
  };
}
