/**
 * The scalable pipeline for real: OTLP -> Jaeger collector (deploy/jaeger/config-kafka-collector.yaml) -> a real
 * Kafka broker (KRaft, the release in tools/versions.json) -> Jaeger ingester (config-kafka-ingester.yaml) -> its
 * query API. Every trace sent is queryable, with exactly the spans sent: none lost, none duplicated; and still so
 * when the ingester is killed (SIGKILL) in the middle of the traffic and started again.
 */
import { randomBytes } from 'node:crypto';

import { postJson } from '../../demo/test/harness/http';
import { freePort, waitFor } from '../../demo/test/harness/process';
import { repoPath } from '../static/lib/repo';
import { Jaeger, loopbackEnv } from './lib/jaeger';
import { KafkaBroker } from './lib/kafka';

const COLLECTOR = 'deploy/jaeger/config-kafka-collector.yaml';
const INGESTER = 'deploy/jaeger/config-kafka-ingester.yaml';
/** The topic both configs name; the compose profile creates it the same way (kafka-topics, 3 partitions). */
const TOPIC = 'jaeger-spans';
const SERVICE = 'kafka-journey';
const SPANS_PER_TRACE = 3;
/** How long the pipeline may take to make a sent trace queryable (a wait limit, not a speed assertion). */
const QUERYABLE_WITHIN_MS = 120_000;

interface SentTrace {
  traceId: string;
  spanIds: string[];
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** A trace of SPANS_PER_TRACE spans (a root and its children) as an OTLP/JSON ResourceSpans. */
function makeTrace(index: number): { sent: SentTrace; resourceSpans: unknown } {
  const traceId = hex(16);
  const spanIds = Array.from({ length: SPANS_PER_TRACE }, () => hex(8));
  const start = BigInt(Date.now()) * 1_000_000n;
  const spans = spanIds.map((spanId, i) => ({
    traceId,
    spanId,
    parentSpanId: i === 0 ? '' : spanIds[0],
    name: i === 0 ? 'GET /checkout' : `step-${i}`,
    kind: i === 0 ? 2 : 1,
    startTimeUnixNano: String(start + BigInt(i) * 1_000_000n),
    endTimeUnixNano: String(start + 50_000_000n),
    attributes: [{ key: 'trace.index', value: { intValue: String(index) } }],
  }));
  return {
    sent: { traceId, spanIds },
    resourceSpans: {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: SERVICE } }] },
      scopeSpans: [{ scope: { name: 'hotpath-e2e-servers' }, spans }],
    },
  };
}

/** Sends `count` traces to the collector's OTLP/HTTP endpoint in requests of `perRequest` traces. */
async function sendTraces(collector: Jaeger, count: number, perRequest: number, from: number): Promise<SentTrace[]> {
  const sent: SentTrace[] = [];
  for (let i = 0; i < count; i += perRequest) {
    const batch = Array.from({ length: Math.min(perRequest, count - i) }, (_, j) => makeTrace(from + i + j));
    const answer = await postJson(`${collector.url('JAEGER_OTLP_HTTP_ENDPOINT')}/v1/traces`, {
      resourceSpans: batch.map((t) => t.resourceSpans),
    });
    if (answer.status !== 200) {
      throw new Error(`OTLP export to the collector: ${answer.status} ${answer.text}`);
    }
    sent.push(...batch.map((t) => t.sent));
  }
  return sent;
}

interface JaegerTraceAnswer {
  data?: Array<{ traceID: string; spans: Array<{ spanID: string }> }>;
}

/** The span IDs the ingester returns for a trace (sorted), or undefined while it does not have the trace yet. */
async function storedSpanIds(ingester: Jaeger, traceId: string): Promise<string[] | undefined> {
  const answer = await ingester.query(`/api/traces/${traceId}`);
  if (answer.status === 404) {
    return undefined;
  }
  if (answer.status !== 200) {
    throw new Error(`GET /api/traces/${traceId}: ${answer.status} ${answer.text.slice(0, 300)}`);
  }
  const body = answer.json() as JaegerTraceAnswer;
  return (body.data ?? []).flatMap((t) => t.spans.map((s) => s.spanID)).sort();
}

