/**
 * Text from the input, made safe to print on a terminal: span names, IDs and parser messages quoting the input
 * can hold escape sequences (ESC [ … rewrites the screen), NULs, bidirectional controls that reorder what is shown
 * (the "Trojan Source" trick, CVE-2021-42574) and lone surrogates. Each becomes a visible `\uXXXX` escape (line
 * breaks and tabs `\n`, `\r`, `\t`), so one input line stays one output line and reads as what it is.
 * Idempotent: escaping escaped text changes nothing (backslashes are kept as they are).
 */
export function printable(text: string): string {
  return UNPRINTABLE.test(text) ? text.replace(UNPRINTABLE_ALL, escapeOne) : text;
}

/**
 * C0 controls, DEL and C1 controls; the bidirectional formatting characters (Unicode's Bidi_Control property:
 * ALM, LRM, RLM, LRE…RLO, LRI…PDI); and UTF-16 surrogates that are not part of a pair.
 */
const SOURCE =
  '[\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]' +
  '|[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';
const UNPRINTABLE = new RegExp(SOURCE);
const UNPRINTABLE_ALL = new RegExp(SOURCE, 'g');

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(char: string): string {
  return SHORT[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
