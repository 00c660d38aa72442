/**
 * `hotpath stream` against a real broker when things go wrong: its bounds hit (--max-open-traces,
 * --max-operations), malformed messages on the topic, a consumer killed with SIGKILL in the middle of the
 * traffic (its double count measured against the bound it exported), and the broker itself restarted mid-stream.
 * Traces go in through Jaeger v2's collector (deploy/jaeger/config-kafka-collector.yaml, otlp_proto).
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

/** `hotpath analyze` over the traces: critical-path µs per "service\u0000operation". */
function analyzeUs(dir: string, traces: JaegerTrace[]): Map<string, number> {
  const file = path.join(dir, `sent-${traces[0].traceID}-${traces.length}.json`);
  writeFileSync(file, JSON.stringify(otlpExport(traces)));
  const result = spawnSync(process.execPath, [repoPath('bin/hotpath.js'), 'analyze', file, '--format', 'json'], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`hotpath analyze: ${result.stderr}`);
  }
  const rows = (
    JSON.parse(result.stdout) as { hotspots: Array<{ service: string; operation: string; criticalPathMs: number }> }
  ).hotspots;
  return new Map(rows.map((row) => [`${row.service}\u0000${row.operation}`, row.criticalPathMs * 1000]));
}

function analyzeTotalUs(dir: string, traces: JaegerTrace[]): number {
  return [...analyzeUs(dir, traces).values()].reduce((sum, us) => sum + us, 0);
}

/**
 * Gives each trace's root span a service of its own (`${prefix}-${index}`), so that hotpath_traces_total{root_service}
 * counts every trace apart: which were counted once, twice, or never.
 */
function withTracedRoots(traces: JaegerTrace[], prefix: string): JaegerTrace[] {
  return traces.map((trace, index) => {
    const copy: JaegerTrace = JSON.parse(JSON.stringify(trace));
    // The root has no reference at all (an async span has a FOLLOWS_FROM one and no CHILD_OF).
    const root = copy.spans.find((span) => (span.references ?? []).length === 0);
    if (root === undefined) {
      throw new Error(`trace ${trace.traceID} has no root span`);
    }
    copy.processes[`${prefix}-root`] = { serviceName: `${prefix}-${index}` };
    root.processID = `${prefix}-root`;
    return copy;
  });
}

/** The index of the trace's last span that has a parent and no children, or -1. */
function lastLeaf(trace: JaegerTrace, parents: Set<string>): number {
  for (let i = trace.spans.length - 1; i >= 0; i--) {
    const span = trace.spans[i];
    if (!parents.has(span.spanID) && (span.references ?? []).length > 0) {
      return i;
    }
  }
  return -1;
}

/** Per root service of the tagged traces: how many times the instances counted that trace. */
function timesCounted(samples: Sample[][], prefix: string, traces: number): number[] {
  const counts = sumBy(samples, 'hotpath_traces_total', ['root_service']);
  return Array.from({ length: traces }, (_, index) => counts.get(`${prefix}-${index}`) ?? 0);
}

