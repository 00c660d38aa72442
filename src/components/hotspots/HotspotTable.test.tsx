import { fireEvent, render, screen, within } from '@testing-library/react';
import React from 'react';

import { installDataSources } from '../testing/dataSources';
import { BOOKINFO, SMARTTHINGS, stateFromFixtures } from '../testing/states';
import { fakeTraceLinks } from '../testing/traceLinks';
import { testIds } from '../testIds';
import { HotspotTable, HotspotTableProps } from './HotspotTable';

const smartthings = stateFromFixtures([SMARTTHINGS]);
// The links the panel or page hands the table (built in src/data there): Explore hrefs and the Loki count.
let LINKS = fakeTraceLinks({ state: 'counted', lines: 7 });

function renderTable(props: Partial<HotspotTableProps> = {}) {
  const all: HotspotTableProps = {
    report: smartthings.report!,
    topN: 20,
    rollup: false,
    links: LINKS,
    windowOf: (id) => smartthings.traceWindows!.get(id) ?? smartthings.range,
    ...props,
  };
  return render(<HotspotTable {...all} />);
}

/** Body rows as { column header → cell text } (DOM queries: getAllByRole is slow on tables this size). */
function tableRows(): Array<Record<string, string>> {
  const table = screen.getByTestId(testIds.view.table);
  const headers = Array.from(table.querySelectorAll('thead th')).map((h) => h.textContent ?? '');
  return Array.from(table.querySelectorAll('tbody tr')).map((row) =>
    Object.fromEntries(Array.from(row.querySelectorAll('td')).map((cell, i) => [headers[i], cell.textContent ?? '']))
  );
}

beforeEach(() => {
  installDataSources();
  LINKS = fakeTraceLinks({ state: 'counted', lines: 7 });
});

