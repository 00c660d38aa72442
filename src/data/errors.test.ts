import { lastValueFrom, NEVER, timeout } from 'rxjs';
import { backendMessage, classifyError, HotpathError } from './errors';

const ctx = { target: 'Jaeger data source', uid: 'j' };

describe('classifyError', () => {
  it('prefers the server’s detail over the generic "Query data error"', () => {
    expect(backendMessage({ data: { message: 'Query data error', error: 'context deadline exceeded' } })).toBe(
      'context deadline exceeded'
    );
    expect(backendMessage({ data: { message: 'Data source not found' } })).toBe('Data source not found');
    expect(backendMessage({ data: 'plain text body' })).toBe('plain text body');
    expect(backendMessage({ data: { message: 'Unexpected error' }, message: 'Failed to fetch' })).toBe(
      'Failed to fetch'
    );
  });

  it('reads a deadline in a 500 as a timeout of that batch, not the run', () => {
    const { error, fatal } = classifyError(
      { status: 500, data: { message: 'Query data error', error: 'context deadline exceeded' } },
      ctx
    );
    expect(fatal).toBe(false);
    expect(error.title).toBe('Request timed out (500)');
  });

  it('words our own timeout in seconds', async () => {
    // The error RxJS's `timeout` operator raises, as fetchTraces meets it.
    const expired = await lastValueFrom(NEVER.pipe(timeout(1))).catch((e: unknown) => e);
    const { error, fatal } = classifyError(expired, { ...ctx, timeoutMs: 60_000 });
    expect(fatal).toBe(false);
    expect(error).toEqual({
      title: 'Request timed out',
      message:
        'Grafana did not answer a query to the Jaeger data source "j" within 60 s. The data source may be overloaded; try a shorter time range or fewer traces.',
    });
  });

  it('passes a HotpathError through, and words anything else as unexpected', () => {
    const own = new HotpathError({ title: 'T', message: 'M' }, false);
    expect(classifyError(own, ctx)).toEqual({ error: { title: 'T', message: 'M' }, fatal: false });
    expect(classifyError(new RangeError('boom'), ctx)).toEqual({
      error: { title: 'Unexpected error', message: 'boom' },
      fatal: true,
    });
  });

  it('treats an HTTP error without a status as Grafana being unreachable', () => {
    expect(classifyError({ status: 0, data: {} }, ctx).error.title).toBe('Grafana server unreachable');
  });
});
