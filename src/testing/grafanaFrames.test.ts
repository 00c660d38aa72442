/** @jest-environment node */
import { readFixture } from './fixtures';
import { jaegerTraceToFrame, JaegerTrace, WireFrame } from './grafanaFrames';

describe('jaegerTraceToFrame reproduces the data source’s golden frame', () => {
  const golden = readFixture<{ frames: WireFrame[] }>('jaeger/grafana-frames/complex-trace.frame.json').frames[0];
  const trace = readFixture<{ data: JaegerTrace[] }>('jaeger/grafana-complex-trace.json').data[0];
  const built = jaegerTraceToFrame(trace, 'test');

  it('has the same fields in the same order', () => {
    expect(built.schema.fields.map((f) => f.name)).toEqual(golden.schema.fields.map((f) => f.name));
    expect(built.schema.meta).toEqual(golden.schema.meta);
  });

  it('has the same values, column by column (stackTraces aside)', () => {
    golden.schema.fields.forEach((field, column) => {
      if (field.name !== 'stackTraces') {
        expect({ field: field.name, values: built.data.values[column] }).toEqual({
          field: field.name,
          values: golden.data.values[column],
        });
      }
    });
  });
});
