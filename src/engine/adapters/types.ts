import { InputProblem } from '../model/problems';
import { TraceModel } from '../model/trace';

/** What every adapter returns: the traces it could build, and what it had to leave out and why. */
export interface ParsedTraces {
  traces: TraceModel[];
  problems: InputProblem[];
  /** Set by the byte reader of Jaeger JSON (readJaegerBytes) only: which of its two span readers read each span. */
  spanReads?: SpanReads;
}

/**
 * Span objects the byte reader of Jaeger JSON read in one pass (`compact`, Jaeger's own layout) and member by member
 * (`general`, any other layout). How tests prove that real Jaeger answers take the fast path rather than assume it.
 */
export interface SpanReads {
  compact: number;
  general: number;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
