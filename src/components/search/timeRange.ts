import { dateMath, dateTime, isDateTime, rangeUtil, type DateTime, type TimeRange } from '@grafana/data';
import type { TimeZone } from '@grafana/schema';

/**
 * Time ranges as URLs carry them — the way Grafana's dashboards do: `from`/`to` are either relative expressions
 * (`now-1h`, `now/d`) or epoch milliseconds.
 */
export interface RawRange {
  from: string;
  to: string;
}

export const DEFAULT_RAW_RANGE: RawRange = { from: 'now-1h', to: 'now' };

/** A URL value from a picker's raw time: relative expressions as they are, absolute times as epoch ms. */
export function toUrlTime(value: DateTime | string): string {
  return isDateTime(value) ? String(value.valueOf()) : value;
}

export function rawOf(range: TimeRange): RawRange {
  return { from: toUrlTime(range.raw.from), to: toUrlTime(range.raw.to) };
}

function parseUrlTime(value: string): DateTime | string {
  return /^\d+$/.test(value) ? dateTime(Number(value)) : value;
}

/** Is this something `resolveRange` can read (epoch ms, `now…` math, an ISO date)? */
export function isValidUrlTime(value: string): boolean {
  return /^\d+$/.test(value) || dateMath.isValid(value);
}

/** The URL's range as a TimeRange, resolved now. Unreadable values fall back to the default range. */
export function resolveRange(raw: RawRange, timeZone?: TimeZone): TimeRange {
  const usable = isValidUrlTime(raw.from) && isValidUrlTime(raw.to) ? raw : DEFAULT_RAW_RANGE;
  return rangeUtil.convertRawToRange({ from: parseUrlTime(usable.from), to: parseUrlTime(usable.to) }, timeZone);
}

/** Half the range earlier (-1) or later (+1), as Grafana's time picker arrows move it. Absolute afterwards. */
export function shiftRange(range: TimeRange, direction: -1 | 1): RawRange {
  const from = range.from.valueOf();
  const to = range.to.valueOf();
  const step = ((to - from) / 2) * direction;
  return { from: String(Math.round(from + step)), to: String(Math.round(to + step)) };
}

/** Twice as wide around the same centre (Grafana's zoom out). */
export function zoomOut(range: TimeRange): RawRange {
  const from = range.from.valueOf();
  const to = range.to.valueOf();
  const half = to - from;
  return { from: String(Math.round(from - half / 2)), to: String(Math.round(to + half / 2)) };
}
