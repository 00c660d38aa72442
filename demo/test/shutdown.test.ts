/**
 * The compose setup's wire format (OTLP/HTTP protobuf, the SDK default) and graceful shutdown: with batches
 * held back for a minute, only the shutdown flush can deliver the spans and logs of the last requests.
 */
import { analyzeTrace, OperationTable, readOtlp } from '../../src/engine';
import { postJson, request } from './harness/http';
import { Cleanup, sleep } from './harness/process';
import { OtlpReceiver } from './harness/receiver';
import { RedisServer } from './harness/redis';
import { startDemo, type Demo } from './harness/services';

const cleanup = new Cleanup();
let receiver: OtlpReceiver;
let demo: Demo;

beforeAll(async () => {
  const redis = await RedisServer.start();
  cleanup.add(() => redis.dispose());
  receiver = new OtlpReceiver();
  await receiver.start();
  cleanup.add(() => receiver.stop());
  const held = { OTEL_BSP_SCHEDULE_DELAY: '60000', OTEL_BLRP_SCHEDULE_DELAY: '60000' };
  demo = await startDemo({
    redisUrl: redis.url,
    otlpUrl: receiver.url,
    protocol: 'http/protobuf',
    // Writes take 400 ms: one will still be running when SIGTERM arrives.
    backendEnv: { ...held, DEMO_FAULTS: 'random-sleep=400ms-400ms' },
    frontendEnv: held,
  });
  cleanup.add(() => demo.stop());
});
afterAll(() => cleanup.run());

test('SIGTERM finishes in-flight work, flushes spans and logs as OTLP protobuf, and exits 0', async () => {
  const frontend = demo.frontend?.url ?? '';
  const answers = await Promise.all([postJson(`${frontend}/api/checkout`, {}), request(`${frontend}/api/visits`)]);
  expect(answers.map((a) => a.status)).toEqual([201, 200]);
  const inFlight = postJson(`${frontend}/api/visits`, { page: 'shutdown' });
  await sleep(150);
  // Held back by the 60 s batch delay.
  expect(receiver.exports).toHaveLength(0);

  const stopping = Promise.all([demo.frontend?.proc.stop('SIGTERM'), demo.backend.proc.stop('SIGTERM')]);
  // The request that was running when the signal came is answered, not cut.
  expect((await inFlight).status).toBe(201);
  const [frontendExit, backendExit] = await stopping;
  expect(frontendExit).toEqual({ code: 0, signal: null });
  expect(backendExit).toEqual({ code: 0, signal: null });

  expect(receiver.rejected).toEqual([]);
  // Exactly the Content-Type Loki's /otlp/v1/logs and Jaeger's OTLP receiver accept.
  const types = new Set(receiver.exports.map((e) => `${e.signal} ${e.contentType}`));
  expect([...types].sort()).toEqual(['logs application/x-protobuf', 'traces application/x-protobuf']);

  const spans = receiver.spans();
  const roots = spans.filter((s) => s.service === 'frontend' && s.parentSpanId === undefined);
  expect(roots.map((s) => s.name).sort()).toEqual(['GET /api/visits', 'POST /api/checkout', 'POST /api/visits']);
  for (const root of roots) {
    const trace = spans.filter((s) => s.traceId === root.traceId);
    expect(new Set(trace.map((s) => s.service))).toEqual(new Set(['frontend', 'backend']));
    // Each backend server span's parent is the frontend's client span of the same trace.
    const server = trace.find((s) => s.service === 'backend' && s.kind === 2);
    const client = trace.find((s) => s.spanId === server?.parentSpanId);
    expect(client).toMatchObject({ service: 'frontend', kind: 3, traceId: root.traceId, parentSpanId: root.spanId });
  }

  // The decoded protobuf is OTLP/JSON-shaped: Hotpath's engine reads it into three whole traces.
  const operations = new OperationTable();
  const parsed = readOtlp(receiver.traceExports(), operations);
  expect(parsed.problems).toEqual([]);
  expect(parsed.traces).toHaveLength(3);
  for (const trace of parsed.traces) {
    const analysis = analyzeTrace(trace);
    expect(analysis.path.diagnostics.orphans).toBe(0);
    expect(analysis.latencyUs).toBeGreaterThan(0);
  }

  // Logs: the request lines carry their trace, and the shutdown lines made it out too.
  const logs = receiver.logs();
  const traceIds = new Set(roots.map((r) => r.traceId));
  const requestLogs = logs.filter((l) => l.body === 'request');
  expect(requestLogs).toHaveLength(6);
  expect(requestLogs.every((l) => l.traceId !== undefined && traceIds.has(l.traceId))).toBe(true);
  for (const service of ['frontend', 'backend']) {
    expect(logs.filter((l) => l.service === service).map((l) => l.body)).toEqual(
      expect.arrayContaining(['shutting down', 'stopped; flushing telemetry'])
    );
  }
});
