import { JaegerSpanFields, JaegerTraceCollector } from './jaeger';
import { BytePattern, CLOSE_BRACE, CLOSE_BRACKET, JsonScanner, OPEN_BRACE, OPEN_BRACKET, QUOTE } from './jsonScanner';
import { SpanFacts } from './semantics';

/** Keys and fixed stretches of the layout, as bytes (compared faster than string characters). */
const TAGS = new BytePattern('tags');
const SPAN_ID = new BytePattern('spanID');
const TRACE_ID = new BytePattern('traceID');
const PROCESS = new BytePattern('process');
const DURATION = new BytePattern('duration');
const STARTTIME = new BytePattern('startTime');
const PROCESSID = new BytePattern('processID');
const REFERENCES = new BytePattern('references');
const PARENTSPANID = new BytePattern('parentSpanID');
const OPERATIONNAME = new BytePattern('operationName');
const REF_START = new BytePattern('{"refType":"');
const CHILD_OF = new BytePattern('CHILD_OF"');
const FOLLOWS_FROM = new BytePattern('FOLLOWS_FROM"');
const REF_TRACE_ID = new BytePattern(',"traceID":');
const REF_SPAN_ID = new BytePattern(',"spanID":');
const TAG_START = new BytePattern('{"key":"');
const TAG_TYPE = new BytePattern(',"type":');
const TAG_VALUE = new BytePattern(',"value":');
const TRUE = new BytePattern('true');
const FALSE = new BytePattern('false');
const NULL = new BytePattern('null');
const FACT_KEYS = SpanFacts.KEY_LIST.map((key) => new BytePattern(key));
const COMMA = 0x2c;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
/** Stands for "a reference into another trace" when the reader did not build the ID (see JaegerBytesReader). */
export const OTHER_TRACE = '\u0000other trace';

/**
 * Reads one span in the layout Jaeger's query service writes — Go's encoding/json output: no white space, keys
 * without escapes, tags as `{"key":…,"type":…,"value":…}` and references as `{"refType":…,"traceID":…,"spanID":…}`
 * in that order — with the position held in a local variable and every step inline.
 *
 * Why: the general member-by-member walk (JaegerBytesReader) pays a few method calls per token, ~100 tokens a span,
 * and that was most of the engine's time. This reader does the same work in one pass over the span's bytes.
 *
 * It gives the collector exactly what the general walk would: the same fields, the same cached strings, the same
 * references and tag facts, in the same order. Whenever the bytes leave the layout (white space, an escape, a
 * fraction, a non-string ID, an inline process, an unusual tag) it undoes what it added and returns false, and the
 * caller re-reads the span the general way; malformed JSON throws as the general walk would.
 */
export class CompactSpanReader {
  constructor(
    private readonly json: JsonScanner,
    private readonly span: JaegerSpanFields,
    private readonly facts: SpanFacts
  ) {}

  /** Reads the span at the scanner's position into `collector`; false: nothing was read, use the general walk. */
  read(collector: JaegerTraceCollector, index: number): boolean {
    const { json, span } = this;
    const start = json.pos;
    this.facts.reset();
    span.spanID = span.traceID = span.parentSpanID = span.operationName = undefined;
    span.startTime = span.duration = span.processID = undefined;
    if (this.members(collector, start)) {
      collector.addSpan(index, span, undefined, this.facts);
      return true;
    }
    collector.discardReferences();
    json.pos = start;
    return false;
  }

