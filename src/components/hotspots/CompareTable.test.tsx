import { fireEvent, render, screen } from '@testing-library/react';
import React from 'react';

import { compareReports } from '../../engine/aggregate/compareReports';
import { BOOKINFO, LOKI_CAS, SMARTTHINGS, stateFromFixtures, YELP } from '../testing/states';
import { testIds } from '../testIds';
import { CompareTable } from './CompareTable';
import { ReportCompareTable } from './ReportCompareTable';

function rows(container: HTMLElement): Array<Record<string, string>> {
  const headers = Array.from(container.querySelectorAll('thead th')).map((h) => h.textContent ?? '');
  return Array.from(container.querySelectorAll('tbody tr')).map((row) =>
    Object.fromEntries(Array.from(row.querySelectorAll('td')).map((cell, i) => [headers[i], cell.textContent ?? '']))
  );
}

describe('CompareTable (slow vs baseline)', () => {
  // Yelp's trace (131.8 ms) is the p90 of the three; Bookinfo (11.9 ms) and Loki CAS are the baseline.
  const state = stateFromFixtures([BOOKINFO, YELP, LOKI_CAS], { compare: { percentile: 90 } });

  it('shows both sample sizes, the warning for small samples, and the ranked increase', () => {
    render(<CompareTable comparison={state.comparison!} topN={20} />);
    const compare = screen.getByTestId(testIds.view.compare);
    expect(compare).toHaveTextContent('Slow: 1 trace at or above 131.8 ms (mean 131.8 ms)');
    expect(compare).toHaveTextContent('baseline: 2 traces (mean 6.468 ms)');
    expect(screen.getByTestId(testIds.view.compareWarning)).toHaveTextContent(
      'only 1 slow and 2 baseline traces: fewer than 20 on a side makes this ranking unreliable'
    );
    expect(rows(compare)[0]).toEqual({
      Service: 'yelp_main/api_proxy',
      Operation: 'post api proxy proxy',
      'Δ CP/trace ms': '+84.06',
      'Slow ms': '84.06',
      'Baseline ms': '0',
      'Share of slowdown': '67.0 %',
    });
  });

  it('shows no warning when both sides are large enough', () => {
    render(<CompareTable comparison={{ ...state.comparison!, warning: undefined }} topN={20} />);
    expect(screen.queryByTestId(testIds.view.compareWarning)).not.toBeInTheDocument();
  });

  it('cuts at top N and shows the rest on request', () => {
    render(<CompareTable comparison={state.comparison!} topN={2} />);
    const compare = screen.getByTestId(testIds.view.compare);
    expect(rows(compare)).toHaveLength(2);
    fireEvent.click(screen.getByRole('button', { name: `Show all ${state.comparison!.rows.length}` }));
    expect(rows(compare)).toHaveLength(state.comparison!.rows.length);
  });
});

describe('ReportCompareTable (Compare page)', () => {
  const before = stateFromFixtures([BOOKINFO]).report!;
  const after = stateFromFixtures([BOOKINFO, SMARTTHINGS]).report!;

  it('ranks by the change in CP time per trace, with both samples and the warning', () => {
    const change = compareReports(before, after);
    render(<ReportCompareTable change={change} topN={5} labels={{ before: 'Before', after: 'After' }} />);
    const table = screen.getByTestId(testIds.view.reportCompare);
    expect(table).toHaveTextContent('Before: 1 trace, mean 11.93 ms');
    expect(table).toHaveTextContent('After: 2 traces');
    expect(screen.getByTestId(testIds.view.compareWarning)).toHaveTextContent('only 1 trace before and 2 after');
    const shown = rows(table);
    // (The presence badge, "new" or "gone", follows the operation's name.)
    expect(shown.map((r) => `${r.Service}|${r.Operation.replace(/(new|gone)$/, '')}`)).toEqual(
      change.rows.slice(0, 5).map((r) => `${r.service}|${r.operation}`)
    );
    // SmartThings' costliest operation is new in "after": 8.376 ms over 2 traces = +4.188 ms per trace.
    expect(shown[0]).toMatchObject({
      Service: 'coreSrv',
      'Δ CP/trace ms': '+4.188',
      'Before ms': '0',
      'After ms': '4.188',
    });
    expect(shown[0].Operation).toMatch(/^get \/login\/tokenauth\s*new$/);
  });

  it('compares services in the rollup', () => {
    const change = compareReports(before, after, { level: 'service' });
    render(<ReportCompareTable change={change} topN={50} labels={{ before: 'A', after: 'B' }} />);
    const shown = rows(screen.getByTestId(testIds.view.reportCompare));
    expect(shown[0]).not.toHaveProperty('Operation');
    expect(shown).toHaveLength(change.rows.length);
  });
});
