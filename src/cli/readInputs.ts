/**
 * Files, directories and stdin → the engine, one file at a time. The only Node-specific input code of the CLI:
 * each file's text and parsed JSON are dropped before the next file is read, and the aggregator keeps only
 * numbers, so inputs far larger than the heap can be analysed as long as no single file is.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

import {
  analyzeTrace,
  AnalysisOptions,
  HotspotAggregator,
  InputProblem,
  OperationTable,
  ParsedTraces,
  readTraceBytes,
  TraceAnalysis,
  TraceInputError,
  UnknownFormatError,
} from '../engine';
import { FileBytesReader, withoutByteOrderMark } from './fileBytes';
import { ChunkSource, InputTooLargeError, readChunks } from './inputLimit';

export type { ChunkSource } from './inputLimit';

export interface ReadOptions {
  operations: OperationTable;
  aggregator: HotspotAggregator;
  analysis: AnalysisOptions;
  /** Called with every analysed trace, after it was added to the aggregator (do not keep the whole analysis). */
  onAnalysis?: (analysis: TraceAnalysis) => void;
  /** Called with each input's bytes once read, before they are parsed (e.g. to collect attributes). */
  onInputBytes?: (bytes: Uint8Array) => void;
  stdin: ChunkSource;
}

/** A whole input that could not be read. */
export interface InputFailure {
  /** For machine-readable output. */
  problem: InputProblem;
  /** One line for stderr, e.g. `cannot read traces.json: no such file`. */
  line: string;
  /** Well-formed JSON in none of the trace formats: skipped, not failed, when a directory listing found it. */
  notTraces?: boolean;
}

export interface ReadSummary {
  /** Files (stdin counts as one) that were read and recognised. */
  files: number;
  /** Spans and traces the engine had to leave out. */
  problems: InputProblem[];
  failures: InputFailure[];
  /**
   * Files found in a directory that hold JSON but no trace data (test cases, configs next to the traces): left out
   * and named, without failing the run.
   */
  skipped: InputFailure[];
  /** Traces whose ID was already seen (in another file, or earlier in the same one); each is analysed apart. */
  duplicateTraceIds: number;
}

export const STDIN_LABEL = 'stdin';

const TRACE_FILE = /\.jsonl?$/i;

/**
 * One thing to read, in the order of the command line: a file, stdin, a remote source (`--jaeger`, jaegerSource.ts:
 * `read` fetches its bytes, or throws `InputReadError`), or an input that could not be listed. A file is `listed`
 * when a directory listing found it (rather than the command line naming it).
 */
export type InputUnit =
  | { kind: 'file'; path: string; listed?: true }
  | { kind: 'stdin' }
  | { kind: 'remote'; label: string; read: () => Promise<Uint8Array> }
  | { kind: 'failure'; failure: InputFailure };

/** An input that could not be read, for a reason its message gives in full (e.g. the server answered an error). */
export class InputReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputReadError';
  }
}

/** The inputs as a list of units: directories replaced by their trace files (sorted by name), failures in place. */
export async function expandInputs(inputs: readonly string[]): Promise<InputUnit[]> {
  const units: InputUnit[] = [];
  for (const input of inputs) {
    if (input === '-') {
      units.push({ kind: 'stdin' });
      continue;
    }
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(input)).isDirectory();
    } catch (error) {
      units.push({ kind: 'failure', failure: fsFailure(input, error) });
      continue;
    }
    if (!isDirectory) {
      units.push({ kind: 'file', path: input });
      continue;
    }
    let files: string[];
    try {
      files = await traceFilesIn(input);
    } catch (error) {
      units.push({ kind: 'failure', failure: fsFailure(input, error) });
      continue;
    }
    if (files.length === 0) {
      const message = 'no *.json or *.jsonl files in this directory (subdirectories are not read)';
      units.push({ kind: 'failure', failure: { problem: { source: input, message }, line: `${input}: ${message}` } });
    }
    for (const file of files) {
      units.push({ kind: 'file', path: file, listed: true });
    }
  }
  return units;
}

/**
 * Reads `units` in order into `options.aggregator`, one file at a time, on this thread. Never throws for bad
 * input; reports it instead.
 */
export async function readUnits(units: readonly InputUnit[], options: ReadOptions): Promise<ReadSummary> {
  const summary = emptySummary();
  const seenTraceIds = new Set<string>();
  // One buffer for every file: each file's bytes are dropped (overwritten) once its traces are analysed.
  const fileReader = new FileBytesReader();
  for (const unit of units) {
    if (unit.kind === 'failure') {
      summary.failures.push(unit.failure);
    } else if (unit.kind === 'stdin') {
      await analyzeStdin(options, summary, seenTraceIds);
    } else if (unit.kind === 'remote') {
      await analyzeRemote(unit, options, summary, seenTraceIds);
    } else {
      const read = async () => fileReader.read(unit.path);
      await analyzeInput(unit.path, read, options, summary, seenTraceIds, unit.listed === true);
    }
  }
  return summary;
}

export function emptySummary(): ReadSummary {
  return { files: 0, problems: [], failures: [], skipped: [], duplicateTraceIds: 0 };
}

/** Notes an input that could not be read: a failure, or a skipped file when a directory listing found it. */
export function noteFailure(failure: InputFailure, listed: boolean, summary: ReadSummary): void {
  (listed && failure.notTraces === true ? summary.skipped : summary.failures).push(failure);
}

