/** @jest-environment node */
import { grafanaTraceFrame, otlpTrace } from '../../testing/traces';
import { OperationTable } from '../model/operations';
import { TraceInputError } from '../model/problems';
import { readTraceText, readTraces } from './detect';

/**
 * Input nested far deeper than any trace, found by the fuzz suite (src/cli/fuzz.test.ts): JSON.parse builds it
 * without complaint, and any recursive walk over it (`String([[…]])` and `Number([[…]])` recurse through
 * Array.prototype.toString) overflowed the stack — an unclassified RangeError instead of a reading.
 */
function nestedArray(depth: number): unknown {
  let value: unknown = 'x';
  for (let i = 0; i < depth; i++) {
    value = [value];
  }
  return value;
}

const DEEP = 200_000;

describe('deeply nested values', () => {
  it('in a Grafana trace frame cell (trace ID, service, operation): read as empty text, no stack overflow', () => {
    const frame = grafanaTraceFrame([{ id: 'a', start: 1000, duration: 10 }]);
    const names = frame.schema.fields.map((f) => f.name);
    for (const name of ['traceID', 'serviceName', 'operationName']) {
      const values = frame.data.values.map((column, i) => (names[i] === name ? [nestedArray(DEEP)] : column));
      const parsed = readTraces({ ...frame, data: { values } }, new OperationTable());
      expect(parsed.traces).toHaveLength(1);
    }
  });

  it('in an OTLP attribute value (intValue, doubleValue): not a number, no stack overflow', () => {
    const otlp = otlpTrace([{ id: 'aaaaaaaaaaaaaaaa', start: 1000, duration: 10 }]);
    const span = otlp.resourceSpans[0].scopeSpans[0].spans[0];
    span.attributes = [
      { key: 'http.status_code', value: { intValue: nestedArray(DEEP) } },
      { key: 'http.response.status_code', value: { doubleValue: nestedArray(DEEP) } },
    ] as never;
    const parsed = readTraces(otlp, new OperationTable());
    expect(parsed.traces).toHaveLength(1);
    expect(parsed.traces[0].error).toEqual(new Uint8Array([0]));
  });

  it('as the whole document: a classified input error that says what was found', () => {
    const text = '['.repeat(DEEP) + ']'.repeat(DEEP);
    expect(() => readTraceText(text, new OperationTable(), 'deep.json')).toThrow(TraceInputError);
    expect(() => readTraceText(text, new OperationTable(), 'deep.json')).toThrow(
      'found an empty array inside 199999 nested arrays'
    );
    expect(() => readTraces(nestedArray(2), new OperationTable())).toThrow(/found an array of an array of a string$/);
  });
});
