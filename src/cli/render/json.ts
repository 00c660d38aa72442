import type { HotspotRow, Percentiles, TraceDiagnostics } from '../../engine';
import type { AnalysisResult, PathSegment } from '../result';
import { usToMs } from '../units';
import { attributesJson, JsonAttributeAnalysis, JsonAttributeRow } from './attributesJson';

export interface JsonOptions {
  /** Limits `hotspots`, `services` and `comparison.rows`; undefined lists everything. */
  top?: number;
}

interface PercentilesMs {
  p50: number;
  p95: number;
  p99: number;
}

export interface JsonServiceRow {
  service: string;
  /** Σ critical-path time over all traces. */
  criticalPathMs: number;
  criticalPathShare: number;
  meanCriticalPathMsPerTrace: number;
  criticalPathPerTraceMs: PercentilesMs;
  spanDurationMs: PercentilesMs;
  selfTimeMs: number;
  calls: number;
  errors: number;
  errorRate: number;
  traces: number;
  exemplarTraceIds: string[];
}

export interface JsonOperationRow extends JsonServiceRow {
  operation: string;
}

export interface JsonOutput {
  traces: number;
  spans: number;
  files: number;
  window: 'root' | 'full';
  asyncBlocking: boolean;
  latencyMs: PercentilesMs;
  hotspots: JsonOperationRow[];
  services: JsonServiceRow[];
  /**
   * The engine's diagnostics (µs fields stay in µs, as named), plus coverage, the number of traces with low
   * coverage, and the number of traces whose ID had already been seen (each part analysed as its own trace).
   */
  diagnostics: TraceDiagnostics & { coverage: number; lowCoverageTraces: number; duplicateTraceIds: number };
  problems: Array<{ message: string; source?: string; traceId?: string; spanId?: string; path?: string }>;
  /** Files in the directories given that hold no trace data; present only when there are some. */
  skippedFiles?: Array<{ source?: string; message: string }>;
  criticalPaths?: Array<{ traceId: string; segments: PathSegment[] }>;
  comparison?: {
    slowIf: string;
    thresholdMs: number;
    slowTraces: number;
    baselineTraces: number;
    slowMeanLatencyMs: number;
    baselineMeanLatencyMs: number;
    warning?: string;
    rows: Array<{
      service: string;
      operation: string;
      deltaMs: number;
      slowMeanMs: number;
      baselineMeanMs: number;
      shareOfSlowdown: number;
    }>;
    /** What the slow traces share, most implicated first (only rows whose lower bound is above 0). */
    attributes?: JsonAttributeRow[];
    attributeAnalysis?: JsonAttributeAnalysis;
  };
  whatIf?: {
    service: string;
    operation: string;
    reduction: number;
    currentMs: { p50: number; p95: number };
    projectedMs: { p50: number; p95: number };
    tracesAffected: number;
    caveat: string;
  };
}

/** The machine-readable result (all durations in ms unless a field name says µs). */
export function toJson(result: AnalysisResult, options: JsonOptions = {}): JsonOutput {
  const { report } = result;
  const limit = <T>(rows: T[]): T[] => (options.top === undefined ? rows : rows.slice(0, options.top));
  const output: JsonOutput = {
    traces: report.traces,
    spans: report.spans,
    files: result.files,
    window: result.window,
    asyncBlocking: result.asyncBlocking,
    latencyMs: percentilesMs(report.latencyUs),
    hotspots: limit(report.operations).map((row) => ({
      service: row.service,
      operation: row.operation ?? '',
      ...rowFields(row),
    })),
    services: limit(report.services).map((row) => ({ service: row.service, ...rowFields(row) })),
    diagnostics: {
      ...report.diagnostics,
      coverage: report.coverage,
      lowCoverageTraces: report.lowCoverageTraces,
      duplicateTraceIds: result.duplicateTraceIds,
    },
    problems: result.problems.map((p) => ({
      message: p.message,
      source: p.source,
      traceId: p.traceId,
      spanId: p.spanId,
      path: p.path,
    })),
  };
  if (result.skippedFiles !== undefined) {
    output.skippedFiles = result.skippedFiles.map((p) => ({ source: p.source, message: p.message }));
  }
  if (result.criticalPaths !== undefined) {
    output.criticalPaths = result.criticalPaths;
  }
  if (result.comparison !== undefined) {
    const c = result.comparison.result;
    output.comparison = {
      slowIf: result.comparison.option.label,
      thresholdMs: usToMs(c.thresholdUs),
      slowTraces: c.slowTraces,
      baselineTraces: c.baselineTraces,
      slowMeanLatencyMs: usToMs(c.slowMeanLatencyUs),
      baselineMeanLatencyMs: usToMs(c.baselineMeanLatencyUs),
      warning: c.warning,
      rows: limit(c.rows).map((row) => ({
        service: row.service,
        operation: row.operation,
        deltaMs: usToMs(row.deltaUs),
        slowMeanMs: usToMs(row.slowMeanUs),
        baselineMeanMs: usToMs(row.baselineMeanUs),
        shareOfSlowdown: row.shareOfSlowdown,
      })),
    };
    if (result.comparison.attributes !== undefined) {
      const { attributes, attributeAnalysis } = attributesJson(result.comparison.attributes);
      output.comparison.attributes = limit(attributes);
      output.comparison.attributeAnalysis = attributeAnalysis;
    }
  }
  if (result.whatIf !== undefined) {
    const w = result.whatIf;
    output.whatIf = {
      service: w.service,
      operation: w.operation,
      reduction: w.reduction,
      currentMs: { p50: usToMs(w.currentUs.p50), p95: usToMs(w.currentUs.p95) },
      projectedMs: { p50: usToMs(w.projectedUs.p50), p95: usToMs(w.projectedUs.p95) },
      tracesAffected: w.tracesAffected,
      caveat: w.caveat,
    };
  }
  return output;
}

/** `toJson` as text, 2-space indented, with a final newline. */
export function renderJson(result: AnalysisResult, options: JsonOptions = {}): string {
  return JSON.stringify(toJson(result, options), null, 2) + '\n';
}

function rowFields(row: HotspotRow): Omit<JsonServiceRow, 'service'> {
  return {
    criticalPathMs: usToMs(row.criticalPathUs),
    criticalPathShare: row.criticalPathShare,
    meanCriticalPathMsPerTrace: usToMs(row.meanCriticalPathUsPerTrace),
    criticalPathPerTraceMs: percentilesMs(row.criticalPathPerTraceUs),
    spanDurationMs: percentilesMs(row.spanDurationUs),
    selfTimeMs: usToMs(row.selfTimeUs),
    calls: row.calls,
    errors: row.errors,
    errorRate: row.errorRate,
    traces: row.traces,
    exemplarTraceIds: row.exemplars.map((e) => e.traceId),
  };
}

function percentilesMs(p: Percentiles): PercentilesMs {
  return { p50: usToMs(p.p50), p95: usToMs(p.p95), p99: usToMs(p.p99) };
}
