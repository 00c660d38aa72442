import { OperationTable } from '../model/operations';
import { TraceRecord } from './aggregator';
import { percentileOfSorted } from './percentile';

export interface WhatIf {
  service: string;
  operation: string;
  /** The fraction of that operation's critical-path time removed, 0–1. */
  reduction: number;
  currentUs: { p50: number; p95: number };
  projectedUs: { p50: number; p95: number };
  /** Traces whose critical path contains the operation (the only ones that change). */
  tracesAffected: number;
  /** Always set: this is a first-order estimate, not a simulation. */
  caveat: string;
}

export const WHAT_IF_CAVEAT =
  'Estimate: each trace loses this share of the operation’s critical-path time. Work that ran in parallel ' +
  'may become critical instead, so real gains can be smaller.';

/**
 * Projected end-to-end p50/p95 if (service, operation)'s critical-path time shrank by `reduction` (0–1):
 * per trace, latency − reduction × its CP time in that trace. Returns null when the operation is unknown.
 */
export function whatIf(
  records: readonly TraceRecord[],
  operations: OperationTable,
  service: string,
  operation: string,
  reduction: number
): WhatIf | null {
  const op = operations.find(service, operation);
  if (op === undefined) {
    return null;
  }
  const current = new Float64Array(records.length);
  const projected = new Float64Array(records.length);
  let tracesAffected = 0;
  records.forEach((record, t) => {
    current[t] = record.latencyUs;
    projected[t] = record.latencyUs;
    for (let k = 0; k < record.operations.length; k++) {
      if (record.operations[k] === op && record.criticalPathUs[k] > 0) {
        projected[t] -= reduction * record.criticalPathUs[k];
        tracesAffected++;
      }
    }
  });
  current.sort();
  projected.sort();
  return {
    service,
    operation,
    reduction,
    currentUs: { p50: percentileOfSorted(current, 50), p95: percentileOfSorted(current, 95) },
    projectedUs: { p50: percentileOfSorted(projected, 50), p95: percentileOfSorted(projected, 95) },
    tracesAffected,
    caveat: WHAT_IF_CAVEAT,
  };
}
