import { fireEvent, render, screen } from '@testing-library/react';
import React from 'react';

import { compareReports } from '../../engine/aggregate/compareReports';
import { BOOKINFO, LOKI_CAS, SMARTTHINGS, stateFromFixtures, YELP } from '../testing/states';
import { testIds } from '../testIds';
import { SlowVsBaselineTable } from './SlowVsBaselineTable';
import { ms, signedMs } from './format';
import { TwoSearchesTable } from './TwoSearchesTable';

function rows(container: HTMLElement): Array<Record<string, string>> {
  const headers = Array.from(container.querySelectorAll('thead th')).map((h) => h.textContent ?? '');
  return Array.from(container.querySelectorAll('tbody tr')).map((row) =>
    Object.fromEntries(Array.from(row.querySelectorAll('td')).map((cell, i) => [headers[i], cell.textContent ?? '']))
  );
}

describe('SlowVsBaselineTable (slow vs baseline)', () => {
  // Yelp's trace (131.8 ms) is the p90 of the three; Bookinfo (11.9 ms) and Loki CAS are the baseline.
  const state = stateFromFixtures([BOOKINFO, YELP, LOKI_CAS], { compare: { percentile: 90 } });

  it('shows both sample sizes, the warning for small samples, and the ranked increase', () => {
    render(<SlowVsBaselineTable comparison={state.comparison!} topN={20} />);
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
    render(<SlowVsBaselineTable comparison={{ ...state.comparison!, warning: undefined }} topN={20} />);
    expect(screen.queryByTestId(testIds.view.compareWarning)).not.toBeInTheDocument();
  });

  it('cuts at top N and shows the rest on request', () => {
    render(<SlowVsBaselineTable comparison={state.comparison!} topN={2} />);
    const compare = screen.getByTestId(testIds.view.compare);
    expect(rows(compare)).toHaveLength(2);
    const changed = state.comparison!.rows.filter((r) => r.slowMeanUs !== 0 || r.baselineMeanUs !== 0).length;
    fireEvent.click(screen.getByRole('button', { name: `Show all ${changed}` }));
    expect(rows(compare)).toHaveLength(changed);
  });

  it('leaves out operations with no critical-path time on either side, and says how many a switch shows', () => {
    const comparison = state.comparison!;
    const idle = comparison.rows.filter((r) => r.slowMeanUs === 0 && r.baselineMeanUs === 0);
    // Yelp's and Loki's traces have spans that are never on their critical path (async, or hidden by a sibling).
    expect(idle.length).toBeGreaterThan(0);
    render(<SlowVsBaselineTable comparison={comparison} topN={100} />);
    const compare = screen.getByTestId(testIds.view.compare);
    expect(rows(compare)).toHaveLength(comparison.rows.length - idle.length);
    expect(rows(compare).filter((r) => r['Slow ms'] === '0' && r['Baseline ms'] === '0')).toEqual([]);
    const toggle = screen.getByRole('switch', {
      name: `Show ${idle.length} operations with no critical-path time on either side`,
    });
    fireEvent.click(toggle);
    expect(rows(compare)).toHaveLength(comparison.rows.length);
  });

  it('states the slowdown the rows explain', () => {
    render(<SlowVsBaselineTable comparison={state.comparison!} topN={100} />);
    const slowdown = state.comparison!.slowMeanLatencyUs - state.comparison!.baselineMeanLatencyUs;
    expect(screen.getByTestId(testIds.view.compare)).toHaveTextContent(
      `Slow traces take ${ms(slowdown)} ms longer on average than the baseline`
    );
    expect(screen.getByTestId(testIds.view.changeTotal)).toHaveTextContent(
      `add up to the whole ${signedMs(slowdown)} ms change in mean latency`
    );
  });
});

