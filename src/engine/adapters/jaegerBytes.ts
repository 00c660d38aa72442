import { OperationTable } from '../model/operations';
import { compactJson, looksIndented } from './compactJson';
import { clearSpanFields, JaegerSpanFields, JaegerTraceCollector, jaegerTracePath, SpanColumns } from './jaeger';
import { CompactSpanReader, OTHER_TRACE } from './jaegerCompactSpan';
import { CLOSE_BRACE, CLOSE_BRACKET, JsonScanner, OPEN_BRACE, OPEN_BRACKET, QUOTE, SKIPPED } from './jsonScanner';
import { SpanFacts } from './semantics';
import { ParsedTraces, SpanReads } from './types';

/** Top-level keys of the other formats: seeing one hands the document to the general path. */
const OTHER_FORMATS = ['resourceSpans', 'batches', 'frames', 'results', 'fields', 'schema'];
const REF_TYPES = ['CHILD_OF', 'FOLLOWS_FROM'];

class NotJaeger extends Error {}

/**
 * The members of a response or trace object that the reader acts on as it streams by. JSON.parse keeps only the
 * last of a repeated key; the reader has acted on the first by then, so a repeated one sends the document to the
 * general path.
 */
class SeenKeys {
  private readonly seen = new Set<string>();

  /** Notes `key`; throws (declining the document) if it was seen before. True, so it can sit in a condition. */
  once(key: string): true {
    if (this.seen.has(key)) {
      throw new NotJaeger();
    }
    this.seen.add(key);
    return true;
  }
}

/**
 * The fast path for Jaeger JSON held as bytes: scans the document once and hands each span's few fields to
 * `JaegerTraceCollector` (the same rules as `readJaeger`), skipping logs, warnings, process tags and every tag
 * the engine does not read. Each span in the layout Jaeger itself writes goes through `CompactSpanReader` (one
 * pass, no per-token calls); any other span through the member-by-member walk here. Returns null when the bytes are
 * not Jaeger JSON or not well-formed: the caller then takes the general path, which also words the errors.
 */
export function readJaegerBytes(bytes: Uint8Array, operations: OperationTable, source?: string): ParsedTraces | null {
  // Indented documents (Jaeger's prettyPrint, saved files) are compacted first, so the compact-span reader applies.
  const input = looksIndented(bytes) ? (compactJson(bytes) ?? bytes) : bytes;
  const reader = new JaegerBytesReader(new JsonScanner(input), operations, source);
  try {
    return reader.read();
  } catch {
    return null; // malformed JSON, invalid UTF-8, another format: the general path deals with it
  }
}

class JaegerBytesReader {
  private readonly spanReads: SpanReads = { compact: 0, general: 0 };
  private readonly result: ParsedTraces = { traces: [], problems: [], spanReads: this.spanReads };
  private readonly facts = new SpanFacts();
  private readonly span: JaegerSpanFields = {};
  private inlineService: unknown;
  /** `[the trace's ID, '']`, the values a reference's trace ID is tested against (kept while the ID is the same). */
  private traceIdChoices: string[] = [''];
  private readonly columns = new SpanColumns();
  private readonly compact: CompactSpanReader;

  constructor(
    private readonly json: JsonScanner,
    private readonly operations: OperationTable,
    private readonly source: string | undefined
  ) {
    this.compact = new CompactSpanReader(json, this.span, this.facts);
  }

  read(): ParsedTraces {
    const { json } = this;
    const first = json.peek();
    if (first === OPEN_BRACKET) {
      this.traces('', true);
    } else if (first === OPEN_BRACE) {
      this.response();
    } else {
      throw new NotJaeger();
    }
    json.end();
    return this.result;
  }

  /** `{"data":[…], …}` or a bare trace `{"traceID", "spans", "processes"}`. */
  private response(): void {
    const { json } = this;
    // A bare trace is read as it streams by; it counts only if no `data` array turns up.
    const bare = new JaegerTraceCollector(this.operations, this.source, '');
    let sawData = false;
    let sawSpans = false;
    const seen = new SeenKeys();
    if (json.open(OPEN_BRACE)) {
      do {
        json.member();
        if (OTHER_FORMATS.some((key) => json.keyIs(key))) {
          throw new NotJaeger();
        }
        if (json.keyIs('data')) {
          seen.once('data');
          if (json.peek() === OPEN_BRACKET) {
            sawData = true;
            this.traces('data', false);
            continue;
          }
        }
        sawSpans = this.traceMember(bare, seen) === 'spans' || sawSpans;
      } while (json.more(CLOSE_BRACE));
    }
    if (sawData) {
      return;
    }
    if (!sawSpans) {
      throw new NotJaeger();
    }
    bare.finishInto(this.result);
  }

