import { clearLogCountCache } from './logCount';
import { createTraceLinks } from './traceLinks';
import { installDataSources } from './testing/dataSources';
import { lokiToFrames } from './testing/lokiFrames';
import { dsQueryReply, RecordedBackend } from './testing/recordedBackend';
import type { LogCount, LogsTarget } from './types';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const WINDOW = { from: 1_700_000_100_000, to: 1_700_000_100_250 };

let backend: RecordedBackend;

beforeEach(() => {
  clearLogCountCache();
  installDataSources([
    { uid: 'jaeger', type: 'jaeger', jsonData: {} },
    { uid: 'loki', type: 'loki' },
    { uid: 'loki-default', type: 'loki' },
  ]);
});
afterEach(() => {
  expect(backend?.violations ?? []).toEqual([]);
});

function logsTarget(links: ReturnType<typeof createTraceLinks>): LogsTarget {
  const result = links.logs('frontend', TRACE, WINDOW);
  if (result.kind !== 'logs') {
    throw new Error(result.reason);
  }
  return result;
}

describe('createTraceLinks', () => {
  it('links the trace and its logs for the chosen data sources, the override before the app default', () => {
    const links = createTraceLinks({ jaegerUid: 'jaeger', lokiUid: 'loki', defaultLokiUid: 'loki-default' });
    expect(links.trace(TRACE, WINDOW).title).toBe('Open trace in Explore');
    const target = logsTarget(links);
    expect(target).toMatchObject({
      lokiUid: 'loki',
      expr: `{service_name="frontend"} | trace_id="${TRACE}"`,
      range: { from: WINDOW.from - 60_000, to: WINDOW.to + 60_000 },
    });
    expect(logsTarget(createTraceLinks({ jaegerUid: 'jaeger', defaultLokiUid: 'loki-default' })).lokiUid).toBe(
      'loki-default'
    );
    expect(createTraceLinks({ jaegerUid: 'jaeger' }).logs('frontend', TRACE, WINDOW).kind).toBe('unavailable');
  });

  it('counts the lines of a logs link in Loki, once', async () => {
    backend = new RecordedBackend((request) => {
      const [query] = request.body.queries;
      const answer = { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, '12'] }] } };
      return dsQueryReply({ [query.refId]: { status: 200, frames: lokiToFrames(answer, String(query.expr)) } });
    }).install();
    const links = createTraceLinks({ jaegerUid: 'jaeger', lokiUid: 'loki' });
    const counts: LogCount[] = [];
    await new Promise<void>((resolve) =>
      links.countLogs(logsTarget(links), (count) => {
        counts.push(count);
        resolve();
      })
    );
    expect(counts).toEqual([{ state: 'counted', lines: 12 }]);
    expect(backend.requests).toHaveLength(1);
  });

  it('cancels the count it was asked for', () => {
    backend = new RecordedBackend(() => ({ kind: 'never' }), 'manual').install();
    const links = createTraceLinks({ jaegerUid: 'jaeger', lokiUid: 'loki' });
    const onCount = jest.fn();
    const cancel = links.countLogs(logsTarget(links), onCount);
    expect(backend.inFlight).toBe(1);
    cancel();
    expect(backend.inFlight).toBe(0);
    expect(backend.cancelled).toBe(1);
    expect(onCount).not.toHaveBeenCalled();
  });
});
