import {
  DataFrame,
  dateTime,
  LoadingState,
  PanelOptionsEditorBuilder,
  PanelPlugin,
  PanelProps,
  standardEditorsRegistry,
} from '@grafana/data';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import React from 'react';

import { installBrowserStubs } from '../../components/testing/browser';
import { installDataSources } from '../../components/testing/dataSources';
import { BOOKINFO, stateFromFixtures } from '../../components/testing/states';
import { testIds } from '../../components/testIds';
import type { HotspotQuery, HotspotState, TraceSearch } from '../../data/types';
import { cohortState } from '../../data/testing/cohort';
import { TraceCache } from '../../data/fetchTraces';
import { analyzeTrace, HotspotAggregator, OperationTable, readJaeger } from '../../engine';
import { dsQueryReply, jaegerTraceAnswer, RecordedBackend } from '../../data/testing/recordedBackend';
import { byId, realTraces, searchSeries } from '../../data/testing/traces';
import { HotspotsPanel } from './HotspotsPanel';
import { LokiPickerEditor } from './LokiPickerEditor';
import { plugin } from './module';
import { HotspotsOptions } from './types';

interface AnalysisInput {
  series: DataFrame[];
  timeRange: unknown;
  query: HotspotQuery;
}
// By default the real hook (so the panel runs the real data layer against a recorded /api/ds/query double);
// tests that only check what the panel asks for replace it.
function realAnalysis(input: AnalysisInput): HotspotState {
  const actual = jest.requireActual('../../data');
  // A private cache per test keeps earlier tests' traces out.
  return actual.useHotspotAnalysis(input, { fetch: { cache: testCache } });
}
const mockAnalysis = jest.fn(realAnalysis);
let testCache = new TraceCache();
// The panel's own search ("Filter to this"): idle unless a test gives it a state.
const mockSearch = jest.fn((input: { search?: TraceSearch }): HotspotState | undefined => undefined);
jest.mock('../../data', () => ({
  ...jest.requireActual('../../data'),
  useHotspotAnalysis: (input: AnalysisInput) => mockAnalysis(input),
  // The real hook runs idle (no search) on every render, so the panel's hooks stay the same whatever the mock says.
  useHotspotSearch: (input: { search?: TraceSearch; timeRange: unknown; query: HotspotQuery }) => {
    const idle = jest.requireActual('../../data').useHotspotSearch({ ...input, search: undefined });
    return mockSearch(input) ?? idle;
  },
}));

const RANGE = { from: dateTime(1_500_000_000_000), to: dateTime(1_800_000_000_000) };
const TIME_RANGE = { ...RANGE, raw: RANGE };

function renderPanel(
  series: DataFrame[],
  options: Partial<HotspotsOptions> = {},
  extra: { targets?: unknown[]; onOptionsChange?: jest.Mock; replaceVariables?: (s: string) => string } = {}
) {
  const props = {
    id: 1,
    data: {
      series,
      state: LoadingState.Done,
      timeRange: TIME_RANGE,
      request: { targets: extra.targets ?? [{ refId: 'A', datasource: { type: 'jaeger', uid: 'jaeger' } }] },
    },
    timeRange: TIME_RANGE,
    timeZone: 'utc',
    options,
    fieldConfig: { defaults: {}, overrides: [] },
    width: 1200,
    height: 700,
    transparent: false,
    renderCounter: 0,
    title: 'Hotspots',
    onOptionsChange: extra.onOptionsChange ?? jest.fn(),
    onFieldConfigChange: jest.fn(),
    replaceVariables: extra.replaceVariables ?? ((s: string) => s),
    onChangeTimeRange: jest.fn(),
  } as unknown as PanelProps<HotspotsOptions>;
  return render(<HotspotsPanel {...props} />);
}

const bookinfoState = stateFromFixtures([BOOKINFO]);
const lastQuery = () => mockAnalysis.mock.calls[mockAnalysis.mock.calls.length - 1][0].query;

beforeEach(() => {
  installDataSources();
  installBrowserStubs();
  testCache = new TraceCache();
  mockAnalysis.mockReset();
  mockAnalysis.mockImplementation(realAnalysis);
  mockSearch.mockReset();
  mockSearch.mockImplementation(() => undefined);
});

