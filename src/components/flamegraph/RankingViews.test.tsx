import { fireEvent, render, screen, within } from '@testing-library/react';
import React from 'react';

import { installBrowserStubs } from '../testing/browser';
import { BOOKINFO, stateFromFixtures } from '../testing/states';
import { fakeTraceLinks } from '../testing/traceLinks';
import { testIds } from '../testIds';
import { HotspotView, HotspotViewOptions } from '../hotspots/HotspotView';

/**
 * The flame graph view of the shared results. The component itself draws on a canvas, which jsdom has not: here a
 * stand-in records the props it gets (the DataFrame, the menu buttons), so the wiring is tested — what a frame's
 * "Show in table" does to the table. The real component runs in the layer-1 browser test.
 */
const flameGraphProps: Array<Record<string, unknown>> = [];
jest.mock('@grafana/flamegraph', () => ({
  FlameGraph: (props: Record<string, unknown>) => {
    flameGraphProps.push(props);
    return <div>flame graph stand-in</div>;
  },
}));

type MenuButtons = (clicked: { item: { itemIndexes: number[] } }) => Array<{ label: string; onClick: () => void }>;

const OPTIONS: HotspotViewOptions = { mode: 'hotspots', topN: 50, rollup: false, window: 'root' };

beforeAll(() => installBrowserStubs());

function lastProps() {
  const props = flameGraphProps[flameGraphProps.length - 1];
  const frame = props.data as { fields: Array<{ name: string; values: unknown[] }> };
  const labels = frame.fields.find((f) => f.name === 'label')?.values as string[];
  return { labels, buttons: props.getExtraContextMenuButtons as MenuButtons };
}

function tableRows(): string[] {
  const table = screen.getByTestId(testIds.view.table);
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map((row) => row.textContent ?? '');
}

describe('the flame graph view', () => {
  it('switches to the flame graph; "Show in table" on a frame narrows the table to its operation', async () => {
    const state = stateFromFixtures([BOOKINFO]);
    render(<HotspotView state={state} options={OPTIONS} links={fakeTraceLinks()} />);
    expect(screen.queryByTestId(testIds.view.flameGraph)).toBeNull();
    const allRows = tableRows().length;
    expect(allRows).toBeGreaterThan(3);

    fireEvent.click(screen.getByRole('radio', { name: 'Flame graph' }));
    expect(screen.getByTestId(testIds.view.flameGraph)).toHaveAttribute('data-diff', 'false');
    const { labels, buttons } = lastProps();
    expect(labels[0]).toBe('all traces');
    const row = labels.indexOf('details.bookinfo: details.bookinfo.svc.cluster.local:9080/*');
    expect(row).toBeGreaterThan(0);
    const [show] = buttons({ item: { itemIndexes: [row] } });
    expect(show.label).toBe('Show in table');
    React.act(() => show.onClick());
    expect(tableRows()).toHaveLength(1);
    expect(tableRows()[0]).toMatch(/^details\.bookinfodetails\.bookinfo\.svc\.cluster\.local:9080\/\*/);
    const picked = screen.getByTestId(testIds.view.picked);
    expect(within(picked).getByRole('link', { name: /Costliest trace through this path/ })).toBeInTheDocument();
    expect(await within(picked).findByTestId(testIds.view.logs)).toHaveTextContent(/Logs/);

    fireEvent.click(within(picked).getByRole('button', { name: /All operations/ }));
    expect(tableRows()).toHaveLength(allRows);
  });

  it('draws the difference in slow-vs-baseline mode', () => {
    const state = stateFromFixtures([BOOKINFO], { compare: { percentile: 50 } });
    render(<HotspotView state={state} options={{ ...OPTIONS, mode: 'compare' }} />);
    fireEvent.click(screen.getByRole('radio', { name: 'Flame graph' }));
    expect(screen.getByTestId(testIds.view.flameGraph)).toHaveAttribute('data-diff', 'true');
    const props = flameGraphProps[flameGraphProps.length - 1];
    const names = (props.data as { fields: Array<{ name: string }> }).fields.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['valueRight', 'selfRight']));
  });
});
