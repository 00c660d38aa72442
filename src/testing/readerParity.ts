import { OperationTable } from '../engine/model/operations';
import { readTraceText } from '../engine/adapters/detect';
import { readJaegerBytes } from '../engine/adapters/jaegerBytes';
import { ParsedTraces } from '../engine/adapters/types';

/**
 * Test-only: the two ways Jaeger JSON is read — the byte-scanning fast path (`readJaegerBytes`) and JSON.parse +
 * the general readers (`readTraceText`) — must give the same traces and problems whenever the fast path answers.
 */

/** Traces as comparable plain data: operations by name, typed arrays as arrays. */
export function comparable(parsed: ParsedTraces, operations: OperationTable) {
  return {
    problems: parsed.problems,
    traces: parsed.traces.map((t) => ({
      ...t,
      operation: Array.from(t.operation, (op) => `${operations.service(op)}::${operations.operation(op)}`),
      start: Array.from(t.start),
      duration: Array.from(t.duration),
      parent: Array.from(t.parent),
      link: Array.from(t.link),
      kind: Array.from(t.kind),
      error: Array.from(t.error),
      childOffset: Array.from(t.childOffset),
      children: Array.from(t.children),
    })),
  };
}

/** `text` read both ways: `fast` is null when the fast path declined it. */
export function bothPaths(text: string) {
  const fastOps = new OperationTable();
  const fast = readJaegerBytes(new TextEncoder().encode(text), fastOps, 'in.json');
  const slowOps = new OperationTable();
  const slow = readTraceText(text, slowOps, 'in.json');
  return { fast: fast && comparable(fast, fastOps), slow: comparable(slow, slowOps) };
}
