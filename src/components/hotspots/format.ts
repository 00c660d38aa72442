/**
 * One formatter per style, made once: `toLocaleString` with options builds a new `Intl.NumberFormat` on every call
 * (ECMA-402, Number.prototype.toLocaleString: "Let numberFormat be ? Construct(%Intl.NumberFormat%, « locales,
 * options »)"), which a table re-rendered while traces stream in pays thousands of times. A cached instance's
 * `format()` gives the same text.
 */
const FIXED = [0, 1, 2, 3].map(
  (digits) => new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
);
const INTEGER = new Intl.NumberFormat('en-US');

/**
 * Numbers as the views print them. Durations arrive in µs from the engine and are shown in ms, with a fixed unit
 * per column (so a column can be scanned) and four significant digits: 8.376, 22.84, 123.5, 1,235.
 */
export function ms(us: number): string {
  if (!Number.isFinite(us)) {
    return '–';
  }
  const value = us / 1000;
  const size = Math.abs(value);
  if (size === 0) {
    return '0';
  }
  const digits = size < 10 ? 3 : size < 100 ? 2 : size < 1000 ? 1 : 0;
  return FIXED[digits].format(value);
}

/** A signed change in ms: `+300.0`, `−50.00` (a real minus sign), `0`. */
export function signedMs(us: number): string {
  const text = ms(Math.abs(us));
  return us > 0 ? `+${text}` : us < 0 ? `\u2212${text}` : text;
}

/** `22.8 %`; a negative share (a decrease's part of a change) with a real minus sign, as `signedMs` writes it. */
export function percent(share: number, digits = 1): string {
  if (!Number.isFinite(share)) {
    return '–';
  }
  const text = `${(share * 100).toFixed(digits)} %`;
  return text.startsWith('-') ? `\u2212${text.slice(1)}` : text;
}

export function count(n: number): string {
  return INTEGER.format(n);
}

/** `1 trace`, `2 traces`. */
export function plural(n: number, noun: string): string {
  return `${count(n)} ${noun}${n === 1 ? '' : 's'}`;
}
