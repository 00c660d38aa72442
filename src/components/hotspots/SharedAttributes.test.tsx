import { fireEvent, render, screen } from '@testing-library/react';
import React from 'react';

import type { AttributeAnalysis } from '../../engine';
import { testIds } from '../testIds';
import { SharedAttributes } from './SharedAttributes';

const ANALYSIS: AttributeAnalysis = {
  confidence: 0.95,
  tested: 12,
  minSlowTraces: 3,
  rows: [
    {
      service: 'inventory',
      key: 'host.name',
      value: 'node-7',
      slowTraces: 16,
      baselineTraces: 2,
      slowShare: 0.8,
      baselineShare: 0.011,
      difference: 0.789,
      lowerBound: 0.52,
      hotspotWithUs: 300_000,
      hotspotWithoutUs: 60_000,
      hotspotDeltaUs: 240_000,
      exemplarTraceId: '0af7651916cd43dd8448eb211c80319c',
      sameTraces: ['inventory host.id=h-7'],
    },
  ],
  hotspotOperations: [{ service: 'inventory', operation: 'SELECT stock' }],
  skippedKeys: [{ service: 'frontend', key: 'request.id', distinctValues: 200, traces: 200, reason: 'identifier' }],
  drops: { keysOverCap: 0, valuesOverCap: 0, unusableValues: 0 },
};

const windowOf = () => ({ from: 0, to: 1 });

describe('SharedAttributes (what the slow requests share)', () => {
  it('lists the value with its counts, bound, hotspot difference and exemplar; the button filters on it', () => {
    const onFilter = jest.fn();
    render(<SharedAttributes analysis={ANALYSIS} topN={10} windowOf={windowOf} onFilter={onFilter} />);
    const section = screen.getByTestId(testIds.view.sharedAttributes);
    const cells = Array.from(section.querySelectorAll('tbody td')).map((cell) => cell.textContent);
    expect(cells.slice(0, 6)).toEqual([
      'inventory',
      'host.name=node-7Same traces: inventory host.id=h-7',
      '16 (80.0 %)',
      '2 (1.1 %)',
      '52.0 %',
      '+240.0',
    ]);
    expect(section).toHaveTextContent('0af7651916cd43dd');
    expect(section).toHaveTextContent('Skipped as identifiers or too many values: frontend request.id');
    fireEvent.click(screen.getByRole('button', { name: 'Filter to this' }));
    expect(onFilter).toHaveBeenCalledWith('host.name', 'node-7');
  });

  it('offers the filter only on rows the caller can filter on', () => {
    const canFilter = jest.fn((service: string) => service === 'frontend');
    render(
      <SharedAttributes analysis={ANALYSIS} topN={10} windowOf={windowOf} onFilter={jest.fn()} canFilter={canFilter} />
    );
    expect(canFilter).toHaveBeenCalledWith('inventory', 'host.name');
    expect(screen.queryByRole('button', { name: 'Filter to this' })).not.toBeInTheDocument();
  });

  it('says when nothing is over-represented', () => {
    render(<SharedAttributes analysis={{ ...ANALYSIS, rows: [] }} topN={10} windowOf={windowOf} />);
    expect(screen.getByTestId(testIds.view.sharedAttributes)).toHaveTextContent(
      'No attribute value is over-represented in the slow traces at 95.0 % confidence (12 values in at least 3 slow traces tested).'
    );
  });
});
