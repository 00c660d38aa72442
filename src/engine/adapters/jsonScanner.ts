/**
 * Pull-style JSON scanning over UTF-8 bytes, for readers that want a few fields of a large document.
 *
 * Why: `JSON.parse` materialises every tag, log and attribute of a Jaeger response; on our 2-core machines it
 * alone runs at ~90 MB/s and allocates ~1.5 KB per span. A reader built on this scanner walks the bytes once,
 * builds only the strings and numbers it asks for, and skips the rest without allocating.
 *
 * Strict about syntax: anything malformed throws `SyntaxError` (callers fall back to `JSON.parse`, whose
 * messages users know). Skipping is iterative, so nesting depth costs nothing.
 */
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;

const CACHE_SIZE = 4096;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** What `skip` expects next. */
const EXPECT_VALUE = 0;
const EXPECT_VALUE_OR_CLOSE = 1;
const EXPECT_KEY = 2;
const EXPECT_KEY_OR_CLOSE = 3;
const EXPECT_AFTER_VALUE = 4;

/** What `scalar()` returns for an object or array it skipped. */
export const SKIPPED = Symbol('skipped');

export class JsonScanner {
  pos = 0;
  private keyStart = 0;
  private keyEnd = 0;
  private readonly cache: Array<string | undefined> = new Array<string | undefined>(CACHE_SIZE);
  private readonly cacheHashes = new Int32Array(CACHE_SIZE);
  /** `skip`'s stack of closing brackets, kept between calls. */
  private readonly closers: number[] = [];

  private readonly latin1Slice: ((this: Uint8Array, start: number, end: number) => string) | undefined;