describe('hotpath stream under failures', () => {
  let kafka: KafkaBroker;
  let collector: Jaeger;
  let dir: string;
  const streams: HotpathStream[] = [];
  /** Traces sent to the topic so far (by every test: each group reads it from the beginning). */
  let sentTraces = 0;
  const sentAll: JaegerTrace[] = [];

  async function send(traces: JaegerTrace[]): Promise<void> {
    sentTraces += traces.length;
    sentAll.push(...traces);
    await post(traces);
  }

  /** POSTs traces (or parts of traces) to the collector's OTLP receiver without counting them as sent. */
  async function post(traces: JaegerTrace[]): Promise<void> {
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

  it('SIGTERM with nobody scraping the final counts: nothing is committed past the last scrape, the successor counts them', async () => {
    const stream = await startStream('graceful-unscraped', ['--trace-idle', '600s']);
    const backlog = sentTraces;
    // This poll is a scrape too, made while every trace is open: it covers none of them.
    await waitFor(
      'the backlog collected, none analysed yet (idle window of 10 minutes)',
      async () => (total([await stream.metrics()], 'hotpath_open_traces') === backlog ? true : undefined),
      SETTLED_WITHIN_MS,
      250
    );
    // No --linger: the counts the shutdown makes are never served, so they must not be committed either.
    await stream.stop('SIGTERM');
    const successor = await startStream('graceful-unscraped');
    const after = await settled([successor], backlog);
    expect(total(after, 'hotpath_traces_total')).toBe(backlog);
    await successor.stop();
  });

  it('a consumer killed with SIGKILL while it analyses, seconds after its last scrape: no trace missing, the double count within the bound it exported', async () => {
    const a = await startStream('doublecount');
    const b = await startStream('doublecount');
    // Both own partitions and have finished (and committed) the backlog: what the join's rebalance may have counted
    // twice is in the baseline, and from here on only the crash can count twice.
    const baseline = await waitFor(
      'both consumers assigned, the backlog analysed and committed',
      async () => {
        const now = await Promise.all([a.metrics(), b.metrics()]);
        const assigned = now.map((m) => total([m], 'hotpath_assigned_partitions'));
        const quiet =
          assigned.every((n) => n > 0) &&
          assigned[0] + assigned[1] === PARTITIONS &&
          total(now, 'hotpath_traces_total') >= sentTraces &&
          total(now, 'hotpath_open_traces') === 0 &&
          total(now, 'hotpath_uncommitted_traces') === 0;
        return quiet
          ? { both: total(now, 'hotpath_traces_total'), a: total([now[0]], 'hotpath_traces_total') }
          : undefined;
      },
      SETTLED_WITHIN_MS,
      250
    );
    const traces = withTracedRoots(generatedTraces(dir, 14, 160), 'crash');
    // Steady traffic, a few traces at a time, so that A is analysing and committing when it dies. Every fifth
    // trace's last leaf span follows six sends later (inside the 2 s idle window): such a trace holds its partition's
    // commit at its first message while the traces after it are finalised, which a crash then counts twice (with
    // every trace in one message, only the traces finalised since the last commit are at risk, usually none).
    const held = new Map<number, JaegerTrace[]>();
    let sends = 0;
    let next = 0;
    const sendSome = async (count: number) => {
      for (const end = Math.min(traces.length, next + count); next < end; next += 4) {
        const parts: JaegerTrace[] = [];
        traces.slice(next, Math.min(end, next + 4)).forEach((trace, k) => {
          const parents = new Set(trace.spans.flatMap((span) => (span.references ?? []).map((ref) => ref.spanID)));
          const leaf = lastLeaf(trace, parents);
          if ((next + k) % 5 !== 0 || leaf < 0) {
            parts.push(trace);
            return;
          }
          parts.push({ ...trace, spans: trace.spans.filter((_, i) => i !== leaf) });
          held.set(sends + 6, [...(held.get(sends + 6) ?? []), { ...trace, spans: [trace.spans[leaf]] }]);
        });
        parts.push(...(held.get(sends) ?? []));
        held.delete(sends++);
        sentTraces += Math.min(end, next + 4) - next;
        sentAll.push(...traces.slice(next, Math.min(end, next + 4)));
        await post(parts);
        await sleep(100);
      }
      if (next >= traces.length) {
        await post([...held.values()].flat());
        held.clear();
      }
    };
    await sendSome(80);
    await waitFor(
      'A to have analysed some of the new traces',
      async () => (total([await a.metrics()], 'hotpath_traces_total') > baseline.a ? true : undefined),
      SETTLED_WITHIN_MS,
      250
    );
    // A's last scrape, as Prometheus would have it. A goes on reading and analysing; what it counts from here on is
    // never seen, so those traces must be replayed by B: A may commit only as far as this scrape covered.
    const lastOfA = await a.metrics();
    await sendSome(40);
    // Not an assertion: longer than the idle window (2 s) plus a commit interval (500 ms), so that A has finalised
    // (and, were its commits not held by the scrape, committed) traces sent after its last scrape.
    await sleep(3500);
    await a.stop('SIGKILL');
    const bound = total([lastOfA], 'hotpath_uncommitted_traces');
    await sendSome(traces.length);
    // Done when every trace is counted, or (so that a missing one fails below, by name) when the survivor owns every
    // partition, has read all of them, holds nothing open and its count has stood still for 20 polls.
    let stillFor = 0;
    let lastCount = -1;
    const final = await waitFor(
      'the survivor to own every partition and finish',
      async () => {
        const m = await b.metrics();
        const count = total([m], 'hotpath_traces_total');
        stillFor = count === lastCount ? stillFor + 1 : 0;
        lastCount = count;
        const quiet =
          total([m], 'hotpath_assigned_partitions') === PARTITIONS &&
          total([m], 'hotpath_open_traces') === 0 &&
          total([m], 'hotpath_consumer_lag') === 0;
        const allCounted = timesCounted([lastOfA, m], 'crash', traces.length).every((n) => n > 0);
        return quiet && (allCounted || stillFor >= 20) ? m : undefined;
      },
      SETTLED_WITHIN_MS,
      500
    );
    const counted = total([lastOfA, final], 'hotpath_traces_total') - baseline.both;
    const doubleCounted = counted - traces.length;
    const perTrace = timesCounted([lastOfA, final], 'crash', traces.length);
    const twice = perTrace.filter((n) => n === 2).length;
    // The measured figure, for the README and the report (not an assertion on its size).
    // A trace replayed from a commit that fell between its first message and its late leaf comes back as the leaf
    // alone: counted as a trace of the leaf's service, so among the double counts but not by root service.
    console.log(
      `double count after SIGKILL: ${doubleCounted} of ${traces.length} traces counted twice ` +
        `(${twice} of them whole, by root service); bound exported by the killed consumer: ${bound}`
    );
    const indices = (keep: (n: number) => boolean) => perTrace.flatMap((n, index) => (keep(n) ? [index] : []));
    expect(indices((n) => n === 0)).toEqual([]); // none missing
    expect(indices((n) => n > 2)).toEqual([]);
    expect(twice).toBeLessThanOrEqual(doubleCounted);
    expect(doubleCounted).toBeGreaterThanOrEqual(0);
    expect(doubleCounted).toBeLessThanOrEqual(bound);
    await b.stop();
  }, 300_000);

  it('a rebalance counts twice exactly the traces it reports in hotpath_handed_over_traces_total', async () => {
    const x = await startStream('handover', ['--trace-idle', '200ms']);
    // X alone owns every partition and has counted the backlog; this scrape lets it commit that far.
    await settled([x], sentTraces);
    const traces = generatedTraces(dir, 16, 80);
    await send(traces);
    // Not an assertion: X analyses the new traces (idle window 200 ms) but, unscraped, commits none of them.
    await sleep(1500);
    const y = await startStream('handover', ['--trace-idle', '200ms']);
    const [mx, my] = await waitFor(
      'the group to split the partitions and both to finish',
      async () => {
        const now = await Promise.all([x.metrics(), y.metrics()]);
        const assigned = now.map((m) => total([m], 'hotpath_assigned_partitions'));
        const done =
          assigned.every((n) => n > 0) &&
          total(now, 'hotpath_open_traces') === 0 &&
          total(now, 'hotpath_consumer_lag') === 0 &&
          total(now, 'hotpath_handed_over_traces_total') > 0 &&
          total(now, 'hotpath_traces_total') >= sentTraces + total(now, 'hotpath_handed_over_traces_total');
        return done ? now : undefined;
      },
      SETTLED_WITHIN_MS,
      500
    );
    const handedOver = total([mx, my], 'hotpath_handed_over_traces_total');
    console.log(`rebalance: ${handedOver} traces handed over uncommitted, counted again by the new owner`);
    expect(total([mx, my], 'hotpath_traces_total')).toBe(sentTraces + handedOver);
    await Promise.all([x.stop(), y.stop()]);
  }, 300_000);

  it('survives a broker restart mid-stream: unready while the broker is away, then every trace counted once', async () => {
    const stream = await startStream('restart');
    await settled([stream], sentTraces);
    const traces = withTracedRoots(generatedTraces(dir, 15, 90), 'restart');
    await send(traces.slice(0, 30));
    await waitFor(
      'the first part read',
      async () => {
        const m = await stream.metrics();
        return total([m], 'hotpath_open_traces') + total([m], 'hotpath_traces_total') >= sentTraces ? true : undefined;
      },
      SETTLED_WITHIN_MS,
      250
    );
    await kafka.stop();
    // The collector queues what arrives meanwhile (sending_queue, retry_on_failure) and delivers it afterwards.
    await send(traces.slice(30, 60));
    await waitFor(
      '/readyz to report the consumer out of its group',
      async () => ((await stream.probe('readyz')) === 503 ? true : undefined),
      SETTLED_WITHIN_MS,
      250
    );
    expect(stream.running).toBe(true);
    expect(await stream.probe('healthz')).toBe(200);
    await kafka.restart();
    await waitFor(
      '/readyz to recover',
      async () => ((await stream.probe('readyz')) === 200 ? true : undefined),
      SETTLED_WITHIN_MS,
      250
    );
    await send(traces.slice(60));
    const metrics = await waitFor(
      'every trace analysed',
      async () => {
        const now = [await stream.metrics()];
        const done =
          timesCounted(now, 'restart', traces.length).every((n) => n > 0) &&
          total(now, 'hotpath_traces_total') >= sentTraces &&
          total(now, 'hotpath_open_traces') === 0;
        return done ? now : undefined;
      },
      SETTLED_WITHIN_MS,
      500
    );
    expect(stream.running).toBe(true);
    expect(await stream.probe('healthz')).toBe(200);
    // One consumer, no replay counted: exactly once each, and the totals are hotpath analyze's over all traces sent.
    expect(timesCounted(metrics, 'restart', traces.length).filter((n) => n !== 1)).toEqual([]);
    expect(total(metrics, 'hotpath_traces_total')).toBe(sentTraces);
    expect(total(metrics, 'hotpath_spans_total', { outcome: 'late' })).toBe(0);
    const exported = sumBy(metrics, 'hotpath_critical_path_seconds_total', ['service', 'operation']);
    const expected = analyzeUs(dir, sentAll);
    expect([...exported.keys()].sort()).toEqual([...expected.keys()].sort());
    const off = [...expected].filter(([key, us]) => Math.abs((exported.get(key) ?? NaN) * 1e6 - us) > 1);
    expect(off).toEqual([]);
    await stream.stop();
  }, 300_000);
});
