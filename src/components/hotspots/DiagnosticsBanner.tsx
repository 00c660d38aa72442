import { Alert } from '@grafana/ui';
import React from 'react';

import { coverage, formatProblem, HotspotReport, InputProblem, LOW_COVERAGE } from '../../engine';
import { testIds } from '../testIds';
import { count, percent, plural } from './format';

export interface DiagnosticsBannerProps {
  report: HotspotReport;
  /** Input problems and per-trace fetch failures, as the data layer collected them. */
  problems: readonly InputProblem[];
  /** The analysis window in use, so the coverage advice can name the other one. */
  window: 'root' | 'full';
}

/** Problems listed by name before "and N more". */
const PROBLEMS_SHOWN = 3;

/**
 * What the engine had to repair or leave out, in plain words — never silent. Coverage comes first: when most span
 * time lies outside the analysed window, the ranking describes only a small part of the traces, and the user must
 * know. Renders nothing only when there is nothing to say.
 */
export function DiagnosticsBanner({ report, problems, window }: DiagnosticsBannerProps) {
  const d = report.diagnostics;
  const share = coverage(d);
  const lowCoverage = share < LOW_COVERAGE;
  const lines: string[] = [];
  if (lowCoverage) {
    lines.push(
      `Coverage ${percent(share)}: ${percent(1 - share)} of span time lies outside the analysed ${
        window === 'root' ? "root spans' windows" : 'windows'
      } (${count(d.spansOutsideWindow)} of ${count(d.spans)} spans wholly outside).` +
        (window === 'root' ? ' Set “Window” to “Full trace” to analyse each trace’s full extent.' : '')
    );
  }
  if (report.lowCoverageTraces > 0) {
    lines.push(
      `${count(report.lowCoverageTraces)} of ${plural(report.traces, 'trace')} ${
        report.lowCoverageTraces === 1 ? 'has' : 'have'
      } less than ${percent(LOW_COVERAGE, 0)} of ${
        report.lowCoverageTraces === 1 ? 'its' : 'their'
      } span time in the analysed window`
    );
  }
  // [count, singular, plural]
  const facts: Array<[number, string, string]> = [
    [d.orphans, 'span whose parent is missing', 'spans whose parent is missing'],
    [d.extraRoots, 'extra root span', 'extra root spans'],
    [d.clippedChildren, 'child span overflowing its parent', 'child spans overflowing their parent'],
    [d.outsideParent, 'child span wholly outside its parent', 'child spans wholly outside their parent'],
    [d.skewedChildren, 'child span starting before its parent', 'child spans starting before their parent'],
    [d.cyclesBroken, 'reference cycle cut', 'reference cycles cut'],
    [d.duplicateSpanIds, 'duplicate span ID', 'duplicate span IDs'],
    [
      d.asyncChildren,
      'async child (FOLLOWS_FROM or consumer) not waited for',
      'async children (FOLLOWS_FROM or consumer) not waited for',
    ],
    [d.invalidSpans, 'unreadable span left out', 'unreadable spans left out'],
    [d.outOfRangeSpans, 'span with an out-of-range time left out', 'spans with an out-of-range time left out'],
    [d.negativeDurations, 'negative duration read as 0', 'negative durations read as 0'],
  ];
  const explain: Partial<Record<string, string>> = {
    'span whose parent is missing': ' (hung under the root)',
    'extra root span': ' (hung under the first root)',
    'child span overflowing its parent': ' (clipped on the path)',
    'child span wholly outside its parent': ' (off the path)',
    'child span starting before its parent': ` (clock skew up to ${(d.maxSkewUs / 1000).toFixed(2)} ms)`,
  };
  for (const [n, one, many] of facts) {
    if (n > 0) {
      lines.push(`${count(n)} ${n === 1 ? one : many}${explain[one] ?? ''}`);
    }
  }
  if (problems.length > 0) {
    lines.push(`${plural(problems.length, 'input problem')}:`);
  }
  if (lines.length === 0) {
    return null;
  }
  const lostData = d.invalidSpans > 0 || d.outOfRangeSpans > 0 || problems.length > 0;
  return (
    // In a block of its own: Grafana's Alert grows in a flex column (flex-grow: 1), and in a panel taller than its
    // content that opened an empty gap under the banner.
    <div>
      <Alert
        severity={lowCoverage || lostData ? 'warning' : 'info'}
        title={
          lowCoverage
            ? `Low coverage: ${percent(share)} of span time analysed`
            : lostData
              ? 'Some trace data could not be used'
              : 'Trace data notes'
        }
        data-testid={testIds.view.diagnostics}
      >
        <ul>
          {lines.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
        {problems.length > 0 && (
          <ul>
            {problems.slice(0, PROBLEMS_SHOWN).map((problem, i) => (
              <li key={i}>{formatProblem(problem)}</li>
            ))}
            {problems.length > PROBLEMS_SHOWN && <li>…and {count(problems.length - PROBLEMS_SHOWN)} more</li>}
          </ul>
        )}
      </Alert>
    </div>
  );
}
