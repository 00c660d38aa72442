import { fireEvent, render, screen, within } from '@testing-library/react';
import React from 'react';

import { analyzeLocalFiles, emptyState, errorState } from '../../data';
import type { HotspotQuery, HotspotState } from '../../data/types';
import { readFixtureText } from '../../testing/fixtures';
import { HotspotView, HotspotViewOptions } from './HotspotView';

const QUERY: HotspotQuery = { jaegerUid: 'jaeger', maxTraces: 500, window: 'root', asyncBlocking: false };
const OPTIONS: HotspotViewOptions = { mode: 'hotspots', topN: 20, rollup: false, window: 'root' };
const LINKS = { jaegerUid: 'jaeger', lokiUid: undefined };

async function stateOf(files: string[], query: Partial<HotspotQuery> = {}): Promise<HotspotState> {
  return analyzeLocalFiles(
    files.map((name) => ({ name, text: readFixtureText(name) })),
    { ...QUERY, ...query }
  );
}

describe('HotspotView', () => {
  it('ranks the SmartThings journey: coreSrv get /login/tokenauth first, 8.38 ms, 22.8 %', async () => {
    const state = await stateOf(['jaeger/zipkin-smartthings-mobile-web-install.jaeger.json']);
    render(<HotspotView state={state} options={OPTIONS} links={LINKS} />);
    const table = screen.getByTestId('hotpath-table');
    const rows = within(table).getAllByRole('row');
    // rows[0] is the header
    expect(within(rows[1]).getByText('coreSrv')).toBeInTheDocument();
    expect(within(rows[1]).getByText('get /login/tokenauth')).toBeInTheDocument();
    expect(within(rows[1]).getByText('22.8 %')).toBeInTheDocument();
    expect(within(rows[1]).getAllByText('8.38')).toHaveLength(2); // CP total and self time
    expect(within(rows[2]).getByText('post /implicit-tokens/access')).toBeInTheDocument();
  });

  it('warns about coverage for the SmartThings journey (0.1 % of span time in the root window)', async () => {
    const state = await stateOf(['jaeger/zipkin-smartthings-mobile-web-install.jaeger.json']);
    render(<HotspotView state={state} options={OPTIONS} links={LINKS} />);
    const banner = screen.getByTestId('hotpath-diagnostics');
    expect(banner).toHaveTextContent('Low coverage: 0.1 % of span time analysed');
    expect(banner).toHaveTextContent('943 of 957 spans');
    expect(banner).toHaveTextContent('41 child spans wholly outside their parent');
  });

  it('shows top N only, filters, and rolls up per service', async () => {
    const state = await stateOf(['jaeger/zipkin-smartthings-mobile-web-install.jaeger.json']);
    render(<HotspotView state={state} options={{ ...OPTIONS, topN: 3 }} links={LINKS} />);
    const table = screen.getByTestId('hotpath-table');
    expect(within(table).getAllByRole('row')).toHaveLength(4);
    expect(table).toHaveTextContent('Top 3 of 87 operations');
    fireEvent.change(screen.getByPlaceholderText('Filter service or operation'), { target: { value: 'check_token' } });
    expect(within(table).getAllByRole('row')).toHaveLength(3); // coreSrv and auth post /oauth/check_token
    fireEvent.change(screen.getByPlaceholderText('Filter service or operation'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('switch'));
    expect(table).toHaveTextContent(/Top 3 of 16 services/);
    expect(within(within(table).getAllByRole('row')[1]).getByText('coreSrv')).toBeInTheDocument();
  });

  it('links the slowest trace to Explore', async () => {
    const state = await stateOf(['jaeger/kiali-istio-bookinfo.jaeger.json']);
    render(<HotspotView state={state} options={OPTIONS} links={LINKS} />);
    const link = screen.getAllByTestId('hotpath-open-trace')[0];
    const href = link.getAttribute('href') ?? '';
    expect(href).toMatch(/^\/explore\?/);
    const panes = JSON.parse(new URL(href, 'http://grafana').searchParams.get('panes') ?? '{}');
    const pane = Object.values(panes)[0] as { datasource: string; queries: Array<{ query: string }> };
    expect(pane.datasource).toBe('jaeger');
    expect(pane.queries[0].query).toBe(state.records[0].traceId);
  });

  it('compares slow and baseline traces with both sample sizes and the small-sample warning', async () => {
    const state = await stateOf(
      ['jaeger/kiali-istio-bookinfo.jaeger.json', 'jaeger/zipkin-yelp.jaeger.json', 'jaeger/grafana-loki-cas-trace.json'],
      { compare: { percentile: 90 } }
    );
    render(<HotspotView state={state} options={{ ...OPTIONS, mode: 'compare' }} links={LINKS} />);
    expect(screen.getByTestId('hotpath-compare')).toHaveTextContent('Slow: 1 traces');
    expect(screen.getByTestId('hotpath-compare')).toHaveTextContent('baseline: 2 traces');
    expect(screen.getByTestId('hotpath-compare-warning')).toHaveTextContent('only 1 slow and 2 baseline traces');
  });

  it('projects what-if numbers for the selected operation', async () => {
    const state = await stateOf(['jaeger/kiali-istio-bookinfo.jaeger.json']);
    render(<HotspotView state={state} options={OPTIONS} links={LINKS} />);
    // Bookinfo lasts 11.93 ms; productpage's own critical-path time is 7.381 ms: halving it saves 3.69 ms.
    expect(screen.getByTestId('hotpath-whatif-result')).toHaveTextContent('p50 11.9 → 8.24 ms');
  });

  it('says what went wrong instead of a blank panel, and says when nothing was found', () => {
    const { rerender } = render(
      <HotspotView
        state={errorState({ title: 'Data source not found', message: 'No data source with uid "nope".', status: 404 })}
        options={OPTIONS}
        links={LINKS}
      />
    );
    expect(screen.getByTestId('hotpath-error')).toHaveTextContent('Data source not found');
    expect(screen.getByTestId('hotpath-error')).toHaveTextContent('(HTTP 404)');
    rerender(<HotspotView state={emptyState(undefined, 'empty')} options={OPTIONS} links={LINKS} />);
    expect(screen.getByTestId('hotpath-empty')).toHaveTextContent('No traces to analyse');
  });
});
