/**
 * `npm run bench:stream`: what `hotpath stream` sustains, end to end from Kafka to metrics. A real broker
 * (e2e/servers/lib/kafka.ts, installed by `npm run tools`) is started and a topic pre-filled with generated traces
 * (bench/generate.mjs) as the collector's kafka exporter writes them (otlp_proto, one trace per message, keyed by trace
 * ID). Then the built CLI (bin/hotpath.js stream, one process per consumer, as deployed) reads it:
 *  1. one consumer from the topic's start: spans analysed per second until its last trace is in /metrics;
 *  2. two consumers in one group, the same way (what one analysed before the other was up is left out);
 *  3. one consumer with a 10-minute idle window, started on an empty topic that is then filled the same way: every
 *     trace stays open, so the growth of its RSS is the memory of the open traces (per 10,000);
 *  4. one consumer caught up, then single traces produced one at a time: the delay from the broker's ack of a trace to
 *     its count in /metrics, idle window included.
 * Bundled by esbuild into dist-cli/bench/stream/run.js: three levels below the repository root, as
 * e2e/static/lib/repo.ts expects of its file.
 */
import { readFileSync } from 'node:fs';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';

import { HotpathStream, total } from '../e2e/servers/lib/hotpathStream';
import { KafkaBroker } from '../e2e/servers/lib/kafka';
import { otlpExport, type JaegerTrace } from '../e2e/servers/lib/otlpFromJaeger';
import { exportTraceServiceRequest } from '../src/cli/stream/otlpProto';
import { generateTraces } from './generate.mjs';

const TRACES = Number(process.env.BENCH_STREAM_TRACES ?? 50_000);
/** Traces held open for the memory figure (the first ones of the topic). */
const MEMORY_TRACES = Math.min(TRACES, 20_000);
const SPANS = Number(process.env.BENCH_STREAM_SPANS ?? 30);
const PARTITIONS = 4;
const TOPIC = 'jaeger-spans';
const MEMORY_TOPIC = 'jaeger-spans-memory';
const POLL_MS = 100;
const DELAY_SAMPLES = 20;
const DELAY_IDLE_MS = 500;

/** OTLP/JSON (hex IDs) → protobufjs's input (bytes as Buffers); the JSON mapping's hex is not protobufjs's base64. */
function protoBytes(request: { resourceSpans: unknown[] }): Buffer {
  const withBytes = JSON.parse(JSON.stringify(request), (key, value: unknown) =>
    (key === 'traceId' || key === 'spanId' || key === 'parentSpanId') && typeof value === 'string'
      ? Buffer.from(value, 'hex')
      : value
  );
  return Buffer.from(exportTraceServiceRequest.encode(exportTraceServiceRequest.fromObject(withBytes)).finish());
}

function message(trace: unknown): { key: string; value: Buffer } {
  const jaeger = trace as JaegerTrace;
  return { key: jaeger.traceID, value: protoBytes(otlpExport([jaeger])) };
}

async function producer(broker: KafkaBroker): Promise<Producer> {
  const client = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const made = client.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await made.connect();
  return made;
}

type Batch = Array<{ key: string; value: Buffer }>;

/** Encodes the generated traces in batches of 100 messages. */
function encode(): { spans: number; batches: Batch[] } {
  let spans = 0;
  const batches: Batch[] = [];
  for (const trace of generateTraces({ seed: 5, traces: TRACES, spans: SPANS })) {
    spans += trace.spans.length;
    if (batches.length === 0 || batches[batches.length - 1].length === 100) {
      batches.push([]);
    }
    batches[batches.length - 1].push(message(trace));
  }
  return { spans, batches };
}

async function produce(broker: KafkaBroker, topic: string, batches: Batch[]): Promise<void> {
  const out = await producer(broker);
  for (const messages of batches) {
    await out.send({ topic, messages });
  }
  await out.disconnect();
}

