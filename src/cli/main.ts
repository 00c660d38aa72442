/**
 * `hotpath`: the command-line entry point. Wires argument parsing, input reading, the engine and the renderers,
 * and turns outcomes into exit codes: 0 success, 2 bad input or usage, 1 internal error.
 */
import {
  AttributeCollector,
  compareSlowToBaseline,
  findSharedAttributes,
  formatProblem,
  HotspotAggregator,
  InputProblem,
  OperationTable,
  whatIf,
} from '../engine';
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';

import { AnalyzeCommand, Command, parseCommandLine, UsageError, USAGE } from './args';
import { attributeHook } from './attributes';
import { jaegerInput, jaegerLabel } from './jaegerSource';
import { isWorkerSetup, readUnitsInParallel, runAnalysisWorker } from './parallel';
import { ChunkSource, expandInputs, readUnits } from './readInputs';
import { isProfileFormat } from './profileArgs';
import { renderJson } from './render/json';
import { coverageWarning, renderProfile } from './render/profile';
import { streamMain } from './stream/command';
import { printable } from './render/printable';
import { renderTable } from './render/table';
import { AnalysisResult, tracePath, TracePath } from './result';
import { terminalWidth } from './terminal';
import { unknownOperationMessage } from './suggest';
import { plural } from './units';
import { VERSION } from './version';

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  stdin: ChunkSource;
  /** The width tables must fit (terminal.ts); undefined: no limit. */
  columns?: number;
}

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_BAD_INPUT = 2;

/** Problems listed one per line on stderr before the rest are summarised (JSON output lists them all). */
export const MAX_PROBLEM_LINES = 50;

export interface MainOptions {
  /**
   * A script that runs an analysis worker when loaded in a worker thread (the CLI bundle: `run` passes its own
   * file). Without it everything runs on the calling thread, whatever `--jobs` says: in-process callers such as
   * tests load TypeScript sources that a worker thread could not load.
   */
  workerScript?: string;
}

/** Runs the CLI with `argv` (without `node` and the script). Resolves to the exit code; rejects only on bugs. */
export async function main(argv: readonly string[], io: CliIo, options: MainOptions = {}): Promise<number> {
  if (argv[0] === 'stream') {
    return streamMain(argv.slice(1), io);
  }
  let command: Command;
  try {
    command = parseCommandLine(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`hotpath: ${error.message}\nRun "hotpath --help" for usage.\n`);
      return EXIT_BAD_INPUT;
    }
    throw error;
  }
  if (command.command === 'help') {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (command.command === 'version') {
    io.stdout.write(`hotpath ${VERSION}\n`);
    return EXIT_OK;
  }
  return analyze(command, io, options);
}

