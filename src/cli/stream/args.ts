import { parseArgs } from 'node:util';

import { UsageError } from '../args';
import { parseDuration } from '../units';
import { ENCODINGS, type Encoding } from './decode';

export interface StreamCommand {
  command: 'stream';
  brokers: string[];
  topic: string;
  group: string;
  encoding: Encoding;
  traceIdleMs: number;
  maxOpenTraces: number;
  maxOperations: number;
  listen: { host: string; port: number };
  /** Also read what the group has not committed yet from the topic's start (a new group only). */
  fromBeginning: boolean;
  /** After a graceful shutdown, how long /metrics still answers so a last scrape sees the final counts. */
  lingerMs: number;
  /** Without a scrape for this long, offsets are committed as analysed (see exportedOffsets.ts). */
  commitUnscrapedAfterMs: number;
}

export const STREAM_USAGE = `Usage: hotpath stream --brokers HOST:PORT[,…] [options]

Consumes the spans Jaeger v2's collector writes to Kafka (its kafka exporter), groups them per trace, runs the
critical-path analysis on each trace once it has been idle, and exports the results as Prometheus metrics.
Several processes with the same --group split the topic's partitions; sum their metrics in Prometheus.

Options
  --brokers LIST            Kafka bootstrap servers, comma-separated (required)
  --topic NAME              topic to read (default jaeger-spans)
  --group ID                consumer group (default hotpath)
  --encoding ENC            otlp_proto (default) or otlp_json: the exporter's traces encoding
  --trace-idle DURATION     a trace is analysed once no span arrived for it for this long (default 10s)
  --max-open-traces N       traces collected at once; past it the least recently active is analysed early
                            (default 100000)
  --max-operations N        distinct (service, operation) label pairs exported; the rest go under operation
                            "other" (default 2000)
  --listen [HOST]:PORT      where /metrics, /healthz and /readyz answer (default :9464, all interfaces)
  --from-beginning          a new group starts at the topic's first message instead of its end
  --linger DURATION         after SIGTERM/SIGINT, keep answering /metrics this long for a last scrape (default 0s);
                            the final offsets are committed once that scrape has read the final counts
  --commit-unscraped-after DURATION
                            offsets are committed only as far as a served /metrics answer counted the traces below
                            them, so a crash never loses a count; with no scrape for this long, they are committed
                            as analysed (default 120s)
`;

const OPTIONS = {
  brokers: { type: 'string' },
  topic: { type: 'string' },
  group: { type: 'string' },
  encoding: { type: 'string' },
  'trace-idle': { type: 'string' },
  'max-open-traces': { type: 'string' },
  'max-operations': { type: 'string' },
  listen: { type: 'string' },
  'from-beginning': { type: 'boolean' },
  linger: { type: 'string' },
  'commit-unscraped-after': { type: 'string' },
} as const;

/** Parses `hotpath stream …` (argv after the word `stream`). Throws `UsageError`. */
export function parseStreamCommandLine(argv: readonly string[]): StreamCommand {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: false, strict: true }));
  } catch (error) {
    throw new UsageError(`stream: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  const brokers = (values.brokers ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
  if (brokers.length === 0) {
    throw new UsageError('stream: --brokers HOST:PORT[,…] is required');
  }
  for (const broker of brokers) {
    if (!/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/.test(broker)) {
      throw new UsageError(`stream: --brokers: "${broker}" is not HOST:PORT`);
    }
  }
  const encoding = ENCODINGS.find((candidate) => candidate === (values.encoding ?? 'otlp_proto'));
  if (encoding === undefined) {
    throw new UsageError(`stream: --encoding must be ${ENCODINGS.join(' or ')}, not "${values.encoding}"`);
  }
  return {
    command: 'stream',
    brokers,
    topic: nonEmpty('--topic', values.topic ?? 'jaeger-spans'),
    group: nonEmpty('--group', values.group ?? 'hotpath'),
    encoding,
    traceIdleMs: durationMs('--trace-idle', values['trace-idle'] ?? '10s'),
    maxOpenTraces: wholeNumber('--max-open-traces', values['max-open-traces'] ?? '100000'),
    maxOperations: wholeNumber('--max-operations', values['max-operations'] ?? '2000'),
    listen: parseListen(values.listen ?? ':9464'),
    fromBeginning: values['from-beginning'] ?? false,
    lingerMs: durationMs('--linger', values.linger ?? '0s'),
    commitUnscrapedAfterMs: durationMs('--commit-unscraped-after', values['commit-unscraped-after'] ?? '120s'),
  };
}

function nonEmpty(flag: string, value: string): string {
  if (value.trim() === '') {
    throw new UsageError(`stream: ${flag} must not be empty`);
  }
  return value;
}

function durationMs(flag: string, text: string): number {
  const us = parseDuration(text);
  if (us === null) {
    throw new UsageError(`stream: ${flag} takes a duration (500ms, 10s), not "${text}"`);
  }
  return us / 1000;
}

function wholeNumber(flag: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new UsageError(`stream: ${flag} must be a whole number of at least 1, not "${text}"`);
  }
  return Number(text);
}

/** `:9464`, `127.0.0.1:9464`, `[::1]:9464`. */
export function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:]+)\]|([A-Za-z0-9.\-]*)):(\d{1,5})$/.exec(text);
  const port = match === null ? NaN : Number(match[3]);
  if (match === null || port > 65535) {
    throw new UsageError(`stream: --listen takes [HOST]:PORT, not "${text}"`);
  }
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}
