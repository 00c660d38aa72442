import { TraceBuilder } from '../model/builder';
import { OperationTable } from '../model/operations';
import { InputProblem, TraceInputError } from '../model/problems';
import { ParentLink, TraceModel } from '../model/trace';
import { grownFrom } from '../model/typedArrays';
import { SpanFacts } from './semantics';
import { isRecord, ParsedTraces } from './types';

/**
 * Jaeger query API JSON (jaegertracing/jaeger `model/json/model.go`, as served by `/api/traces` and
 * `/api/traces/{id}`): `{"data":[trace…]}`, a bare trace object, or an array of traces. Times are µs.
 *
 * Two readers feed the same `JaegerTraceCollector`, which holds every rule: `readJaeger` walks parsed JSON,
 * `readJaegerBytes` (jaegerBytes.ts) scans raw bytes and skips what the analysis never reads.
 */
export function readJaeger(input: unknown, operations: OperationTable, source?: string): ParsedTraces {
  let traces: unknown[];
  let basePath: string;
  if (Array.isArray(input)) {
    traces = input;
    basePath = '';
  } else if (isRecord(input) && Array.isArray(input.data)) {
    traces = input.data;
    basePath = 'data';
  } else if (isRecord(input) && Array.isArray(input.spans)) {
    traces = [input];
    basePath = '';
  } else {
    throw new TraceInputError('expected Jaeger JSON: {"data":[trace…]} or a trace {"traceID","spans","processes"}', {
      source,
    });
  }
  const result: ParsedTraces = { traces: [], problems: [] };
  const facts = new SpanFacts();
  const columns = new SpanColumns(); // one trace at a time: each collector reuses the previous one's columns
  traces.forEach((trace, t) => {
    const path = jaegerTracePath(basePath, Array.isArray(input), t);
    const collector = new JaegerTraceCollector(operations, source, path, columns);
    if (!isRecord(trace) || !Array.isArray(trace.spans)) {
      collector.notATrace();
    } else {
      if (typeof trace.traceID === 'string') {
        collector.traceId = trace.traceID;
      }
      if (isRecord(trace.processes)) {
        for (const [id, process] of Object.entries(trace.processes)) {
          if (isRecord(process)) {
            collector.addProcess(id, process.serviceName);
          }
        }
      }
      trace.spans.forEach((span, i) => {
        if (!isRecord(span)) {
          collector.rejectNonObject(i);
          return;
        }
        if (Array.isArray(span.references)) {
          for (const ref of span.references) {
            if (isRecord(ref)) {
              collector.addReference(ref.refType, ref.traceID, ref.spanID);
            }
          }
        }
        facts.reset();
        if (Array.isArray(span.tags)) {
          for (const tag of span.tags) {
            if (isRecord(tag) && typeof tag.key === 'string') {
              facts.observe(tag.key, tag.value);
            }
          }
        }
        const inline = isRecord(span.process) ? span.process.serviceName : undefined;
        collector.addSpan(i, span, inline, facts);
      });
    }
    collector.finishInto(result);
  });
  return result;
}

/** The JSON path of trace `t` as problems name it: `data[3]`, `[3]` or `` for a bare trace. */
export function jaegerTracePath(basePath: string, topLevelArray: boolean, t: number): string {
  return basePath ? `${basePath}[${t}]` : topLevelArray ? `[${t}]` : '';
}

/** The span fields a reader found; values are raw (validated here). */
export interface JaegerSpanFields {
  spanID?: unknown;
  traceID?: unknown;
  parentSpanID?: unknown;
  operationName?: unknown;
  startTime?: unknown;
  duration?: unknown;
  processID?: unknown;
}

/** Empties `span` before a reader reads the next span into it. */
export function clearSpanFields(span: JaegerSpanFields): void {
  span.spanID = span.traceID = span.parentSpanID = span.operationName = undefined;
  span.startTime = span.duration = span.processID = undefined;
}

/**
 * Collects one trace's spans as readers find them and applies Jaeger's rules once the trace is complete (the
 * trace ID and `processes` may come after the spans):
 * - parent: the first CHILD_OF reference into this trace; failing that the first FOLLOWS_FROM (a non-blocking
 *   parent). References into other traces are links, not parents. A legacy `parentSpanID` counts when a span
 *   has no references.
 * - service: the span's inline `process`, else `processes[processID]`; a missing one is named, not guessed.
 */
