import { Alert } from '@grafana/ui';
import React from 'react';

import { coverage, HotspotReport, InputProblem, LOW_COVERAGE, formatProblem } from '../../engine';
import { count, percent } from './format';

interface Props {
  report: HotspotReport;
  problems: readonly InputProblem[];
  window: 'root' | 'full';
}

/**
 * What the engine had to repair or leave out, in plain words. Coverage comes first: when most span time lies
 * outside the analysed window, the ranking describes only a small part of the traces, and the user must know.
 */
export function DiagnosticsBanner({ report, problems, window }: Props) {
  const d = report.diagnostics;
  const share = coverage(d);
  const lines: string[] = [];
  if (share < LOW_COVERAGE) {
    lines.push(
      `Coverage ${percent(share)}: ${percent(1 - share)} of span time lies outside the analysed ${
        window === 'root' ? "root spans' windows" : 'windows'
      } (${count(d.spansOutsideWindow)} of ${count(d.spans)} spans).` +
        (window === 'root' ? ' Set “Window” to “Full trace” to analyse each trace’s full extent.' : '')
    );
  }
  const facts: Array<[number, string]> = [
    [d.orphans, 'spans whose parent is missing (hung under the root)'],
    [d.extraRoots, 'extra root spans (hung under the first root)'],
    [d.clippedChildren, 'child spans overflowing their parent (clipped on the path)'],
    [d.outsideParent, 'child spans wholly outside their parent (off the path)'],
    [
      d.skewedChildren,
      `child spans starting before their parent (clock skew up to ${(d.maxSkewUs / 1000).toFixed(2)} ms)`,
    ],
    [d.cyclesBroken, 'reference cycles cut'],
    [d.duplicateSpanIds, 'duplicate span IDs'],
    [d.asyncChildren, 'async children (FOLLOWS_FROM or consumer) not waited for'],
    [d.invalidSpans, 'unreadable spans left out'],
    [d.negativeDurations, 'negative durations read as 0'],
  ];
  for (const [n, text] of facts) {
    if (n > 0) {
      lines.push(`${count(n)} ${text}`);
    }
  }
  if (problems.length > 0) {
    lines.push(`${count(problems.length)} input problems, e.g. ${formatProblem(problems[0])}`);
  }
  if (lines.length === 0) {
    return null;
  }
  return (
    <Alert
      severity={share < LOW_COVERAGE ? 'warning' : 'info'}
      title={share < LOW_COVERAGE ? `Low coverage: ${percent(share)} of span time analysed` : 'Trace data notes'}
      data-testid="hotpath-diagnostics"
    >
      <ul>
        {lines.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
    </Alert>
  );
}
