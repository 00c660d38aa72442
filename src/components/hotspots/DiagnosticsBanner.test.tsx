import { render, screen } from '@testing-library/react';
import React from 'react';

import { BOOKINFO, SMARTTHINGS, stateFromFixtures } from '../testing/states';
import { testIds } from '../testIds';
import { DiagnosticsBanner } from './DiagnosticsBanner';

describe('DiagnosticsBanner', () => {
  it('warns that the SmartThings journey has 0.1 % coverage, and lists what was repaired', () => {
    // 88,191 of 61,405,619 µs of span time lie in the root span's window: the root returns before the journey ends.
    const state = stateFromFixtures([SMARTTHINGS]);
    render(<DiagnosticsBanner report={state.report!} problems={state.problems} window="root" />);
    const banner = screen.getByTestId(testIds.view.diagnostics);
    expect(banner).toHaveTextContent('Low coverage: 0.1 % of span time analysed');
    expect(banner).toHaveTextContent('Coverage 0.1 %: 99.9 % of span time lies outside the analysed root spans');
    expect(banner).toHaveTextContent('(943 of 957 spans wholly outside)');
    expect(banner).toHaveTextContent('Set “Window” to “Full trace”');
    expect(banner).toHaveTextContent('1 of 1 trace has less than 90 % of its span time in the analysed window');
    expect(banner).toHaveTextContent('16 child spans overflowing their parent (clipped on the path)');
    expect(banner).toHaveTextContent('41 child spans wholly outside their parent (off the path)');
    expect(banner).toHaveTextContent('1 child span starting before its parent (clock skew up to 0.22 ms)');
  });

  it('does not suggest the full window when it is already in use', () => {
    const state = stateFromFixtures([SMARTTHINGS]);
    render(<DiagnosticsBanner report={state.report!} problems={[]} window="full" />);
    expect(screen.getByTestId(testIds.view.diagnostics)).not.toHaveTextContent('Set “Window”');
  });

  it('says nothing when there is nothing to say (Bookinfo: a clean trace)', () => {
    const state = stateFromFixtures([BOOKINFO]);
    const { container } = render(<DiagnosticsBanner report={state.report!} problems={[]} window="root" />);
    expect(container).toBeEmptyDOMElement();
  });

  it('lists input problems and fetch failures, the first three by name', () => {
    const state = stateFromFixtures([BOOKINFO]);
    const problems = [
      { source: 'a.json', message: 'not valid JSON or JSON lines (line 1: Unexpected token)' },
      { traceId: 'abc', source: 'fetch', message: 'not fetched: request failed: 404 Not Found' },
      { traceId: 'def', spanId: '12', path: 'data[0].spans[3].startTime', message: 'startTime is not a number' },
      { traceId: 'ghi', message: 'the trace arrived more than once; analysed once' },
      { traceId: 'jkl', message: 'the trace arrived more than once; analysed once' },
    ];
    render(<DiagnosticsBanner report={state.report!} problems={problems} window="root" />);
    const banner = screen.getByTestId(testIds.view.diagnostics);
    expect(banner).toHaveTextContent('Some trace data could not be used');
    expect(banner).toHaveTextContent('5 input problems:');
    expect(banner).toHaveTextContent('a.json: not valid JSON or JSON lines (line 1: Unexpected token)');
    expect(banner).toHaveTextContent('fetch: trace abc: not fetched: request failed: 404 Not Found');
    expect(banner).toHaveTextContent('trace def, span 12 (data[0].spans[3].startTime): startTime is not a number');
    expect(banner).not.toHaveTextContent('trace ghi');
    expect(banner).toHaveTextContent('…and 2 more');
  });

  it('counts spans left out for out-of-range times as lost data', () => {
    const state = stateFromFixtures([BOOKINFO]);
    const report = { ...state.report!, diagnostics: { ...state.report!.diagnostics, outOfRangeSpans: 2 } };
    render(<DiagnosticsBanner report={report} problems={[]} window="root" />);
    const banner = screen.getByTestId(testIds.view.diagnostics);
    expect(banner).toHaveTextContent('Some trace data could not be used');
    expect(banner).toHaveTextContent('2 spans with an out-of-range time left out');
  });
});