describe('HotspotsPanel', () => {
  it('ranks the traces of a Jaeger search as the engine does, fetching them through /api/ds/query', async () => {
    // Every recorded trace once (two fixture files hold the same trace).
    const traces = [...byId(realTraces()).values()];
    let backend: RecordedBackend | undefined;
    const answerTraces = jaegerTraceAnswer(byId(traces), () => backend!);
    backend = new RecordedBackend((request) =>
      request.body.queries.every((q) => q.datasource.type === 'jaeger') ? answerTraces(request) : dsQueryReply({})
    ).install();

    renderPanel([searchSeries(traces, 'jaeger')], { topN: 5 });
    const view = screen.getByTestId(testIds.view.root);
    await waitFor(() => expect(view).toHaveAttribute('data-phase', 'done'), { timeout: 15_000 });

    const operations = new OperationTable();
    const aggregator = new HotspotAggregator(operations);
    for (const trace of traces) {
      for (const model of readJaeger({ data: [trace] }, operations).traces) {
        aggregator.add(analyzeTrace(model));
      }
    }
    const expected = aggregator
      .report()
      .operations.slice(0, 5)
      .map((r) => `${r.service}|${r.operation}`);
    const shown = Array.from(screen.getByTestId(testIds.view.table).querySelectorAll('tbody tr')).map((row) => {
      const cells = row.querySelectorAll('td');
      return `${cells[1].textContent}|${cells[2].textContent}`;
    });
    expect(shown).toEqual(expected);
    expect(screen.getByTestId(testIds.view.sample)).toHaveTextContent(`analysed ${traces.length}`);
    expect(backend.violations).toEqual([]);
    expect(backend.requests.length).toBeGreaterThan(0);
  });

  it('asks the data layer for what the options say', () => {
    mockAnalysis.mockImplementation(() => stateFromFixtures([BOOKINFO]));
    renderPanel([], { maxTraces: 5000, window: 'full', asyncBlocking: true, lokiUid: 'loki', mode: 'hotspots' });
    expect(lastQuery()).toEqual({
      jaegerUid: 'jaeger',
      lokiUid: 'loki',
      maxTraces: 1500,
      window: 'full',
      asyncBlocking: true,
    });
  });

  it('applies its defaults to options a dashboard did not store', () => {
    mockAnalysis.mockImplementation(() => stateFromFixtures([BOOKINFO]));
    renderPanel([], {});
    expect(lastQuery()).toEqual({
      jaegerUid: 'jaeger',
      lokiUid: undefined,
      maxTraces: 500,
      window: 'root',
      asyncBlocking: false,
    });
  });

  it.each([
    ['p90', { percentile: 90 }],
    ['p99.5', { percentile: 99.5 }],
    ['250ms', { thresholdMs: 250 }],
    ['1.5s', { thresholdMs: 1500 }],
    ['400', { thresholdMs: 400 }],
  ])('splits slow from baseline traces at %s', (compareSplit, compare) => {
    mockAnalysis.mockImplementation(() => stateFromFixtures([BOOKINFO]));
    renderPanel([], { mode: 'compare', compareSplit });
    expect(lastQuery().compare).toEqual(compare);
  });

  it('says when it cannot read the split, and ranks hotspots instead', () => {
    mockAnalysis.mockImplementation(() => stateFromFixtures([BOOKINFO]));
    renderPanel([], { mode: 'compare', compareSplit: 'slowest' });
    expect(screen.getByText('Slow traces: not understood')).toBeInTheDocument();
    expect(lastQuery().compare).toBeUndefined();
    expect(screen.getByTestId(testIds.view.table)).toBeInTheDocument();
  });

  it('takes the Jaeger data source from a mixed query, resolving dashboard variables', () => {
    mockAnalysis.mockImplementation(() => stateFromFixtures([BOOKINFO]));
    renderPanel(
      [],
      {},
      {
        targets: [
          { refId: 'A', datasource: { type: 'prometheus', uid: 'prometheus' } },
          { refId: 'B', datasource: { type: 'jaeger', uid: '${tracing}' } },
        ],
        replaceVariables: (s) => s.replace('${tracing}', 'jaeger-eu'),
      }
    );
    expect(lastQuery().jaegerUid).toBe('jaeger-eu');
  });

  it('keeps the per-service switch in the panel options', () => {
    mockAnalysis.mockImplementation(() => stateFromFixtures([BOOKINFO]));
    const onOptionsChange = jest.fn();
    renderPanel([], { topN: 7 }, { onOptionsChange });
    fireEvent.click(screen.getByLabelText('Per service'));
    expect(onOptionsChange).toHaveBeenCalledWith({ topN: 7, rollup: true });
  });

  it('"Filter to this" runs the query’s Jaeger search again with the row’s tag, until the filter is cleared', async () => {
    const compared = await cohortState();
    mockAnalysis.mockImplementation(() => compared);
    const searched: Array<TraceSearch | undefined> = [];
    mockSearch.mockImplementation((input) => {
      searched.push(input.search);
      return input.search ? bookinfoState : undefined;
    });
    const search = {
      refId: 'A',
      datasource: { type: 'jaeger', uid: 'jaeger' },
      queryType: 'search',
      service: '${svc}',
      tags: 'error=true',
      minDuration: '10ms',
    };
    renderPanel(
      [],
      { mode: 'compare' },
      { targets: [search], replaceVariables: (s) => s.replace('${svc}', 'inventory') }
    );
    expect(searched.every((s) => s === undefined)).toBe(true);
    const section = screen.getByTestId(testIds.view.sharedAttributes);
    expect(section).toHaveTextContent('host.name=node-7');
    fireEvent.click(screen.getByRole('button', { name: 'Filter to this' }));
    expect(searched[searched.length - 1]).toEqual({
      service: 'inventory',
      tags: 'error=true host.name="node-7"',
      minDuration: '10ms',
      limit: 500,
    });
    expect(screen.getByTestId(testIds.hotspotsPanel.cohort)).toHaveTextContent('error=true host.name="node-7"');
    // The view shows the filtered run's state now.
    expect(screen.queryByTestId(testIds.view.sharedAttributes)).not.toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Clear filter' }));
    expect(searched[searched.length - 1]).toBeUndefined();
    expect(screen.getByTestId(testIds.view.sharedAttributes)).toBeInTheDocument();
  });

  it('offers no filter when its query is no Jaeger search, or for rows of another service', async () => {
    const compared = await cohortState();
    mockAnalysis.mockImplementation(() => compared);
    renderPanel([], { mode: 'compare' });
    expect(screen.getByTestId(testIds.view.sharedAttributes)).toHaveTextContent('host.name=node-7');
    expect(screen.queryByRole('button', { name: 'Filter to this' })).not.toBeInTheDocument();
    const frontend = {
      refId: 'A',
      datasource: { type: 'jaeger', uid: 'jaeger' },
      queryType: 'search',
      service: 'frontend',
    };
    renderPanel([], { mode: 'compare' }, { targets: [frontend] });
    expect(screen.queryByRole('button', { name: 'Filter to this' })).not.toBeInTheDocument();
  });

  it('never renders blank: an empty query result says so', async () => {
    renderPanel([]);
    await waitFor(() => expect(screen.getByTestId(testIds.view.root)).not.toHaveAttribute('data-phase', 'fetching'));
    expect(screen.getByTestId(testIds.hotspotsPanel.container)).toHaveTextContent(/./);
    expect(screen.queryByTestId(testIds.view.error) ?? screen.queryByTestId(testIds.view.empty)).toBeInTheDocument();
  });
});

