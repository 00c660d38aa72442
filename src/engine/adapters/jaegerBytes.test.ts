/** @jest-environment node */
import fc from 'fast-check';

import { listFixtures, readFixtureText } from '../../testing/fixtures';
import { bothPaths } from '../../testing/readerParity';
import { jaegerTrace, SpanSpec } from '../../testing/traces';
import { OperationTable } from '../model/operations';
import { readTraceBytes } from './detect';
import { readJaegerBytes } from './jaegerBytes';
import { CompactSpanReader } from './jaegerCompactSpan';

const encode = (text: string) => new TextEncoder().encode(text);

describe('the byte-scanning Jaeger reader equals JSON.parse + readJaeger', () => {
  const jaegerFiles = listFixtures('jaeger').filter((name) => name !== 'jaeger-ui-critical-path-cases.json');

  it.each(jaegerFiles)('%s', (name) => {
    const { fast, slow } = bothPaths(readFixtureText(`jaeger/${name}`));
    expect(fast).not.toBeNull();
    expect(fast).toEqual(slow);
  });

  it('from a Node Buffer too (its native latin1 decoding path)', () => {
    for (const name of jaegerFiles) {
      const text = readFixtureText(`jaeger/${name}`);
      const fromBuffer = readJaegerBytes(Buffer.from(text), new OperationTable(), 'in.json');
      const fromArray = readJaegerBytes(encode(text), new OperationTable(), 'in.json');
      expect(fromBuffer?.traces.map((t) => t.spanIds)).toEqual(fromArray?.traces.map((t) => t.spanIds));
      expect(fromBuffer?.traces.map((t) => t.traceId)).toEqual(fromArray?.traces.map((t) => t.traceId));
    }
  });

  it.each([
    ['a search (/api/traces)', 'demo-slow-redis.search.json'],
    ['a trace by ID with prettyPrint=true', 'demo-slow-redis.trace-pretty.json'],
  ])('on real Jaeger 2.12 answers, %s: the compact reader takes every span', (_what, name) => {
    const text = readFixtureText(`jaeger/jaeger-2.12/${name}`);
    const { fast, slow } = bothPaths(text);
    expect(fast).toEqual(slow);
    const spans = (JSON.parse(text) as { data: Array<{ spans: unknown[] }> }).data.reduce(
      (sum, trace) => sum + trace.spans.length,
      0
    );
    expect(spans).toBeGreaterThan(0);
    expect(readJaegerBytes(encode(text), new OperationTable())?.spanReads).toEqual({ compact: spans, general: 0 });
  });

  it('on every CRISP case (bare envelopes with extra keys)', () => {
    for (const name of listFixtures('jaeger/crisp-test-cases')) {
      const { fast, slow } = bothPaths(readFixtureText(`jaeger/crisp-test-cases/${name}`));
      expect(fast).toEqual(slow);
    }
  });

  it('on random traces, with white space, key order and escapes varied', () => {
    const spanSpec = fc.record({
      id: fc.stringMatching(/^[0-9a-f]{1,16}$/),
      parent: fc.option(fc.stringMatching(/^[0-9a-f]{1,16}$/), { nil: undefined }),
      follows: fc.boolean(),
      service: fc.constantFrom('api', 'db "primary"', 'caché', 'a\\b'),
      op: fc.string({ maxLength: 12, unit: 'binary' }),
      start: fc.integer({ min: 0, max: 2 ** 52 }),
      duration: fc.integer({ min: -5, max: 100000 }),
      kind: fc.constantFrom(undefined, 'server', 'client', 'producer', 'consumer'),
      error: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(spanSpec, { maxLength: 12 }), fc.nat(2), fc.boolean(), (specs, layout, reversed) => {
        const trace = jaegerTrace(specs as SpanSpec[]);
        const spans = trace.spans.map((s) =>
          reversed ? Object.fromEntries(Object.entries({ ...s, logs: [{ fields: [] }], warnings: null }).reverse()) : s
        );
        // Compact; indented (compacted before reading); or spaced but not indented at the start (the general walk).
        const document = { data: [{ ...trace, spans }], total: 0 };
        const text = [
          JSON.stringify(document),
          JSON.stringify(document, null, 2),
          JSON.stringify(document, null, 2).replace(/^\{\s+/, '{'),
        ][layout];
        const { fast, slow } = bothPaths(text);
        expect(fast).toEqual(slow);
      })
    );
  });

  it('reads tags in every layout the same way (the compact one has a fast path)', () => {
    const layouts = [
      '{"key":"span.kind","type":"string","value":"client"}',
      '{"key":"error","type":"bool","value":true}',
      '{"key":"http.status_code","type":"int64","value":503}',
      '{"key":"otel.status_code","type":"string","value":{"nested":["ERROR"]}}',
      '{"key":"span.kind","value":"server","type":"string"}',
      '{"type":"string","key":"span.kind","value":"producer"}',
      '{"key":"span.kind","type":"string","value":"consumer","extra":1}',
      '{"key":"span.kind", "type":"string","value":"client"}',
      '{"key":"span.kind","type":"string","value":"client" }',
      '{"key":7,"type":"string","value":"server"}',
      '{"key":"http.method","type":"string","value":"GET"}',
      '{"key":"error","type":{"a":[1,"}"]},"value":true}',
      '{"key":"span.kind","type":"string"}',
      '{"value":"server"}',
      '{}',
      '"not a tag"',
    ];
    for (const first of layouts) {
      for (const second of layouts) {
        const span = `{"spanID":"a","operationName":"op","startTime":1,"duration":2,"tags":[${first},${second}]}`;
        const { fast, slow } = bothPaths(`{"data":[{"traceID":"t","spans":[${span}],"processes":{}}]}`);
        expect(fast).toEqual(slow);
      }
    }
  });

  it('reads references in every layout the same way (the compact one has a fast path)', () => {
    const layouts = [
      '{"refType":"CHILD_OF","traceID":"t","spanID":"p"}',
      '{"refType":"FOLLOWS_FROM","traceID":"t","spanID":"q"}',
      '{"refType":"CHILD_OF","traceID":"other","spanID":"q"}',
      '{"refType":"CHILD_OF","traceID":"","spanID":"q"}',
      '{"refType":"LINK","traceID":"t","spanID":"p"}',
      '{"refType":"CHILD_OF","traceID":"t","spanID":7}',
      '{"refType":"CHILD_OF","traceID":"t","spanID":"q","extra":[1]}',
      '{"refType":"CHILD_OF","traceID":"t","spanID":"q" }',
      '{"traceID":"t","refType":"FOLLOWS_FROM","spanID":"p"}',
      '{"refType":"CHILD_OF","spanID":"q"}',
      '{"refType":"CHILD_OF","traceID":{"x":"t"},"spanID":"q"}',
      '{}',
      'null',
    ];
    const parents = '{"spanID":"p","startTime":0,"duration":9},{"spanID":"q","startTime":1,"duration":5}';
    for (const first of layouts) {
      for (const second of layouts) {
        const span = `{"spanID":"a","startTime":2,"duration":2,"references":[${first},${second}]}`;
        for (const traceId of ['"traceID":"t",', '']) {
          const doc = `{"data":[{${traceId}"spans":[${parents},${span}],"processes":{}}]}`;
          const { fast, slow } = bothPaths(doc);
          expect(fast).toEqual(slow);
        }
      }
    }
  });

  describe("the compact-span reader (Jaeger's own layout, read in one pass)", () => {
    const base = {
      traceID: 't',
      spanID: 'a',
      operationName: 'GET /',
      references: [{ refType: 'CHILD_OF', traceID: 't', spanID: 'p' }],
      startTime: 1763000000053909,
      duration: 451,
      tags: [
        { key: 'span.kind', type: 'string', value: 'client' },
        { key: 'db.statement', type: 'string', value: 'SELECT 1' },
        { key: 'http.status_code', type: 'int64', value: 503 },
      ],
      logs: [],
      processID: 'p1',
      warnings: null,
      flags: 1,
    };
    const parent = {
      spanID: 'p',
      operationName: 'root',
      startTime: 1763000000000000,
      duration: 90000,
      processID: 'p1',
    };
    const documentWith = (span: object, traceId: object = { traceID: 't' }) =>
      JSON.stringify({
        data: [{ ...traceId, spans: [parent, span], processes: { p1: { serviceName: 'api', tags: [] } } }],
      });

    /** Reads `text` both ways and returns how many spans the compact reader took (the rest it declined). */
    function compactReads(text: string): number {
      const read = jest.spyOn(CompactSpanReader.prototype, 'read');
      try {
        const { fast, slow } = bothPaths(text);
        expect(fast).not.toBeNull();
        expect(fast).toEqual(slow);
        return read.mock.results.filter((result) => result.value === true).length;
      } finally {
        read.mockRestore();
      }
    }

    it('takes every span of the layout Jaeger writes, and of the generated benchmark sets', () => {
      expect(compactReads(documentWith(base))).toBe(2);
      const generated = JSON.stringify({
        data: [jaegerTrace([{ id: 'r', service: 'api', op: 'x', start: 0, duration: 9 }])],
      });
      expect(compactReads(generated)).toBe(1);
    });

    // Each variant leaves the layout in one place; the reader must decline it (or read it right), never misread it.
    const variants: Array<[string, object]> = [
      ['a fractional duration', { duration: 1.5 }],
      ['a negative duration', { duration: -3 }],
      ['an exponent', { startTime: 1e3 }],
      ['an integer beyond 2^53', { startTime: 9007199254740993 }],
      ['a duration as a string', { duration: '12' }],
      ['a null duration', { duration: null }],
      ['a numeric span ID', { spanID: 7 }],
      ['an escaped span ID', { spanID: 'a"b' }],
      ['a non-ASCII operation', { operationName: 'café' }],
      ['a null operation', { operationName: null }],
      ['a numeric process ID', { processID: 3 }],
      ['an inline process', { process: { serviceName: 'inline' } }],
      ['a legacy parentSpanID', { references: [], parentSpanID: 'p' }],
      ['a FOLLOWS_FROM reference', { references: [{ refType: 'FOLLOWS_FROM', traceID: 't', spanID: 'p' }] }],
      ['a reference into another trace', { references: [{ refType: 'CHILD_OF', traceID: 'u', spanID: 'p' }] }],
      ['a reference with an empty trace ID', { references: [{ refType: 'CHILD_OF', traceID: '', spanID: 'p' }] }],
      ['an unknown reference type', { references: [{ refType: 'LINK', traceID: 't', spanID: 'p' }] }],
      ['an escaped reference trace ID', { references: [{ refType: 'CHILD_OF', traceID: 't\n', spanID: 'p' }] }],
      ['two references', { references: [base.references[0], { refType: 'FOLLOWS_FROM', traceID: 't', spanID: 'a' }] }],
      [
        'tag values of every type',
        {
          tags: [
            { key: 'error', type: 'bool', value: true },
            { key: 'x', type: 'float64', value: -1.5 },
          ],
        },
      ],
      ['a fact tag with a fraction', { tags: [{ key: 'http.status_code', type: 'float64', value: 502.5 }] }],
      ['a fact tag with null', { tags: [{ key: 'otel.status_code', type: 'string', value: null }] }],
      ['a fact tag spelled differently', { tags: [{ key: 'otel.status_code', type: 'string', value: 'Error' }] }],
      [
        'a tag with an escaped value',
        { tags: [{ key: 'db.statement', type: 'string', value: 'a "quoted" \\ value' }] },
      ],
      ['logs and warnings', { logs: [{ timestamp: 1, fields: [{ key: 'event', value: '}]' }] }], warnings: ['w'] }],
      ['an unknown member with nesting', { extra: { deep: [1, { x: '"' }] } }],
    ];
    it.each(variants)('declines or reads right: %s', (_name, change) => {
      compactReads(documentWith({ ...base, ...change }));
      compactReads(documentWith({ ...base, ...change }, {}));
    });

    it('compares reference trace IDs exactly, also when the trace ID needs escaping', () => {
      for (const traceId of ['t', 'T', 't0', 'a"b', 'a\\b', 'é', '']) {
        for (const refTrace of ['t', traceId, `${traceId}x`, '']) {
          const references = [{ refType: 'CHILD_OF', traceID: refTrace, spanID: 'p' }];
          compactReads(documentWith({ ...base, references }, { traceID: traceId }));
        }
      }
    });

    it('reads escaped tag keys, reference types and IDs as JSON.parse decodes them (the raw bytes differ)', () => {
      const escapes: Array<[string, string]> = [
        ['"key":"span.kind"', '"key":"span\\u002ekind"'],
        ['"refType":"CHILD_OF"', '"refType":"CHILD\\u005fOF"'],
        ['"traceID":"t","spanID":"p"', '"traceID":"\\u0074","spanID":"p"'],
      ];
      for (const [plain, escaped] of escapes) {
        const text = documentWith(base);
        expect(text).toContain(plain);
        compactReads(text.replace(plain, escaped));
      }
    });

    it('declines a document with escaped member names, which JSON.parse then reads', () => {
      for (const [plain, escaped] of [
        ['"duration":451', '"dur\\u0061tion":451'],
        ['"traceID":"t","spans"', '"trace\\u0049D":"t","spans"'],
      ]) {
        const text = documentWith(base).replace(plain, escaped);
        expect(text).toContain(escaped);
        expect(readJaegerBytes(encode(text), new OperationTable())).toBeNull();
        const viaBytes = readTraceBytes(encode(text), new OperationTable());
        expect(viaBytes.traces.map((t) => t.size)).toEqual([2]);
        expect(viaBytes.problems).toEqual([]);
      }
    });

    it('rejects a raw control character in any string, skipped or read, as JSON.parse does', () => {
      const tab = String.fromCharCode(9);
      // A tag value and a tag key (skipped), an operation name and a process ID (read), a member name (skipped).
      const places = ['"SELECT 1"', '"db.statement"', '"GET /"', '"p1"', '"flags"'];
      for (const layout of [documentWith(base), JSON.stringify(JSON.parse(documentWith(base)), null, 1)]) {
        for (const place of places) {
          expect(layout).toContain(place);
          const text = layout.replace(place, `${place.slice(0, -1)}${tab}"`);
          expect(() => JSON.parse(text)).toThrow();
          expect(readJaegerBytes(encode(text), new OperationTable())).toBeNull();
          expect(() => readTraceBytes(encode(text), new OperationTable(), 'x.json')).toThrow(
            /^x\.json: not valid JSON/
          );
        }
      }
    });

    it('reads repeated members as JSON.parse does: the last one wins', () => {
      const text = documentWith(base).replace('"duration":451', '"duration":451,"duration":7,"references":[]');
      expect(compactReads(text)).toBe(2);
      const twice = documentWith(base).replace(
        '"flags":1',
        '"flags":1,"references":[{"refType":"CHILD_OF","traceID":"t","spanID":"a"}]'
      );
      expect(compactReads(twice)).toBe(2);
      const tagsTwice = documentWith(base).replace(
        '"logs":[]',
        '"tags":[{"key":"error","type":"bool","value":false}],"logs":[]'
      );
      expect(compactReads(tagsTwice)).toBe(2);
      // The general walk too (white space inside a span sends it there; the document does not start indented).
      const spaced = documentWith(base).replace('"flags":1', '"flags":1, "references":[], "tags":[]');
      expect(spaced).toContain('"references":[], "tags":[]');
      expect(compactReads(spaced)).toBe(1);
    });

    it('counts the spans each reader took (spanReads), as the spy on the compact reader sees them', () => {
      const spaced = documentWith(base).replace('"flags":1', '"flags":1, "tags":[]');
      const threeSpans = JSON.stringify({
        data: [{ traceID: 't', spans: [parent, base, { ...base, spanID: 'b' }], processes: {} }],
      });
      for (const [text, reads] of [
        [documentWith(base), { compact: 2, general: 0 }],
        [spaced, { compact: 1, general: 1 }],
        [threeSpans, { compact: 3, general: 0 }],
        // Indented (prettyPrint): compacted first, so the compact reader takes every span.
        [JSON.stringify(JSON.parse(threeSpans), null, 4), { compact: 3, general: 0 }],
      ] as const) {
        expect(readJaegerBytes(encode(text), new OperationTable())?.spanReads).toEqual(reads);
        expect(compactReads(text)).toBe(reads.compact);
      }
    });
  });

  it('reads each trace of a document as it reads that trace alone (readers reuse their columns between traces)', () => {
    const chain = (n: number, prefix: string, parentOfFirst?: string): SpanSpec[] =>
      Array.from({ length: n }, (_, i) => ({
        id: `${prefix}${i}`,
        parent: i === 0 ? parentOfFirst : `${prefix}${i - 1}`,
        follows: i % 5 === 4,
        service: i % 3 === 0 ? 'api' : 'db',
        op: `op${i % 7}`,
        start: i,
        duration: 1000 - i,
        kind: i % 2 === 0 ? 'server' : 'client',
        error: i % 11 === 0,
      }));
    // A long trace, a short one whose first span is an orphan, one with a bad span, then a long one again.
    const traces = [
      jaegerTrace(chain(150, 'a'), 'ta'),
      jaegerTrace(chain(3, 'b', 'missing'), 'tb'),
      { ...jaegerTrace(chain(5, 'c'), 'tc'), spans: [{ spanID: 'bad', startTime: 'x', duration: 1 }] },
      jaegerTrace(chain(90, 'd'), 'td'),
    ];
    const together = bothPaths(JSON.stringify({ data: traces }));
    expect(together.fast).toEqual(together.slow);
    const alone = traces.map((trace) => bothPaths(JSON.stringify({ data: [trace] })));
    const fastTraces = together.fast?.traces ?? [];
    expect(fastTraces.map((t) => t.traceId)).toEqual(['ta', 'tb', 'tc', 'td'].filter((id) => id !== 'tc'));
    for (const [i, id] of ['ta', 'tb', 'td'].entries()) {
      const single = alone[[0, 1, 3][i]];
      expect(single.fast?.traces).toEqual([fastTraces.find((t) => t.traceId === id)]);
      expect(single.slow.traces).toEqual([together.slow.traces.find((t) => t.traceId === id)]);
    }
  });

  it('reads a bare trace, an array of traces and bad spans the same way', () => {
    const bad = {
      traceID: 't1',
      spans: [{ spanID: 'a', startTime: 'soon', duration: 1 }, 7, { startTime: 1, duration: 1 }],
      processes: {},
    };
    for (const doc of [bad, [bad, { nope: true }], { data: [bad, null] }]) {
      const { fast, slow } = bothPaths(JSON.stringify(doc));
      expect(fast).toEqual(slow);
    }
  });

  it('declines what is not Jaeger JSON, so the general path reads or reports it', () => {
    expect(readJaegerBytes(encode('{"resourceSpans": []}'), new OperationTable())).toBeNull();
    expect(readJaegerBytes(encode('{"data": [ {"spans": [}'), new OperationTable())).toBeNull();
    expect(readJaegerBytes(encode('{"hello": 1}'), new OperationTable())).toBeNull();
    expect(readJaegerBytes(encode('{"data": []} trailing'), new OperationTable())).toBeNull();
    const otlp = readTraceBytes(encode(readFixtureText('otlp/otel-proto-example-trace.json')), new OperationTable());
    expect(otlp.traces).toHaveLength(1);
    expect(() => readTraceBytes(encode('{"data": ['), new OperationTable(), 'x.json')).toThrow(
      /^x\.json: not valid JSON/
    );
  });
});

/** Each case below was found by the fuzz suite (src/cli/fuzz.test.ts) and failed before its fix. */
describe('the fast path agrees with JSON.parse on hostile input (fuzz findings)', () => {
  const trace = (extra: object = {}) => ({
    traceID: 't',
    spans: [{ traceID: 't', spanID: 'a', operationName: 'op', startTime: 1, duration: 5, processID: 'p1' }],
    processes: { p1: { serviceName: 'api' } },
    ...extra,
  });

  it('names a process ID that is an object or array the same way (it was "[object Object]" vs "p1")', () => {
    for (const processID of [['p1'], [['p1']], { id: 'p1' }]) {
      const spans = [{ traceID: 't', spanID: 'a', operationName: 'op', startTime: 1, duration: 5, processID }];
      const { fast, slow } = bothPaths(JSON.stringify({ data: [trace({ spans })] }));
      expect(fast).toEqual(slow);
      expect(slow.traces[0].operation).toEqual(['(unknown service: process not a string)::op']);
    }
  });

  it('declines a top-level array whose first item is not a Jaeger trace, as format detection does', () => {
    const otlp = readFixtureText('otlp/otel-proto-example-trace.json');
    for (const text of ['[]', '[[{"spans":[]}]]', '[1, {"spans":[]}]', `[${otlp}]`, '[{"traceID":"t"}]']) {
      expect(readJaegerBytes(encode(text), new OperationTable())).toBeNull();
    }
    // An array of OTLP exports (not JSON lines) is OTLP: it was read as Jaeger and found no trace.
    expect(readTraceBytes(encode(`[${otlp}]`), new OperationTable()).traces).toHaveLength(1);
  });

  it('declines repeated trace-level keys (JSON.parse keeps the last; the reader had read the first)', () => {
    const one = JSON.stringify(trace()).slice(1, -1);
    const documents = [
      `{"data":[${JSON.stringify(trace())}],"data":1e308}`,
      `{"data":[{${one},"spans":[]}]}`,
      `{"data":[{${one},"traceID":"other"}]}`,
      `{"data":[{${one},"processes":{"p1":{"serviceName":"db"}}}]}`,
      `{${one},"spans":7}`,
    ];
    for (const text of documents) {
      expect(readJaegerBytes(encode(text), new OperationTable())).toBeNull();
    }
    // The general path then reads what JSON.parse keeps: here a `data` that is no longer an array.
    expect(() => readTraceBytes(encode(documents[0]), new OperationTable())).toThrow(/expected Jaeger JSON/);
    expect(readTraceBytes(encode(documents[1]), new OperationTable()).traces).toEqual([]);
  });

  it('a repeated process ID or tag key counts as JSON.parse counts it', () => {
    const processes = '{"p1":{"serviceName":"api"},"p1":{"tags":[]}}';
    const text = JSON.stringify({ data: [trace()] }).replace('{"p1":{"serviceName":"api"}}', processes);
    const { fast, slow } = bothPaths(text);
    expect(fast).toEqual(slow);
    expect(slow.traces[0].operation).toEqual(['(unknown service: process p1)::op']);

    const tags = '"tags":[{"key":"x","value":true,"key":"error"}]';
    const tagged = JSON.stringify({ data: [trace()] }).replace('"startTime"', `${tags},"startTime"`);
    expect(bothPaths(tagged).fast).toBeNull();
    expect(bothPaths(tagged).slow.traces[0].error).toEqual([1]);
  });

  it('declines malformed JSON inside skipped values (escapes, grammar, numbers), which JSON.parse refuses', () => {
    const skipped = ['"\\a"', '"\\u12"', '{"a" 1}', '{"a":1,}', '[1,]', '{1:2}', '[1:2]', '{"a"}', '1.', '1.e5', '-'];
    for (const value of skipped) {
      const text = JSON.stringify({ data: [trace({ warnings: 'HERE' })] }).replace('"HERE"', value);
      expect(readJaegerBytes(encode(text), new OperationTable())).toBeNull();
      expect(() => readTraceBytes(encode(text), new OperationTable())).toThrow(/not valid JSON/);
    }
  });
});