/** Waits until every sent trace is stored with all its spans; then returns what the ingester has for each. */
async function waitAllQueryable(ingester: Jaeger, sent: SentTrace[]): Promise<Map<string, string[]>> {
  const stored = new Map<string, string[]>();
  await waitFor(
    `all ${sent.length} traces to be queryable from the ingester`,
    async () => {
      for (const trace of sent) {
        if ((stored.get(trace.traceId)?.length ?? 0) >= SPANS_PER_TRACE) {
          continue;
        }
        const spans = await storedSpanIds(ingester, trace.traceId);
        if (!spans || spans.length < SPANS_PER_TRACE) {
          return undefined;
        }
        stored.set(trace.traceId, spans);
      }
      return true;
    },
    QUERYABLE_WITHIN_MS,
    500
  );
  return stored;
}

/** Trace IDs the ingester's search finds for the test service (search reads the storage's index, not the IDs). */
async function searchedTraceIds(ingester: Jaeger, limit: number): Promise<string[]> {
  const answer = await ingester.query(`/api/traces?service=${SERVICE}&lookback=1h&limit=${limit}`);
  expect(answer.status).toBe(200);
  return ((answer.json() as JaegerTraceAnswer).data ?? []).map((t) => t.traceID);
}

describe('collector -> Kafka -> ingester', () => {
  let kafka: KafkaBroker;
  let collector: Jaeger;
  let ingester: Jaeger;
  const sent: SentTrace[] = [];

  beforeAll(async () => {
    kafka = await KafkaBroker.start();
    kafka.createTopic(TOPIC, 3);
    const upstream = { KAFKA_BROKERS: kafka.bootstrap, PROMETHEUS_URL: `http://127.0.0.1:${await freePort()}` };
    collector = await Jaeger.start(repoPath(COLLECTOR), await loopbackEnv(COLLECTOR, upstream));
    ingester = await Jaeger.start(repoPath(INGESTER), await loopbackEnv(INGESTER, upstream));
  });

  afterAll(async () => {
    await ingester?.dispose();
    await collector?.dispose();
    await kafka?.dispose();
  });

  /** Every sent trace has exactly its spans, and search finds each trace once and no other. */
  async function expectExactlySent(): Promise<void> {
    const stored = await waitAllQueryable(ingester, sent);
    const wrong = sent.filter((t) => JSON.stringify(stored.get(t.traceId)) !== JSON.stringify([...t.spanIds].sort()));
    expect(wrong.map((t) => ({ traceId: t.traceId, sent: t.spanIds, stored: stored.get(t.traceId) }))).toEqual([]);
    const found = await searchedTraceIds(ingester, sent.length * 2);
    expect(found.length).toBe(new Set(found).size);
    expect([...found].sort()).toEqual(sent.map((t) => t.traceId).sort());
  }

  it('every trace sent to the collector is queryable from the ingester, none lost, none duplicated', async () => {
    sent.push(...(await sendTraces(collector, 200, 20, 0)));
    await expectExactlySent();
  });

  it('still none lost nor duplicated when the ingester is killed mid-run and started again', async () => {
    const before = sent.length;
    // Traffic goes on while the ingester is gone: Kafka keeps what the collector writes meanwhile.
    sent.push(...(await sendTraces(collector, 100, 10, before)));
    await ingester.stop('SIGKILL');
    expect(ingester.running).toBe(false);
    sent.push(...(await sendTraces(collector, 100, 10, before + 100)));
    await ingester.restart();
    sent.push(...(await sendTraces(collector, 100, 10, before + 200)));
    await expectExactlySent();
  });
});
