import { InputProblem } from '../model/problems';
import { TraceModel } from '../model/trace';

/** What every adapter returns: the traces it could build, and what it had to leave out and why. */
export interface ParsedTraces {
  traces: TraceModel[];
  problems: InputProblem[];
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
