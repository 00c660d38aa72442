/**
 * `--jobs N`: files read, parsed and analysed in worker threads, aggregated on the main thread.
 *
 * Why this split: reading and the byte scanner cost ~5 µs per span and dominate a run, while adding an analysis
 * to the aggregator costs ~0.5 µs per span. Workers do the former and send, per file, only the columns the
 * aggregator reads (`TraceContribution`, ~29 bytes per span, transferred without copying). The main thread adds
 * them in file order, exactly as the one-thread path would — same operation ids, same order of every sum — so
 * the results are identical, not merely close (sums of fractional µs depend on their order).
 *
 * Operation ids: each worker interns into its own `OperationTable` and reports, with each file, the names it
 * interned while reading it. Files reach a worker in ascending order and are merged in that order, so interning
 * those names into the main table as each file is merged reproduces the one-thread table id for id.
 */
import { MessagePort, Worker } from 'node:worker_threads';

import {
  analyzeTrace,
  AnalysisOptions,
  HotspotAggregator,
  InputProblem,
  OperationTable,
  ParsedTraces,
  TraceAnalysis,
  TraceDiagnostics,
} from '../engine';
import { FileBytesReader } from './fileBytes';
import {
  analyzeStdin,
  ChunkSource,
  emptySummary,
  InputFailure,
  InputUnit,
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
}

interface FileTask {
  /** Position of the file among the files of the run. */
  index: number;
  path: string;
}

/** One file's traces as columns: span columns concatenated, trace `t` owning `sizes[t]` spans in turn. */
interface FileColumns {
  problems: InputProblem[];
  traceIds: string[];
  sizes: number[];
  latencyUs: number[];
  diagnostics: TraceDiagnostics[];
  // Each column owns its ArrayBuffer (made here, never a view), so that it can be transferred.
  operation: Int32Array<ArrayBuffer>;
  duration: Float64Array<ArrayBuffer>;
  error: Uint8Array<ArrayBuffer>;
  selfUs: Float64Array<ArrayBuffer>;
  spanPathUs: Float64Array<ArrayBuffer>;
  paths?: TracePath[];
}

interface FileResult {
  index: number;
  /** The worker's table size before this file, and the (service, operation) pairs interned after it, flattened. */
  firstNewOp: number;
  newOps: string[];
  outcome: { columns: FileColumns } | { failure: InputFailure } | { bug: string };
}

export function isWorkerSetup(data: unknown): data is WorkerSetup {
  return typeof data === 'object' && data !== null && 'hotpathAnalysisWorker' in data;
}

/** The worker's side: analyses each file it is sent and posts its columns back. */
export function runAnalysisWorker(port: MessagePort, setup: WorkerSetup): void {
  const operations = new OperationTable();
  const reader = new FileBytesReader();
  port.on('message', (task: FileTask) => {
    void analyzeFile(task, setup, operations, reader).then((result) => {
      const { outcome } = result;
      // Moved, not copied: the worker has no further use for them.
      const transfer =
        'columns' in outcome
          ? [
              outcome.columns.operation.buffer,
              outcome.columns.duration.buffer,
              outcome.columns.error.buffer,
              outcome.columns.selfUs.buffer,
              outcome.columns.spanPathUs.buffer,
            ]
          : [];
      port.postMessage(result, transfer);
    });
  });
}

async function analyzeFile(
  task: FileTask,
  setup: WorkerSetup,
  operations: OperationTable,
  reader: FileBytesReader
): Promise<FileResult> {
  const firstNewOp = operations.size;
  let outcome: FileResult['outcome'];
  try {
    const parsed = await parseInput(task.path, async () => reader.read(task.path), operations);
    outcome = 'failure' in parsed ? parsed : { columns: analyzeColumns(parsed.parsed, setup, operations) };
  } catch (error) {
    outcome = { bug: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  const newOps: string[] = [];
  for (let op = firstNewOp; op < operations.size; op++) {
    newOps.push(operations.service(op), operations.operation(op));
  }
  return { index: task.index, firstNewOp, newOps, outcome };
}

function analyzeColumns(parsed: ParsedTraces, setup: WorkerSetup, operations: OperationTable): FileColumns {
  const { traces } = parsed;
  let spans = 0;
  for (const trace of traces) {
    spans += trace.size;
  }
  const columns: FileColumns = {
    problems: parsed.problems,
    traceIds: [],
    sizes: [],
    latencyUs: [],
    diagnostics: [],
    operation: new Int32Array(spans),
    duration: new Float64Array(spans),
    error: new Uint8Array(spans),
    selfUs: new Float64Array(spans),
    spanPathUs: new Float64Array(spans),
    paths: setup.criticalPaths ? [] : undefined,
  };
  let at = 0;
  for (const trace of traces) {
    const analysis = analyzeTrace(trace, setup.analysis);
    columns.traceIds.push(trace.traceId);
    columns.sizes.push(trace.size);
    columns.latencyUs.push(analysis.latencyUs);
    columns.diagnostics.push(analysis.path.diagnostics);
    columns.operation.set(trace.operation.subarray(0, trace.size), at);
    columns.duration.set(trace.duration.subarray(0, trace.size), at);
    columns.error.set(trace.error.subarray(0, trace.size), at);
    columns.selfUs.set(analysis.selfUs.subarray(0, trace.size), at);
    columns.spanPathUs.set(analysis.path.spanPathUs.subarray(0, trace.size), at);
    columns.paths?.push(tracePath(analysis, operations));
    at += trace.size;
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
  const files = units.flatMap((unit) => (unit.kind === 'file' ? [unit.path] : []));
  const summary = emptySummary();
  const seenTraceIds = new Set<string>();
  const setup: WorkerSetup = {
    hotpathAnalysisWorker: true,
    analysis: options.analysis,
    criticalPaths: options.criticalPaths !== undefined,
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
      if (unit.kind === 'stdin') {
        const onAnalysis = options.criticalPaths
          ? (analysis: TraceAnalysis) => options.criticalPaths?.push(tracePath(analysis, operations))
          : undefined;
        await analyzeStdin({ ...options, onAnalysis }, summary, seenTraceIds);
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
      if ('bug' in outcome) {
        throw new Error(`analysing ${files[index]} in a worker thread failed:\n${outcome.bug}`);
      }
      if ('failure' in outcome) {
        summary.failures.push(outcome.failure);
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
  const { operation } = columns;
  for (let i = 0; i < operation.length; i++) {
    operation[i] = opMap[operation[i]];
  }
  let at = 0;
  for (let t = 0; t < columns.traceIds.length; t++) {
    const size = columns.sizes[t];
    const end = at + size;
    noteTraceId(columns.traceIds[t], summary, seenTraceIds);
    options.aggregator.addContribution({
      traceId: columns.traceIds[t],
      size,
      operation: operation.subarray(at, end),
      duration: columns.duration.subarray(at, end),
      error: columns.error.subarray(at, end),
      selfUs: columns.selfUs.subarray(at, end),
      spanPathUs: columns.spanPathUs.subarray(at, end),
      latencyUs: columns.latencyUs[t],
      diagnostics: columns.diagnostics[t],
    });
    if (columns.paths !== undefined) {
      options.criticalPaths?.push(columns.paths[t]);
    }
    at = end;
  }
}
