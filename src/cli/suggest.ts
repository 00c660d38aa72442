import type { OperationTable } from '../engine';
import { printable } from './render/printable';

const MAX_SUGGESTIONS = 10;

/**
 * Why `service::operation` is not in the table, with the operations the user most likely meant: those of the same
 * service (or of a service spelled the same but for case), else the same operation in other services. Names are
 * shown `printable`: they come from the input.
 */
export function unknownOperationMessage(operations: OperationTable, service: string, operation: string): string {
  const all: Array<{ service: string; operation: string }> = [];
  for (let id = 0; id < operations.size; id++) {
    all.push({ service: operations.service(id), operation: operations.operation(id) });
  }
  const sameService = all.filter((o) => o.service === service);
  const lower = (text: string) => text.toLowerCase();
  let candidates = sameService;
  if (candidates.length === 0) {
    candidates = all.filter((o) => lower(o.service) === lower(service));
  }
  if (candidates.length === 0) {
    candidates = all.filter((o) => lower(o.operation) === lower(operation));
  }
  const problem =
    sameService.length > 0
      ? `service "${printable(service)}" has no operation "${printable(operation)}"`
      : `no service "${printable(service)}" in these traces`;
  if (candidates.length === 0) {
    const services = [...new Set(all.map((o) => o.service))].sort();
    const shown = services.slice(0, MAX_SUGGESTIONS).map(printable).join(', ');
    const more = services.length > MAX_SUGGESTIONS ? `, … (${services.length} in all)` : '';
    return `${problem}. Services: ${shown}${more}`;
  }
  const target = lower(operation);
  const scored = candidates
    .map((o) => ({ ...o, score: similarity(target, lower(o.operation)) }))
    .sort((a, b) => a.score - b.score || a.service.localeCompare(b.service) || a.operation.localeCompare(b.operation));
  const lines = scored.slice(0, MAX_SUGGESTIONS).map((o) => `  ${printable(o.service)}::${printable(o.operation)}`);
  if (scored.length > MAX_SUGGESTIONS) {
    lines.push(`  … and ${scored.length - MAX_SUGGESTIONS} more`);
  }
  return [`${problem}. Did you mean one of these?`, ...lines].join('\n');
}

/** Lower is closer: equal, then one containing the other, then by edit distance. */
function similarity(a: string, b: string): number {
  if (a === b) {
    return 0;
  }
  const distance = editDistance(a, b);
  return a.includes(b) || b.includes(a) ? distance / 1000 : 1 + distance;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