  private members(collector: JaegerTraceCollector, start: number): boolean {
    const { json, span } = this;
    const bytes = json.bytes;
    let pos = start;
    if (bytes[pos] !== OPEN_BRACE || bytes[pos + 1] !== QUOTE) {
      return false;
    }
    pos++;
    for (;;) {
      // The key: plain ASCII up to its quote, then a colon.
      const keyStart = pos + 1;
      let keyEnd = keyStart;
      while (keyEnd < bytes.length && bytes[keyEnd] !== QUOTE) {
        if (bytes[keyEnd] === BACKSLASH) {
          return false; // an escaped key
        }
        keyEnd++;
      }
      if (bytes[keyEnd + 1] !== COLON) {
        return false;
      }
      pos = keyEnd + 2;
      json.pos = pos;
      switch (keyEnd - keyStart) {
        case 4:
          if (json.matches(keyStart, TAGS)) {
            this.facts.reset(); // a repeated member replaces the earlier one, as in JSON.parse
            if (!this.tags()) {
              return false;
            }
          } else {
            json.pos = this.skipValue(json.pos); // logs: read by nothing
          }
          break;
        case 6:
          if (json.matches(keyStart, SPAN_ID)) {
            // Unique within a trace: caching span IDs would only evict the names and parent IDs that do repeat.
            if ((span.spanID = this.plainString(false)) === undefined) {
              return false;
            }
          } else {
            json.pos = this.skipValue(json.pos);
          }
          break;
        case 7:
          if (json.matches(keyStart, TRACE_ID)) {
            // Only needed when the trace itself carries no ID.
            if (collector.traceId !== undefined) {
              json.pos = this.skipValue(json.pos);
            } else if ((span.traceID = this.plainString(true)) === undefined) {
              return false;
            }
          } else if (json.matches(keyStart, PROCESS)) {
            return false; // an inline process: rare, left to the general walk
          } else {
            json.pos = this.skipValue(json.pos);
          }
          break;
        case 8:
          if (json.matches(keyStart, DURATION)) {
            if ((span.duration = this.count()) === undefined) {
              return false;
            }
          } else {
            json.pos = this.skipValue(json.pos);
          }
          break;
        case 9:
          if (json.matches(keyStart, STARTTIME)) {
            if ((span.startTime = this.count()) === undefined) {
              return false;
            }
          } else if (json.matches(keyStart, PROCESSID)) {
            if ((span.processID = this.plainString(true)) === undefined) {
              return false;
            }
          } else {
            json.pos = this.skipValue(json.pos);
          }
          break;
        case 10:
          if (json.matches(keyStart, REFERENCES)) {
            collector.discardReferences();
            if (!this.references(collector)) {
              return false;
            }
          } else {
            json.pos = this.skipValue(json.pos);
          }
          break;
        case 12:
          if (json.matches(keyStart, PARENTSPANID)) {
            if ((span.parentSpanID = this.plainString(true)) === undefined) {
              return false;
            }
          } else {
            json.pos = this.skipValue(json.pos);
          }
          break;
        case 13:
          if (json.matches(keyStart, OPERATIONNAME)) {
            if ((span.operationName = this.plainString(true)) === undefined) {
              return false;
            }
          } else {
            json.pos = this.skipValue(json.pos);
          }
          break;
        default:
          json.pos = this.skipValue(json.pos);
      }
      pos = json.pos;
      const next = bytes[pos];
      if (next === CLOSE_BRACE) {
        json.pos = pos + 1;
        return true;
      }
      if (next !== COMMA || bytes[pos + 1] !== QUOTE) {
        return false;
      }
      pos++;
    }
  }

  /** A plain ASCII string value at the position (see JsonScanner.plainString), or undefined. */
  private plainString(cache: boolean): string | undefined {
    const { json } = this;
    if (json.bytes[json.pos] !== QUOTE) {
      return undefined;
    }
    return json.plainString(json.pos + 1, cache) ?? undefined;
  }

  /**
   * A non-negative integer that is exactly representable, followed by `,` or `}` (what JSON.parse would read the
   * same way); anything else (a sign, fraction, exponent, leading zero, huge value) gives undefined.
   */
  private count(): number | undefined {
    const { json } = this;
    const bytes = json.bytes;
    let pos = json.pos;
    const first = pos;
    let value = 0;
    let b = bytes[pos];
    while (b >= 0x30 && b <= 0x39) {
      value = value * 10 + (b - 0x30);
      b = bytes[++pos];
    }
    const digits = pos - first;
    if (digits === 0 || (digits > 1 && bytes[first] === 0x30) || value > Number.MAX_SAFE_INTEGER) {
      return undefined;
    }
    if (b !== COMMA && b !== CLOSE_BRACE) {
      return undefined;
    }
    json.pos = pos;
    return value;
  }

  /** `[{"refType":…,"traceID":…,"spanID":…}, …]` into the collector. */
  private references(collector: JaegerTraceCollector): boolean {
    const { json } = this;
    const bytes = json.bytes;
    const traceId = collector.traceId;
    if (bytes[json.pos] !== OPEN_BRACKET || traceId === undefined) {
      return false;
    }
    json.pos++;
    if (bytes[json.pos] === CLOSE_BRACKET) {
      json.pos++;
      return true;
    }
    for (;;) {
      if (!this.literal(REF_START)) {
        return false;
      }
      // The general walk keeps only the two reference types and the trace's own ID (or '') as strings, and
      // compares them byte for byte as here.
      let type: string;
      if (this.literal(CHILD_OF)) {
        type = 'CHILD_OF';
      } else if (this.literal(FOLLOWS_FROM)) {
        type = 'FOLLOWS_FROM';
      } else {
        json.pos--; // back to the opening quote
        json.skip();
        type = 'other';
      }
      if (!this.literal(REF_TRACE_ID) || bytes[json.pos] !== QUOTE) {
        return false;
      }
      const trace = this.referenceTrace(traceId);
      if (!this.literal(REF_SPAN_ID)) {
        return false;
      }
      const spanId = this.plainString(true);
      if (spanId === undefined || bytes[json.pos] !== CLOSE_BRACE) {
        return false;
      }
      json.pos++;
      collector.addReference(type, trace, spanId);
      const next = bytes[json.pos++];
      if (next === CLOSE_BRACKET) {
        return true;
      }
      if (next !== COMMA) {
        return false;
      }
    }
  }

