import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  isWhiteSpace,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
} from './jsonScanner';

/**
 * The same JSON document without the white space between its tokens, or null when removing it could change the
 * document's meaning (then the caller reads the original).
 *
 * Why: Jaeger's own "Trace JSON" link (`/api/traces/{id}?prettyPrint=true`) and many saved files are indented,
 * which the compact-span reader declines span by span; one pass that drops the indentation (about a nanosecond a
 * byte) lets it read them too.
 *
 * Only white space next to punctuation or a string is dropped. Between two bare tokens (`1 2`, `tr ue`, `- 1`) it
 * would merge them into one, turning invalid JSON into valid JSON, so there this gives up. Strings are copied as they
 * are, escapes included; nothing is validated here (the reader does that).
 */
export function compactJson(bytes: Uint8Array): Uint8Array | null {
  const out = new Uint8Array(bytes.length);
  let length = 0;
  let k = 0;
  const end = bytes.length;
  while (k < end) {
    const b = bytes[k];
    if (b === QUOTE) {
      // A string, copied through its closing quote; a backslash always takes the next byte with it.
      out[length++] = b;
      k++;
      while (k < end) {
        const c = bytes[k++];
        out[length++] = c;
        if (c === QUOTE) {
          break;
        }
        if (c === BACKSLASH && k < end) {
          out[length++] = bytes[k++];
        }
      }
    } else if (isWhiteSpace(b)) {
      let next = k + 1;
      while (next < end && isWhiteSpace(bytes[next])) {
        next++;
      }
      if (length > 0 && next < end && isBareTokenByte(out[length - 1]) && isBareTokenByte(bytes[next])) {
        return null; // white space between two bare tokens separates them
      }
      k = next;
    } else {
      out[length++] = b;
      k++;
    }
  }
  return out.subarray(0, length);
}

/** Whether the document starts indented (`{` or `[` then white space): then compacting it is worth a pass. */
export function looksIndented(bytes: Uint8Array): boolean {
  let k = 0;
  while (k < bytes.length && isWhiteSpace(bytes[k])) {
    k++;
  }
  return (bytes[k] === OPEN_BRACE || bytes[k] === OPEN_BRACKET) && isWhiteSpace(bytes[k + 1]);
}

/** Bytes of numbers and literals (and anything else outside JSON's punctuation, which is invalid anyway). */
function isBareTokenByte(b: number): boolean {
  return !(
    b === OPEN_BRACE ||
    b === CLOSE_BRACE ||
    b === OPEN_BRACKET ||
    b === CLOSE_BRACKET ||
    b === COLON ||
    b === COMMA ||
    b === QUOTE
  );
}
