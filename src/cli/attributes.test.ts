/** @jest-environment node */
import { hotpath } from './testing/runMain';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { jaegerTrace, otlpTrace, SpanSpec } from '../testing/traces';
import type { JsonOutput } from './render/json';

/**
 * 200 requests: frontend `GET /` calls inventory `SELECT stock`. Inventory runs on node-1 … node-4, except that
 * 16 of the 20 slow requests (and 2 fast ones) ran on node-7, where SELECT stock takes 300 ms instead of 20.
 * Every trace also carries a unique `request.id`, which must be skipped as an identifier.
 */
function requests(): Array<{ spans: SpanSpec[]; host: string; requestId: string; traceId: string }> {
  const list = [];
  for (let i = 0; i < 200; i++) {
    const slow = i % 10 === 0;
    const node7 = slow ? i % 50 !== 0 : i === 3 || i === 7;
    const selectUs = slow ? 300_000 : 20_000 + (i % 13) * 1000;
    const traceId = (i + 1).toString(16).padStart(32, '0');
    const spans: SpanSpec[] = [
      {
        id: `a${i}`,
        service: 'frontend',
        op: 'GET /',
        start: 1e15 + i * 1e7,
        duration: selectUs + 10_000,
        kind: 'server',
      },
      {
        id: `b${i}`,
        parent: `a${i}`,
        service: 'inventory',
        op: 'SELECT stock',
        start: 1e15 + i * 1e7 + 5000,
        duration: selectUs,
      },
    ];
    list.push({ spans, host: node7 ? 'node-7' : `node-${1 + (i % 4)}`, requestId: `req-${i}`, traceId });
  }
  return list;
}

type Tag = { key: string; type: string; value: unknown };
type JaegerJson = { spans: Array<{ tags: Tag[] }>; processes: Record<string, { serviceName: string; tags: Tag[] }> };

function jaegerInput(): string {
  const data = requests().map(({ spans, host, requestId, traceId }) => {
    const trace: JaegerJson = jaegerTrace(spans, traceId);
    for (const [id, process] of Object.entries(trace.processes)) {
      // Both services have a host.name; only inventory's tells the slow requests apart.
      const tags = [{ key: 'host.name', type: 'string', value: process.serviceName === 'inventory' ? host : 'web-1' }];
      trace.processes[id] = { ...process, tags };
    }
    trace.spans[0].tags.push({ key: 'request.id', type: 'string', value: requestId });
    return trace;
  });
  return JSON.stringify({ data });
}

function otlpInput(): string {
  return requests()
    .map(({ spans, host, traceId }) => {
      const trace = otlpTrace(spans, traceId);
      for (const resource of trace.resourceSpans) {
        const service = resource.resource.attributes[0].value.stringValue;
        resource.resource.attributes.push({
          key: 'host.name',
          value: { stringValue: service === 'inventory' ? host : 'web-1' },
        });
      }
      return JSON.stringify(trace);
    })
    .join('\n');
}

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'hotpath-attributes-'));
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('hotpath analyze --compare: what the slow requests share', () => {
  it('comes with every comparison, as with --attributes; --no-attributes lists none', async () => {
    const file = path.join(scratch, 'plain.json');
    writeFileSync(file, jaegerInput());
    const argv = ['analyze', file, '--compare', '100ms', '--format', 'json'];
    const run = await hotpath(argv);
    expect(run.stderr).toBe('');
    expect((JSON.parse(run.stdout) as JsonOutput).comparison?.attributes?.[0]?.value).toBe('node-7');
    expect(await hotpath([...argv, '--attributes'])).toEqual(run);
    const without = await hotpath([...argv, '--no-attributes']);
    const comparison = (JSON.parse(without.stdout) as JsonOutput).comparison;
    expect(comparison).toBeDefined();
    expect(comparison?.attributes).toBeUndefined();
    expect(comparison?.attributeAnalysis).toBeUndefined();
    const alone = await hotpath(['analyze', file, '--attributes']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('--attributes needs --compare');
  });

  it('lists the planted host first in JSON, with counts, its bound and the critical-path difference', async () => {
    const file = path.join(scratch, 'traces.json');
    writeFileSync(file, jaegerInput());
    const run = await hotpath(['analyze', file, '--compare', '100ms', '--attributes', '--format', 'json']);
    expect(run.stderr).toBe('');
    const comparison = (JSON.parse(run.stdout) as JsonOutput).comparison;
    const top = comparison?.attributes?.[0];
    expect(top).toMatchObject({
      service: 'inventory',
      key: 'host.name',
      value: 'node-7',
      slowTraces: 16,
      baselineTraces: 2,
      slowShare: 0.8,
      baselineShare: 2 / 180,
    });
    expect(top?.lowerBound).toBeGreaterThan(0);
    expect(top?.hotspotDeltaMs).toBeCloseTo(0, 6); // slow traces take 300 ms in SELECT stock wherever they ran
    expect(comparison?.attributes?.some((row) => row.service === 'frontend')).toBe(false);
    expect(comparison?.attributeAnalysis?.skippedKeys).toEqual([
      { service: 'frontend', key: 'request.id', distinctValues: 200, traces: 200, reason: 'identifier' },
    ]);
    expect(comparison?.attributeAnalysis?.hotspotOperations[0]).toEqual({
      service: 'inventory',
      operation: 'SELECT stock',
    });
  });

  it('reads resource attributes of OTLP JSON lines from stdin and prints the section under the comparison', async () => {
    const run = await hotpath(['analyze', '-', '--compare', '100ms', '--attributes'], otlpInput());
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    const section = lines.indexOf('What the slow requests share:');
    expect(section).toBeGreaterThan(lines.findIndex((line) => line.startsWith('Slow vs baseline')));
    expect(lines[section + 2]).toMatch(/^1 +inventory +host\.name=node-7 +80\.0 % +1\.1 % +\d+\.\d %/);
  });

  it('says so when nothing is over-represented', async () => {
    const file = path.join(scratch, 'noise.json');
    const input = JSON.parse(jaegerInput()) as { data: JaegerJson[] };
    for (const trace of input.data) {
      for (const process of Object.values(trace.processes)) {
        process.tags = [];
      }
    }
    writeFileSync(file, JSON.stringify(input));
    const run = await hotpath(['analyze', file, '--compare', '100ms', '--attributes']);
    expect(run.stdout).toContain('No attribute value is over-represented in the slow traces at 95.0 % confidence');
  });
});
