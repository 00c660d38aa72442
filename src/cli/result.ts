import type {
  AttributeAnalysis,
  Comparison,
  HotspotReport,
  InputProblem,
  OperationTable,
  TraceAnalysis,
  WhatIf,
} from '../engine';
import type { CompareOption } from './args';

/** One segment of a trace's critical path, with names resolved (times in µs since the epoch). */
export interface PathSegment {
  spanId: string;
  service: string;
  operation: string;
  startUs: number;
  endUs: number;
}

export interface TracePath {
  traceId: string;
  segments: PathSegment[];
}

/** Everything one `hotpath analyze` run found: what the renderers turn into text. */
export interface AnalysisResult {
  report: HotspotReport;
  /** Input files read (stdin counts as one). */
  files: number;
  window: 'root' | 'full';
  asyncBlocking: boolean;
  /** Data that was left out (per span or trace), and whole files that could not be read. */
  problems: InputProblem[];
  /** Files in the directories given that hold no trace data (test cases, configs): skipped, not failed. */
  skippedFiles?: InputProblem[];
  /** Traces whose ID had been seen before (e.g. one trace split over several files): each part analysed apart. */
  duplicateTraceIds: number;
  criticalPaths?: TracePath[];
  /** `attributes`: what the slow traces share (issue #16), with every comparison. */
  comparison?: { option: CompareOption; result: Comparison; attributes?: AttributeAnalysis };
  whatIf?: WhatIf;
}

/** A trace's critical path as plain objects, in time order. */
export function tracePath(analysis: TraceAnalysis, operations: OperationTable): TracePath {
  const { trace, path } = analysis;
  const segments: PathSegment[] = [];
  for (let k = 0; k < path.segmentSpan.length; k++) {
    const span = path.segmentSpan[k];
    const op = trace.operation[span];
    segments.push({
      spanId: trace.spanIds[span],
      service: operations.service(op),
      operation: operations.operation(op),
      startUs: path.segmentStart[k],
      endUs: path.segmentEnd[k],
    });
  }
  return { traceId: trace.traceId, segments };
}