function consumers(
  broker: KafkaBroker,
  group: string,
  count: number,
  options: string[] = [],
  topic = TOPIC
): Promise<HotpathStream[]> {
  const args = ['--topic', topic, '--group', group, '--from-beginning', ...options];
  return Promise.all(Array.from({ length: count }, () => HotpathStream.start(broker.bootstrap, args)));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Drain {
  spans: number;
  seconds: number;
  /** Spans analysed before every consumer was up (not in the figure). */
  before: number;
  /** CPU seconds the consumers used meanwhile (user + system, all threads, from /proc). */
  cpuSeconds: number;
}

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s. */
const CLOCK_TICKS_PER_SECOND = 100;

function cpuSeconds(stream: HotpathStream): number {
  // Fields after the command name (which is in parentheses and may hold spaces): utime and stime are the 12th and
  // 13th of them (proc(5): fields 14 and 15).
  const stat = readFileSync(`/proc/${stream.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/**
 * Spans analysed per second in the steady part of the run: from the moment every consumer answers (a consumer that
 * started first may have read a part alone by then: left out) to the poll where 95 % of the topic's spans have been
 * analysed (the tail, the idle window of the last traces, is left out too), polling /metrics.
 */
async function drain(streams: HotpathStream[], spans: number): Promise<Drain> {
  const analysed = async () =>
    total(await Promise.all(streams.map((stream) => stream.metrics())), 'hotpath_spans_total', { outcome: 'analysed' });
  const cpu = () => streams.reduce((sum, stream) => sum + cpuSeconds(stream), 0);
  const start = performance.now();
  const cpuBefore = cpu();
  const before = await analysed();
  let now = before;
  while (now < spans * 0.95) {
    await sleep(POLL_MS);
    now = await analysed();
  }
  return { spans: now - before, seconds: (performance.now() - start) / 1000, before, cpuSeconds: cpu() - cpuBefore };
}

function rssMb(stream: HotpathStream): number {
  const status = readFileSync(`/proc/${stream.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

async function stopAll(streams: HotpathStream[]): Promise<void> {
  await Promise.all(streams.map((stream) => stream.stop()));
}

async function throughput(broker: KafkaBroker, count: number, topicSpans: number): Promise<number> {
  const streams = await consumers(broker, `bench-${count}-${Date.now()}`, count, ['--trace-idle', '200ms']);
  try {
    const { spans, seconds, before, cpuSeconds: cpu } = await drain(streams, topicSpans);
    const rate = spans / seconds;
    process.stdout.write(
      `${count} consumer(s): ${spans} spans in ${seconds.toFixed(2)} s = ${Math.round(rate)} spans/s ` +
        `(${before} spans analysed before all were up and the last 5 % not counted); consumer CPU ` +
        `${cpu.toFixed(2)} s = ${Math.round((100 * cpu) / seconds)} % of one core, ` +
        `${Math.round(spans / cpu)} spans per CPU second\n`
    );
    return rate;
  } finally {
    await stopAll(streams);
  }
}

/** RSS growth of a consumer that keeps every trace open (10-minute idle window), read from /proc. */
async function openTraceMemory(broker: KafkaBroker, batches: Batch[]): Promise<void> {
  broker.createTopic(MEMORY_TOPIC, PARTITIONS);
  const options = ['--trace-idle', '600s'];
  const [stream] = await consumers(broker, `bench-memory-${Date.now()}`, 1, options, MEMORY_TOPIC);
  try {
    // Joined, on an empty topic: what the process takes before it holds any trace.
    await sleep(2000);
    const before = rssMb(stream);
    await produce(broker, MEMORY_TOPIC, batches.slice(0, Math.ceil(MEMORY_TRACES / 100)));
    for (;;) {
      await sleep(250);
      if (total([await stream.metrics()], 'hotpath_open_traces') >= MEMORY_TRACES) {
        break;
      }
    }
    // Give the garbage collector time to return what reading left behind: the figure is what the open traces hold.
    await sleep(3000);
    const after = rssMb(stream);
    process.stdout.write(
      `memory: ${MEMORY_TRACES} open traces of ${SPANS} spans: RSS ${before.toFixed(0)} → ${after.toFixed(0)} MB = ` +
        `${(((after - before) / MEMORY_TRACES) * 10_000).toFixed(1)} MB per 10,000 open traces\n`
    );
  } finally {
    await stopAll([stream]);
  }
}

async function endToEndDelay(broker: KafkaBroker): Promise<void> {
  const [stream] = await consumers(broker, `bench-delay-${Date.now()}`, 1, ['--trace-idle', `${DELAY_IDLE_MS}ms`]);
  const out = await producer(broker);
  try {
    let seen = 0;
    for (;;) {
      await sleep(250);
      const metrics = [await stream.metrics()];
      if (total(metrics, 'hotpath_traces_total') >= TRACES && total(metrics, 'hotpath_open_traces') === 0) {
        seen = total(metrics, 'hotpath_traces_total');
        break;
      }
    }
    const delays: number[] = [];
    const extra = generateTraces({ seed: 6, traces: DELAY_SAMPLES, spans: SPANS });
    for (const trace of extra) {
      const sent = message(trace);
      await out.send({ topic: TOPIC, messages: [sent] });
      const acked = performance.now();
      for (;;) {
        const now = total([await stream.metrics()], 'hotpath_traces_total');
        if (now > seen) {
          seen = now;
          delays.push(performance.now() - acked);
          break;
        }
        await sleep(5);
      }
    }
    delays.sort((x, y) => x - y);
    const median = delays[Math.floor(delays.length / 2)];
    process.stdout.write(
      `end-to-end delay (broker ack → trace in /metrics, ${DELAY_SAMPLES} single traces): median ` +
        `${median.toFixed(0)} ms, max ${delays[delays.length - 1].toFixed(0)} ms, of which the idle window ` +
        `${DELAY_IDLE_MS} ms\n`
    );
  } finally {
    await out.disconnect();
    await stopAll([stream]);
  }
}

async function main(): Promise<void> {
  const broker = await KafkaBroker.start();
  try {
    broker.createTopic(TOPIC, PARTITIONS);
    const { spans, batches } = encode();
    await produce(broker, TOPIC, batches);
    process.stdout.write(`topic filled: ${TRACES} traces, ${spans} spans, ${PARTITIONS} partitions\n`);
    const only = process.env.BENCH_STREAM_ONLY;
    const one = await throughput(broker, 1, spans);
    if (only === 'one') {
      return;
    }
    const two = await throughput(broker, 2, spans);
    process.stdout.write(`two consumers vs one: ${(two / one).toFixed(2)}×\n`);
    await openTraceMemory(broker, batches);
    await endToEndDelay(broker);
  } finally {
    await broker.dispose();
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`bench:stream: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
