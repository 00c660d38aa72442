/** Units for the CLI: the engine works in microseconds, people read milliseconds. */

/** µs → ms as a number for JSON, rounded to the nanosecond so float noise from ns→µs conversions disappears. */
export function usToMs(us: number): number {
  return Number.isFinite(us) ? Math.round(us * 1000) / 1e6 : us;
}

/** µs → ms for a table cell: three decimals (µs resolution), `–` when there is no value. */
export function formatMs(us: number): string {
  if (!Number.isFinite(us)) {
    return '–';
  }
  const text = (us / 1000).toFixed(3);
  return text === '-0.000' ? '0.000' : text;
}

/**
 * A 0–1 share as a percentage with one decimal. Never rounds a non-zero share to `0.0` or a share below 1 to
 * `100.0`, so a warning about 0.04 % coverage does not read "0.0 %" and 99.97 % does not read "100.0 %".
 */
export function formatPercent(share: number): string {
  if (!Number.isFinite(share)) {
    return '–';
  }
  const percent = share * 100;
  if (percent > 0 && percent < 0.1) {
    return '<0.1';
  }
  if (percent < 100 && percent >= 99.95) {
    return '99.9';
  }
  const text = percent.toFixed(1);
  return text === '-0.0' ? '0.0' : text;
}

const DURATION_UNITS: Record<string, number> = { ns: 0.001, us: 1, µs: 1, ms: 1000, s: 1_000_000 };

/** Parses a duration such as `250ms`, `1.5s`, `800us`, `800µs` or `5000ns` into µs; null when it is not one. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?|\.\d+)\s*(ns|us|µs|ms|s)$/.exec(text.trim());
  if (match === null) {
    return null;
  }
  return Number(match[1]) * DURATION_UNITS[match[2]];
}

/** `1 trace`, `2 traces`. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