async function analyze(command: AnalyzeCommand, io: CliIo, options: MainOptions): Promise<number> {
  const operations = new OperationTable();
  // Calling contexts cost a little per trace: aggregated only for the formats that draw them.
  const aggregator = new HotspotAggregator(operations, { callContexts: isProfileFormat(command.format) });
  const criticalPaths: TracePath[] = [];
  const analysis = { window: command.window, asyncBlocking: command.asyncBlocking };
  const units =
    command.jaeger === undefined ? await expandInputs(command.inputs) : [jaegerInput(command.jaeger, io.stderr)];
  const files = units.filter((unit) => unit.kind === 'file').length;
  // Attributes are collected as inputs are read: by the workers with `--jobs`, added here in input order.
  const attributes = command.compare !== undefined && command.attributes ? new AttributeCollector() : undefined;
  const jobs = Math.min(command.jobs ?? availableParallelism(), files);
  const summary =
    jobs > 1 && options.workerScript !== undefined
      ? await readUnitsInParallel(units, {
          operations,
          aggregator,
          analysis,
          stdin: io.stdin,
          criticalPaths: command.criticalPaths ? criticalPaths : undefined,
          attributes,
          jobs,
          workerScript: options.workerScript,
        })
      : await readUnits(units, {
          operations,
          aggregator,
          analysis,
          stdin: io.stdin,
          onAnalysis: command.criticalPaths ? (trace) => criticalPaths.push(tracePath(trace, operations)) : undefined,
          onInputBytes: attributes !== undefined ? attributeHook(attributes) : undefined,
        });
  // Messages can quote input (JSON.parse does): `printable` keeps each on one line of stderr, and harmless there.
  for (const failure of summary.failures) {
    io.stderr.write(`hotpath: ${printable(failure.line)}\n`);
  }
  for (const skipped of summary.skipped) {
    io.stderr.write(`hotpath: skipped (no trace data) ${printable(skipped.line)}\n`);
  }
  const report = aggregator.report();
  if (report.traces === 0) {
    writeProblems(io, summary.problems);
    if (summary.failures.length === 0 || summary.files > 0) {
      const inputs = command.jaeger === undefined ? command.inputs.map(displayInput) : [jaegerLabel(command.jaeger)];
      io.stderr.write(`hotpath: no traces found in ${inputs.join(', ')}\n`);
    }
    return EXIT_BAD_INPUT;
  }

  const records = aggregator.traceRecords();
  const result: AnalysisResult = {
    report,
    files: summary.files,
    window: command.window,
    asyncBlocking: command.asyncBlocking,
    problems: [...summary.failures.map((failure) => failure.problem), ...summary.problems],
    duplicateTraceIds: summary.duplicateTraceIds,
  };
  if (summary.skipped.length > 0) {
    result.skippedFiles = summary.skipped.map((skipped) => skipped.problem);
  }
  if (command.whatIf !== undefined) {
    const { service, operation, reduction } = command.whatIf;
    const projection = whatIf(records, operations, service, operation, reduction);
    if (projection === null) {
      io.stderr.write(`hotpath: --what-if: ${unknownOperationMessage(operations, service, operation)}\n`);
      return EXIT_BAD_INPUT;
    }
    result.whatIf = projection;
  }
  if (command.compare !== undefined) {
    const comparison = compareSlowToBaseline(records, operations, command.compare.split);
    result.comparison = { option: command.compare, result: comparison };
    if (attributes !== undefined) {
      result.comparison.attributes = findSharedAttributes(records, attributes, comparison, operations);
    }
  }
  if (command.criticalPaths) {
    result.criticalPaths = criticalPaths;
  }

  const contexts = aggregator.contextReport();
  if (isProfileFormat(command.format) && contexts !== undefined) {
    const { stdout, warnings } = renderProfile(command.format, contexts, result);
    io.stdout.write(stdout);
    warnings.forEach((warning) => io.stderr.write(`hotpath: warning: ${warning}\n`));
  } else if (command.format === 'json') {
    io.stdout.write(renderJson(result, { top: command.top }));
    const warning = coverageWarning(result);
    if (warning !== undefined) {
      // Machines read stdout; make sure the person running the command still sees this.
      io.stderr.write(`hotpath: warning: ${warning}\n`);
    }
  } else {
    io.stdout.write(renderTable(result, { top: command.top, by: command.by, width: io.columns }));
  }

  writeProblems(io, summary.problems);
  const leftOut = summary.problems.length + summary.failures.length;
  if (leftOut > 0) {
    io.stderr.write(
      `hotpath: ${plural(leftOut, 'problem')} in the input: the data concerned is not in the results above.\n`
    );
    return EXIT_BAD_INPUT;
  }
  return EXIT_OK;
}

function writeProblems(io: CliIo, problems: readonly InputProblem[]): void {
  for (const problem of problems.slice(0, MAX_PROBLEM_LINES)) {
    io.stderr.write(`hotpath: ${printable(formatProblem(problem))}\n`);
  }
  if (problems.length > MAX_PROBLEM_LINES) {
    io.stderr.write(
      `hotpath: … and ${problems.length - MAX_PROBLEM_LINES} more problems (--format json lists them all)\n`
    );
  }
}

function displayInput(input: string): string {
  return input === '-' ? 'stdin' : input;
}

/** The process entry point: real stdio, exit code via `process.exitCode` so piped output is flushed first. */
export function run(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') {
      process.exit(process.exitCode ?? EXIT_OK); // the reader went away (e.g. `| head`): nothing more to say
    }
    throw error;
  });
  const io = {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    columns: terminalWidth(process.env, process.stdout),
  };
  return main(argv, io, { workerScript: __filename }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stderr.write(`hotpath: internal error (please report it):\n${detail}\n`);
      process.exitCode = EXIT_INTERNAL;
    }
  );
}

if (!isMainThread && parentPort !== null && isWorkerSetup(workerData)) {
  // This file loaded as a `--jobs` worker (see parallel.ts), not as the command.
  runAnalysisWorker(parentPort, workerData);
} else if (require.main === module) {
  void run();
}