export class JaegerTraceCollector {
  traceId: string | undefined;
  private firstSpanTraceId: string | undefined;
  private readonly processes = new Map<string, string>();
  /** Spans collected so far (the store's columns are valid up to here; beyond may be a previous trace's). */
  private count = 0;
  /** References collected so far, the pending span's included. */
  private refCount = 0;
  /** Rejected spans, kept in input order with the span they precede. */
  private readonly rejects: Array<{ before: number; problem: Omit<InputProblem, 'traceId' | 'source'> }> = [];
  private invalidTrace = false;

  /**
   * `store`: columns to write into. Readers that finish one trace before starting the next pass the same store to
   * every collector, so the columns are allocated once instead of grown anew for each trace.
   */
  constructor(
    private readonly operations: OperationTable,
    private readonly source: string | undefined,
    private readonly path: string,
    private readonly store: SpanColumns = new SpanColumns()
  ) {
    store.refOffset[0] = 0;
  }

  private get spansPath(): string {
    return `${this.path}${this.path ? '.' : ''}spans`;
  }

  notATrace(): void {
    this.invalidTrace = true;
  }

  /** A process and its service name; a later process with the same ID replaces it, as in JSON.parse. */
  addProcess(id: string, serviceName: unknown): void {
    if (typeof serviceName === 'string') {
      this.processes.set(id, serviceName);
    } else {
      this.processes.delete(id);
    }
  }

  /** A reference of the span about to be added (call before `addSpan`). */
  addReference(refType: unknown, traceId: unknown, spanId: unknown): void {
    if (typeof spanId === 'string') {
      const { store } = this;
      const r = this.refCount++;
      store.refTypes[r] = refType;
      store.refTraceIds[r] = traceId;
      store.refSpanIds[r] = spanId;
    }
  }

  rejectNonObject(index: number): void {
    this.discardReferences();
    this.reject({ path: `${this.spansPath}[${index}]`, message: 'a span must be an object' });
  }

  addSpan(index: number, span: JaegerSpanFields, inlineService: unknown, facts: SpanFacts): void {
    const { spanID, startTime, duration } = span;
    // The path is only built for a rejected span: building it for every span cost two strings each.
    if (typeof spanID !== 'string' || spanID === '') {
      this.discardReferences();
      this.reject({ path: `${this.spansPath}[${index}].spanID`, message: 'spanID is missing' });
      return;
    }
    if (typeof startTime !== 'number' || !Number.isFinite(startTime)) {
      this.discardReferences();
      const path = `${this.spansPath}[${index}].startTime`;
      this.reject({ spanId: spanID, path, message: 'startTime (µs) is not a number' });
      return;
    }
    if (typeof duration !== 'number' || !Number.isFinite(duration)) {
      this.discardReferences();
      const path = `${this.spansPath}[${index}].duration`;
      this.reject({ spanId: spanID, path, message: 'duration (µs) is not a number' });
      return;
    }
    if (this.firstSpanTraceId === undefined && this.count === 0 && typeof span.traceID === 'string') {
      this.firstSpanTraceId = span.traceID;
    }
    const store = this.count === this.store.capacity ? this.store.grow() : this.store;
    const k = this.count++;
    store.spanIds[k] = spanID;
    store.legacyParents[k] =
      typeof span.parentSpanID === 'string' && span.parentSpanID !== '' ? span.parentSpanID : null;
    store.operationNames[k] = typeof span.operationName === 'string' ? span.operationName : '';
    store.starts[k] = startTime;
    store.durations[k] = duration;
    store.processIds[k] = span.processID;
    store.inlineServices[k] = typeof inlineService === 'string' ? inlineService : undefined;
    store.kinds[k] = facts.kind;
    store.errors[k] = facts.isError ? 1 : 0;
    store.refOffset[k + 1] = this.refCount;
  }

