export type CompareSplit = { percentile: number } | { thresholdMs: number };

/** `p90` → percentile 90; `250ms`, `1.5s`, `800us` → a threshold in ms. Anything else: a message. */
export function parseCompareSplit(text: string): { ok: true; split: CompareSplit } | { ok: false; message: string } {
  const value = text.trim().toLowerCase();
  const percentile = /^p(\d{1,2}(?:\.\d+)?)$/.exec(value);
  if (percentile) {
    return { ok: true, split: { percentile: Number(percentile[1]) } };
  }
  const duration = /^(\d+(?:\.\d+)?)\s*(us|µs|ms|s)$/.exec(value);
  if (duration) {
    const factor = { us: 0.001, µs: 0.001, ms: 1, s: 1000 }[duration[2] as 'us' | 'µs' | 'ms' | 's'];
    return { ok: true, split: { thresholdMs: Number(duration[1]) * factor } };
  }
  return {
    ok: false,
    message: `“${text}” is neither a percentile (p90) nor a duration (250ms, 1.5s). Using no split.`,
  };
}
