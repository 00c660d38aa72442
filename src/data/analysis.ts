import {
  analyzeTrace,
  AttributeCollector,
  collectAttributesFromText,
  collectFrameAttributes,
  compareContexts,
  compareSlowToBaseline,
  findSharedAttributes,
  HotspotAggregator,
  OperationTable,
  readTraceFrame,
  readTraceText,
  type AttributeAnalysis,
  type Comparison,
  type ContextComparison,
  type ContextReport,
  type FrameLike,
  type HotspotReport,
  type InputProblem,
  type ParsedTraces,
  type SlowSplit,
  type TraceModel,
  type TraceRecord,
} from '../engine';
import { emptyState } from '../state/emptyState';
import type { TraceFailure } from './fetchTraces';
import type { FetchProgress, HotspotPhase, HotspotQuery, HotspotState, TimeRangeMs, UserFacingError } from './types';

/**
 * The engine, fed incrementally and run **time-sliced on the main thread**: work is done in slices of ~12 ms, and
 * between slices we yield to the event loop so the page keeps painting and answering input (1,000 traces × 50 spans
 * are ~0.5 s of engine time). Deliberately no Web Worker: a worker (like any lazily loaded chunk) is fetched relative
 * to the nested panel's module URL but emitted at the dist root, and 404s (grafana/plugin-tools#2172).
 *
 * Every change produces a new immutable `HotspotState` (a new object; arrays copied when they changed, else the
 * previous snapshot's, so views can skip work by identity). The report is recomputed at most every
 * `reportIntervalMs` while traces stream in — `HotspotAggregator.report()` sorts every operation's samples, and a
 * response of 25 traces used to trigger one rebuild each — and always once at the end; when the queue runs dry
 * between two responses, a timer brings the report up to date once the interval has passed. `records` are the
 * traces behind `report` (taken with it), so the what-if describes the same sample as the ranking. `operations` is
 * the run's interning table: append-only, so the ids in an older snapshot stay valid.
 *
 * `AnalysisRunOptions` say how such a run is scheduled and labelled; what it computes is the engine's
 * `AnalysisOptions`.
 */
export interface AnalysisRunOptions {
  /** The time range the traces were searched in; when absent, the extent of the analysed traces. */
  range?: TimeRangeMs;
  sliceBudgetMs?: number;
  reportIntervalMs?: number;
  /** How to give the event loop a turn between slices (tests inject their own). */
  yieldToEventLoop?: () => Promise<void>;
  now?: () => number;
  /** What `progress.failed` counts, for the message when nothing could be read: traces (default) or files. */
  failureNoun?: 'trace' | 'file';
}

export interface HotspotAnalysis {
  /** The run's operation table (what `state.operations` is). */
  readonly operations: OperationTable;
  readonly cancelled: boolean;
  /** Resolves with the final state once the run is complete (or with the last state, when cancelled). */
  readonly done: Promise<HotspotState>;
  getState(): HotspotState;
  /** Called with every new snapshot; returns the unsubscribe function. */
  subscribe(listener: (state: HotspotState) => void): () => void;
  setPhase(phase: 'searching' | 'fetching'): void;
  /** The honest sample: traces found, and how many of them we set out to fetch (plus those handed to us). */
  setSample(sample: { searched: number; toFetch: number; limitHit?: FetchProgress['limitHit'] }): void;
  /** Trace frames (fetched or from the panel): counted as fetched now, analysed in the background. */
  addTraceFrames(frames: readonly FrameLike[], source?: string): void;
  /** Trace files (Jaeger JSON, OTLP JSON, Grafana frames): read and analysed in the background. */
  addFiles(files: ReadonlyArray<{ name: string; text: string }>): void;
  addFailures(failures: readonly TraceFailure[]): void;
  /** No more input: resolves with the final state once everything queued is analysed. */
  finish(): Promise<HotspotState>;
  /** The whole run failed: the state becomes `error` (with what was analysed so far). */
  fail(error: UserFacingError): void;
  /** Stop: no more work and no more snapshots. */
  cancel(): void;
}

const DEFAULT_SLICE_MS = 12;
const DEFAULT_REPORT_INTERVAL_MS = 1000;

