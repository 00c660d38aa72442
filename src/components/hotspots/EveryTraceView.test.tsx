import { fireEvent, render, screen, within } from '@testing-library/react';
import React from 'react';
import { lastValueFrom, toArray } from 'rxjs';

import { NO_METRICS_MESSAGE, prometheusRanking$ } from '../../data/promRanking';
import { recordedPrometheusReply } from '../../data/testing/prometheusBackend';
import { readPrometheusRecording } from '../../data/testing/prometheusFrames';
import { RecordedBackend } from '../../data/testing/recordedBackend';
import type { MetricsRankingState } from '../../state/types';
import { installDataSources } from '../testing/dataSources';
import { fakeTraceLinks } from '../testing/traceLinks';
import { testIds } from '../testIds';
import { EveryTraceView } from './EveryTraceView';

/**
 * The "every trace" view from a real Prometheus's recorded answers (test/fixtures/prometheus/), read by src/data as
 * the page does: the same table as for a sample, with what the metrics lack shown as unavailable.
 */
const recording = readPrometheusRecording();

/** The ranking and its follow-up for the first rows' own exemplars, answered from the recording. */
async function rankedStates(): Promise<MetricsRankingState[]> {
  new RecordedBackend((request) => recordedPrometheusReply(recording.answers, request)).install();
  return lastValueFrom(prometheusRanking$({ prometheusUid: 'prometheus', range: recording.range }).pipe(toArray()));
}

async function rankedState(): Promise<MetricsRankingState> {
  const states = await rankedStates();
  return states[states.length - 1];
}

function tableRows(): Array<Record<string, string>> {
  const table = screen.getByTestId(testIds.view.table);
  const headers = Array.from(table.querySelectorAll('thead th')).map((h) => h.textContent ?? '');
  return Array.from(table.querySelectorAll('tbody tr')).map((row) =>
    Object.fromEntries(Array.from(row.querySelectorAll('td')).map((cell, i) => [headers[i], cell.textContent ?? '']))
  );
}

beforeEach(() => installDataSources());

