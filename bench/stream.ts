/**
 * `npm run bench:stream`: what one `hotpath stream` consumer sustains, end to end from Kafka to metrics. A real
 * broker (e2e/servers/lib/kafka.ts, installed by `npm run tools`) is started, a topic pre-filled with generated
 * traces (bench/generate.mjs) as the collector's kafka exporter writes them (otlp_proto, one trace per message, keyed
 * by trace ID), then a consumer (in this process, with the CLI's own code) reads it from the beginning; the figure is
 * spans per second from the first message read to the last trace exported. Bundled by esbuild into
 * dist-cli/bench/stream/run.js: three levels below the repository root, as e2e/static/lib/repo.ts expects of its file.
 */
import { Kafka, logLevel, Partitioners } from 'kafkajs';

import { parseMetrics, total } from '../e2e/servers/lib/hotpathStream';
import { KafkaBroker } from '../e2e/servers/lib/kafka';
import { otlpExport, type JaegerTrace } from '../e2e/servers/lib/otlpFromJaeger';
import { parseStreamCommandLine } from '../src/cli/stream/args';
import { exportTraceServiceRequest } from '../src/cli/stream/otlpProto';
import { StreamProcess } from '../src/cli/stream/run';
import { generateTraces } from './generate.mjs';

const TRACES = Number(process.env.BENCH_STREAM_TRACES ?? 20_000);
const SPANS = Number(process.env.BENCH_STREAM_SPANS ?? 30);
const PARTITIONS = 4;
const TOPIC = 'jaeger-spans';

/** OTLP/JSON (hex IDs) → protobufjs's input (bytes as Buffers); the JSON mapping's hex is not protobufjs's base64. */
function protoBytes(request: { resourceSpans: unknown[] }): Buffer {
  const withBytes = JSON.parse(JSON.stringify(request), (key, value: unknown) =>
    (key === 'traceId' || key === 'spanId' || key === 'parentSpanId') && typeof value === 'string'
      ? Buffer.from(value, 'hex')
      : value
  );
  return Buffer.from(exportTraceServiceRequest.encode(exportTraceServiceRequest.fromObject(withBytes)).finish());
}

async function fill(broker: KafkaBroker): Promise<number> {
  const producer = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  let spans = 0;
  let batch: Array<{ key: string; value: Buffer }> = [];
  for (const trace of generateTraces({ seed: 5, traces: TRACES, spans: SPANS })) {
    spans += trace.spans.length;
    batch.push({ key: trace.traceID, value: protoBytes(otlpExport([trace as unknown as JaegerTrace])) });
    if (batch.length === 100) {
      await producer.send({ topic: TOPIC, messages: batch });
      batch = [];
    }
  }
  if (batch.length > 0) {
    await producer.send({ topic: TOPIC, messages: batch });
  }
  await producer.disconnect();
  return spans;
}

async function main(): Promise<void> {
  const broker = await KafkaBroker.start();
  try {
    broker.createTopic(TOPIC, PARTITIONS);
    const spans = await fill(broker);
    process.stdout.write(`topic filled: ${TRACES} traces, ${spans} spans, ${PARTITIONS} partitions\n`);
    const command = parseStreamCommandLine([
      ...['--brokers', broker.bootstrap, '--topic', TOPIC, '--group', 'bench', '--from-beginning'],
      ...['--trace-idle', '200ms', '--listen', '127.0.0.1:0'],
    ]);
    const stream = new StreamProcess(command, { stderr: process.stderr });
    await stream.start();
    let firstRead: number | undefined;
    let done: number | undefined;
    while (done === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const metrics = [parseMetrics(await stream.metricsText())];
      if (firstRead === undefined && total(metrics, 'hotpath_messages_total') > 0) {
        firstRead = performance.now();
      }
      if (total(metrics, 'hotpath_traces_total') >= TRACES) {
        done = performance.now();
      }
    }
    const seconds = (done - (firstRead ?? done)) / 1000;
    const rss = process.memoryUsage().rss / 1024 / 1024;
    process.stdout.write(
      `one consumer: ${spans} spans in ${seconds.toFixed(2)} s = ${Math.round(spans / seconds)} spans/s ` +
        `(${Math.round(TRACES / seconds)} traces/s; includes the ${command.traceIdleMs} ms idle window; RSS ${rss.toFixed(0)} MB)\n`
    );
    await stream.stop();
  } finally {
    await broker.dispose();
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`bench:stream: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
