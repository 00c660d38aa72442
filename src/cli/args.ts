import { parseArgs } from 'node:util';

import type { SlowSplit } from '../engine';
import { JAEGER_OPTIONS, JAEGER_USAGE, JaegerQuery, jaegerQueryFrom } from './jaegerOptions';
import { PROFILE_FORMATS, ProfileFormat, profileOptionsMistake } from './profileArgs';
import { parseDuration } from './units';
import { UsageError } from './usageError';

export { UsageError };

export const DEFAULT_TOP = 20;

export interface CompareOption {
  /** As the user wrote it, e.g. `p90` or `250ms`. */
  label: string;
  split: SlowSplit;
}

export interface WhatIfOption {
  service: string;
  operation: string;
  /** Share of the operation's critical-path time removed, 0–1. */
  reduction: number;
}

export interface AnalyzeCommand {
  command: 'analyze';
  /** Files, directories, or `-` for stdin. */
  inputs: string[];
  /** Rows to show; undefined when `--top` was not given (tables then show `DEFAULT_TOP`, JSON shows all). */
  top?: number;
  by: 'operation' | 'service';
  format: 'table' | 'json' | ProfileFormat;
  criticalPaths: boolean;
  compare?: CompareOption;
  /** With `compare`: also find the attributes the slow traces share (the default; `--no-attributes` skips it). */
  attributes: boolean;
  whatIf?: WhatIfOption;
  window: 'root' | 'full';
  asyncBlocking: boolean;
  /** Worker threads for reading files; undefined when `--jobs` was not given (then one per core, per file). */
  jobs?: number;
  /** `--jaeger URL …`: traces from a live Jaeger instead of files (`inputs` is then empty). */
  jaeger?: JaegerQuery;
}

export type Command = { command: 'help' } | { command: 'version' } | AnalyzeCommand;

export const USAGE = `Usage: hotpath analyze <file|dir|-> [more inputs…] [options]
       hotpath analyze --jaeger URL --service S [options]
       hotpath stream --brokers HOST:PORT[,…] [options]   (see hotpath stream --help)

Ranks (service, operation) pairs by how much end-to-end latency they cause: the time each one spends on its
traces' critical paths.

Inputs
  <file>      a Jaeger JSON ({"data":[…]} or one trace), OTLP JSON ({"resourceSpans":[…]}, Tempo's
              {"batches":[…]}, or JSON lines) or Grafana trace-frame file; the format is detected
  <dir>       every *.json and *.jsonl file directly inside it, in name order, one file at a time
              (subdirectories are not read; JSON files there without trace data are skipped and named)
  -           read standard input

${JAEGER_USAGE}
Options
  --top N                 rows to show (default ${DEFAULT_TOP} in tables; JSON lists all unless --top is given)
  --by operation|service  table rows per operation (default) or per service
  --format FORMAT         table (default), json, or the critical path by calling context as a flame graph:
                          folded (folded stacks: flamegraph.pl, speedscope, Pyroscope) or speedscope (its JSON)
  --window root|full      analyse each trace's root span window (default, as Jaeger UI does), or its full
                          extent, including work that ends after the root returns
  --async-blocking        treat FOLLOWS_FROM and producer→consumer children as blocking (default: they are not
                          waited for and never on the critical path)
  --critical-paths        also print each trace's critical path (its segments in time order)
  --compare pNN|DURATION  compare slow traces with the rest: slow means latency at or above the NNth
                          percentile (e.g. p90) or at or above a duration (e.g. 250ms, 1.5s, 800us)
  --no-attributes         with --compare: do not list the tag values the slow traces share (listed by
                          default; collecting them parses every tag, which costs time on large inputs).
                          --attributes, which asked for them before they were the default, is still accepted
  --what-if "SVC::OP=-N%" project p50/p95 latency if that operation's critical-path time shrank by N %
  --jobs N                read and analyse files in N worker threads (default: one per CPU core, at most one
                          per file; 1 = everything on the main thread). The results are the same for any N
  -h, --help              show this help
  --version               print the version

Exit status
  0  success
  2  bad input or usage: unreadable or unrecognised file, bad option, no traces, or spans/traces that had to be
     left out (the results for everything that could be read are still printed; problems go to stderr)
  1  internal error

Examples
  hotpath analyze traces/ --top 10
  hotpath analyze trace.json --window full --format json
  curl -s "$JAEGER/api/traces?service=web&limit=500" | hotpath analyze - --compare p90
  hotpath analyze traces/ --what-if "checkout::POST /pay=-50%"
  hotpath analyze --jaeger http://localhost:16686 --service frontend --lookback 30m --compare p90
  hotpath analyze traces/ --format folded > critical-path.folded
`;

const OPTIONS = {
  top: { type: 'string' },
  by: { type: 'string' },
  format: { type: 'string' },
  window: { type: 'string' },
  'async-blocking': { type: 'boolean' },
  'critical-paths': { type: 'boolean' },
  compare: { type: 'string' },
  attributes: { type: 'boolean' },
  'no-attributes': { type: 'boolean' },
  'what-if': { type: 'string' },
  jobs: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  ...JAEGER_OPTIONS,
} as const;

