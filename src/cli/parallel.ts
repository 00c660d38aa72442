/**
 * `--jobs N`: files read, parsed and analysed in worker threads, aggregated on the main thread.
 *
 * Why this split: reading and the byte scanner cost most of a run. Workers read, analyse and summarise each file
 * (`TraceSummary`: per trace, one entry per operation plus the span durations) and send those columns, transferred
 * without copying. The main thread adds them in file order, exactly as the one-thread path adds its own
 * summaries — same operation ids, same order of every sum — so the results are identical, not merely close (sums
 * of fractional µs depend on their order). Summaries leave the main thread a tenth of the per-span work it had.
 *
 * Operation ids: each worker interns into its own `OperationTable` and reports, with each file, the names it
 * interned while reading it. Files reach a worker in ascending order and are merged in that order, so interning
 * those names into the main table as each file is merged reproduces the one-thread table id for id.
 */
import { MessagePort, Worker } from 'node:worker_threads';

import {
  analyzeTrace,
  AnalysisOptions,
  AttributeBatch,
  AttributeCollector,
  AttributeLimits,
  AttributeRecorder,
  HotspotAggregator,
  InputProblem,
  OperationTable,
  ParsedTraces,
  TraceAnalysis,
  TraceDiagnostics,
  TraceSummarizer,
  contributionOf,
} from '../engine';
import { attributeHook, recordInputAttributes } from './attributes';
import { FileBytesReader } from './fileBytes';
import {
  analyzeRemote,
  analyzeStdin,
  ChunkSource,
  emptySummary,
  InputFailure,
  InputUnit,
  noteFailure,
  noteTraceId,
  parseInput,
  ReadSummary,
} from './readInputs';
import { tracePath, TracePath } from './result';

/** `workerData` of an analysis worker. */
export interface WorkerSetup {
  hotpathAnalysisWorker: true;
  analysis: AnalysisOptions;
  criticalPaths: boolean;
  /** Summarise call contexts too (the main thread's aggregator keeps them). */
  callContexts: boolean;
  /** Record each file's attributes (read before it is parsed, as the one-thread hook does) under these caps. */
  attributes?: AttributeLimits;
}

interface FileTask {
  /** Position of the file among the files of the run. */
  index: number;
  path: string;
}

/**
 * One file's trace summaries (TraceSummary) as columns: trace `t` owns `entries[t]` consecutive entries of the
 * per-operation columns and `spans[t]` consecutive durations, in turn.
 */
interface FileColumns {
  problems: InputProblem[];
  traceIds: string[];
  spans: number[];
  latencyUs: number[];
  diagnostics: TraceDiagnostics[];
  entries: number[];
  // Each column owns its ArrayBuffer (made here, never a view), so that it can be transferred.
  operations: Int32Array<ArrayBuffer>;
  criticalPathUs: Float64Array<ArrayBuffer>;
  selfUs: Float64Array<ArrayBuffer>;
  errors: Float64Array<ArrayBuffer>;
  calls: Int32Array<ArrayBuffer>;
  durations: Float64Array<ArrayBuffer>;
  paths?: TracePath[];
  contexts?: ContextColumns;
}

/** Each trace's `TraceContexts`, one after the other: trace `t` owns `entries[t]` consecutive entries. */
interface ContextColumns {
  entries: number[];
  parent: Int32Array<ArrayBuffer>;
  operation: Int32Array<ArrayBuffer>;
  selfUs: Float64Array<ArrayBuffer>;
}

interface FileResult {
  index: number;
  /** The worker's table size before this file, and the (service, operation) pairs interned after it, flattened. */
  firstNewOp: number;
  newOps: string[];
  /** The file's attributes, when asked for: recorded from its bytes even when its traces then fail to parse. */
  attributes?: AttributeBatch;
  outcome: { columns: FileColumns } | { failure: InputFailure } | { bug: string };
}

export function isWorkerSetup(data: unknown): data is WorkerSetup {
  return typeof data === 'object' && data !== null && 'hotpathAnalysisWorker' in data;
}