  private traces(basePath: string, topLevelArray: boolean): void {
    const { json } = this;
    if (!json.open(OPEN_BRACKET)) {
      if (topLevelArray) {
        throw new NotJaeger(); // `[]` is no format at all: the general path says so
      }
      return;
    }
    let t = 0;
    do {
      // A top-level array is Jaeger's only if its first item is a trace, as detectFormat decides: then the first
      // item must be an object with a "spans" array and no key of another format, or the general path reads it.
      const probe = topLevelArray && t === 0;
      // Each trace is finished before the next begins, so all share one set of columns.
      const collector = new JaegerTraceCollector(
        this.operations,
        this.source,
        jaegerTracePath(basePath, topLevelArray, t),
        this.columns
      );
      let sawSpans = false;
      if (json.peek() !== OPEN_BRACE) {
        if (probe) {
          throw new NotJaeger();
        }
        json.skip();
      } else if (json.open(OPEN_BRACE)) {
        const seen = new SeenKeys();
        do {
          json.member();
          if (probe && OTHER_FORMATS.some((key) => json.keyIs(key))) {
            throw new NotJaeger();
          }
          sawSpans = this.traceMember(collector, seen) === 'spans' || sawSpans;
        } while (json.more(CLOSE_BRACE));
      }
      if (!sawSpans) {
        if (probe) {
          throw new NotJaeger();
        }
        collector.notATrace();
      }
      collector.finishInto(this.result);
      t++;
    } while (json.more(CLOSE_BRACKET));
  }

  /** Reads (or skips) the current member of a trace object; says whether it was the spans array. */
  private traceMember(collector: JaegerTraceCollector, seen: SeenKeys): 'spans' | 'other' {
    const { json } = this;
    if (json.keyIs('traceID')) {
      seen.once('traceID');
      const value = json.scalar();
      if (typeof value === 'string') {
        collector.traceId = value;
      }
    } else if (json.keyIs('spans') && seen.once('spans') && json.peek() === OPEN_BRACKET) {
      this.spans(collector);
      return 'spans';
    } else if (json.keyIs('processes') && seen.once('processes') && json.peek() === OPEN_BRACE) {
      if (json.open(OPEN_BRACE)) {
        do {
          const id = json.key();
          collector.addProcess(id, this.serviceName());
        } while (json.more(CLOSE_BRACE));
      }
    } else {
      json.skip();
    }
    return 'other';
  }

  private spans(collector: JaegerTraceCollector): void {
    const { json, facts, span } = this;
    if (!json.open(OPEN_BRACKET)) {
      return;
    }
    let index = 0;
    do {
      if (json.peek() !== OPEN_BRACE) {
        json.skip();
        collector.rejectNonObject(index++);
        continue;
      }
      if (this.compact.read(collector, index)) {
        this.spanReads.compact++;
        index++;
        continue;
      }
      this.spanReads.general++;
      facts.reset();
      clearSpanFields(span);
      this.inlineService = undefined;
      if (json.open(OPEN_BRACE)) {
        do {
          if (!this.spanMember(json.member(), collector)) {
            json.skip();
          }
        } while (json.more(CLOSE_BRACE));
      }
      collector.addSpan(index++, span, this.inlineService, facts);
    } while (json.more(CLOSE_BRACKET));
  }

  /**
   * Reads the current span member if the analysis uses it (false: the caller skips it). Dispatched on the key's
   * length first, so one integer compare rejects most keys before any byte is compared.
   */
  private spanMember(length: number, collector: JaegerTraceCollector): boolean {
    const { json, span } = this;
    switch (length) {
      case 4:
        if (json.keyIs('tags')) {
          this.facts.reset(); // a repeated member replaces the earlier one, as in JSON.parse
          this.tags();
          return true;
        }
        return false;
      case 6:
        if (json.keyIs('spanID')) {
          // Unique within a trace: caching span IDs would only evict the names and parent IDs that do repeat.
          span.spanID = this.plainValue(false);
          return true;
        }
        return false;
      case 7:
        if (json.keyIs('traceID')) {
          // Only needed when the trace itself carries no ID.
          if (collector.traceId === undefined) {
            span.traceID = this.plainValue();
          } else {
            json.skip();
          }
          return true;
        }
        if (json.keyIs('process')) {
          this.inlineService = this.serviceName();
          return true;
        }
        return false;
      case 8:
        if (json.keyIs('duration')) {
          span.duration = this.plainValue();
          return true;
        }
        return false;
      case 9:
        if (json.keyIs('startTime')) {
          span.startTime = this.plainValue();
          return true;
        }
        if (json.keyIs('processID')) {
          span.processID = this.plainValue();
          return true;
        }
        return false;
      case 10:
        if (json.keyIs('references')) {
          collector.discardReferences();
          this.references(collector);
          return true;
        }
        return false;
      case 12:
        if (json.keyIs('parentSpanID')) {
          span.parentSpanID = this.plainValue();
          return true;
        }
        return false;
      case 13:
        if (json.keyIs('operationName')) {
          span.operationName = this.plainValue();
          return true;
        }
        return false;
      default:
        return false;
    }
  }

