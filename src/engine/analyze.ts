import { CriticalPath, criticalPath, CriticalPathOptions } from './criticalPath/criticalPath';
import { selfTimes } from './criticalPath/selfTime';
import { TraceModel } from './model/trace';

export type AnalysisOptions = CriticalPathOptions;

/** Everything the aggregation needs from one trace. */
export interface TraceAnalysis {
  trace: TraceModel;
  path: CriticalPath;
  /** Per span, µs; see `selfTimes`. */
  selfUs: Float64Array;
  /** End-to-end latency: the analysed window's length, µs (the critical path covers exactly this). */
  latencyUs: number;
}

export function analyzeTrace(trace: TraceModel, options: AnalysisOptions = {}): TraceAnalysis {
  const path = criticalPath(trace, options);
  return { trace, path, selfUs: selfTimes(trace), latencyUs: path.windowEnd - path.windowStart };
}