/** Parses the command line (without `node` and the script). Throws `UsageError`. */
export function parseCommandLine(argv: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(parseArgsMessage(error));
  }
  const { values, positionals } = parsed;
  if (values.help || positionals[0] === 'help') {
    return { command: 'help' };
  }
  if (values.version) {
    return { command: 'version' };
  }
  if (positionals.length === 0) {
    throw new UsageError('missing command: hotpath analyze <file|dir|->');
  }
  const [command, ...inputs] = positionals;
  if (command !== 'analyze') {
    throw new UsageError(`unknown command "${command}" (the only command is "analyze")`);
  }
  const jaeger = jaegerQueryFrom(values, inputs);
  if (inputs.length === 0 && jaeger === undefined) {
    throw new UsageError('missing input: give a file, a directory, - for stdin, or --jaeger URL --service S');
  }
  if (inputs.filter((input) => input === '-').length > 1) {
    throw new UsageError('- (stdin) can be given only once');
  }
  const format = oneOf('--format', values.format, ['table', 'json', ...PROFILE_FORMATS] as const) ?? 'table';
  const mistake = profileOptionsMistake(format, values);
  if (mistake !== undefined) {
    throw new UsageError(mistake);
  }
  return {
    command: 'analyze',
    inputs,
    top: values.top === undefined ? undefined : parseTop(values.top),
    by: oneOf('--by', values.by, ['operation', 'service'] as const) ?? 'operation',
    format,
    window: oneOf('--window', values.window, ['root', 'full'] as const) ?? 'root',
    asyncBlocking: values['async-blocking'] ?? false,
    criticalPaths: values['critical-paths'] ?? false,
    compare: values.compare === undefined ? undefined : parseCompare(values.compare),
    attributes: attributesOption(values.attributes ?? false, values['no-attributes'] ?? false, values.compare),
    whatIf: values['what-if'] === undefined ? undefined : parseWhatIf(values['what-if']),
    jobs: values.jobs === undefined ? undefined : parseWholeNumber('--jobs', values.jobs),
    jaeger,
  };
}

/** On with every comparison unless `--no-attributes`; `--attributes` (once needed to ask for them) still parses. */
function attributesOption(attributes: boolean, noAttributes: boolean, compare: string | undefined): boolean {
  if (attributes && noAttributes) {
    throw new UsageError('--attributes and --no-attributes contradict each other');
  }
  if (attributes && compare === undefined) {
    throw new UsageError('--attributes needs --compare (it compares the slow traces with the rest)');
  }
  return compare !== undefined && !noAttributes;
}

/** node:util's messages, made one line (and for unknown options, one sentence). */
function parseArgsMessage(error: unknown): string {
  // Duck-typed: errors thrown by Node's own modules may come from another realm (e.g. under Jest).
  const { code, message } = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    message?: unknown;
  };
  if (typeof message !== 'string') {
    return String(error);
  }
  const text = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? message.split('. ')[0] : message;
  return text.replace(/\s*\n\s*/g, ' ');
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) {
    return undefined;
  }
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) {
    const choices = `${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]}`;
    throw new UsageError(`${flag} must be ${choices}, not "${value}"`);
  }
  return found;
}

function parseTop(text: string): number {
  return parseWholeNumber('--top', text);
}

function parseWholeNumber(flag: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new UsageError(`${flag} must be a whole number of at least 1, not "${text}"`);
  }
  return Number(text);
}

/** `p90`, `p99.9` → a latency percentile; `250ms`, `1.5s`, `800us` → a fixed threshold. */
export function parseCompare(text: string): CompareOption {
  const percentile = /^p(\d+(?:\.\d+)?)$/i.exec(text.trim());
  if (percentile !== null) {
    const p = Number(percentile[1]);
    if (p <= 0 || p >= 100) {
      throw new UsageError(`--compare: the percentile must lie between p0 and p100 (exclusive), not "${text}"`);
    }
    return { label: text.trim(), split: { percentile: p } };
  }
  const thresholdUs = parseDuration(text);
  if (thresholdUs === null) {
    throw new UsageError(`--compare takes a percentile (p90) or a duration (250ms, 1.5s, 800us), not "${text}"`);
  }
  return { label: text.trim(), split: { thresholdUs } };
}

/**
 * `service::operation=-50%`. The service ends at the first `::`; the change follows the last `=`, so operation
 * names may contain both `::` and `=`.
 */
export function parseWhatIf(text: string): WhatIfOption {
  const example = 'expected "SERVICE::OPERATION=-N%", e.g. "checkout::POST /pay=-50%"';
  const separator = text.indexOf('::');
  const equals = text.lastIndexOf('=');
  if (separator <= 0 || equals < separator + 2) {
    throw new UsageError(`--what-if: ${example}, not "${text}"`);
  }
  const service = text.slice(0, separator).trim();
  const operation = text.slice(separator + 2, equals).trim();
  const change = /^-\s*(\d+(?:\.\d+)?)\s*%$/.exec(text.slice(equals + 1).trim());
  if (service === '' || operation === '' || change === null) {
    throw new UsageError(`--what-if: ${example}, not "${text}"`);
  }
  const percent = Number(change[1]);
  if (percent <= 0 || percent > 100) {
    throw new UsageError(`--what-if: the reduction must be more than 0 % and at most 100 %, not "${change[0]}"`);
  }
  return { service, operation, reduction: percent / 100 };
}