/** Input waiting to be read; what it yields (trace models) is analysed before the next input is read. */
type Input = { kind: 'frame'; frame: FrameLike; source?: string } | { kind: 'file'; name: string; text: string };

/** A FIFO with O(1) take (Array#shift is O(n), which adds up over thousands of traces). */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  push(item: T): void {
    this.items.push(item);
  }

  take(): T | undefined {
    if (this.head >= this.items.length) {
      return undefined;
    }
    const item = this.items[this.head];
    this.items[this.head++] = undefined as T;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  get length(): number {
    return this.items.length - this.head;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

export { emptyState };

export function errorState(error: UserFacingError, range: TimeRangeMs = { from: 0, to: 0 }): HotspotState {
  return { ...emptyState(range, 'error'), error };
}

export function createHotspotAnalysis(query: HotspotQuery, options: AnalysisRunOptions = {}): HotspotAnalysis {
  return new Analysis(query, options);
}

class Analysis implements HotspotAnalysis {
  readonly operations = new OperationTable();
  // Calling contexts too: the views offer the flame graph, and traces are not kept to compute them later.
  private readonly aggregator = new HotspotAggregator(this.operations, { callContexts: true });
  private readonly listeners = new Set<(state: HotspotState) => void>();
  private readonly inputs = new Fifo<Input>();
  private readonly models = new Fifo<TraceModel>();
  private readonly seenTraces = new Set<string>();
  private readonly analysedTraces = new Set<string>();
  private readonly problems: InputProblem[] = [];
  private readonly failures: TraceFailure[] = [];
  private progress: FetchProgress = { searched: 0, toFetch: 0, fetched: 0, failed: 0, analysed: 0 };
  private phase: HotspotPhase = 'idle';
  private error?: UserFacingError;
  private report?: HotspotReport;
  private comparison?: Comparison;
  /** Each trace's attributes, collected only in slow-vs-baseline mode (issue #16), and what the slow ones share. */
  private readonly attributes?: AttributeCollector;
  private sharedAttributes?: AttributeAnalysis;
  private contexts?: ContextReport;
  private contextComparison?: ContextComparison;
  private reportDirty = false;
  private lastReportAt = -Infinity;
  private reportTimer?: ReturnType<typeof setTimeout>;
  /** The traces behind `report`, copied when it is rebuilt. */
  private records: readonly TraceRecord[] = [];
  /** The last snapshot's copies, reused by the next one while unchanged (views memoise on them). */
  private shared: { problems: readonly InputProblem[]; range: TimeRangeMs } = {
    problems: [],
    range: { from: 0, to: 0 },
  };
  private extent = { from: Infinity, to: -Infinity };
  /** Each analysed trace's extent in ms, for its links and log counts (`HotspotState.traceWindows`). */
  private readonly windows = new Map<string, TimeRangeMs>();
  /** The last snapshot's copy of `windows`, reused while no trace was added (views memoise on it). */
  private windowsShown: ReadonlyMap<string, TimeRangeMs> = new Map();
  private draining = false;
  private finishing = false;
  private finished = false;
  private isCancelled = false;
  private resolveFinish?: (state: HotspotState) => void;
  readonly done: Promise<HotspotState>;
  private state: HotspotState;
  private readonly sliceMs: number;
  private readonly reportIntervalMs: number;
  private readonly yieldToEventLoop: () => Promise<void>;
  private readonly now: () => number;

  constructor(
    private readonly query: HotspotQuery,
    private readonly options: AnalysisRunOptions
  ) {
    this.attributes = slowSplit(query.compare) ? new AttributeCollector() : undefined;
    this.sliceMs = options.sliceBudgetMs ?? DEFAULT_SLICE_MS;
    this.reportIntervalMs = options.reportIntervalMs ?? DEFAULT_REPORT_INTERVAL_MS;
    this.yieldToEventLoop = options.yieldToEventLoop ?? (() => new Promise((resolve) => setTimeout(resolve, 0)));
    this.now = options.now ?? (() => (typeof performance !== 'undefined' ? performance.now() : Date.now()));
    this.done = new Promise((resolve) => (this.resolveFinish = resolve));
    this.state = this.snapshot();
  }

  get cancelled(): boolean {
    return this.isCancelled;
  }

  getState(): HotspotState {
    return this.state;
  }

  subscribe(listener: (state: HotspotState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setPhase(phase: 'searching' | 'fetching'): void {
    if (this.closed()) {
      return;
    }
    this.phase = phase;
    this.emit();
  }

  setSample(sample: { searched: number; toFetch: number; limitHit?: FetchProgress['limitHit'] }): void {
    if (this.closed()) {
      return;
    }
    const { limitHit, ...counts } = sample;
    this.progress = { ...this.progress, ...counts };
    if (limitHit) {
      this.progress.limitHit = { ...limitHit };
    } else {
      delete this.progress.limitHit;
    }
    this.emit();
  }

  addTraceFrames(frames: readonly FrameLike[], source?: string): void {
    if (this.closed()) {
      return;
    }
    for (const frame of frames) {
      const ids = frame.fields.find((f) => f.name === 'traceID')?.values ?? [];
      for (let i = 0; i < ids.length; i++) {
        this.seenTraces.add(String(ids[i]));
      }
      this.inputs.push({ kind: 'frame', frame, source });
    }
    this.progress = { ...this.progress, fetched: this.seenTraces.size };
    this.emit();
    void this.drain();
  }

  addFiles(files: ReadonlyArray<{ name: string; text: string }>): void {
    if (this.closed()) {
      return;
    }
    for (const file of files) {
      this.inputs.push({ kind: 'file', name: file.name, text: file.text });
    }
    void this.drain();
  }

  addFailures(failures: readonly TraceFailure[]): void {
    if (this.closed() || failures.length === 0) {
      return;
    }
    for (const failure of failures) {
      this.failures.push(failure);
      this.problems.push({ source: 'fetch', traceId: failure.traceId, message: `not fetched: ${failure.message}` });
    }
    this.progress = { ...this.progress, failed: this.progress.failed + failures.length };
    this.emit();
  }

  finish(): Promise<HotspotState> {
    if (!this.closed()) {
      this.finishing = true;
      void this.drain();
    }
    return this.done;
  }

  fail(error: UserFacingError): void {
    if (this.closed()) {
      return;
    }
    this.error = error;
    this.clearQueues();
    this.complete();
  }

  cancel(): void {
    this.isCancelled = true;
    this.stopReportTimer();
    this.clearQueues();
    this.listeners.clear();
    this.resolveFinish?.(this.state);
  }

  private clearQueues(): void {
    this.inputs.clear();
    this.models.clear();
  }

  private pending(): number {
    return this.inputs.length + this.models.length;
  }

  private closed(): boolean {
    return this.isCancelled || this.finished;
  }

  private async drain(): Promise<void> {
    if (this.draining) {
      return;
    }
    this.draining = true;
    try {
      while (!this.isCancelled && this.pending() > 0) {
        const deadline = this.now() + this.sliceMs;
        do {
          this.step();
        } while (this.pending() > 0 && this.now() < deadline && !this.isCancelled);
        if (this.isCancelled) {
          return;
        }
        if (this.reportDirty && this.reportDue()) {
          this.refreshReport();
          this.emit();
        }
        if (this.pending() > 0) {
          await this.yieldToEventLoop();
        }
      }
    } finally {
      this.draining = false;
    }
    if (this.isCancelled || this.finished || this.pending() > 0) {
      return;
    }
    if (this.finishing) {
      this.complete();
    } else if (this.reportDirty) {
      // The queue ran dry before the report was due: show the analysed count now, the ranking when it is due.
      this.emit();
      this.scheduleReport();
    }
  }

  private reportDue(): boolean {
    return this.now() - this.lastReportAt >= this.reportIntervalMs;
  }

  /** Idle between responses with traces not yet in the report: refresh it once the interval has passed. */
  private scheduleReport(): void {
    if (this.reportTimer !== undefined) {
      return;
    }
    const wait = Math.min(this.reportIntervalMs, Math.max(0, this.lastReportAt + this.reportIntervalMs - this.now()));
    this.reportTimer = setTimeout(() => {
      this.reportTimer = undefined;
      // A drain under way refreshes (or schedules) by itself; after finish(), complete() has the final word.
      if (this.closed() || this.draining || this.finishing || !this.reportDirty) {
        return;
      }
      this.refreshReport();
      this.emit();
    }, wait);
  }

  private stopReportTimer(): void {
    if (this.reportTimer !== undefined) {
      clearTimeout(this.reportTimer);
      this.reportTimer = undefined;
    }
  }

  /** One unit of work: analyse the next trace read, or else read the next input. */
  private step(): void {
    try {
      const model = this.models.take();
      if (model) {
        this.analyse(model);
        return;
      }
      const unit = this.inputs.take();
      if (!unit) {
        return;
      }
      if (unit.kind === 'frame') {
        const parsed: ParsedTraces = { traces: [], problems: [] };
        readTraceFrame(unit.frame, this.operations, unit.source, 'frame', parsed);
        if (this.attributes) {
          collectFrameAttributes(unit.frame, this.attributes);
        }
        this.take(parsed);
      } else {
        this.readFile(unit.name, unit.text);
      }
    } catch (err) {
      // The engine reports bad input as problems; anything thrown here is a bug, still shown rather than lost.
      this.problems.push({ message: `analysis failed: ${err instanceof Error ? err.message : String(err)}` });
    }
  }

  private readFile(name: string, text: string): void {
    let parsed: ParsedTraces;
    try {
      parsed = readTraceText(text, this.operations, name);
    } catch (err) {
      // TraceInputError's message already names the file and says what was expected.
      const message = err instanceof Error ? err.message : String(err);
      this.problems.push({
        source: name,
        message: message.startsWith(`${name}: `) ? message.slice(name.length + 2) : message,
      });
      this.failures.push({ traceId: '', message });
      this.progress = { ...this.progress, failed: this.progress.failed + 1 };
      return;
    }
    if (this.attributes) {
      collectAttributesFromText(text, this.attributes);
    }
    for (const trace of parsed.traces) {
      this.seenTraces.add(trace.traceId);
    }
    const count = this.seenTraces.size;
    this.progress = { ...this.progress, searched: count, toFetch: count, fetched: count };
    this.take(parsed);
  }

  /** Queues what an input yielded; each trace is its own unit, so a big frame or file spreads over slices too. */
  private take(parsed: ParsedTraces): void {
    for (const problem of parsed.problems) {
      this.problems.push(problem);
    }
    for (const trace of parsed.traces) {
      this.models.push(trace);
    }
    if (parsed.problems.length > 0) {
      this.reportDirty = true;
    }
  }

  private analyse(model: TraceModel): void {
    if (this.analysedTraces.has(model.traceId)) {
      this.problems.push({ traceId: model.traceId, message: 'the trace arrived more than once; analysed once' });
      return;
    }
    this.analysedTraces.add(model.traceId);
    this.aggregator.add(analyzeTrace(model, { window: this.query.window, asyncBlocking: this.query.asyncBlocking }));
    this.progress = { ...this.progress, analysed: this.progress.analysed + 1 };
    let from = Infinity;
    let to = -Infinity;
    for (let i = 0; i < model.size; i++) {
      from = Math.min(from, model.start[i]);
      to = Math.max(to, model.start[i] + model.duration[i]);
    }
    this.extent.from = Math.min(this.extent.from, from);
    this.extent.to = Math.max(this.extent.to, to);
    if (from <= to) {
      this.windows.set(model.traceId, usToMsWindow(from, to));
    }
    this.reportDirty = true;
  }

  private refreshReport(): void {
    this.lastReportAt = this.now();
    this.reportDirty = false;
    if (this.progress.analysed === 0) {
      return;
    }
    this.report = this.aggregator.report();
    this.records = this.aggregator.traceRecords().slice();
    const split = slowSplit(this.query.compare);
    this.comparison = split ? compareSlowToBaseline(this.records, this.operations, split) : undefined;
    this.sharedAttributes =
      this.comparison && this.attributes
        ? findSharedAttributes(this.records, this.attributes, this.comparison, this.operations)
        : undefined;
    this.contexts = this.aggregator.contextReport();
    const contexts = this.aggregator.callContexts();
    this.contextComparison = split && contexts ? compareContexts(contexts, split) : undefined;
  }

  private complete(): void {
    this.stopReportTimer();
    if (this.reportDirty) {
      this.refreshReport();
    }
    if (this.error) {
      this.phase = 'error';
    } else if (this.progress.analysed > 0) {
      this.phase = 'done';
    } else if (this.progress.failed > 0 && this.progress.fetched === 0) {
      this.phase = 'error';
      this.error = nothingFetched(this.failures, this.options.failureNoun ?? 'trace');
    } else {
      this.phase = 'empty';
    }
    this.emit();
    this.finished = true;
    this.resolveFinish?.(this.state);
  }

  private emit(): void {
    if (this.isCancelled) {
      return;
    }
    this.state = this.snapshot();
    for (const listener of [...this.listeners]) {
      listener(this.state);
    }
  }

  private traceWindows(): ReadonlyMap<string, TimeRangeMs> {
    if (this.windowsShown.size !== this.windows.size) {
      this.windowsShown = new Map(this.windows);
    }
    return this.windowsShown;
  }

  private snapshot(): HotspotState {
    const progress: FetchProgress = { ...this.progress };
    if (progress.limitHit) {
      progress.limitHit = { ...progress.limitHit };
    }
    const range =
      this.options.range ??
      (this.extent.from <= this.extent.to ? usToMsWindow(this.extent.from, this.extent.to) : { from: 0, to: 0 });
    // Problems are only ever appended: the same length is the same list.
    const { shared } = this;
    if (shared.problems.length !== this.problems.length) {
      shared.problems = this.problems.slice();
    }
    if (shared.range.from !== range.from || shared.range.to !== range.to) {
      shared.range = { from: range.from, to: range.to };
    }
    return {
      phase: this.phase,
      progress,
      ...(this.report ? { report: this.report } : {}),
      ...(this.comparison ? { comparison: this.comparison } : {}),
      ...(this.sharedAttributes ? { attributes: this.sharedAttributes } : {}),
      ...(this.contexts ? { contexts: this.contexts } : {}),
      ...(this.contextComparison ? { contextComparison: this.contextComparison } : {}),
      records: this.records,
      operations: this.operations,
      problems: shared.problems,
      ...(this.error ? { error: this.error } : {}),
      range: shared.range,
      traceWindows: this.traceWindows(),
    };
  }
}

function slowSplit(compare: HotspotQuery['compare']): SlowSplit | undefined {
  if (!compare) {
    return undefined;
  }
  return 'thresholdMs' in compare ? { thresholdUs: compare.thresholdMs * 1000 } : { percentile: compare.percentile };
}

function nothingFetched(failures: readonly TraceFailure[], noun: 'trace' | 'file'): UserFacingError {
  const first = failures[0]?.message ?? 'no reason given';
  if (noun === 'file') {
    return {
      title:
        failures.length === 1 ? 'The file could not be read' : `None of the ${failures.length} files could be read`,
      message: first,
    };
  }
  return {
    title:
      failures.length === 1
        ? 'The trace could not be fetched'
        : `None of the ${failures.length} traces could be fetched`,
    message: `The first failure: ${first}`,
    ...(failures[0]?.status ? { status: failures[0].status } : {}),
  };
}

/**
 * The Import page: trace files read and analysed in the browser (nothing is uploaded), time-sliced like the rest.
 * Files that cannot be read are reported by name (`problems`, and counted in `progress.failed`); the others are
 * analysed. The state's range is the extent of the traces read.
 */
export function analyzeLocalFiles(
  files: ReadonlyArray<{ name: string; text: string }>,
  query: HotspotQuery,
  options: Omit<AnalysisRunOptions, 'range' | 'failureNoun'> & { onState?: (state: HotspotState) => void } = {}
): Promise<HotspotState> {
  const analysis = createHotspotAnalysis(query, { ...options, failureNoun: 'file' });
  if (options.onState) {
    analysis.subscribe(options.onState);
  }
  analysis.setPhase('fetching');
  analysis.addFiles(files);
  return analysis.finish();
}

/** A µs extent as whole ms that still contains it (start rounded down, end up). */
function usToMsWindow(fromUs: number, toUs: number): TimeRangeMs {
  return { from: Math.floor(fromUs / 1000), to: Math.ceil(toUs / 1000) };
}
