import { render, screen } from '@testing-library/react';
import React from 'react';

import { fakeTraceLinks, type FakeTraceLinks } from '../testing/traceLinks';
import { testIds } from '../testIds';
import { LogsLinkCell } from './LogsLinkCell';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const WINDOW = { from: 1_700_000_000_000, to: 1_700_000_000_250 };

function renderCell(links: FakeTraceLinks) {
  return render(<LogsLinkCell links={links} service="checkout" traceId={TRACE} window={WINDOW} />);
}

describe('LogsLinkCell', () => {
  it('says "no logs" instead of linking when Loki counts zero lines', () => {
    renderCell(fakeTraceLinks({ state: 'counted', lines: 0 }));
    expect(screen.getByTestId(testIds.view.noLogs)).toHaveTextContent('no logs');
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
  });

  it('renders the logs link it is given, with the count of exactly that link', () => {
    const links = fakeTraceLinks({ state: 'counted', lines: 1234 });
    renderCell(links);
    const link = screen.getByTestId(testIds.view.logs);
    expect(link).toHaveTextContent('Logs (1,234)');
    expect(link).toHaveAttribute('href', `/explore?logs=checkout&trace=${TRACE}`);
    // The link and the count are for this trace and service, over the trace's own window — asked once.
    expect(links.logsAsked).toEqual([{ service: 'checkout', traceId: TRACE, window: WINDOW }]);
    expect(links.counted).toHaveLength(1);
    expect(links.counted[0].link.href).toBe(link.getAttribute('href'));
  });

  it('waits for the count before offering the link', () => {
    renderCell(fakeTraceLinks(null));
    expect(screen.getByText('logs…')).toBeInTheDocument();
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
  });

  it('still links when the count failed, without a number', () => {
    renderCell(fakeTraceLinks({ state: 'unavailable', reason: 'Loki answered 502' }));
    expect(screen.getByTestId(testIds.view.logs)).toHaveTextContent(/^Logs$/);
  });

  it('says why there is no logs link, and asks for no count', () => {
    const links = fakeTraceLinks();
    links.logs = () => ({ kind: 'unavailable', reason: 'No Loki data source' });
    renderCell(links);
    expect(screen.getByTestId(testIds.view.logsUnavailable)).toHaveTextContent('logs n/a');
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
    expect(links.counted).toEqual([]);
  });

  it('asks again when the trace changes, and shows no stale count meanwhile', () => {
    const links = fakeTraceLinks({ state: 'counted', lines: 5 });
    const { rerender } = renderCell(links);
    expect(screen.getByTestId(testIds.view.logs)).toHaveTextContent('Logs (5)');
    links.count = null;
    rerender(<LogsLinkCell links={links} service="checkout" traceId="other" window={WINDOW} />);
    expect(screen.getByText('logs…')).toBeInTheDocument();
    expect(links.counted.map((t) => t.expr)).toEqual([
      `{service_name="checkout"} | trace_id="${TRACE}"`,
      '{service_name="checkout"} | trace_id="other"',
    ]);
  });
});
