import { act, fireEvent, render, screen } from '@testing-library/react';
import React from 'react';

import { WHAT_IF_CAVEAT } from '../../engine';
import { installBrowserStubs } from '../testing/browser';
import { BOOKINFO, stateFromFixtures } from '../testing/states';
import { testIds } from '../testIds';
import { WhatIfControl } from './WhatIfControl';

// Bookinfo: one trace of 11.932 ms. On its critical path: productpage 7.381 ms (its own time), reviews 1.392 ms,
// details 0.905 ms, …
const state = stateFromFixtures([BOOKINFO]);

function renderControl(initialPercent?: number) {
  return render(
    <WhatIfControl
      operations={state.operations}
      records={state.records}
      rows={state.report!.operations}
      initialPercent={initialPercent}
    />
  );
}

beforeEach(() => installBrowserStubs());

describe('WhatIfControl', () => {
  it('projects p50/p95 for the costliest operation, with the engine’s caveat', () => {
    renderControl(100);
    // Removing all 7.381 ms of productpage: 11.932 − 7.381 = 4.551 ms.
    expect(screen.getByTestId(testIds.view.whatIfResult)).toHaveTextContent(
      'p50 11.93 → 4.551 ms (−7.381) · p95 11.93 → 4.551 ms (−7.381) · 1 of 1 traces affected'
    );
    expect(screen.getByTestId(testIds.view.whatIf)).toHaveTextContent(WHAT_IF_CAVEAT);
  });

  it('follows the percentage', () => {
    renderControl();
    expect(screen.getByText('…by 50 %')).toBeInTheDocument();
    const input = document.getElementById('hotpath-whatif-reduction') as HTMLInputElement;
    fireEvent.change(input, { target: { value: '20' } });
    fireEvent.blur(input);
    expect(screen.getByText('…by 20 %')).toBeInTheDocument();
    // 20 % of 7.381 ms = 1.476 ms: 11.932 − 1.4762 = 10.4558 ms.
    expect(screen.getByTestId(testIds.view.whatIfResult)).toHaveTextContent('p50 11.93 → 10.46 ms (−1.476)');
  });

  it('follows the operation picked', async () => {
    renderControl(100);
    const input = screen.getByLabelText("What if this operation's critical-path time shrank…");
    await act(async () => {
      fireEvent.change(input, { target: { value: 'reviews' } });
    });
    await act(async () => {
      fireEvent.keyDown(input, { key: 'ArrowDown' });
      fireEvent.keyDown(input, { key: 'Enter' });
    });
    // Removing reviews' 1.392 ms: 11.932 − 1.392 = 10.54 ms.
    expect(screen.getByTestId(testIds.view.whatIfResult)).toHaveTextContent('p50 11.93 → 10.54 ms (−1.392)');
  });

  it('offers nothing when no operation is on a critical path', () => {
    const { container } = render(<WhatIfControl operations={state.operations} records={[]} rows={[]} />);
    expect(container).toBeEmptyDOMElement();
  });
});