/** The worker's side: analyses each file it is sent and posts its columns back. */
export function runAnalysisWorker(port: MessagePort, setup: WorkerSetup): void {
  const operations = new OperationTable();
  const reader = new FileBytesReader();
  const summarizer = new TraceSummarizer({ callContexts: setup.callContexts });
  const recorder = setup.attributes === undefined ? undefined : new AttributeRecorder(setup.attributes);
  port.on('message', (task: FileTask) => {
    void analyzeFile(task, setup, operations, reader, summarizer, recorder).then((result) => {
      const { outcome } = result;
      const attributeBuffers =
        result.attributes === undefined ? [] : [result.attributes.ids.buffer, result.attributes.counts.buffer];
      // Moved, not copied: the worker has no further use for them.
      const transfer =
        'columns' in outcome
          ? [
              outcome.columns.operations.buffer,
              outcome.columns.criticalPathUs.buffer,
              outcome.columns.selfUs.buffer,
              outcome.columns.errors.buffer,
              outcome.columns.calls.buffer,
              outcome.columns.durations.buffer,
              ...(outcome.columns.contexts === undefined
                ? []
                : [
                    outcome.columns.contexts.parent.buffer,
                    outcome.columns.contexts.operation.buffer,
                    outcome.columns.contexts.selfUs.buffer,
                  ]),
              ...attributeBuffers,
            ]
          : attributeBuffers;
      port.postMessage(result, transfer);
    });
  });
}

