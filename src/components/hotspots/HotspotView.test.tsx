import { render, screen } from '@testing-library/react';
import React from 'react';
import { lastValueFrom, NEVER, timeout } from 'rxjs';

import { classifyError } from '../../data';
import type { HotspotState, UserFacingError } from '../../state/types';
import { installBrowserStubs } from '../testing/browser';
import { installDataSources } from '../testing/dataSources';
import { bareState, BOOKINFO, LOKI_CAS, SMARTTHINGS, stateFromFixtures, YELP } from '../testing/states';
import { fakeTraceLinks } from '../testing/traceLinks';
import { testIds } from '../testIds';
import { HotspotView, HotspotViewOptions } from './HotspotView';

const OPTIONS: HotspotViewOptions = { mode: 'hotspots', topN: 20, rollup: false, window: 'root' };
const LINKS = fakeTraceLinks();
const target = { target: 'Jaeger data source', uid: 'jaeger' };
const fetchError = (status: number, message: string) => ({ status, statusText: '', data: { message }, config: {} });

/** Every failure the data layer words, as the view receives it. */
const ERRORS: Array<[string, UserFacingError]> = [
  ['unknown data source', classifyError(fetchError(404, 'Data source not found'), target).error],
  ['signed out', classifyError(fetchError(401, 'Unauthorized'), target).error],
  ['no permission', classifyError(fetchError(403, 'Access denied to data source'), target).error],
  ['plugin missing', classifyError(fetchError(404, 'Plugin not found'), target).error],
  ['server error', classifyError(fetchError(500, 'Query data error'), target).error],
  ['gateway timeout', classifyError(fetchError(504, ''), target).error],
  ['unreachable', classifyError(new TypeError('Failed to fetch'), target).error],
  [
    'no Jaeger data source',
    {
      title: 'No Jaeger data source',
      message: 'Choose a Jaeger data source (in the panel query, or the app configuration) to fetch traces from.',
    },
  ],
  [
    'malformed frame',
    {
      title: 'These are not Jaeger search results',
      message: 'The panel received one frame: A (2 fields: time, value).',
    },
  ],
];

/** What rxjs' `timeout` throws when our own request timeout expires. */
async function ourTimeout(): Promise<UserFacingError> {
  const thrown = await lastValueFrom(NEVER.pipe(timeout(1))).catch((err: unknown) => err);
  return classifyError(thrown, { ...target, timeoutMs: 60_000 }).error;
}

function renderView(state: HotspotState, options: Partial<HotspotViewOptions> = {}) {
  return render(<HotspotView state={state} options={{ ...OPTIONS, ...options }} links={LINKS} />);
}

beforeEach(() => {
  installDataSources();
  installBrowserStubs();
});

describe('HotspotView', () => {
  it.each(ERRORS)('says what went wrong (%s), never a blank panel', (_name, error) => {
    renderView({ ...bareState('error'), error });
    const alert = screen.getByTestId(testIds.view.error);
    expect(alert).toHaveTextContent(error.title);
    expect(alert).toHaveTextContent(error.message);
    expect(screen.queryByTestId(testIds.view.table)).not.toBeInTheDocument();
  });

  it('says what went wrong (our timeout)', async () => {
    const error = await ourTimeout();
    expect(error.title).toBe('Request timed out');
    renderView({ ...bareState('error'), error });
    expect(screen.getByTestId(testIds.view.error)).toHaveTextContent(
      'Grafana did not answer a query to the Jaeger data source "jaeger" within 60 s.'
    );
  });

  it('adds the HTTP status unless the title has it', () => {
    const { rerender } = renderView({ ...bareState('error'), error: ERRORS[0][1] });
    expect(screen.getByTestId(testIds.view.error)).toHaveTextContent('Pick another data source. (HTTP 404)');
    rerender(<HotspotView state={{ ...bareState('error'), error: ERRORS[2][1] }} options={OPTIONS} links={LINKS} />);
    expect(screen.getByTestId(testIds.view.error)).toHaveTextContent('Access denied (403)');
    expect(screen.getByTestId(testIds.view.error)).not.toHaveTextContent('(HTTP 403)');
  });

  it('keeps what was analysed before a run failed', () => {
    const state = stateFromFixtures([BOOKINFO]);
    renderView({ ...state, phase: 'error', error: ERRORS[4][1] });
    expect(screen.getByTestId(testIds.view.error)).toHaveTextContent('Query failed (500)');
    expect(screen.getByTestId(testIds.view.table)).toBeInTheDocument();
  });

  it('says when the search found nothing', () => {
    renderView(bareState('empty'));
    expect(screen.getByTestId(testIds.view.empty)).toHaveTextContent('No traces to analyse');
    expect(screen.getByTestId(testIds.view.root)).toHaveAttribute('data-phase', 'empty');
  });

  it('says "empty" rather than nothing when a finished run has no report', () => {
    renderView(bareState('done'));
    expect(screen.getByTestId(testIds.view.empty)).toBeInTheDocument();
  });

  it('shows progress and the partial ranking while traces still arrive', () => {
    const partial = stateFromFixtures([BOOKINFO]);
    renderView({
      ...partial,
      phase: 'fetching',
      progress: { searched: 1000, toFetch: 1000, fetched: 340, failed: 0, analysed: 1 },
    });
    expect(screen.getByTestId(testIds.view.sample)).toHaveTextContent('Fetched 340 of 1,000 traces');
    expect(screen.getByTestId(testIds.view.table)).toHaveTextContent('productpage.bookinfo');
    expect(screen.queryByTestId(testIds.view.empty)).not.toBeInTheDocument();
  });

  it('shows the ranking, the diagnostics and the what-if together', () => {
    renderView(stateFromFixtures([SMARTTHINGS]));
    expect(screen.getByTestId(testIds.view.diagnostics)).toHaveTextContent('Low coverage: 0.1 %');
    expect(screen.getByTestId(testIds.view.table)).toHaveTextContent('get /login/tokenauth');
    expect(screen.getByTestId(testIds.view.whatIf)).toBeInTheDocument();
  });

  it('shows slow vs baseline in compare mode', () => {
    renderView(stateFromFixtures([BOOKINFO, YELP, LOKI_CAS], { compare: { percentile: 90 } }), { mode: 'compare' });
    expect(screen.getByTestId(testIds.view.compare)).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.view.table)).not.toBeInTheDocument();
  });
});
