/** Durations as people write them in environment variables: `300ms`, `1.5s`, `10m`, `2h`, or a bare `0`. */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/** Milliseconds, or `undefined` when `text` is not a duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '0') {
    return 0;
  }
  const match = DURATION.exec(trimmed);
  if (match === null) {
    return undefined;
  }
  return Number(match[1]) * UNIT_MS[match[2]];
}

export function formatDuration(ms: number): string {
  if (ms !== 0 && ms % 3_600_000 === 0) {
    return `${ms / 3_600_000}h`;
  }
  if (ms !== 0 && ms % 60_000 === 0) {
    return `${ms / 60_000}m`;
  }
  if (ms !== 0 && ms % 1000 === 0) {
    return `${ms / 1000}s`;
  }
  return `${ms}ms`;
}

/** Waits `ms`; rejects with `signal.reason` as soon as `signal` aborts (the timer is cleared). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