async function analyzeFile(
  task: FileTask,
  setup: WorkerSetup,
  operations: OperationTable,
  reader: FileBytesReader,
  summarizer: TraceSummarizer,
  recorder: AttributeRecorder | undefined
): Promise<FileResult> {
  const firstNewOp = operations.size;
  let outcome: FileResult['outcome'];
  try {
    const read = async () => {
      const bytes = await reader.read(task.path);
      if (recorder !== undefined) {
        recordInputAttributes(bytes, recorder);
      }
      return bytes;
    };
    const parsed = await parseInput(task.path, read, operations);
    outcome = 'failure' in parsed ? parsed : { columns: analyzeColumns(parsed.parsed, setup, operations, summarizer) };
  } catch (error) {
    outcome = { bug: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  const newOps: string[] = [];
  for (let op = firstNewOp; op < operations.size; op++) {
    newOps.push(operations.service(op), operations.operation(op));
  }
  // Taken even when reading failed: the batch is then empty (or what was recorded before a parse failed).
  return { index: task.index, firstNewOp, newOps, attributes: recorder?.take(), outcome };
}

function analyzeColumns(
  parsed: ParsedTraces,
  setup: WorkerSetup,
  operations: OperationTable,
  summarizer: TraceSummarizer
): FileColumns {
  const { traces } = parsed;
  let spans = 0;
  for (const trace of traces) {
    spans += trace.size;
  }
  // A trace has at most one entry per span: sized for that, cut to what was used at the end.
  const operationsColumn = new Int32Array(spans);
  const criticalPathUs = new Float64Array(spans);
  const selfUs = new Float64Array(spans);
  const errors = new Float64Array(spans);
  const calls = new Int32Array(spans);
  const columns: FileColumns = {
    problems: parsed.problems,
    traceIds: [],
    spans: [],
    latencyUs: [],
    diagnostics: [],
    entries: [],
    operations: operationsColumn,
    criticalPathUs,
    selfUs,
    errors,
    calls,
    durations: new Float64Array(spans),
    paths: setup.criticalPaths ? [] : undefined,
  };
  // A trace has at most one context entry per span, too.
  const contexts: ContextColumns | undefined = setup.callContexts
    ? { entries: [], parent: new Int32Array(spans), operation: new Int32Array(spans), selfUs: new Float64Array(spans) }
    : undefined;
  let contextEntry = 0;
  let entry = 0;
  let span = 0;
  for (const trace of traces) {
    const analysis = analyzeTrace(trace, setup.analysis);
    const summary = summarizer.summarize(contributionOf(analysis));
    columns.traceIds.push(summary.traceId);
    columns.spans.push(summary.spans);
    columns.latencyUs.push(summary.latencyUs);
    columns.diagnostics.push(summary.diagnostics);
    columns.entries.push(summary.operations.length);
    operationsColumn.set(summary.operations, entry);
    criticalPathUs.set(summary.criticalPathUs, entry);
    selfUs.set(summary.selfUs, entry);
    errors.set(summary.errors, entry);
    calls.set(summary.calls, entry);
    columns.durations.set(summary.durations, span);
    columns.paths?.push(tracePath(analysis, operations));
    if (contexts !== undefined && summary.contexts !== undefined) {
      const count = summary.contexts.parent.length;
      contexts.entries.push(count);
      contexts.parent.set(summary.contexts.parent, contextEntry);
      contexts.operation.set(summary.contexts.operation, contextEntry);
      contexts.selfUs.set(summary.contexts.selfUs, contextEntry);
      contextEntry += count;
    }
    entry += summary.operations.length;
    span += summary.spans;
  }
  columns.operations = operationsColumn.slice(0, entry);
  columns.criticalPathUs = criticalPathUs.slice(0, entry);
  columns.selfUs = selfUs.slice(0, entry);
  columns.errors = errors.slice(0, entry);
  columns.calls = calls.slice(0, entry);
  if (contexts !== undefined) {
    columns.contexts = {
      entries: contexts.entries,
      parent: contexts.parent.slice(0, contextEntry),
      operation: contexts.operation.slice(0, contextEntry),
      selfUs: contexts.selfUs.slice(0, contextEntry),
    };
  }
  return columns;
}

/**
 * A worker's parsing makes garbage fast, and with V8's default young generation each worker's heap held far more
 * of it than the main thread's aggregation state. Peak RSS of the whole process on the 2-core VM, 10,000 traces ×
 * 100 spans in 20 files with 2 workers (`hotpath analyze … --format json`): default ~340 MB, 16 MB ~305–330 MB,
 * 8 MB ~287–292 MB, 6 MB ~271–287 MB, 4 MB ~277–287 MB; wall time was the same for 4, 6 and 8 within the noise of
 * a shared machine (4 runs each, medians 3.6 s).
 */
const WORKER_YOUNG_GENERATION_MB = 6;

export interface ParallelReadOptions {
  operations: OperationTable;
  aggregator: HotspotAggregator;
  analysis: AnalysisOptions;
  /** When set, every trace's critical path is appended here, in input order. */
  criticalPaths?: TracePath[];
  /** When set, the attributes of every input are added here, in input order (workers record, this adds). */
  attributes?: AttributeCollector;
  stdin: ChunkSource;
  /** Worker threads to start (at most one per file). */
  jobs: number;
  /** A script that calls `runAnalysisWorker` when loaded in a worker: the CLI bundle. */
  workerScript: string;
}

/**
 * Reads `units` like `readUnits`, with the files analysed by `options.jobs` workers. At most two files per worker
 * are in flight or waiting to be merged, so memory stays bounded by a few files' columns, not the whole input.
 */
export async function readUnitsInParallel(
  units: readonly InputUnit[],
  options: ParallelReadOptions
): Promise<ReadSummary> {
  const { operations } = options;
  const fileUnits = units.flatMap((unit) => (unit.kind === 'file' ? [unit] : []));
  const files = fileUnits.map((unit) => unit.path);
  const summary = emptySummary();
  const seenTraceIds = new Set<string>();
  const setup: WorkerSetup = {
    hotpathAnalysisWorker: true,
    analysis: options.analysis,
    criticalPaths: options.criticalPaths !== undefined,
    callContexts: options.aggregator.callContexts() !== undefined,
    attributes: options.attributes?.limits,
  };
  const jobs = Math.max(1, Math.min(options.jobs, files.length));
  const window = 2 * jobs;

  let failWith: (error: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (failWith = reject));
  failed.catch(() => undefined); // observed through Promise.race below
  const waiting = new Map<
    number,
    { promise: Promise<[number, FileResult]>; resolve: (r: [number, FileResult]) => void }
  >();
  const slot = (index: number) => {
    let entry = waiting.get(index);
    if (entry === undefined) {
      let resolve: (r: [number, FileResult]) => void = () => undefined;
      const promise = new Promise<[number, FileResult]>((done) => (resolve = done));
      entry = { promise, resolve };
      waiting.set(index, entry);
    }
    return entry;
  };

  const workers: Worker[] = [];
  const idle: number[] = [];
  let sent = 0;
  let merged = 0;
  let stopping = false;
  const dispatch = () => {
    while (idle.length > 0 && sent < files.length && sent - merged < window) {
      const workerNo = idle.pop() ?? 0;
      const task: FileTask = { index: sent, path: files[sent] };
      workers[workerNo].postMessage(task);
      sent++;
    }
  };
  for (let workerNo = 0; workerNo < jobs; workerNo++) {
    const worker = new Worker(options.workerScript, {
      workerData: setup,
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    });
    worker.on('message', (result: FileResult) => {
      slot(result.index).resolve([workerNo, result]);
      idle.push(workerNo);
      dispatch();
    });
    worker.on('error', (error) => failWith(error));
    worker.on('exit', (code) => {
      if (!stopping) {
        failWith(new Error(`analysis worker ${workerNo} exited early (code ${code})`));
      }
    });
    workers.push(worker);
    idle.push(workerNo);
  }

  // Worker op id → main op id, per worker.
  const opMaps: number[][] = workers.map(() => []);
  try {
    dispatch();
    for (const unit of units) {
      if (unit.kind === 'failure') {
        summary.failures.push(unit.failure);
        continue;
      }
      if (unit.kind === 'stdin' || unit.kind === 'remote') {
        const onAnalysis = options.criticalPaths
          ? (analysis: TraceAnalysis) => options.criticalPaths?.push(tracePath(analysis, operations))
          : undefined;
        const onInputBytes = options.attributes === undefined ? undefined : attributeHook(options.attributes);
        if (unit.kind === 'remote') {
          await analyzeRemote(unit, { ...options, onAnalysis, onInputBytes }, summary, seenTraceIds);
        } else {
          await analyzeStdin({ ...options, onAnalysis, onInputBytes }, summary, seenTraceIds);
        }
        continue;
      }
      const index = merged;
      const [workerNo, result] = await Promise.race([slot(index).promise, failed]);
      waiting.delete(index);
      merged++;
      dispatch();
      const opMap = opMaps[workerNo];
      for (let k = 0; k < result.newOps.length; k += 2) {
        opMap[result.firstNewOp + k / 2] = operations.intern(result.newOps[k], result.newOps[k + 1]);
      }
      const { outcome } = result;
      if (result.attributes !== undefined) {
        options.attributes?.addBatch(result.attributes);
      }
      if ('bug' in outcome) {
        throw new Error(`analysing ${files[index]} in a worker thread failed:\n${outcome.bug}`);
      }
      if ('failure' in outcome) {
        noteFailure(outcome.failure, fileUnits[index].listed === true, summary);
        continue;
      }
      mergeColumns(outcome.columns, opMap, summary, seenTraceIds, options);
    }
  } finally {
    stopping = true;
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return summary;
}

function mergeColumns(
  columns: FileColumns,
  opMap: number[],
  summary: ReadSummary,
  seenTraceIds: Set<string>,
  options: ParallelReadOptions
): void {
  summary.files++;
  for (const problem of columns.problems) {
    summary.problems.push(problem);
  }
  const { operations, contexts } = columns;
  for (let k = 0; k < operations.length; k++) {
    operations[k] = opMap[operations[k]];
  }
  if (contexts !== undefined) {
    for (let k = 0; k < contexts.operation.length; k++) {
      contexts.operation[k] = opMap[contexts.operation[k]];
    }
  }
  let contextEntry = 0;
  let entry = 0;
  let span = 0;
  for (let t = 0; t < columns.traceIds.length; t++) {
    const entryEnd = entry + columns.entries[t];
    const spanEnd = span + columns.spans[t];
    noteTraceId(columns.traceIds[t], summary, seenTraceIds);
    const contextEnd = contextEntry + (contexts?.entries[t] ?? 0);
    options.aggregator.addSummary({
      traceId: columns.traceIds[t],
      spans: columns.spans[t],
      latencyUs: columns.latencyUs[t],
      diagnostics: columns.diagnostics[t],
      operations: operations.subarray(entry, entryEnd),
      criticalPathUs: columns.criticalPathUs.subarray(entry, entryEnd),
      selfUs: columns.selfUs.subarray(entry, entryEnd),
      errors: columns.errors.subarray(entry, entryEnd),
      calls: columns.calls.subarray(entry, entryEnd),
      durations: columns.durations.subarray(span, spanEnd),
      contexts:
        contexts === undefined
          ? undefined
          : {
              parent: contexts.parent.subarray(contextEntry, contextEnd),
              operation: contexts.operation.subarray(contextEntry, contextEnd),
              selfUs: contexts.selfUs.subarray(contextEntry, contextEnd),
            },
    });
    contextEntry = contextEnd;
    if (columns.paths !== undefined) {
      options.criticalPaths?.push(columns.paths[t]);
    }
    entry = entryEnd;
    span = spanEnd;
  }
}
