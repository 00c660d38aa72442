import { render, screen } from '@testing-library/react';
import React from 'react';

import type { LogCount } from '../../data/types';
import { installDataSources } from '../testing/dataSources';
import { testIds } from '../testIds';
import { LogsLinkCell } from './LogsLinkCell';

let mockCount: LogCount = { state: 'loading' };
const mockUseLogCount = jest.fn((_input: unknown) => mockCount);
jest.mock('../../data', () => ({
  ...jest.requireActual('../../data'),
  useLogCount: (input: unknown) => mockUseLogCount(input),
}));

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const WINDOW = { from: 1_700_000_000_000, to: 1_700_000_000_250 };

function renderCell(links = { jaegerUid: 'jaeger', lokiUid: 'loki' }) {
  return render(<LogsLinkCell links={links} service="checkout" traceId={TRACE} window={WINDOW} />);
}

beforeEach(() => {
  installDataSources();
  mockUseLogCount.mockClear();
});

describe('LogsLinkCell', () => {
  it('says "no logs" instead of linking when Loki counts zero lines', () => {
    mockCount = { state: 'counted', lines: 0 };
    renderCell();
    expect(screen.getByTestId(testIds.view.noLogs)).toHaveTextContent('no logs');
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
  });

  it('links to the trace and service in Loki, with the count', () => {
    mockCount = { state: 'counted', lines: 1234 };
    renderCell();
    const link = screen.getByTestId(testIds.view.logs);
    expect(link).toHaveTextContent('Logs (1,234)');
    const panes = JSON.parse(new URL(link.getAttribute('href')!, 'http://grafana').searchParams.get('panes')!);
    const pane = Object.values(panes)[0] as { datasource: string; queries: Array<{ expr: string }> };
    expect(pane.datasource).toBe('loki');
    expect(pane.queries[0].expr).toBe(`{service_name="checkout"} | trace_id="${TRACE}"`);
    // The count asks about exactly what the link shows: this trace and service, around the trace's own window.
    expect(mockUseLogCount).toHaveBeenCalledWith(
      expect.objectContaining({
        lokiUid: 'loki',
        jaegerUid: 'jaeger',
        service: 'checkout',
        traceId: TRACE,
        spanStartMs: WINDOW.from,
        spanEndMs: WINDOW.to,
      })
    );
  });

  it('waits for the count before offering the link', () => {
    mockCount = { state: 'loading' };
    renderCell();
    expect(screen.getByText('logs…')).toBeInTheDocument();
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
  });

  it('still links when the count failed, without a number', () => {
    mockCount = { state: 'unavailable', reason: 'Loki answered 502' };
    renderCell();
    expect(screen.getByTestId(testIds.view.logs)).toHaveTextContent(/^Logs$/);
  });

  it('says why there is no logs link when no Loki is known', () => {
    mockCount = { state: 'unavailable', reason: 'No Loki data source' };
    renderCell({ jaegerUid: 'jaeger', lokiUid: '' });
    expect(screen.getByTestId(testIds.view.logsUnavailable)).toHaveTextContent('logs n/a');
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
  });
});
