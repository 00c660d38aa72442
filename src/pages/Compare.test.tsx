import { fireEvent, screen, within } from '@testing-library/react';

import { installBrowserStubs } from '../components/testing/browser';
import { installDataSources } from '../components/testing/dataSources';
import { bareState, BOOKINFO, SMARTTHINGS, stateFromFixtures } from '../components/testing/states';
import { testIds } from '../components/testIds';
import type { HotspotQuery, HotspotState, TraceSearch } from '../data/types';
import { renderApp, urlParams } from './testing';

interface SearchInput {
  search: TraceSearch | undefined;
  timeRange: { from: { valueOf(): number }; to: { valueOf(): number } };
  query: HotspotQuery;
}
const before = stateFromFixtures([BOOKINFO]);
const after = stateFromFixtures([BOOKINFO, SMARTTHINGS]);
const BEFORE_FROM = 1700000000000;
// The hook answers by side: "before" is the search over the reference range (time mode) or with tags A.
let mockAnswer = (input: SearchInput): HotspotState =>
  input.timeRange.from.valueOf() === BEFORE_FROM || input.search?.tags === 'version=1.4' ? before : after;
const mockSearch = jest.fn((input: SearchInput) => mockAnswer(input));
jest.mock('../data', () => ({
  ...jest.requireActual('../data'),
  useHotspotSearch: (input: SearchInput) => mockSearch(input),
}));

const TIME =
  '/a/hotpath-latency-app/compare?service=frontend&from=1700086400000&to=1700090000000' +
  '&afrom=1700000000000&ato=1700003600000';

beforeEach(() => {
  installDataSources();
  installBrowserStubs();
  mockSearch.mockClear();
});

describe('Compare page', () => {
  it('runs the search over two time ranges and ranks by the change in CP time per trace', async () => {
    renderApp(TIME);
    const table = await screen.findByTestId(testIds.view.reportCompare);
    const calls = mockSearch.mock.calls.slice(-2).map(([input]) => input);
    expect(calls.map((c) => [c.search?.service, c.timeRange.from.valueOf(), c.timeRange.to.valueOf()])).toEqual([
      ['frontend', 1700000000000, 1700003600000],
      ['frontend', 1700086400000, 1700090000000],
    ]);
    expect(table).toHaveTextContent('Before: 1 trace');
    expect(table).toHaveTextContent('After: 2 traces');
    expect(screen.getByTestId(testIds.view.compareWarning)).toHaveTextContent('only 1 trace before and 2 after');
    const firstRow = table.querySelector('tbody tr') as HTMLElement;
    expect(within(firstRow).getByText('get /login/tokenauth')).toBeInTheDocument();
    expect(firstRow).toHaveTextContent('+4.188');
    // Both samples are shown, side by side.
    expect(screen.getAllByTestId(testIds.view.sample).map((s) => s.textContent)).toEqual([
      expect.stringContaining('1 trace analysed'),
      expect.stringContaining('2 traces analysed'),
    ]);
  });

  it('compares two tag filters over one time range, and keeps them in the URL', async () => {
    renderApp(TIME);
    await screen.findByTestId(testIds.view.reportCompare);
    fireEvent.click(screen.getByLabelText('Two tag filters'));
    fireEvent.change(screen.getByLabelText('Tags A (reference)'), { target: { value: 'version=1.4' } });
    fireEvent.change(screen.getByLabelText('Tags B'), { target: { value: 'version=1.5' } });
    fireEvent.click(screen.getByRole('button', { name: 'Run comparison' }));
    expect(urlParams()).toEqual({
      mode: 'tags',
      service: 'frontend',
      atags: 'version=1.4',
      tags: 'version=1.5',
      from: '1700086400000',
      to: '1700090000000',
    });
    const [a, b] = mockSearch.mock.calls.slice(-2).map(([input]) => input);
    expect([a.search?.tags, b.search?.tags]).toEqual(['version=1.4', 'version=1.5']);
    expect(a.timeRange.from.valueOf()).toBe(b.timeRange.from.valueOf());
    expect(await screen.findByTestId(testIds.view.reportCompare)).toHaveTextContent('A: 1 trace');
  });

  it('says which side failed, and shows no ranking without both sides', async () => {
    mockAnswer = (input) =>
      input.timeRange.from.valueOf() === BEFORE_FROM
        ? bareState('error', {
            error: { title: 'Query failed (500)', message: 'The server gave no reason.', status: 500 },
          })
        : after;
    renderApp(TIME);
    expect(await screen.findByTestId(testIds.view.error)).toHaveTextContent('Before: Query failed (500)');
    expect(screen.queryByTestId(testIds.view.reportCompare)).not.toBeInTheDocument();
  });
});
