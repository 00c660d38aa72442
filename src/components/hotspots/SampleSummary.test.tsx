import { render, screen } from '@testing-library/react';
import React from 'react';

import { testIds } from '../testIds';
import { SampleSummary } from './SampleSummary';

const progress = { searched: 1000, toFetch: 1000, fetched: 340, failed: 2, analysed: 300 };

describe('SampleSummary', () => {
  it('shows progress while traces arrive: fetched 340 of 1,000 traces', () => {
    render(<SampleSummary phase="fetching" progress={progress} />);
    const summary = screen.getByTestId(testIds.view.sample);
    expect(summary).toHaveTextContent('Fetched 340 of 1,000 traces');
    expect(summary).toHaveTextContent('searched 1,000 · fetched 340 · failed 2 · analysed 300');
    expect(summary).toHaveAttribute('aria-busy', 'true');
  });

  it('states the honest sample when done, and that a limit cut it short', () => {
    render(
      <SampleSummary
        phase="done"
        progress={{
          ...progress,
          searched: 2400,
          toFetch: 500,
          fetched: 498,
          analysed: 498,
          limitHit: { found: 2400, max: 500 },
        }}
      />
    );
    const summary = screen.getByTestId(testIds.view.sample);
    expect(summary).toHaveTextContent('498 traces analysed');
    expect(summary).toHaveTextContent('searched 2,400 · fetched 498 · failed 2 · analysed 498');
    expect(summary).toHaveTextContent('Limit reached: 2,400 traces found, only the newest 500 fetched');
    expect(summary).toHaveTextContent('up to 1,500');
    expect(summary).toHaveAttribute('aria-busy', 'false');
  });

  it('says "at least" when the search only knows that more traces exist', () => {
    render(
      <SampleSummary phase="done" progress={{ ...progress, limitHit: { found: 501, max: 500, atLeast: true } }} />
    );
    expect(screen.getByTestId(testIds.view.sample)).toHaveTextContent('Limit reached: at least 501 traces found');
  });

  it('says it is searching before there is anything to count', () => {
    render(<SampleSummary phase="searching" progress={{ ...progress, searched: 0, fetched: 0 }} />);
    expect(screen.getByTestId(testIds.view.sample)).toHaveTextContent('Searching for traces…');
  });

  it('counts files and traces on the Import page', () => {
    render(
      <SampleSummary phase="done" noun="files" progress={{ ...progress, fetched: 12, failed: 1, analysed: 12 }} />
    );
    expect(screen.getByTestId(testIds.view.sample)).toHaveTextContent('traces read 12 · files failed 1 · analysed 12');
  });

  it('renders nothing before anything was asked', () => {
    const { container } = render(<SampleSummary phase="idle" progress={progress} />);
    expect(container).toBeEmptyDOMElement();
  });
});
