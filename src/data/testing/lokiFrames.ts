/**
 * Test-only: what Grafana's Loki data source makes of a Loki HTTP API response (grafana/grafana pkg/tsdb/loki,
 * layouts as in its golden files `testdata/vector_simple.golden.jsonc`, `matrix_nan.golden.jsonc` and
 * `streams_simple.golden.jsonc`), so the recorded Loki responses in test/fixtures/loki/ can be served through
 * the `/api/ds/query` double.
 * - vector / matrix: one frame per series named by its labels (`{}` when none), fields `Time` (time) and `Value`
 *   (number, with the labels), `NaN` sent as `null` plus `entities: {NaN: [rows]}`;
 * - streams: one frame, fields `labels` (other), `Time`, `Line`, `tsNs`, `id` — one row per line.
 *   (Grafana's `id` is a hash of the line; this one is only unique, which is all a line count needs.)
 */
import type { WireFrame } from '../../testing/grafanaFrames';

type Sample = [number | string, string];
interface LokiResponse {
  status: string;
  data: {
    resultType: 'vector' | 'matrix' | 'streams';
    result: Array<{
      metric?: Record<string, string>;
      stream?: Record<string, string>;
      value?: Sample;
      values?: Array<Sample | [string, string, unknown]>;
    }>;
  };
}

function labelString(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `{${parts.join(', ')}}`;
}

export function lokiToFrames(response: unknown, expr: string): WireFrame[] {
  const { data } = response as LokiResponse;
  if (data.resultType === 'streams') {
    return [streamsFrame(data.result, expr)];
  }
  return data.result.map((series) => {
    const labels = series.metric ?? {};
    const samples = (series.values ?? (series.value ? [series.value] : [])) as Sample[];
    const times = samples.map(([t]) => Math.round(Number(t) * 1000));
    const nan: number[] = [];
    const values = samples.map(([, v], i) => {
      const n = Number(v);
      if (Number.isNaN(n)) {
        nan.push(i);
        return null;
      }
      return n;
    });
    const name = labelString(labels);
    return {
      schema: {
        name,
        meta: { type: 'timeseries-multi', typeVersion: [0, 0], executedQueryString: `Expr: ${expr}` },
        fields: [
          { name: 'Time', type: 'time', typeInfo: { frame: 'time.Time' } },
          {
            name: 'Value',
            type: 'number',
            typeInfo: { frame: 'float64' },
            config: { displayNameFromDS: name },
            ...{ labels },
          },
        ],
      },
      data: { values: [times, values], ...(nan.length ? { entities: [null, { NaN: nan }] } : {}) },
    } as WireFrame;
  });
}

function streamsFrame(result: LokiResponse['data']['result'], expr: string): WireFrame {
  const labels: unknown[] = [];
  const times: number[] = [];
  const lines: string[] = [];
  const tsNs: string[] = [];
  const ids: string[] = [];
  for (const stream of result) {
    for (const value of stream.values ?? []) {
      const ns = String(value[0]);
      labels.push(stream.stream ?? {});
      times.push(Math.floor(Number(ns) / 1e6));
      lines.push(String(value[1]));
      tsNs.push(ns);
      ids.push(`${ns}_${ids.length}`);
    }
  }
  return {
    schema: {
      meta: { typeVersion: [0, 0], custom: { frameType: 'LabeledTimeValues' }, executedQueryString: `Expr: ${expr}` },
      fields: [
        { name: 'labels', type: 'other', typeInfo: { frame: 'json.RawMessage' } },
        { name: 'Time', type: 'time', typeInfo: { frame: 'time.Time' } },
        { name: 'Line', type: 'string', typeInfo: { frame: 'string' } },
        { name: 'tsNs', type: 'string', typeInfo: { frame: 'string' } },
        { name: 'id', type: 'string', typeInfo: { frame: 'string' } },
      ],
    },
    data: { values: [labels, times, lines, tsNs, ids] },
  };
}
