import { readFixture } from '../testing/fixtures';
import { logsLink } from './links';
import { clearLogCountCache, countLogs } from './logCount';
import { installDataSources } from './testing/dataSources';
import { lokiToFrames } from './testing/lokiFrames';
import { dsQueryReply, RecordedBackend, type RecordedRequest, type Reply } from './testing/recordedBackend';
import type { LogsTarget } from './types';

let backend: RecordedBackend;

beforeEach(() => {
  clearLogCountCache();
  installDataSources([{ uid: 'loki', type: 'loki' }]);
});
afterEach(() => {
  expect(backend.violations).toEqual([]);
});

function target(): LogsTarget {
  const result = logsLink({
    lokiUid: 'loki',
    jaegerSettings: null,
    service: 'frontend',
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanStartMs: 1_700_000_100_000,
    spanEndMs: 1_700_000_100_250,
  });
  if (result.kind !== 'logs') {
    throw new Error(result.reason);
  }
  return result;
}

/** Loki answers `response` (its HTTP API JSON); Grafana's Loki data source turns it into frames. */
function loki(response: unknown) {
  backend = new RecordedBackend((request: RecordedRequest) => {
    const [query] = request.body.queries;
    return dsQueryReply({ [query.refId]: { status: 200, frames: lokiToFrames(response, String(query.expr)) } });
  }).install();
}

describe('countLogs', () => {
  it('asks Loki for an instant count of exactly the link’s query and range', async () => {
    // Loki's documented instant-query answer for `sum(...)`: a vector with one sample.
    loki({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1700000160.25, '7'] }] } });
    await expect(countLogs(target())).resolves.toEqual({ state: 'counted', lines: 7 });
    expect(backend.requests).toHaveLength(1);
    const request = backend.requests[0];
    expect(request.url).toBe('/api/ds/query?ds_type=loki');
    expect(request.body).toEqual({
      from: '1700000040000',
      to: '1700000160250',
      queries: [
        {
          refId: 'hotpath-log-count',
          datasource: { type: 'loki', uid: 'loki' },
          expr: 'sum(count_over_time({service_name="frontend"} | trace_id="4bf92f3577b34da6a3ce929d0e0e4736" [120250ms]))',
          queryType: 'instant',
        },
      ],
    });
  });

  it('counts nothing as 0 (an empty vector: no matching line)', async () => {
    loki({ status: 'success', data: { resultType: 'vector', result: [] } });
    await expect(countLogs(target())).resolves.toEqual({ state: 'counted', lines: 0 });
  });

  it.each([
    ['loki/grafana-streams_simple.json', 6],
    ['loki/grafana-streams_structured_metadata.json', 6],
    ['loki/loki-query_range-streams-categorized.json', 3],
  ])('counts the lines of a recorded streams answer (%s)', async (fixture, lines) => {
    loki(readFixture(fixture));
    await expect(countLogs(target())).resolves.toEqual({ state: 'counted', lines });
  });

  it('says it has no number when Loki answers NaN (recorded matrix_nan)', async () => {
    loki(readFixture('loki/grafana-matrix_nan.json'));
    await expect(countLogs(target())).resolves.toEqual({
      state: 'unavailable',
      reason: 'Loki answered without a number of lines.',
    });
  });

  it('answers a repeated question from its cache', async () => {
    loki({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, '3'] }] } });
    await countLogs(target());
    await expect(countLogs(target())).resolves.toEqual({ state: 'counted', lines: 3 });
    expect(backend.requests).toHaveLength(1);
  });

  it.each<[string, Reply, string]>([
    [
      'a failed query',
      dsQueryReply({
        'hotpath-log-count': {
          error: 'parse error at line 1, col 20: syntax error: unexpected IDENTIFIER',
          errorSource: 'downstream',
          status: 400,
        },
      }),
      'Loki could not count the lines: parse error at line 1, col 20: syntax error: unexpected IDENTIFIER',
    ],
    [
      'no permission',
      { kind: 'http', status: 403, body: { message: 'Access denied to data source' } },
      'Access denied (403): You may not query the Loki data source "loki". Ask an administrator for query permission on it. Grafana said: “Access denied to data source”.',
    ],
    [
      'Grafana unreachable',
      { kind: 'network' },
      'Grafana server unreachable: The browser could not reach Grafana (Failed to fetch). Check your network connection and that Grafana is running, then reload.',
    ],
  ])('is unavailable, with the reason, on %s', async (_, reply, reason) => {
    backend = new RecordedBackend(() => reply).install();
    await expect(countLogs(target())).resolves.toEqual({ state: 'unavailable', reason });
  });
});
