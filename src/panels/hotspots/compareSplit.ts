export type CompareSplit = { percentile: number } | { thresholdMs: number };

const UNIT_MS = { us: 0.001, µs: 0.001, ms: 1, s: 1000 } as const;

/**
 * The "Slow traces" option: `p90` → traces at or above the 90th latency percentile; `250ms`, `1.5s`, `800us`, or a
 * bare number of ms (`250`) → traces at or above that latency. Anything else: a message saying what is accepted.
 */
export function parseCompareSplit(text: string): { ok: true; split: CompareSplit } | { ok: false; message: string } {
  const value = text.trim().toLowerCase();
  const percentile = /^p(\d{1,2}(?:\.\d+)?)$/.exec(value);
  if (percentile && Number(percentile[1]) > 0) {
    return { ok: true, split: { percentile: Number(percentile[1]) } };
  }
  const duration = /^(\d+(?:\.\d+)?)\s*(us|µs|ms|s)?$/.exec(value);
  if (duration && Number(duration[1]) > 0) {
    const unit = (duration[2] ?? 'ms') as keyof typeof UNIT_MS;
    return { ok: true, split: { thresholdMs: Number(duration[1]) * UNIT_MS[unit] } };
  }
  return {
    ok: false,
    message: `“${text}” is neither a percentile (p90) nor a latency threshold (250ms, 1.5s). Showing hotspots instead.`,
  };
}