describe('EveryTraceView', () => {
  it('ranks the recorded metrics with the hotspot table; span statistics say — with the reason, never 0', async () => {
    const state = await rankedState();
    const links = fakeTraceLinks({ state: 'counted', lines: 2 });
    render(<EveryTraceView state={state} topN={20} rollup={false} links={links} />);
    expect(screen.getByTestId(testIds.view.root)).toHaveAttribute('data-phase', 'done');
    expect(screen.getByTestId(testIds.view.metricsSummary)).toHaveTextContent(
      `${state.ranking!.report.traces} traces analysed by hotpath stream`
    );
    const rows = tableRows();
    expect(rows[0]).toMatchObject({ Service: 'backend', Operation: 'redis.slow_down', 'Span p95 ms': '—' });
    expect(rows[0]['Self ms']).toBe('—');
    expect(rows[0].Calls).toBe('—');
    expect(rows[0].Errors).toBe('—');
    expect(rows[0]['CP/trace p50 · p95 · p99 ms']).toMatch(/^\d[\d.,]* · \d[\d.,]* · \d[\d.,]*$/);
    expect(rows[0].Traces).toMatch(/^\d+$/);
    expect(rows.flatMap((r) => Object.values(r)).join(' ')).not.toMatch(/NaN/);
    const firstRow = screen.getByTestId(testIds.view.table).querySelector('tbody tr') as HTMLElement;
    const dashes = within(firstRow).getAllByTestId(testIds.view.unavailable);
    expect(dashes).toHaveLength(4);
    expect(dashes[0]).toHaveAttribute('aria-label', expect.stringContaining('hotpath stream does not export'));
    // The costliest trace of the row, from the exemplars, opens in Explore.
    const open = within(firstRow).getByTestId(testIds.view.openTrace);
    expect(open.getAttribute('href')).toContain(`trace=${state.ranking!.report.operations[0].exemplars[0].traceId}`);
  });

  it('says while the costliest traces are being looked up, showing the sampled ones meanwhile, then links each row’s own', async () => {
    const states = await rankedStates();
    const pending = states.find((s) => s.ranking?.exemplarLookup?.phase === 'loading')!;
    const operations = pending.ranking!.exemplarLookup!.operations;
    const links = fakeTraceLinks();
    const { rerender } = render(<EveryTraceView state={pending} topN={20} rollup={false} links={links} />);
    expect(screen.getByTestId(testIds.view.exemplarLookup)).toHaveTextContent(
      `Looking up the costliest exemplar traces of the top ${operations} operations by critical-path time…`
    );
    // The top row shows the exemplar the ranking's sampling gave it until its own costliest arrives.
    const firstRow = () => screen.getByTestId(testIds.view.table).querySelector('tbody tr') as HTMLElement;
    const sampledId = pending.ranking!.report.operations[0].exemplars[0].traceId;
    expect(within(firstRow()).getByTestId(testIds.view.openTrace).getAttribute('href')).toContain(`trace=${sampledId}`);
    // The second row had no exemplar from the ranking's sampled ones: "–" until the follow-up answers.
    const secondRow = () => screen.getByTestId(testIds.view.table).querySelectorAll('tbody tr')[1] as HTMLElement;
    expect(pending.ranking!.report.operations[1].exemplars).toEqual([]);
    expect(within(secondRow()).queryByTestId(testIds.view.openTrace)).toBeNull();

    const done = states[states.length - 1];
    rerender(<EveryTraceView state={done} topN={20} rollup={false} links={links} />);
    expect(screen.queryByTestId(testIds.view.exemplarLookup)).toBeNull();
    const costliestId = done.ranking!.report.operations[0].exemplars[0].traceId;
    expect(costliestId).not.toBe(sampledId);
    expect(within(firstRow()).getByTestId(testIds.view.openTrace).getAttribute('href')).toContain(
      `trace=${costliestId}`
    );
    const traceId = done.ranking!.report.operations[1].exemplars[0].traceId;
    expect(within(secondRow()).getByTestId(testIds.view.openTrace).getAttribute('href')).toContain(`trace=${traceId}`);

    const failed = {
      ...done,
      ranking: {
        ...pending.ranking!,
        exemplarLookup: { phase: 'failed' as const, operations: 2, message: 'timed out' },
      },
    };
    rerender(<EveryTraceView state={failed} topN={20} rollup={false} links={links} />);
    expect(screen.getByTestId(testIds.view.exemplarLookup)).toHaveTextContent(
      'The costliest exemplar traces of 2 operations could not be looked up, their links may not be the costliest (or stay “–”): timed out'
    );
    expect(screen.getByTestId(testIds.view.root)).toHaveAttribute('data-phase', 'done');
  });

  it('per service, the per-trace percentiles and trace counts are unavailable too (not derivable per service)', async () => {
    const state = await rankedState();
    render(<EveryTraceView state={state} topN={20} rollup={true} links={fakeTraceLinks()} />);
    const [top] = tableRows();
    expect(top).toMatchObject({ Service: 'backend', 'CP/trace p50 · p95 · p99 ms': '—', Traces: '—' });
    fireEvent.click(screen.getByLabelText('Per service'));
    expect(tableRows()[0]).toMatchObject({ Service: 'backend', Operation: 'redis.slow_down' });
  });

  it('says what to check when there are no metrics, and shows errors in words', () => {
    const range = { from: 0, to: 1 };
    const { rerender } = render(
      <EveryTraceView
        state={{ phase: 'empty', range, error: { title: 'No metrics', message: NO_METRICS_MESSAGE } }}
        topN={20}
        rollup={false}
      />
    );
    expect(screen.getByTestId(testIds.view.empty)).toHaveTextContent('is hotpath stream running and scraped');
    rerender(
      <EveryTraceView
        state={{ phase: 'error', range, error: { title: 'Grafana server unreachable', message: 'no answer' } }}
        topN={20}
        rollup={false}
      />
    );
    expect(screen.getByTestId(testIds.view.error)).toHaveTextContent('Grafana server unreachable');
    expect(screen.queryByTestId(testIds.view.table)).toBeNull();
  });
});