  /** The reference's trace ID (a string at the position): `traceId`, '' or OTHER_TRACE, without building it. */
  private referenceTrace(traceId: string): string {
    const { json } = this;
    const bytes = json.bytes;
    const start = json.pos + 1;
    const length = traceId.length;
    let k = 0;
    while (k < length && bytes[start + k] === traceId.charCodeAt(k)) {
      k++;
    }
    if (k === length && bytes[start + length] === QUOTE) {
      json.pos = start + length + 1;
      return traceId;
    }
    if (bytes[start] === QUOTE) {
      json.pos = start + 1;
      return '';
    }
    json.skip();
    return OTHER_TRACE;
  }

  /** `[{"key":…,"type":…,"value":…}, …]`: the values of the keys SpanFacts reads go to it; the rest are skipped. */
  private tags(): boolean {
    const { json, facts } = this;
    const bytes = json.bytes;
    if (bytes[json.pos] !== OPEN_BRACKET) {
      return false;
    }
    json.pos++;
    if (bytes[json.pos] === CLOSE_BRACKET) {
      json.pos++;
      return true;
    }
    for (;;) {
      // Position kept in a local between the fixed stretches; json.pos is set only around the scanner's calls.
      let pos = json.pos;
      if (!json.matches(pos, TAG_START)) {
        return false;
      }
      pos += TAG_START.length;
      const key = factKey(json, pos);
      pos = this.skipValue(pos - 1);
      if (!json.matches(pos, TAG_TYPE)) {
        return false;
      }
      pos = this.skipValue(pos + TAG_TYPE.length);
      if (!json.matches(pos, TAG_VALUE)) {
        return false;
      }
      pos += TAG_VALUE.length;
      if (key === null) {
        pos = this.skipValue(pos);
      } else {
        json.pos = pos;
        const value = this.tagValue();
        if (value === undefined) {
          return false;
        }
        facts.observe(key, value);
        pos = json.pos;
      }
      if (bytes[pos] !== CLOSE_BRACE) {
        return false;
      }
      const next = bytes[pos + 1];
      json.pos = pos + 2;
      if (next === CLOSE_BRACKET) {
        return true;
      }
      if (next !== COMMA) {
        return false;
      }
    }
  }

  /**
   * The position after the value at `at`: strings without escapes, `[]` and `null` here (most skipped values are
   * such), anything else through the scanner's general skip (which also throws on malformed input).
   */
  private skipValue(at: number): number {
    const bytes = this.json.bytes;
    const first = bytes[at];
    if (first === OPEN_BRACKET && bytes[at + 1] === CLOSE_BRACKET) {
      return at + 2;
    }
    if (first === 0x6e && this.json.matches(at, NULL)) {
      return at + NULL.length;
    }
    if (first === QUOTE) {
      let k = at + 1;
      let b = bytes[k];
      while (b !== QUOTE && b !== BACKSLASH && b !== undefined) {
        b = bytes[++k];
      }
      if (b === QUOTE) {
        return k + 1;
      }
    }
    this.json.pos = at;
    this.json.skip();
    return this.json.pos;
  }

  /** A fact tag's value: a plain string, a count, true or false (anything else: undefined). */
  private tagValue(): string | number | boolean | undefined {
    const { json } = this;
    const b = json.bytes[json.pos];
    if (b === QUOTE) {
      return this.plainString(true);
    }
    if (b === 0x74 && this.literal(TRUE)) {
      return true;
    }
    if (b === 0x66 && this.literal(FALSE)) {
      return false;
    }
    return this.count();
  }

  /** Consumes `word` if the bytes at the position are exactly it. */
  private literal(word: BytePattern): boolean {
    const { json } = this;
    if (!json.matches(json.pos, word)) {
      return false;
    }
    json.pos += word.length;
    return true;
  }
}

/** The SpanFacts key whose quoted name starts at `at` (content only), or null. */
function factKey(json: JsonScanner, at: number): string | null {
  const bytes = json.bytes;
  for (let f = 0; f < FACT_KEYS.length; f++) {
    const key = FACT_KEYS[f];
    if (bytes[at + key.length] === QUOTE && json.matches(at, key)) {
      return SpanFacts.KEY_LIST[f];
    }
  }
  return null;
}