describe('HotspotTable', () => {
  it('ranks the SmartThings journey as the engine does: coreSrv get /login/tokenauth first, 8.376 ms, 22.8 %', () => {
    renderTable();
    const rows = tableRows();
    expect(rows[0]).toMatchObject({
      Service: 'coreSrv',
      Operation: 'get /login/tokenauth',
      'CP share': '22.8 %',
      'CP total ms': '8.376',
      // One trace: the per-trace percentiles are that trace's value.
      'CP/trace p50 · p95 · p99 ms': '8.376 · 8.376 · 8.376',
      Calls: '1',
      Errors: '0',
      Traces: '1',
    });
    expect(rows[1]).toMatchObject({ Service: 'coreSrv', Operation: 'post /implicit-tokens/access' });
    const engineOrder = smartthings.report!.operations.slice(0, 20).map((r) => `${r.service}|${r.operation}`);
    expect(rows.map((r) => `${r.Service}|${r.Operation}`)).toEqual(engineOrder);
    // The bar says the same as its text.
    expect(screen.getAllByRole('meter')[0]).toHaveAttribute('aria-valuenow', '22.8');
  });

  it('shows the top N, then all rows on request', () => {
    renderTable({ topN: 3 });
    expect(tableRows()).toHaveLength(3);
    expect(screen.getByTestId(testIds.view.table)).toHaveTextContent('Top 3 of 87 operations');
    fireEvent.click(screen.getByRole('button', { name: 'Show all 87' }));
    expect(tableRows()).toHaveLength(87);
    fireEvent.click(screen.getByRole('button', { name: 'Show top 3' }));
    expect(tableRows()).toHaveLength(3);
  });

  it('filters by service or operation', () => {
    renderTable();
    fireEvent.change(screen.getByPlaceholderText('Filter service or operation'), { target: { value: 'check_token' } });
    expect(tableRows().map((r) => `${r.Service}|${r.Operation}`)).toEqual([
      'coreSrv|post /oauth/check_token',
      'auth|post /oauth/check_token',
    ]);
    expect(screen.getByTestId(testIds.view.table)).toHaveTextContent('2 operations matching “check_token”');
    fireEvent.change(screen.getByPlaceholderText('Filter service or operation'), { target: { value: 'no-such-op' } });
    expect(screen.getByTestId(testIds.view.table)).toHaveTextContent('No operation matches “no-such-op”.');
  });

  it('rolls operations up per service, and tells the caller', () => {
    const onRollupChange = jest.fn();
    renderTable({ topN: 3, onRollupChange });
    fireEvent.click(screen.getByLabelText('Per service'));
    expect(onRollupChange).toHaveBeenCalledWith(true);
    expect(screen.getByTestId(testIds.view.table)).toHaveTextContent('Top 3 of 16 services');
    const rows = tableRows();
    expect(rows[0].Service).toBe('coreSrv');
    expect(rows[0]).not.toHaveProperty('Operation');
    expect(rows.map((r) => r.Service)).toEqual(smartthings.report!.services.slice(0, 3).map((s) => s.service));
  });

  it('follows the rollup prop when it changes (panel option edited)', () => {
    const { rerender } = renderTable();
    expect(tableRows()[0]).toHaveProperty('Operation');
    rerender(
      <HotspotTable
        report={smartthings.report!}
        topN={20}
        rollup={true}
        links={LINKS}
        windowOf={() => smartthings.range}
      />
    );
    expect(tableRows()[0]).not.toHaveProperty('Operation');
  });

  it('sorts all rows before cutting the top N', () => {
    renderTable({ topN: 5 });
    fireEvent.click(screen.getByRole('button', { name: 'Sort column Calls' }));
    const maxCalls = Math.max(...smartthings.report!.operations.map((r) => r.calls));
    const calls = tableRows().map((r) => Number(r.Calls.replace(/,/g, '')));
    expect(calls[0]).toBe(maxCalls);
    expect([...calls].sort((a, b) => b - a)).toEqual(calls);
    expect(calls).toHaveLength(5);
  });

  it('links the costliest trace to Explore and to its logs, with the line count', () => {
    const state = stateFromFixtures([BOOKINFO]);
    renderTable({ report: state.report!, windowOf: (id) => state.traceWindows!.get(id)! });
    const traceId = state.records[0].traceId;
    // Over the trace's own extent, not the whole search range.
    const window = state.traceWindows!.get(traceId)!;
    const open = screen.getAllByTestId(testIds.view.openTrace)[0];
    expect(open).toHaveAttribute('href', LINKS.trace(traceId, window).href);
    const logs = screen.getAllByTestId(testIds.view.logs)[0];
    expect(logs).toHaveTextContent('Logs (7)');
    expect(logs).toHaveAttribute('href', `/explore?logs=productpage.bookinfo&trace=${traceId}`);
    expect(LINKS.logsAsked[0]).toEqual({ service: 'productpage.bookinfo', traceId, window });
  });

  it('lists every exemplar of a row when it is expanded', () => {
    const state = stateFromFixtures([BOOKINFO, SMARTTHINGS]);
    renderTable({ report: state.report!, rollup: true, windowOf: () => state.range });
    const firstRow = screen.getByTestId(testIds.view.table).querySelector('tbody tr')!;
    fireEvent.click(within(firstRow as HTMLElement).getAllByRole('button')[0]);
    const exemplars = state.report!.services[0].exemplars;
    expect(screen.getByText(/cost the most critical-path time/)).toBeInTheDocument();
    for (const exemplar of exemplars) {
      expect(screen.getByText(exemplar.traceId)).toBeInTheDocument();
    }
  });

  it('shows trace IDs to copy instead of links when traces come from files', () => {
    renderTable({ links: undefined });
    expect(screen.queryByTestId(testIds.view.openTrace)).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.view.logs)).not.toBeInTheDocument();
    expect(screen.getAllByRole('button', { name: /^Copy trace ID/ }).length).toBeGreaterThan(0);
    expect(LINKS.counted).toEqual([]);
  });

  describe('in a box of a given width', () => {
    /** A ResizeObserver that reports `width` for every element it watches, as soon as it starts watching. */
    function measureAs(width: number) {
      class FixedWidth {
        constructor(private readonly callback: ResizeObserverCallback) {}
        observe(target: Element) {
          this.callback([{ target, contentRect: { width } } as ResizeObserverEntry], this as never);
        }
        unobserve() {}
        disconnect() {}
      }
      Object.defineProperty(window, 'ResizeObserver', { value: FixedWidth, configurable: true, writable: true });
    }
    const headers = () =>
      Array.from(screen.getByTestId(testIds.view.table).querySelectorAll('thead th')).map((h) => h.textContent);
    afterEach(() => {
      delete (window as { ResizeObserver?: unknown }).ResizeObserver;
    });

    it('at a half-width panel keeps the ranking columns, names how many it left out, and shows them per row', () => {
      measureAs(882);
      renderTable({ topN: 5 });
      expect(headers()).toEqual(['Row expander', 'Service', 'Operation', 'CP share', 'CP total ms', 'Costliest trace']);
      expect(screen.getByTestId(testIds.view.columns)).toHaveTextContent('6 more columns');
      // Expanded, a row shows the values the table left out, under the columns' names.
      const firstRow = screen.getByTestId(testIds.view.table).querySelector('tbody tr') as HTMLElement;
      fireEvent.click(within(firstRow).getAllByRole('button')[0]);
      const details = screen.getByTestId(testIds.view.rowDetails);
      expect(details).toHaveTextContent('CP/trace p50 · p95 · p99 ms8.376 · 8.376 · 8.376');
      expect(details).toHaveTextContent('Calls1');
      expect(details).toHaveTextContent('Traces1');
      // The costliest trace is a column here: not repeated among the details.
      expect(details).not.toHaveTextContent('Costliest trace');
    });

    it('at full width shows every column and no cue', () => {
      measureAs(1782);
      renderTable({ topN: 5 });
      expect(headers()).toContain('Traces');
      expect(screen.getByTestId(testIds.view.columns)).toHaveTextContent(/^Columns$/);
    });

    it('lets the user bring a column back, and return to what fits', () => {
      measureAs(882);
      renderTable({ topN: 5 });
      fireEvent.click(screen.getByTestId(testIds.view.columns));
      fireEvent.click(screen.getByRole('checkbox', { name: 'Calls' }));
      expect(headers()).toEqual([
        'Row expander',
        'Service',
        'Operation',
        'CP share',
        'CP total ms',
        'Costliest trace',
        'Calls',
      ]);
      fireEvent.click(screen.getByRole('button', { name: 'Fit to width' }));
      expect(headers()).not.toContain('Calls');
    });
  });
});