/** Counts `traceId` as a duplicate in `summary` if it was seen before. */
export function noteTraceId(traceId: string, summary: ReadSummary, seenTraceIds: Set<string>): void {
  if (seenTraceIds.has(traceId)) {
    summary.duplicateTraceIds++;
  } else {
    seenTraceIds.add(traceId);
  }
}

/** The *.json and *.jsonl files directly inside `directory` (following symlinks), sorted by name. */
async function traceFilesIn(directory: string): Promise<string[]> {
  const entries = (await readdir(directory, { withFileTypes: true })).filter((entry) => TRACE_FILE.test(entry.name));
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(directory, entry.name);
    if (entry.isFile() || (entry.isSymbolicLink() && (await isFile(path)))) {
      files.push(path);
    }
  }
  return files;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false; // a dangling link: not a trace file
  }
}

/** Reads stdin (`options.stdin`) as one input. */
export async function analyzeStdin(
  options: ReadOptions,
  summary: ReadSummary,
  seenTraceIds: Set<string>
): Promise<void> {
  await analyzeInput(STDIN_LABEL, () => readChunks(options.stdin), options, summary, seenTraceIds);
}

/** Reads a remote source (`--jaeger`) as one input, on this thread. */
export async function analyzeRemote(
  unit: Extract<InputUnit, { kind: 'remote' }>,
  options: ReadOptions,
  summary: ReadSummary,
  seenTraceIds: Set<string>
): Promise<void> {
  await analyzeInput(unit.label, unit.read, options, summary, seenTraceIds);
}

async function analyzeInput(
  source: string,
  read: () => Promise<Uint8Array>,
  options: ReadOptions,
  summary: ReadSummary,
  seenTraceIds: Set<string>,
  listed = false
): Promise<void> {
  const { onInputBytes } = options;
  const readAll =
    onInputBytes === undefined
      ? read
      : async () => {
          const bytes = await read();
          onInputBytes(bytes);
          return bytes;
        };
  // Parsing happens in its own call, so the text and the JSON tree are garbage once it returns.
  const outcome = await parseInput(source, readAll, options.operations);
  if ('failure' in outcome) {
    noteFailure(outcome.failure, listed, summary);
    return;
  }
  const { parsed } = outcome;
  summary.files++;
  for (const problem of parsed.problems) {
    summary.problems.push(problem);
  }
  const { traces } = parsed;
  for (let i = 0; i < traces.length; i++) {
    noteTraceId(traces[i].traceId, summary, seenTraceIds);
    const analysis = analyzeTrace(traces[i], options.analysis);
    options.aggregator.add(analysis);
    options.onAnalysis?.(analysis);
  }
}

/** Reads and parses one input. Bad input (unreadable, not traces) is returned as a failure; anything else throws. */
export async function parseInput(
  source: string,
  read: () => Promise<Uint8Array>,
  operations: OperationTable
): Promise<{ parsed: ParsedTraces } | { failure: InputFailure }> {
  try {
    return { parsed: await parse(source, read, operations) };
  } catch (error) {
    if (error instanceof UnknownFormatError) {
      return { failure: { ...traceInputFailure(source, error), notTraces: true } };
    }
    if (error instanceof TraceInputError) {
      return { failure: traceInputFailure(source, error) };
    }
    if (isFsError(error) || error instanceof InputTooLargeError) {
      return { failure: fsFailure(source, error) };
    }
    if (error instanceof InputReadError) {
      return { failure: { problem: { source, message: error.message }, line: error.message } };
    }
    throw error;
  }
}

async function parse(
  source: string,
  read: () => Promise<Uint8Array>,
  operations: OperationTable
): Promise<ParsedTraces> {
  const bytes = withoutByteOrderMark(await read());
  // Bytes, not text: Jaeger JSON then takes the engine's selective reader (readTraceBytes).
  return readTraceBytes(bytes, operations, source);
}

interface FsError {
  code: string;
  message: string;
}

/** Duck-typed: errors thrown by Node's own modules may come from another realm (e.g. under Jest). */
function isFsError(error: unknown): error is FsError {
  if (typeof error !== 'object' || error === null) {
    return false;
  }
  const { code, message } = error as Partial<Record<keyof FsError, unknown>>;
  return typeof code === 'string' && typeof message === 'string' && (/^E[A-Z]+$/.test(code) || code in FS_REASONS);
}

const FS_REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
  // Thrown when text past V8's string limit is decoded (formats other than Jaeger JSON are read as text).
  ERR_STRING_TOO_LONG: 'the input is too large to read at once (over ~512 MB); split it into several files',
};

function fsFailure(source: string, error: unknown): InputFailure {
  let reason: string;
  if (error instanceof InputTooLargeError) {
    reason = error.message;
  } else if (isFsError(error)) {
    reason = FS_REASONS[error.code] ?? error.message;
  } else {
    throw error;
  }
  return { problem: { source, message: `cannot read: ${reason}` }, line: `cannot read ${source}: ${reason}` };
}

/** `TraceInputError` formats its location into its message; JSON output wants the bare message beside it. */
function traceInputFailure(source: string, error: TraceInputError): InputFailure {
  const location = { source, ...error.location };
  const prefix = `${location.source}: `;
  const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  return { problem: { ...location, message }, line: error.message };
}
