/** @jest-environment node */
import { CardinalityGuard } from './cardinality';
import { StreamMetrics } from './metrics';
import type { OpenTrace } from './openTraces';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const MS = 1_000_000n;
const T0 = 1_763_000_000_000n * MS;

function otlpSpan(spanId: string, parent: string, name: string, startMs: bigint, endMs: bigint) {
  return {
    traceId: TRACE,
    spanId,
    parentSpanId: parent,
    name,
    kind: 2,
    startTimeUnixNano: String(T0 + startMs * MS),
    endTimeUnixNano: String(T0 + endMs * MS),
  };
}

/** web "GET /" (0–100 ms) waits on db "query" (10–70 ms), then on db "commit" (70–90 ms). */
function trace(traceId = TRACE): OpenTrace {
  const made = oneTrace();
  const withId = (spans: unknown) => JSON.parse(JSON.stringify(spans).replaceAll(TRACE, traceId));
  return { ...made, traceId, resourceSpans: withId(made.resourceSpans) };
}

function oneTrace(): OpenTrace {
  const resource = (name: string) => ({ attributes: [{ key: 'service.name', value: { stringValue: name } }] });
  return {
    traceId: TRACE,
    resourceSpans: [
      { resource: resource('web'), scopeSpans: [{ spans: [otlpSpan('00000000000000a1', '', 'GET /', 0n, 100n)] }] },
      {
        resource: resource('db'),
        scopeSpans: [
          {
            spans: [
              otlpSpan('00000000000000b1', '00000000000000a1', 'query', 10n, 70n),
              otlpSpan('00000000000000b2', '00000000000000a1', 'commit', 70n, 90n),
              { traceId: TRACE, name: 'no span id' },
            ],
          },
        ],
      },
    ],
    spans: 4,
    lastSeenMs: 0,
    firstOffsets: new Map(),
    lastOffsets: new Map(),
  };
}

function sample(text: string, name: string, labels: string): number {
  const prefix = `${name}{${labels}} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? NaN : Number(line.slice(prefix.length).split(' ')[0]);
}

describe('StreamMetrics.record', () => {
  it('exports the engine critical path per (service, operation), with trace_id exemplars, in OpenMetrics', async () => {
    const metrics = new StreamMetrics(new CardinalityGuard(10));
    metrics.record({ trace: trace(), reason: 'idle' });
    const text = await metrics.registry.metrics();
    expect(metrics.registry.contentType).toMatch(/^application\/openmetrics-text/);
    const seconds = (service: string, operation: string) =>
      sample(text, 'hotpath_critical_path_seconds_total', `service="${service}",operation="${operation}"`);
    expect(seconds('web', 'GET /')).toBeCloseTo(0.02, 9);
    expect(seconds('db', 'query')).toBeCloseTo(0.06, 9);
    expect(seconds('db', 'commit')).toBeCloseTo(0.02, 9);
    expect(sample(text, 'hotpath_traces_total', 'root_service="web"')).toBe(1);
    expect(sample(text, 'hotpath_spans_total', 'outcome="analysed"')).toBe(3);
    expect(sample(text, 'hotpath_spans_total', 'outcome="malformed"')).toBe(1);
    expect(text).toMatch(
      new RegExp(
        `hotpath_trace_critical_path_seconds_bucket\\{.*operation="query".*\\} 1 # \\{trace_id="${TRACE}"\\} 0\\.06`
      )
    );
  });

  it('folds pairs past the cardinality limit into operation "other" and counts their spans', async () => {
    const metrics = new StreamMetrics(new CardinalityGuard(2));
    metrics.record({ trace: trace(), reason: 'evicted' });
    const text = await metrics.registry.metrics();
    expect(sample(text, 'hotpath_critical_path_seconds_total', 'service="db",operation="other"')).toBeCloseTo(0.02, 9);
    expect(sample(text, 'hotpath_spans_total', 'outcome="folded"')).toBe(1);
    expect(sample(text, 'hotpath_spans_total', 'outcome="evicted"')).toBe(3);
  });

  it('a scrape sees every count made before it; the exemplar of a bucket is its first trace since the last scrape', async () => {
    const metrics = new StreamMetrics(new CardinalityGuard(10));
    const ids = ['1'.repeat(32), '2'.repeat(32), '3'.repeat(32)];
    const exemplarOfQuery = (text: string) =>
      /hotpath_trace_critical_path_seconds_bucket\{[^}]*operation="query"[^}]*\} \d+ # \{trace_id="([0-9a-f]+)"\}/.exec(
        text
      )?.[1];
    metrics.record({ trace: trace(ids[0]), reason: 'idle' });
    const first = await metrics.registry.metrics();
    expect(sample(first, 'hotpath_traces_total', 'root_service="web"')).toBe(1);
    expect(exemplarOfQuery(first)).toBe(ids[0]);
    metrics.record({ trace: trace(ids[1]), reason: 'idle' });
    metrics.record({ trace: trace(ids[2]), reason: 'idle' });
    const second = await metrics.registry.metrics();
    expect(sample(second, 'hotpath_traces_total', 'root_service="web"')).toBe(3);
    expect(sample(second, 'hotpath_critical_path_seconds_total', 'service="db",operation="query"')).toBeCloseTo(
      0.18,
      9
    );
    expect(exemplarOfQuery(second)).toBe(ids[1]);
    // Nothing recorded since: the counts stand, the exemplar too.
    const third = await metrics.registry.metrics();
    expect(sample(third, 'hotpath_traces_total', 'root_service="web"')).toBe(3);
    expect(exemplarOfQuery(third)).toBe(ids[1]);
  });
});