  /** Builds the trace and adds it, and every problem found, to `into`. */
  finishInto(into: ParsedTraces): void {
    if (this.invalidTrace) {
      into.problems.push({
        source: this.source,
        path: this.path,
        message: 'expected a trace object with a "spans" array',
      });
      return;
    }
    const traceId = this.traceId ?? this.firstSpanTraceId ?? `(no trace ID: ${this.path || 'trace'})`;
    const { store, count } = this;
    const builder = new TraceBuilder(traceId, this.operations, this.source, count);
    let nextReject = 0;
    for (let k = 0; k < count; k++) {
      while (nextReject < this.rejects.length && this.rejects[nextReject].before <= k) {
        builder.rejectSpan(this.rejects[nextReject++].problem);
      }
      const parentId = this.parentOf(k, traceId);
      builder.addSpan(
        store.spanIds[k],
        parentId,
        this.parentLink,
        this.serviceOf(k),
        store.operationNames[k],
        store.starts[k],
        store.durations[k],
        store.kinds[k],
        store.errors[k] === 1
      );
    }
    while (nextReject < this.rejects.length) {
      builder.rejectSpan(this.rejects[nextReject++].problem);
    }
    const model: TraceModel | null = builder.build();
    into.problems.push(...builder.problems);
    if (model) {
      into.traces.push(model);
    }
  }

  /** The link `parentOf` found; a field rather than a returned pair, which cost an array per span. */
  private parentLink: ParentLink.ChildOf | ParentLink.FollowsFrom = ParentLink.ChildOf;

  /** Span k's parent ID (or null); sets `parentLink`. */
  private parentOf(k: number, traceId: string): string | null {
    const { store } = this;
    const from = store.refOffset[k];
    const to = store.refOffset[k + 1];
    this.parentLink = ParentLink.ChildOf;
    if (from === to) {
      return store.legacyParents[k];
    }
    let followsFrom: string | null = null;
    for (let r = from; r < to; r++) {
      const refTrace = store.refTraceIds[r];
      if (typeof refTrace === 'string' && refTrace !== traceId && refTrace !== '') {
        continue;
      }
      if (store.refTypes[r] === 'FOLLOWS_FROM') {
        followsFrom ??= store.refSpanIds[r];
      } else {
        return store.refSpanIds[r];
      }
    }
    if (followsFrom !== null) {
      this.parentLink = ParentLink.FollowsFrom;
    }
    return followsFrom;
  }

  private serviceOf(k: number): string {
    const inline = this.store.inlineServices[k];
    if (inline !== undefined) {
      return inline;
    }
    const processId = this.store.processIds[k];
    const service = typeof processId === 'string' ? this.processes.get(processId) : undefined;
    // An object or array is named by kind only: the byte reader skips its content (and String([…]) would vary).
    const named = typeof processId === 'object' && processId !== null ? 'not a string' : String(processId);
    return service ?? `(unknown service: process ${named})`;
  }

  /** Forgets the references added since the last span (that span is rejected, or will be read again). */
  discardReferences(): void {
    this.refCount = this.store.refOffset[this.count];
  }

  private reject(problem: Omit<InputProblem, 'traceId' | 'source'>): void {
    this.rejects.push({ before: this.count, problem });
  }
}

/**
 * The columns a `JaegerTraceCollector` fills, span by span (numbers in typed arrays, the rest in arrays written by
 * index). Reused from trace to trace by readers that hand one store to each trace's collector in turn.
 */
export class SpanColumns {
  capacity = 64;
  spanIds: string[] = [];
  legacyParents: Array<string | null> = [];
  operationNames: string[] = [];
  processIds: unknown[] = [];
  inlineServices: Array<string | undefined> = [];
  starts = new Float64Array(this.capacity);
  durations = new Float64Array(this.capacity);
  kinds = new Uint8Array(this.capacity);
  errors = new Uint8Array(this.capacity);
  /** References of span k are refs[refOffset[k] .. refOffset[k + 1]). */
  refOffset = new Int32Array(this.capacity + 1);
  refTypes: unknown[] = [];
  refTraceIds: unknown[] = [];
  refSpanIds: string[] = [];

  /** Doubles the typed columns' capacity (the other columns grow by themselves). */
  grow(): this {
    this.capacity *= 2;
    this.starts = grownFrom(new Float64Array(this.capacity), this.starts);
    this.durations = grownFrom(new Float64Array(this.capacity), this.durations);
    this.kinds = grownFrom(new Uint8Array(this.capacity), this.kinds);
    this.errors = grownFrom(new Uint8Array(this.capacity), this.errors);
    this.refOffset = grownFrom(new Int32Array(this.capacity + 1), this.refOffset);
    return this;
  }
}