  /** The same bytes, for reading four at a time (`matches`). */
  readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const slice = (bytes as Uint8Array & { latin1Slice?: unknown }).latin1Slice;
    this.latin1Slice =
      typeof slice === 'function' ? (slice as (this: Uint8Array, start: number, end: number) => string) : undefined;
  }

  /** The next non-space byte, without consuming it (undefined at the end). */
  peek(): number {
    this.whitespace();
    return this.bytes[this.pos];
  }

  /** Consumes `{` or `[` and reports whether the container is empty (then its closing bracket is consumed too). */
  open(bracket: number): boolean {
    if (this.peek() !== bracket) {
      this.fail(`expected "${String.fromCharCode(bracket)}"`);
    }
    this.pos++;
    if (this.peek() === bracket + 2) {
      this.pos++;
      return false;
    }
    return true;
  }

  /**
   * Reads an object key and its colon without building a string and returns the key's length in bytes; test
   * it with `keyIs`. Most keys a reader only compares or skips, so this spares an allocation per member.
   */
  member(): number {
    this.whitespace();
    if (this.bytes[this.pos] !== QUOTE) {
      this.fail('expected a string');
    }
    this.keyStart = this.pos + 1;
    this.keyEnd = this.closingQuote();
    if (this.bytes.subarray(this.keyStart, this.keyEnd).includes(BACKSLASH)) {
      // `keyIs` compares bytes; an escaped key (never seen from Jaeger) sends the document to JSON.parse instead.
      // (A non-ASCII key needs nothing: it equals none of the ASCII words in either reading.)
      this.fail('an escaped key');
    }
    this.pos = this.keyEnd + 1;
    this.whitespace();
    if (this.bytes[this.pos] !== COLON) {
      this.fail('expected ":"');
    }
    this.pos++;
    return this.keyEnd - this.keyStart;
  }

  /** Whether the key read by `member()` is `word` (an ASCII word without escapes). */
  keyIs(word: string): boolean {
    const length = this.keyEnd - this.keyStart;
    if (length !== word.length) {
      return false;
    }
    for (let k = 0; k < length; k++) {
      if (this.bytes[this.keyStart + k] !== word.charCodeAt(k)) {
        return false;
      }
    }
    return true;
  }

  /**
   * If the next value is a string equal to one of `words`, consumes it and returns that word (no allocation);
   * otherwise skips the value and returns null.
   */
  oneOf(words: readonly string[]): string | null {
    if (this.peek() !== QUOTE) {
      this.skip();
      return null;
    }
    const at = this.pos;
    const start = at + 1;
    const end = this.closingQuote();
    this.pos = end + 1;
    const length = end - start;
    if (!isPlain(this.bytes, start, end)) {
      // Escapes or non-ASCII: the bytes are not the characters; compare the decoded text instead.
      this.pos = at;
      const text = this.string(false);
      return words.find((word) => word === text) ?? null;
    }
    for (let w = 0; w < words.length; w++) {
      const word = words[w];
      if (word.length === length) {
        let k = 0;
        while (k < length && this.bytes[start + k] === word.charCodeAt(k)) {
          k++;
        }
        if (k === length) {
          return word;
        }
      }
    }
    return null;
  }

  /** Whether the bytes at `at` are exactly `pattern` (nothing consumed). */
  matches(at: number, pattern: BytePattern): boolean {
    if (at < 0 || at + pattern.paddedLength > this.bytes.length) {
      return this.matchesNearEnd(at, pattern);
    }
    const { groups, masks } = pattern;
    const view = this.view;
    for (let g = 0; g < groups.length; g++) {
      if ((view.getInt32(at + g * 4, true) & masks[g]) !== groups[g]) {
        return false;
      }
    }
    return true;
  }

  /** Within a few bytes of the end the padded groups would read past it: compare byte by byte there. */
  private matchesNearEnd(at: number, pattern: BytePattern): boolean {
    if (at < 0 || at + pattern.length > this.bytes.length) {
      return false;
    }
    for (let k = 0; k < pattern.length; k++) {
      if (this.bytes[at + k] !== pattern.bytes[k]) {
        return false;
      }
    }
    return true;
  }

  /** Reads an object key and its colon, as a string. */
  key(): string {
    this.whitespace();
    const key = this.string();
    this.whitespace();
    if (this.bytes[this.pos] !== COLON) {
      this.fail('expected ":"');
    }
    this.pos++;
    return key;
  }

  /** After a member or element: true if another follows (comma consumed), false at the closing bracket. */
  more(close: number): boolean {
    this.whitespace();
    const c = this.bytes[this.pos++];
    if (c === COMMA) {
      return true;
    }
    if (c !== close) {
      this.fail(`expected "," or "${String.fromCharCode(close)}"`);
    }
    return false;
  }

  /** Fails unless only white space is left. */
  end(): void {
    this.whitespace();
    if (this.pos !== this.bytes.length) {
      this.fail('unexpected content after the document');
    }
  }

  /** A string, number, boolean or null; objects and arrays are skipped and give `SKIPPED`. */
  scalar(cache = true): string | number | boolean | null | typeof SKIPPED {
    const c = this.peek();
    switch (c) {
      case QUOTE:
        return this.string(cache);
      case 0x74: // t
        return this.literal('true', true);
      case 0x66: // f
        return this.literal('false', false);
      case 0x6e: // n
        return this.literal('null', null);
      case OPEN_BRACE:
      case OPEN_BRACKET:
        this.skip();
        return SKIPPED;
      default:
        if (c === MINUS || (c >= 0x30 && c <= 0x39)) {
          return this.number();
        }
        return this.fail('unexpected character');
    }
  }

  /**
   * Skips any value without building it. Accepts exactly what JSON.parse would: strings, numbers and literals
   * checked as `scalar` checks them, and the grammar of objects and arrays (a string key, a colon, a value; commas
   * only between members). One tight loop with a stack of open containers, never recursion, since most of a Jaeger
   * document is skipped and input can nest arbitrarily deep.
   */
  skip(): void {
    const bytes = this.bytes;
    let pos = this.pos;
    if (bytes[pos] === QUOTE) {
      // Most skipped values are strings (tag types and values): no bracket bookkeeping for them.
      this.pos = this.closingQuote() + 1;
      return;
    }
    // The closing bracket of each open container, innermost last.
    const closers = this.closers;
    let depth = 0;
    let expect = EXPECT_VALUE;
    for (;;) {
      let c = bytes[pos];
      while (isWhiteSpace(c)) {
        c = bytes[++pos];
      }
      if (expect === EXPECT_AFTER_VALUE) {
        if (depth === 0) {
          break;
        }
        const closer = closers[depth - 1];
        if (c === COMMA) {
          pos++;
          expect = closer === CLOSE_BRACE ? EXPECT_KEY : EXPECT_VALUE;
        } else if (c === closer) {
          pos++;
          depth--;
        } else {
          this.pos = pos;
          this.fail(`expected "," or "${String.fromCharCode(closer)}"`);
        }
        continue;
      }
      if (expect === EXPECT_KEY_OR_CLOSE || expect === EXPECT_VALUE_OR_CLOSE) {
        const closer = expect === EXPECT_KEY_OR_CLOSE ? CLOSE_BRACE : CLOSE_BRACKET;
        if (c === closer) {
          pos++;
          depth--;
          expect = EXPECT_AFTER_VALUE;
          continue;
        }
        expect = expect === EXPECT_KEY_OR_CLOSE ? EXPECT_KEY : EXPECT_VALUE;
      }
      this.pos = pos;
      if (expect === EXPECT_KEY) {
        if (c !== QUOTE) {
          this.fail('expected a string');
        }
        pos = this.closingQuote() + 1;
        while (isWhiteSpace(bytes[pos])) {
          pos++;
        }
        if (bytes[pos] !== COLON) {
          this.pos = pos;
          this.fail('expected ":"');
        }
        pos++;
        expect = EXPECT_VALUE;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        closers[depth++] = c + 2; // `}` and `]` follow their openers by two
        pos++;
        expect = c === OPEN_BRACE ? EXPECT_KEY_OR_CLOSE : EXPECT_VALUE_OR_CLOSE;
      } else if (c === QUOTE) {
        pos = this.closingQuote() + 1;
        expect = EXPECT_AFTER_VALUE;
      } else if (c === undefined) {
        this.fail('unexpected end of input');
      } else {
        this.scalar(); // numbers and literals (fails on anything else, closing brackets included)
        pos = this.pos;
        expect = EXPECT_AFTER_VALUE;
      }
    }
    this.pos = pos;
  }

  /**
   * Reads a string. Unless `cache` is false (values known to be unique, such as span IDs), ASCII strings without
   * escapes go through a small cache keyed by a hash of their bytes (see `plainString`).
   */
  string(cache = true): string {
    if (this.bytes[this.pos] !== QUOTE) {
      this.fail('expected a string');
    }
    const start = this.pos + 1;
    return this.plainString(start, cache) ?? this.decodedString(start);
  }

  /**
   * The string whose content starts at `start` (just after its opening quote) if it is plain ASCII: no escapes,
   * control characters or non-ASCII bytes. Then the position moves past its closing quote; otherwise this returns
   * null and moves nothing. With `cache`, the string goes through a small cache keyed by a hash of its bytes: keys,
   * trace IDs, reference types, names and parent IDs repeat constantly, and reusing them spares most allocation.
   * A hit is confirmed byte by byte, so the cache can never change a value. One loop finds the closing quote, rules
   * out escapes and non-ASCII bytes, and hashes.
   */
  plainString(start: number, cache: boolean): string | null {
    const bytes = this.bytes;
    const limit = bytes.length;
    let hash = 0x811c9dc5;
    let end = start;
    for (; end < limit; end++) {
      const b = bytes[end];
      if (b === QUOTE) {
        break;
      }
      if (b === BACKSLASH || b >= 0x80 || b < 0x20) {
        return null;
      }
      hash = Math.imul(hash ^ b, 0x01000193);
    }
    if (end >= limit) {
      return null;
    }
    this.pos = end + 1;
    const length = end - start;
    if (!cache) {
      return this.decodeAscii(start, end);
    }
    const slot = (hash ^ (hash >>> 15)) & (CACHE_SIZE - 1);
    // The hashes sit in a typed array: a miss is decided there, without loading the cached string from the heap.
    if (this.cacheHashes[slot] === hash) {
      const cached = this.cache[slot];
      if (cached !== undefined && cached.length === length) {
        let k = 0;
        while (k < length && cached.charCodeAt(k) === bytes[start + k]) {
          k++;
        }
        if (k === length) {
          return cached;
        }
      }
    }
    const text = this.decodeAscii(start, end);
    this.cache[slot] = text;
    this.cacheHashes[slot] = hash;
    return text;
  }

  /** Escapes, control characters or UTF-8: JSON.parse decodes (and validates) them exactly. Not cached. */
  private decodedString(start: number): string {
    this.pos = start - 1;
    const end = this.closingQuote();
    this.pos = end + 1;
    return JSON.parse(utf8.decode(this.bytes.subarray(start - 1, end + 1))) as string;
  }

  /**
   * Plain ASCII bytes → string. Node's Buffer has a native latin1 slice that is several times faster than any
   * portable way; it is used when the bytes happen to be a Buffer (duck-typed: the engine imports nothing from Node).
   */
  private decodeAscii(start: number, end: number): string {
    if (this.latin1Slice !== undefined) {
      return this.latin1Slice.call(this.bytes, start, end);
    }
    return end - start <= 256
      ? String.fromCharCode.apply(null, this.bytes.subarray(start, end) as unknown as number[])
      : utf8.decode(this.bytes.subarray(start, end));
  }

  /** Reads a number (exactly as JSON.parse would). */
  number(): number {
    const bytes = this.bytes;
    const start = this.pos;
    let k = start;
    if (bytes[k] === MINUS) {
      k++;
    }
    const digitsStart = k;
    let integer = 0;
    let b = bytes[k];
    while (b >= 0x30 && b <= 0x39) {
      integer = integer * 10 + (b - 0x30);
      b = bytes[++k];
    }
    const digits = k - digitsStart;
    if (digits === 0 || (bytes[digitsStart] === 0x30 && digits > 1)) {
      this.fail('malformed number');
    }
    if (b === 0x2e || b === 0x65 || b === 0x45 || integer > Number.MAX_SAFE_INTEGER) {
      // Fractions, exponents and huge integers: checked against JSON's grammar here (Number() also takes `1.` and
      // `1.e5`, which JSON.parse refuses), then rounded by the platform exactly as JSON.parse rounds.
      if (b === 0x2e) {
        k = this.digits(k + 1);
        b = bytes[k];
      }
      if (b === 0x65 || b === 0x45) {
        k++;
        if (bytes[k] === 0x2b || bytes[k] === MINUS) {
          k++;
        }
        k = this.digits(k);
      }
      this.pos = k;
      return Number(String.fromCharCode.apply(null, bytes.subarray(start, k) as unknown as number[]));
    }
    this.pos = k;
    return bytes[start] === MINUS ? -integer : integer;
  }

  /** The position after one or more digits at `k` (fails without any). */
  private digits(k: number): number {
    const bytes = this.bytes;
    const from = k;
    while (bytes[k] >= 0x30 && bytes[k] <= 0x39) {
      k++;
    }
    if (k === from) {
      this.pos = k;
      this.fail('malformed number');
    }
    return k;
  }

  fail(message: string): never {
    throw new SyntaxError(`${message} at byte ${this.pos}`);
  }

  /** The position of the closing quote of the string that starts at `pos` (native search, then escapes). */
  private closingQuote(): number {
    const bytes = this.bytes;
    // Most strings (keys, IDs, names) are short: a plain loop beats the native search's call overhead there.
    const shortEnd = Math.min(bytes.length, this.pos + 40);
    for (let k = this.pos + 1; k < shortEnd; k++) {
      const b = bytes[k];
      if (b === QUOTE) {
        return k;
      }
      if (b === BACKSLASH || b < 0x20) {
        break;
      }
    }
    let from = this.pos + 1;
    for (;;) {
      const end = bytes.indexOf(QUOTE, from);
      if (end < 0) {
        return this.fail('unterminated string');
      }
      let backslashes = 0;
      while (bytes[end - 1 - backslashes] === BACKSLASH) {
        backslashes++;
      }
      if ((backslashes & 1) === 0) {
        this.checkStringContent(this.pos + 1, end);
        return end;
      }
      from = end + 1;
    }
  }

  /**
   * JSON.parse rejects a raw control character or a malformed escape (`\\a`, `\\u12`) in a string, skipped or not;
   * so does this scanner.
   */
  private checkStringContent(start: number, end: number): void {
    const bytes = this.bytes;
    for (let k = start; k < end; k++) {
      const b = bytes[k];
      if (b < 0x20) {
        this.pos = k;
        this.fail('a control character in a string');
      }
      if (b === BACKSLASH) {
        const escaped = bytes[++k];
        if (escaped === 0x75) {
          // \uXXXX
          for (let h = 1; h <= 4; h++) {
            if (!isHexDigit(bytes[k + h])) {
              this.pos = k;
              this.fail('a malformed \\u escape');
            }
          }
          k += 4;
        } else if (!isSimpleEscape(escaped)) {
          this.pos = k;
          this.fail('a malformed escape');
        }
      }
    }
  }

  private literal<T>(word: string, value: T): T {
    for (let k = 0; k < word.length; k++) {
      if (this.bytes[this.pos + k] !== word.charCodeAt(k)) {
        this.fail(`expected ${word}`);
      }
    }
    this.pos += word.length;
    return value;
  }

  private whitespace(): void {
    const bytes = this.bytes;
    let c = bytes[this.pos];
    while (isWhiteSpace(c)) {
      c = bytes[++this.pos];
    }
  }
}

