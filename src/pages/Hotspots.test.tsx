import { locationService } from '@grafana/runtime';
import { act, fireEvent, screen, waitFor } from '@testing-library/react';

import { installBrowserStubs } from '../components/testing/browser';
import { installDataSources } from '../components/testing/dataSources';
import { BOOKINFO, stateFromFixtures } from '../components/testing/states';
import { testIds } from '../components/testIds';
import type { TraceLinkSources } from '../data';
import { cohortState } from '../data/testing/cohort';
import type { HotspotQuery, HotspotState, LogCount, TraceLinks, TraceSearch } from '../data/types';
import { renderApp, urlParams } from './testing';

interface SearchInput {
  search: TraceSearch | undefined;
  timeRange: { from: { valueOf(): number }; to: { valueOf(): number } };
  query: HotspotQuery;
}
const bookinfo = stateFromFixtures([BOOKINFO]);
const mockSearch = jest.fn((_input: SearchInput): HotspotState => bookinfo);
jest.mock('../data', () => ({
  ...jest.requireActual('../data'),
  useHotspotSearch: (input: SearchInput) => mockSearch(input),
  createTraceLinks: (sources: TraceLinkSources): TraceLinks => ({
    ...jest.requireActual<typeof import('../data')>('../data').createTraceLinks(sources),
    countLogs: (_target: unknown, onCount: (count: LogCount) => void) => {
      onCount({ state: 'counted', lines: 2 });
      return () => undefined;
    },
  }),
}));

const lastInput = () => mockSearch.mock.calls[mockSearch.mock.calls.length - 1][0];
const SHARED =
  '/a/hotpath-latency-app/hotspots?service=frontend&operation=GET%20%2Fcart&tags=error%3Dtrue&minDuration=100ms' +
  '&from=1700000000000&to=1700003600000&window=full&top=5&orgId=1';

beforeEach(() => {
  installDataSources();
  installBrowserStubs();
  mockSearch.mockClear();
  mockSearch.mockImplementation(() => bookinfo);
});

