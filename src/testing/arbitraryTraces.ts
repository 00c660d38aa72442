/**
 * Test-only fast-check arbitraries: random traces as `SpanSpec` lists (see ./traces for turning them into Jaeger,
 * OTLP or Grafana-frame input).
 */
import fc from 'fast-check';

import { SpanSpec } from './traces';

const KINDS = [undefined, 'server', 'client', 'producer', 'consumer', 'internal'] as const;

/**
 * Random trees: every span but the first has an earlier span as parent; times (integer µs) may overflow, skew or
 * be 0. Few names, so operations repeat — under other parents and under themselves.
 */
export const arbitraryTrace: fc.Arbitrary<SpanSpec[]> = fc
  .array(
    fc.record({
      parentPick: fc.nat(),
      offset: fc.integer({ min: -200, max: 1200 }),
      duration: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1000 })),
      follows: fc.boolean(),
      error: fc.boolean(),
      kind: fc.constantFrom(...KINDS),
      service: fc.constantFrom('api', 'db', 'cache'),
      op: fc.constantFrom('GET', 'query', 'get', 'work'),
    }),
    { minLength: 0, maxLength: 40 }
  )
  .map((rows) => {
    const base = 1_700_000_000_000_000;
    const spans: SpanSpec[] = [{ id: id(0), start: base, duration: 1000, service: 'api', op: 'root', kind: 'server' }];
    rows.forEach((row, k) => {
      const parent = spans[row.parentPick % spans.length];
      spans.push({
        id: id(k + 1),
        parent: parent.id,
        follows: row.follows && row.parentPick % 5 === 0,
        start: parent.start + row.offset,
        duration: row.duration,
        kind: row.kind,
        service: row.service,
        op: row.op,
        error: row.error,
      });
    });
    return spans;
  });

/** A few random traces; the first span of some is renamed, so that a set has more than one root operation. */
export const arbitraryTraceSet: fc.Arbitrary<SpanSpec[][]> = fc
  .array(fc.tuple(arbitraryTrace, fc.constantFrom('root', 'GET /', 'GET')), { minLength: 1, maxLength: 8 })
  .map((traces) => traces.map(([spans, rootOp]) => [{ ...spans[0], op: rootOp }, ...spans.slice(1)]));

function id(n: number): string {
  return (n + 1).toString(16).padStart(16, '0');
}
