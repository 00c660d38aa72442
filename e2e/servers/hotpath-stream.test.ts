/**
 * `hotpath stream` for real: generated traces (bench/generate.mjs) → OTLP → Jaeger v2's collector
 * (deploy/jaeger/config-kafka-collector.yaml, its kafka exporter) → a real Kafka broker → two `hotpath stream`
 * processes in one consumer group. Once the traces have gone idle, the critical-path seconds summed over both
 * instances' /metrics equal `hotpath analyze` on the very JSON that was sent, per (service, operation), to the
 * microsecond; so do the trace counts. Once with the collector's default encoding (otlp_proto), once with otlp_json.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { postJson } from '../../demo/test/harness/http';
import { freePort, waitFor } from '../../demo/test/harness/process';
import { parseYaml, readText, repoPath } from '../static/lib/repo';
import { stringify } from 'yaml';
import { HotpathStream, sumBy, total, type Sample } from './lib/hotpathStream';
import { Jaeger, loopbackEnv } from './lib/jaeger';
import { KafkaBroker } from './lib/kafka';
import { otlpExport, type JaegerTrace } from './lib/otlpFromJaeger';

const COLLECTOR = 'deploy/jaeger/config-kafka-collector.yaml';
const PARTITIONS = 4;
const TRACES = 240;
const TRACES_PER_REQUEST = 20;
/** Waits, not speed assertions: the pipeline has this long to deliver and the consumers to go idle. */
const SETTLED_WITHIN_MS = 120_000;

interface AnalyzeRow {
  service: string;
  operation: string;
  criticalPathMs: number;
}

function generatedTraces(dir: string, seed: number): JaegerTrace[] {
  const out = path.join(dir, `generated-${seed}.json`);
  const result = spawnSync(
    process.execPath,
    [repoPath('bench/generate.mjs'), `--seed=${seed}`, `--traces=${TRACES}`, '--spans=20', `--out=${out}`],
    { encoding: 'utf8' }
  );
  if (result.status !== 0) {
    throw new Error(`bench/generate.mjs: ${result.stderr}`);
  }
  return (JSON.parse(readFileSync(out, 'utf8')) as { data: JaegerTrace[] }).data;
}

/** `hotpath analyze FILE --format json`. */
function analyze(file: string): { traces: number; hotspots: AnalyzeRow[] } {
  const result = spawnSync(process.execPath, [repoPath('bin/hotpath.js'), 'analyze', file, '--format', 'json'], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`hotpath analyze: ${result.status} ${result.stderr}`);
  }
  return JSON.parse(result.stdout);
}

/** The collector config with another topic and encoding (the shipped file says otlp_proto). */
function collectorConfig(dir: string, topic: string, encoding: string): string {
  const config = parseYaml<{ exporters: { kafka: { traces: { topic: string; encoding: string } } } }>(
    readText(COLLECTOR)
  );
  config.exporters.kafka.traces.topic = topic;
  config.exporters.kafka.traces.encoding = encoding;
  const file = path.join(dir, `collector-${encoding}.yaml`);
  writeFileSync(file, stringify(config));
  return file;
}

describe.each(['otlp_proto', 'otlp_json'])('hotpath stream, collector encoding %s', (encoding) => {
  let kafka: KafkaBroker;
  let collector: Jaeger;
  let dir: string;
  const streams: HotpathStream[] = [];
  const topic = `jaeger-spans-${encoding}`;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'hotpath-stream-'));
    kafka = await KafkaBroker.start();
    kafka.createTopic(topic, PARTITIONS);
    const upstream = { KAFKA_BROKERS: kafka.bootstrap, PROMETHEUS_URL: `http://127.0.0.1:${await freePort()}` };
    collector = await Jaeger.start(collectorConfig(dir, topic, encoding), await loopbackEnv(COLLECTOR, upstream));
    for (let i = 0; i < 2; i++) {
      streams.push(
        await HotpathStream.start(kafka.bootstrap, [
          ...['--topic', topic, '--group', 'hotpath-e2e', '--encoding', encoding],
          ...['--trace-idle', '2s', '--from-beginning'],
        ])
      );
    }
  });

  afterAll(async () => {
    for (const stream of streams) {
      await stream.stop();
    }
    await collector?.dispose();
    await kafka?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  async function allMetrics(): Promise<Sample[][]> {
    return Promise.all(streams.map((stream) => stream.metrics()));
  }

  it('two consumers in one group export exactly what hotpath analyze computes over the same traces', async () => {
    // Both members hold partitions before any traffic: no rebalance mid-stream (that case is tested apart).
    await waitFor(
      'the group to split the partitions between both consumers',
      async () => {
        const metrics = await allMetrics();
        const assigned = metrics.map((m) => total([m], 'hotpath_assigned_partitions'));
        return assigned.every((n) => n > 0) && assigned[0] + assigned[1] === PARTITIONS ? true : undefined;
      },
      SETTLED_WITHIN_MS,
      250
    );
    const traces = generatedTraces(dir, encoding === 'otlp_proto' ? 7 : 8);
    const sent = otlpExport(traces);
    for (let i = 0; i < traces.length; i += TRACES_PER_REQUEST) {
      const answer = await postJson(
        `${collector.url('JAEGER_OTLP_HTTP_ENDPOINT')}/v1/traces`,
        otlpExport(traces.slice(i, i + TRACES_PER_REQUEST))
      );
      expect(answer.status).toBe(200);
    }
    const file = path.join(dir, 'sent.json');
    writeFileSync(file, JSON.stringify(sent));
    const expected = analyze(file);
    expect(expected.traces).toBe(TRACES);

    const metrics = await waitFor(
      `both consumers to have analysed all ${TRACES} traces`,
      async () => {
        const now = await allMetrics();
        const done = total(now, 'hotpath_traces_total') >= TRACES && total(now, 'hotpath_open_traces') === 0;
        return done ? now : undefined;
      },
      SETTLED_WITHIN_MS,
      500
    );
    expect(total(metrics, 'hotpath_traces_total')).toBe(TRACES);
    // Each consumer did part of the work.
    for (const instance of metrics) {
      expect(total([instance], 'hotpath_traces_total')).toBeGreaterThan(0);
    }
    const seconds = sumBy(metrics, 'hotpath_critical_path_seconds_total', ['service', 'operation']);
    const expectedUs = new Map(
      expected.hotspots.map((row) => [`${row.service}\u0000${row.operation}`, row.criticalPathMs * 1000])
    );
    expect([...seconds.keys()].sort()).toEqual([...expectedUs.keys()].sort());
    const off = [...expectedUs].filter(([key, us]) => Math.abs((seconds.get(key) ?? NaN) * 1e6 - us) > 1);
    expect(off.map(([key, us]) => ({ key, expectedUs: us, exportedUs: (seconds.get(key) ?? NaN) * 1e6 }))).toEqual([]);
    const spans = traces.reduce((sum, trace) => sum + trace.spans.length, 0);
    expect(total(metrics, 'hotpath_spans_total', { outcome: 'analysed' })).toBe(spans);
    expect(total(metrics, 'hotpath_spans_total', { outcome: 'late' })).toBe(0);
    expect(total(metrics, 'hotpath_messages_total', { outcome: 'malformed' })).toBe(0);
  });
});
