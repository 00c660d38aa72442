/**
 * Which exemplar traces a row of the "every trace" ranking links (src/data/promRanking.ts), from however many answers
 * brought them: pure, so the real-Prometheus tests (e2e/servers) apply this very rule to what Prometheus answered.
 */
import type { Exemplar } from '../engine';

/** Exemplar traces a row keeps: its costliest ("Costliest trace") and two more. */
export const EXEMPLARS_PER_ROW = 3;

/**
 * One exemplar per trace ID (its costliest), costliest first, EXEMPLARS_PER_ROW at most: e.g. a row's own
 * follow-up answer and the ranking's sampled exemplars together, so its first is the costliest of both.
 */
export function costliestExemplars(exemplars: readonly Exemplar[]): Exemplar[] {
  const seen = new Set<string>();
  return [...exemplars]
    .sort((a, b) => b.criticalPathUs - a.criticalPathUs)
    .filter((e) => !seen.has(e.traceId) && seen.add(e.traceId) !== undefined)
    .slice(0, EXEMPLARS_PER_ROW);
}
