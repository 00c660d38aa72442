/**
 * `hotpath stream` against a real broker when things go wrong: its bounds hit (--max-open-traces,
 * --max-operations), malformed messages on the topic, and a consumer killed with SIGKILL in the middle of the
 * traffic. Traces go in through Jaeger v2's collector (deploy/jaeger/config-kafka-collector.yaml, otlp_proto).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';

import { postJson } from '../../demo/test/harness/http';
import { freePort, sleep, waitFor } from '../../demo/test/harness/process';
import { repoPath } from '../static/lib/repo';
import { HotpathStream, sumBy, total, type Sample } from './lib/hotpathStream';
import { Jaeger, loopbackEnv } from './lib/jaeger';
import { KafkaBroker } from './lib/kafka';
import { otlpExport, type JaegerTrace } from './lib/otlpFromJaeger';

const COLLECTOR = 'deploy/jaeger/config-kafka-collector.yaml';
const TOPIC = 'jaeger-spans';
const PARTITIONS = 4;
const SETTLED_WITHIN_MS = 150_000;

function generatedTraces(dir: string, seed: number, traces: number): JaegerTrace[] {
  const out = path.join(dir, `generated-${seed}.json`);
  const result = spawnSync(
    process.execPath,
    [repoPath('bench/generate.mjs'), `--seed=${seed}`, `--traces=${traces}`, '--spans=12', `--out=${out}`],
    { encoding: 'utf8' }
  );
  if (result.status !== 0) {
    throw new Error(`bench/generate.mjs: ${result.stderr}`);
  }
  return (JSON.parse(readFileSync(out, 'utf8')) as { data: JaegerTrace[] }).data;
}

function analyzeTotalUs(dir: string, traces: JaegerTrace[]): number {
  const file = path.join(dir, `sent-${traces[0].traceID}.json`);
  writeFileSync(file, JSON.stringify(otlpExport(traces)));
  const result = spawnSync(process.execPath, [repoPath('bin/hotpath.js'), 'analyze', file, '--format', 'json'], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`hotpath analyze: ${result.stderr}`);
  }
  const rows = (JSON.parse(result.stdout) as { hotspots: Array<{ criticalPathMs: number }> }).hotspots;
  return rows.reduce((sum, row) => sum + row.criticalPathMs * 1000, 0);
}

describe('hotpath stream under failures', () => {
  let kafka: KafkaBroker;
  let collector: Jaeger;
  let dir: string;
  const streams: HotpathStream[] = [];
  /** Traces sent to the topic so far (by every test: each group reads it from the beginning). */
  let sentTraces = 0;

  async function send(traces: JaegerTrace[]): Promise<void> {
    sentTraces += traces.length;
    for (let i = 0; i < traces.length; i += 20) {
      const answer = await postJson(
        `${collector.url('JAEGER_OTLP_HTTP_ENDPOINT')}/v1/traces`,
        otlpExport(traces.slice(i, i + 20))
      );
      expect(answer.status).toBe(200);
    }
  }

  async function startStream(group: string, options: string[] = []): Promise<HotpathStream> {
    const stream = await HotpathStream.start(kafka.bootstrap, [
      ...['--topic', TOPIC, '--group', group, '--trace-idle', '2s', '--from-beginning'],
      ...options,
    ]);
    streams.push(stream);
    return stream;
  }

  async function settled(instances: HotpathStream[], traces: number): Promise<Sample[][]> {
    return waitFor(
      `${traces} traces analysed`,
      async () => {
        const now = await Promise.all(instances.map((s) => s.metrics()));
        return total(now, 'hotpath_traces_total') >= traces && total(now, 'hotpath_open_traces') === 0
          ? now
          : undefined;
      },
      SETTLED_WITHIN_MS,
      500
    );
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'hotpath-stream-failures-'));
    kafka = await KafkaBroker.start();
    kafka.createTopic(TOPIC, PARTITIONS);
    const upstream = { KAFKA_BROKERS: kafka.bootstrap, PROMETHEUS_URL: `http://127.0.0.1:${await freePort()}` };
    collector = await Jaeger.start(repoPath(COLLECTOR), await loopbackEnv(COLLECTOR, upstream));
  });

  afterAll(async () => {
    for (const stream of streams) {
      if (stream.running) {
        await stream.stop();
      }
    }
    await collector?.dispose();
    await kafka?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const first = () => generatedTraces(dir, 11, 150);

  it('--max-open-traces finalises early and --max-operations folds into "other", totals unchanged', async () => {
    const traces = first();
    await send(traces);
    const stream = await startStream('bounded', ['--max-open-traces', '5', '--max-operations', '3']);
    const metrics = await settled([stream], traces.length);
    expect(total(metrics, 'hotpath_traces_total')).toBe(traces.length);
    expect(total(metrics, 'hotpath_spans_total', { outcome: 'evicted' })).toBeGreaterThan(0);
    expect(total(metrics, 'hotpath_spans_total', { outcome: 'folded' })).toBeGreaterThan(0);
    const pairs = sumBy(metrics, 'hotpath_critical_path_seconds_total', ['service', 'operation']);
    expect(pairs.size).toBeLessThanOrEqual(2 * 3 + 1);
    expect([...pairs.keys()].some((key) => key.endsWith('\u0000other'))).toBe(true);
    // Folding relabels; it loses no time: the sum over all labels is still hotpath analyze's.
    const exportedUs = total(metrics, 'hotpath_critical_path_seconds_total') * 1e6;
    expect(Math.abs(exportedUs - analyzeTotalUs(dir, traces))).toBeLessThan(pairs.size);
    await stream.stop();
  });

  it('counts malformed messages and carries on', async () => {
    const producer = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({
      topic: TOPIC,
      messages: [
        { partition: 0, value: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f]) },
        { partition: 1, value: Buffer.from('{"resourceSpans":') },
        { partition: 2, value: null },
      ],
    });
    await producer.disconnect();
    const stream = await startStream('malformed');
    const metrics = await settled([stream], first().length);
    expect(total(metrics, 'hotpath_messages_total', { outcome: 'malformed' })).toBe(3);
    expect(total(metrics, 'hotpath_traces_total')).toBe(first().length);
    expect(stream.running).toBe(true);
    await stream.stop();
  });

  it('a consumer killed with SIGKILL while it holds open traces: the other takes over, none lost, none twice', async () => {
    // A never finishes a trace by itself (10-minute idle window): everything it read is open when it dies.
    const a = await startStream('failover', ['--trace-idle', '600s']);
    const b = await startStream('failover');
    await waitFor(
      'the group to give both consumers partitions',
      async () => {
        const now = await Promise.all([a.metrics(), b.metrics()]);
        const assigned = now.map((m) => total([m], 'hotpath_assigned_partitions'));
        return assigned.every((n) => n > 0) && assigned[0] + assigned[1] === PARTITIONS ? true : undefined;
      },
      SETTLED_WITHIN_MS,
      250
    );
    const more = generatedTraces(dir, 12, 150);
    await send(more.slice(0, 75));
    const seen = sentTraces;
    await waitFor(
      'every trace sent so far read by one of them (open in A, analysed or open in B)',
      async () => {
        const [ma, mb] = await Promise.all([a.metrics(), b.metrics()]);
        const read = total([ma, mb], 'hotpath_open_traces') + total([mb], 'hotpath_traces_total');
        return read >= seen && total([ma], 'hotpath_open_traces') > 0 ? true : undefined;
      },
      SETTLED_WITHIN_MS,
      250
    );
    // Not an assertion: time for A's commit ticks (one a second) to run while it holds its open traces.
    await sleep(2500);
    await a.stop('SIGKILL');
    await send(more.slice(75));
    const afterwards = await waitFor(
      'the survivor to own every partition and finish',
      async () => {
        const m = await b.metrics();
        const done =
          total([m], 'hotpath_assigned_partitions') === PARTITIONS &&
          total([m], 'hotpath_traces_total') >= sentTraces &&
          total([m], 'hotpath_open_traces') === 0;
        return done ? m : undefined;
      },
      SETTLED_WITHIN_MS,
      500
    );
    // A had analysed nothing, so nothing may count twice; A's open traces were replayed by B, none skipped.
    expect(total([afterwards], 'hotpath_traces_total')).toBe(sentTraces);
    expect(total([afterwards], 'hotpath_spans_total', { outcome: 'late' })).toBe(0);
  });

  it('SIGTERM analyses the open traces, commits and leaves: the next member of the group does not count them again', async () => {
    const stream = await startStream('graceful', ['--trace-idle', '600s', '--linger', '5s']);
    const backlog = sentTraces;
    await waitFor(
      'the backlog collected, none analysed yet (idle window of 10 minutes)',
      async () =>
        (await stream.metrics()).some((s) => s.name === 'hotpath_open_traces' && s.value === backlog)
          ? true
          : undefined,
      SETTLED_WITHIN_MS,
      250
    );
    const stopping = stream.stop('SIGTERM');
    const final = await waitFor(
      'the final counts, served while lingering',
      async () => {
        const m = await stream.metrics().catch(() => undefined);
        return m !== undefined && total([m], 'hotpath_traces_total') >= backlog ? m : undefined;
      },
      SETTLED_WITHIN_MS,
      100
    );
    expect(total([final], 'hotpath_traces_total')).toBe(backlog);
    expect(total([final], 'hotpath_open_traces')).toBe(0);
    await stopping;
    // The successor starts where the first one committed: it sees only what is sent now.
    const successor = await startStream('graceful');
    const fresh = generatedTraces(dir, 13, 40);
    await send(fresh);
    const after = await settled([successor], fresh.length);
    expect(total(after, 'hotpath_traces_total')).toBe(fresh.length);
    await successor.stop();
  });
});