  /** A scalar as the collector validates it; an object or array becomes `{}` (present, but of the wrong type). */
  private plainValue(cache = true): unknown {
    const value = this.json.scalar(cache);
    return value === SKIPPED ? {} : value;
  }

  /** Reads `[{refType, traceID, spanID}, …]` into the collector. */
  private references(collector: JaegerTraceCollector): void {
    const { json } = this;
    if (json.peek() !== OPEN_BRACKET) {
      json.skip();
      return;
    }
    if (!json.open(OPEN_BRACKET)) {
      return;
    }
    do {
      let refType: unknown;
      let traceId: unknown;
      let spanId: unknown;
      if (json.peek() !== OPEN_BRACE) {
        json.skip();
        continue;
      }
      if (json.open(OPEN_BRACE)) {
        do {
          json.member();
          if (json.keyIs('refType')) {
            refType = json.oneOf(REF_TYPES) ?? 'other';
          } else if (json.keyIs('traceID')) {
            traceId = this.referenceTraceId(collector);
          } else if (json.keyIs('spanID')) {
            spanId = json.scalar();
          } else {
            json.skip();
          }
        } while (json.more(CLOSE_BRACE));
      }
      collector.addReference(refType, traceId, spanId);
    } while (json.more(CLOSE_BRACKET));
  }

  /** A reference's trace ID, compared with the trace's ID without building a string when that ID is known. */
  private referenceTraceId(collector: JaegerTraceCollector): unknown {
    const { traceId } = collector;
    // Not a string (an object, a number): readJaeger counts such a reference as one into this trace, so the
    // value is read as it is rather than compared (which would call it another trace's).
    if (traceId === undefined || this.json.peek() !== QUOTE) {
      return this.json.scalar();
    }
    if (this.traceIdChoices[0] !== traceId) {
      this.traceIdChoices = [traceId, ''];
    }
    return this.json.oneOf(this.traceIdChoices) ?? OTHER_TRACE;
  }

  /** Feeds `[{key, type, value}, …]` to SpanFacts, reading only the values of keys it looks at. */
  private tags(): void {
    const { json, facts } = this;
    if (json.peek() !== OPEN_BRACKET) {
      json.skip();
      return;
    }
    if (!json.open(OPEN_BRACKET)) {
      return;
    }
    do {
      if (json.peek() !== OPEN_BRACE) {
        json.skip();
        continue;
      }
      // `key` stays undefined until seen, and null when it is not one SpanFacts reads.
      let key: string | null | undefined;
      let value: unknown;
      if (json.open(OPEN_BRACE)) {
        do {
          json.member();
          if (json.keyIs('key')) {
            if (key !== undefined) {
              throw new NotJaeger(); // a repeated "key": the value skipped after the first might be the one that counts
            }
            key = json.oneOf(SpanFacts.KEY_LIST);
          } else if (key !== null && json.keyIs('value')) {
            value = json.scalar();
          } else {
            json.skip();
          }
        } while (json.more(CLOSE_BRACE));
      }
      if (typeof key === 'string') {
        facts.observe(key, value === SKIPPED ? undefined : value);
      }
    } while (json.more(CLOSE_BRACKET));
  }

  /** `{ "serviceName": … }` → the name, or undefined. */
  private serviceName(): unknown {
    const { json } = this;
    if (json.peek() !== OPEN_BRACE) {
      json.skip();
      return undefined;
    }
    let name: unknown;
    if (json.open(OPEN_BRACE)) {
      do {
        json.member();
        if (json.keyIs('serviceName')) {
          name = json.scalar();
        } else {
          json.skip();
        }
      } while (json.more(CLOSE_BRACE));
    }
    return name;
  }
}
