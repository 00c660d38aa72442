/** Where in the input a problem was found. Every field is optional: we say as much as we know. */
export interface InputLocation {
  /** File name, or another label of the input (e.g. `refId A`). */
  source?: string;
  traceId?: string;
  spanId?: string;
  /** JSON path inside the input, e.g. `data[3].spans[17].startTime`. */
  path?: string;
}

/** A problem with the input that cost us data; reported, never swallowed. */
export interface InputProblem extends InputLocation {
  message: string;
}

/** Thrown when an input cannot be read at all (not JSON, or not any format we know). */
export class TraceInputError extends Error {
  readonly location: InputLocation;

  constructor(message: string, location: InputLocation = {}) {
    super(formatProblem({ message, ...location }));
    this.name = 'TraceInputError';
    this.location = location;
  }
}

/** One line for a person: `file.json: trace abc, span 12 (data[0].spans[3]): startTime is not a number`. */
export function formatProblem(problem: InputProblem): string {
  const where: string[] = [];
  if (problem.traceId !== undefined) {
    where.push(`trace ${problem.traceId}`);
  }
  if (problem.spanId !== undefined) {
    where.push(`span ${problem.spanId}`);
  }
  let prefix = problem.source ?? '';
  if (where.length > 0) {
    prefix += (prefix ? ': ' : '') + where.join(', ');
  }
  if (problem.path !== undefined) {
    prefix += (prefix ? ' ' : '') + `(${problem.path})`;
  }
  return prefix ? `${prefix}: ${problem.message}` : problem.message;
}

/**
 * Thrown when an input is well-formed JSON but none of the trace formats (a config file, test cases): callers that
 * list a directory may skip such a file instead of failing on it.
 */
export class UnknownFormatError extends TraceInputError {
  constructor(message: string, location: InputLocation = {}) {
    super(message, location);
    this.name = 'UnknownFormatError';
  }
}