describe('TwoSearchesTable (Compare page)', () => {
  const before = stateFromFixtures([BOOKINFO]).report!;
  const after = stateFromFixtures([BOOKINFO, SMARTTHINGS]).report!;

  it('ranks by the change in CP time per trace, with both samples and the warning', () => {
    const change = compareReports(before, after);
    render(<TwoSearchesTable change={change} topN={5} labels={{ before: 'Before', after: 'After' }} />);
    const table = screen.getByTestId(testIds.view.reportCompare);
    expect(table).toHaveTextContent('Before: 1 trace, mean 11.93 ms');
    expect(table).toHaveTextContent('After: 2 traces');
    expect(screen.getByTestId(testIds.view.compareWarning)).toHaveTextContent('only 1 trace before and 2 after');
    const shown = rows(table);
    // (The presence badge, "new" or "gone", follows the operation's name.)
    // Largest change first either way: Bookinfo's own operation costs half as much per trace after (7.381 → 3.691 ms).
    expect(shown.map((r) => `${r.Service}|${r.Operation.replace(/(new|gone)$/, '')}|${r['Δ CP/trace ms']}`)).toEqual([
      'coreSrv|get /login/tokenauth|+4.188',
      'coreSrv|post /implicit-tokens/access|+3.979',
      'productpage.bookinfo|productpage.bookinfo.svc.cluster.local:9080/productpage|\u22123.691',
      'coreSrv|post /oauth/check_token|+3.113',
      'auth|client-select-by-id|+3.056',
    ]);
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
    render(<TwoSearchesTable change={change} topN={50} labels={{ before: 'A', after: 'B' }} />);
    const shown = rows(screen.getByTestId(testIds.view.reportCompare));
    expect(shown[0]).not.toHaveProperty('Operation');
    expect(shown).toHaveLength(change.rows.filter((r) => r.beforeMeanUs !== 0 || r.afterMeanUs !== 0).length);
  });

  // Before: Bookinfo and Yelp; after: Bookinfo and SmartThings. Yelp's 131.8 ms request is gone, SmartThings' short
  // root window comes in: mean latency falls by 47.57 ms, mostly through Yelp's operations disappearing.
  const deploy = compareReports(
    stateFromFixtures([BOOKINFO, YELP]).report!,
    stateFromFixtures([BOOKINFO, SMARTTHINGS]).report!
  );
  const parseMs = (text: string) => Number(text.replace('\u2212', '-').replace(/,/g, ''));

  it('orders rows by the size of their change either way: decreases as prominent as increases', () => {
    expect(deploy.latencyDeltaUs).toBeLessThan(0);
    render(<TwoSearchesTable change={deploy} topN={8} labels={{ before: 'Before', after: 'After' }} />);
    const shown = rows(screen.getByTestId(testIds.view.reportCompare));
    const deltas = shown.map((r) => parseMs(r['Δ CP/trace ms']));
    // Yelp's costliest operation, gone after: the largest change, ahead of every increase SmartThings brings.
    expect(shown[0]).toMatchObject({ Service: 'yelp_main/api_proxy', 'After ms': '0' });
    expect(shown[0].Operation).toMatch(/gone$/);
    expect(deltas[0]).toBeLessThan(0);
    expect(deltas.some((d) => d > 0)).toBe(true);
    // An increase against a falling mean explains a negative part of it, signed as the deltas are.
    expect(shown[2]).toMatchObject({ Service: 'coreSrv', 'Δ CP/trace ms': '+4.188', 'Share of change': '\u22128.8 %' });
    const sizes = deltas.map(Math.abs);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
  });

  it('ties the rows to the headline: the rows shown plus the rest make the change in mean latency', () => {
    render(<TwoSearchesTable change={deploy} topN={3} labels={{ before: 'Before', after: 'After' }} />);
    const table = screen.getByTestId(testIds.view.reportCompare);
    expect(table).toHaveTextContent(`Mean latency 71.89 → 24.32 ms (${signedMs(deploy.latencyDeltaUs)} ms)`);
    const shownSum = rows(table).reduce((sum, r) => sum + parseMs(r['Δ CP/trace ms']), 0);
    const line = screen.getByTestId(testIds.view.changeTotal).textContent ?? '';
    const match = line.match(
      /^The 3 operations shown account for (\S+) ms of the (\S+) ms change in mean latency; the other (\d+), not shown, for (\S+) ms\.$/
    );
    expect(match).not.toBeNull();
    const [, shownText, totalText, others, restText] = match!;
    const changed = deploy.rows.filter((r) => r.beforeMeanUs !== 0 || r.afterMeanUs !== 0).length;
    expect(Number(others)).toBe(changed - 3);
    expect(parseMs(shownText)).toBeCloseTo(shownSum, 2);
    expect(parseMs(totalText)).toBeCloseTo(deploy.latencyDeltaUs / 1000, 2);
    // What the headline says is what the rows add up to, to the printed precision.
    expect(parseMs(shownText) + parseMs(restText)).toBeCloseTo(parseMs(totalText), 1);
  });

  it('with every changed row shown, says they add up to the whole change', () => {
    render(<TwoSearchesTable change={deploy} topN={500} labels={{ before: 'Before', after: 'After' }} />);
    expect(screen.getByTestId(testIds.view.changeTotal)).toHaveTextContent(
      `shown add up to the whole ${signedMs(deploy.latencyDeltaUs)} ms change in mean latency.`
    );
  });
});