describe('Hotspots page', () => {
  it('opens a shared URL as it was shared: search, time range, options', async () => {
    renderApp(SHARED);
    expect(await screen.findByTestId(testIds.hotspots.container)).toBeInTheDocument();
    expect(screen.getByLabelText(/^Service/)).toHaveValue('frontend');
    expect(screen.getByLabelText('Operation')).toHaveValue('GET /cart');
    expect(screen.getByLabelText('Tags')).toHaveValue('error=true');
    expect(screen.getByLabelText('Min duration')).toHaveValue('100ms');
    const input = lastInput();
    expect(input.search).toEqual({
      service: 'frontend',
      operation: 'GET /cart',
      tags: 'error=true',
      minDuration: '100ms',
      limit: 500,
    });
    expect(input.query).toEqual({ jaegerUid: 'jaeger', maxTraces: 500, window: 'full', asyncBlocking: false });
    expect([input.timeRange.from.valueOf(), input.timeRange.to.valueOf()]).toEqual([1700000000000, 1700003600000]);
    expect(screen.getByTestId(testIds.view.table)).toHaveTextContent('productpage.bookinfo');
  });

  it('writes a new search to the URL, keeping what it does not own, and the URL reads back the same', async () => {
    const { unmount } = renderApp(SHARED);
    const service = await screen.findByLabelText(/^Service/);
    fireEvent.change(service, { target: { value: 'checkout' } });
    fireEvent.change(screen.getByLabelText('Operation'), { target: { value: '' } });
    // Typing alone does not search.
    expect(lastInput().search?.service).toBe('frontend');
    fireEvent.click(screen.getByRole('button', { name: 'Run search' }));

    expect(urlParams()).toEqual({
      service: 'checkout',
      tags: 'error=true',
      minDuration: '100ms',
      from: '1700000000000',
      to: '1700003600000',
      window: 'full',
      top: '5',
      orgId: '1',
    });
    expect(lastInput().search).toEqual({ service: 'checkout', tags: 'error=true', minDuration: '100ms', limit: 500 });

    // Someone opening that address sees the same view.
    const shared = `${locationService.getLocation().pathname}${locationService.getLocation().search}`;
    unmount();
    mockSearch.mockClear();
    renderApp(shared);
    expect(await screen.findByLabelText(/^Service/)).toHaveValue('checkout');
    expect(lastInput().search).toEqual({ service: 'checkout', tags: 'error=true', minDuration: '100ms', limit: 500 });
  });

  it('keeps the rollup, the window and the data source in the URL', async () => {
    renderApp(SHARED);
    await screen.findByTestId(testIds.view.table);
    fireEvent.click(screen.getByLabelText('Per service'));
    expect(urlParams().rollup).toBe('true');
    fireEvent.click(screen.getByLabelText('Root span'));
    expect(urlParams().window).toBeUndefined();
    expect(lastInput().query.window).toBe('root');
  });

  it('follows the browser back to the previous search', async () => {
    renderApp(SHARED);
    fireEvent.change(await screen.findByLabelText(/^Service/), { target: { value: 'checkout' } });
    fireEvent.keyDown(screen.getByLabelText(/^Service/), { key: 'Enter' });
    expect(urlParams().service).toBe('checkout');
    act(() => locationService.getHistory().goBack());
    await waitFor(() => expect(screen.getByLabelText(/^Service/)).toHaveValue('frontend'));
    expect(lastInput().search?.service).toBe('frontend');
  });

  it('asks for a service, and uses the app’s default Jaeger data source', async () => {
    renderApp('/a/hotpath-latency-app/hotspots');
    expect(await screen.findByTestId(testIds.view.idle)).toHaveTextContent('Choose a service');
    expect(lastInput().search).toBeUndefined();
    expect(lastInput().query.jaegerUid).toBe('jaeger');
    expect(urlParams()).toEqual({});
  });

  it('compares slow with baseline traces, and "Filter to this" searches that cohort again, in the URL', async () => {
    const compared = await cohortState();
    mockSearch.mockImplementation((input) => (input.query.compare ? compared : bookinfo));
    renderApp('/a/hotpath-latency-app/hotspots?service=inventory&tags=error%3Dtrue&from=now-1h&to=now');
    await screen.findByTestId(testIds.view.table);
    expect(lastInput().query.compare).toBeUndefined();
    fireEvent.click(screen.getByLabelText('Slow vs baseline'));
    expect(urlParams().mode).toBe('compare');
    expect(lastInput().query.compare).toEqual({ percentile: 90 });
    fireEvent.change(screen.getByLabelText('Slow traces'), { target: { value: '100ms' } });
    fireEvent.blur(screen.getByLabelText('Slow traces'));
    expect(urlParams().slow).toBe('100ms');
    expect(lastInput().query.compare).toEqual({ thresholdMs: 100 });

    const section = await screen.findByTestId(testIds.view.sharedAttributes);
    expect(section).toHaveTextContent('host.name=node-7');
    fireEvent.click(screen.getByRole('button', { name: 'Filter to this' }));
    expect(urlParams().tags).toBe('error=true host.name="node-7"');
    expect(lastInput().search).toEqual({ service: 'inventory', tags: 'error=true host.name="node-7"', limit: 500 });
    expect(lastInput().query.compare).toEqual({ thresholdMs: 100 });
    expect(screen.getByLabelText('Tags')).toHaveValue('error=true host.name="node-7"');
  });

  it('offers no filter for rows of a service other than the searched one', async () => {
    const compared = await cohortState();
    mockSearch.mockImplementation(() => compared);
    renderApp('/a/hotpath-latency-app/hotspots?service=frontend&mode=compare&from=now-1h&to=now');
    expect(await screen.findByTestId(testIds.view.sharedAttributes)).toHaveTextContent('inventory');
    expect(screen.queryByRole('button', { name: 'Filter to this' })).not.toBeInTheDocument();
  });

  it('asks for a Jaeger data source when the app has none', async () => {
    renderApp('/a/hotpath-latency-app/hotspots?service=frontend', {});
    expect(await screen.findByTestId(testIds.view.idle)).toHaveTextContent('Choose a Jaeger data source');
    expect(screen.getByRole('button', { name: 'Run search' })).toBeDisabled();
  });
});
