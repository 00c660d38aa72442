/** @jest-environment node */
import { grafanaTraceFrame, jaegerTrace, otlpTrace, SpanSpec, TRACE_ID } from '../../testing/traces';
import { AttributeCollector } from '../aggregate/attributes';
import { collectAttributes } from './attributes';

const SPANS: SpanSpec[] = [
  { id: 'a', service: 'frontend', op: 'GET /', start: 1000, duration: 100, kind: 'server' },
  { id: 'b', parent: 'a', service: 'inventory', op: 'SELECT stock', start: 1010, duration: 50, kind: 'client' },
];

/** Every (service, key, value) collected for trace `traceId`, sorted. */
function attributesOf(input: unknown, traceId: string): string[] {
  const collector = new AttributeCollector();
  collectAttributes(input, collector);
  return [...collector.setOf(traceId)]
    .map((attr) => {
      const key = collector.keyOf(attr);
      return `${collector.service(key)} ${collector.key(key)}=${collector.value(attr)}`;
    })
    .sort();
}

const EXPECTED = ['frontend span.kind=server', 'inventory host.name=node-7', 'inventory span.kind=client'];

describe('collectAttributes', () => {
  it('reads Jaeger span and process tags, keyed by the service of the process', () => {
    const trace = jaegerTrace(SPANS, 'aa');
    const inventory = Object.values(trace.processes).find((p) => p.serviceName === 'inventory');
    Object.assign(inventory ?? {}, { tags: [{ key: 'host.name', type: 'string', value: 'node-7' }] });
    expect(attributesOf({ data: [trace] }, 'aa')).toEqual(EXPECTED);
  });

  it('reads OTLP span and resource attributes', () => {
    const trace = otlpTrace(SPANS, TRACE_ID); // upper-case hex: the reader's normalised ID is lower case
    const inventory = trace.resourceSpans.find((r) => r.resource.attributes[0].value.stringValue === 'inventory');
    inventory?.resource.attributes.push({ key: 'host.name', value: { stringValue: 'node-7' } });
    // Span kinds are not attributes in OTLP: only what the attributes say is collected.
    expect(attributesOf(trace, TRACE_ID).filter((a) => !a.includes('span.kind'))).toEqual([
      'frontend service.name=frontend',
      'inventory host.name=node-7',
      'inventory service.name=inventory',
    ]);
  });

  it("reads a Grafana trace frame's tags and serviceTags (what the panel receives)", () => {
    const frame = grafanaTraceFrame(SPANS, 'cc');
    const serviceTags = frame.data.values[frame.schema.fields.findIndex((f) => f.name === 'serviceTags')];
    serviceTags[1] = [{ key: 'host.name', type: 'string', value: 'node-7' }];
    expect(attributesOf(frame, 'cc')).toEqual(EXPECTED);
  });
});
