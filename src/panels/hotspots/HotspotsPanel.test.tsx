import React from 'react';
import { render, screen } from '@testing-library/react';
import {
  DataFrame,
  FieldType,
  getDefaultTimeRange,
  LoadingState,
  PanelProps,
  PanelPlugin,
  toDataFrame,
} from '@grafana/data';
import { testIds } from '../../components/testIds';
import { HotspotsPanel } from './HotspotsPanel';
import { plugin } from './module';
import { HotspotsOptions } from './types';

function renderPanel(series: DataFrame[]) {
  const timeRange = getDefaultTimeRange();
  const props = {
    id: 1,
    data: { series, state: LoadingState.Done, timeRange },
    timeRange,
    timeZone: 'utc',
    options: {},
    fieldConfig: { defaults: {}, overrides: [] },
    width: 400,
    height: 300,
    transparent: false,
    renderCounter: 0,
    title: 'Hotspots',
    onOptionsChange: jest.fn(),
    onFieldConfigChange: jest.fn(),
    replaceVariables: (s: string) => s,
    onChangeTimeRange: jest.fn(),
  } as unknown as PanelProps<HotspotsOptions>;

  return render(<HotspotsPanel {...props} />);
}

const frame = (name: string) =>
  toDataFrame({
    name,
    fields: [
      { name: 'traceID', type: FieldType.string, values: ['a', 'b'] },
      { name: 'duration', type: FieldType.number, values: [12, 30] },
    ],
  });

describe('HotspotsPanel', () => {
  test('says it received no data frames', () => {
    renderPanel([]);

    expect(screen.getByTestId(testIds.hotspotsPanel.container)).toBeInTheDocument();
    expect(screen.getByText('Received 0 data frames')).toBeInTheDocument();
    expect(screen.getByText(/ranking arrives with the panel issue/i)).toBeInTheDocument();
  });

  test('counts the data frames it received', () => {
    renderPanel([frame('A'), frame('B')]);

    expect(screen.getByText('Received 2 data frames')).toBeInTheDocument();
  });

  test('uses the singular for one frame', () => {
    renderPanel([frame('A')]);

    expect(screen.getByText('Received 1 data frame')).toBeInTheDocument();
  });

  test('module exports a panel plugin that renders HotspotsPanel', () => {
    expect(plugin).toBeInstanceOf(PanelPlugin);
    expect(plugin.panel).toBe(HotspotsPanel);
  });
});