describe('panel options', () => {
  beforeAll(() => {
    // Grafana core registers the standard option editors; the builder only needs them to exist.
    standardEditorsRegistry.setInit(() =>
      ['radio', 'text', 'number', 'boolean'].map((id) => ({ id, name: id, editor: () => null }))
    );
  });

  it('has exactly the documented keys and defaults', () => {
    expect(plugin).toBeInstanceOf(PanelPlugin);
    expect(plugin.panel).toBe(HotspotsPanel);
    expect(plugin.defaults).toEqual({
      maxTraces: 500,
      mode: 'hotspots',
      compareSplit: 'p90',
      window: 'root',
      asyncBlocking: false,
      topN: 20,
      rollup: false,
      lokiUid: '',
    });
  });

  it('limits max traces to 1,500 and shows the split only in compare mode', () => {
    const builder = new PanelOptionsEditorBuilder<HotspotsOptions>();
    plugin.getPanelOptionsSupplier()(builder, { data: [] });
    const items = Object.fromEntries(builder.getItems().map((item) => [item.path, item]));
    expect(Object.keys(items).sort()).toEqual(
      ['asyncBlocking', 'compareSplit', 'lokiUid', 'maxTraces', 'mode', 'rollup', 'topN', 'window'].sort()
    );
    expect(items.maxTraces.settings).toMatchObject({ min: 1, max: 1500, integer: true });
    const showIf = items.compareSplit.showIf!;
    expect(showIf({ mode: 'compare' } as HotspotsOptions, [])).toBe(true);
    expect(showIf({ mode: 'hotspots' } as HotspotsOptions, [])).toBe(false);
    expect(items.lokiUid.editor).toBe(LokiPickerEditor);
  });

  it('picks the Loki override from the Loki data sources', () => {
    const onChange = jest.fn();
    render(
      <LokiPickerEditor
        id="loki-override"
        value={undefined}
        onChange={onChange}
        context={{ data: [] }}
        item={{ id: 'lokiUid', name: 'Loki data source' }}
      />
    );
    const input = document.getElementById('loki-override') as HTMLInputElement;
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(screen.queryByText('Jaeger')).not.toBeInTheDocument();
    fireEvent.click(screen.getByText('Loki archive'));
    expect(onChange).toHaveBeenCalledWith('loki-archive');
  });
});