/** Whether `bytes[start .. end)` are ASCII without a backslash: then they are exactly the string's characters. */
function isPlain(bytes: Uint8Array, start: number, end: number): boolean {
  for (let k = start; k < end; k++) {
    if (bytes[k] === BACKSLASH || bytes[k] >= 0x80) {
      return false;
    }
  }
  return true;
}

/** The characters after a backslash that JSON accepts besides `u`: `" \\ / b f n r t`. */
function isSimpleEscape(b: number): boolean {
  return (
    b === QUOTE || b === BACKSLASH || b === 0x2f || b === 0x62 || b === 0x66 || b === 0x6e || b === 0x72 || b === 0x74
  );
}

function isHexDigit(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
}

/** JSON's white space: space, line feed, carriage return, tab. */
export function isWhiteSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/**
 * An ASCII word prepared for `JsonScanner.matches`: its bytes as little-endian 32-bit groups, the last one padded
 * and masked, so that a comparison costs one load per four bytes and no byte-by-byte tail (the compact-span reader
 * compares ~60 bytes a span).
 */
export class BytePattern {
  readonly length: number;
  /** The length rounded up to whole groups: `matches` reads this many bytes. */
  readonly paddedLength: number;
  readonly groups: Int32Array;
  /** Per group, the bits that belong to the word (all but the last group: all of them). */
  readonly masks: Int32Array;
  readonly bytes: Uint8Array;

  constructor(readonly text: string) {
    this.bytes = asciiBytes(text);
    this.length = this.bytes.length;
    const count = (this.length + 3) >> 2;
    this.paddedLength = count * 4;
    const padded = new Uint8Array(this.paddedLength);
    padded.set(this.bytes);
    const view = new DataView(padded.buffer);
    this.groups = new Int32Array(count);
    this.masks = new Int32Array(count);
    for (let g = 0; g < count; g++) {
      this.groups[g] = view.getInt32(g * 4, true);
      const used = Math.min(4, this.length - g * 4);
      this.masks[g] = used === 4 ? -1 : (1 << (used * 8)) - 1;
    }
  }
}

/** An ASCII word as bytes, for comparing with the input byte by byte. */
export function asciiBytes(word: string): Uint8Array {
  const bytes = new Uint8Array(word.length);
  for (let k = 0; k < word.length; k++) {
    bytes[k] = word.charCodeAt(k);
  }
  return bytes;
}
