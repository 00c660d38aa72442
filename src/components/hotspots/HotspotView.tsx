import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import React, { memo, ReactNode, useCallback, useLayoutEffect, useRef, useState } from 'react';

import type {
  AttributeAnalysis,
  Comparison,
  ContextComparison,
  ContextReport,
  HotspotReport,
  InputProblem,
  OperationTable,
  TraceRecord,
} from '../../engine';
import { onlyOperation } from '../flamegraph/onlyOperation';
import { RankingViews } from '../flamegraph/RankingViews';
import type { HotspotState, TimeRangeMs } from '../../state/types';
import { testIds } from '../testIds';
import { SlowVsBaselineTable } from './SlowVsBaselineTable';
import { SharedAttributes } from './SharedAttributes';
import { DiagnosticsBanner } from './DiagnosticsBanner';
import { HotspotTable } from './HotspotTable';
import type { TraceLinks } from '../../state/traceLinks';
import { SampleSummary } from './SampleSummary';
import { EmptyState, ErrorState } from './StatusStates';
import { WhatIfControl } from './WhatIfControl';

export interface HotspotViewOptions {
  mode: 'hotspots' | 'compare';
  topN: number;
  rollup: boolean;
  window: 'root' | 'full';
  /** Default true. */
  showWhatIf?: boolean;
}

export interface HotspotViewProps {
  state: HotspotState;
  options: HotspotViewOptions;
  /** Where exemplar links go; undefined where traces come from files (Import page). */
  links?: TraceLinks;
  onRollupChange?: (rollup: boolean) => void;
  /** Import page: progress counts files and traces read, not fetched. */
  noun?: 'traces' | 'files';
  /** Replaces the default "no traces" message. */
  emptyMessage?: ReactNode;
  /** Slow vs baseline: "What the slow requests share" offers to re-run the search on a row's cohort. */
  onAttributeFilter?: (key: string, value: string) => void;
  /** Which rows can be a filter (see SharedAttributes); default all. Memoise it: the results re-render with it. */
  canFilterAttribute?: (service: string, key: string) => boolean;
}

/**
 * Everything the panel and the app pages show for one analysis — shared by all of them, props in, no fetching.
 * Every phase says something: progress while searching and fetching, the error, the empty result, and the ranking
 * (partial while traces still arrive) with what the engine had to repair.
 *
 * While traces arrive the state changes several times a second, mostly only its progress counters: the results
 * below the summary are a memoised component whose props stay identical until the analysis rebuilds its report,
 * so a progress update re-renders the summary line only (the table, what-if and banner were a long task each).
 */
export function HotspotView(props: HotspotViewProps) {
  const { state, options, links, noun, emptyMessage } = props;
  const styles = useStyles2(getStyles);
  const report = state.report && state.report.traces > 0 ? state.report : undefined;
  const windowOf = useWindowOf(report, state.traceWindows, state.range);
  const rollupChange = useLatestCallback(props.onRollupChange);
  const attributeFilter = useLatestCallback(props.onAttributeFilter);
  const finished = state.phase === 'done' || state.phase === 'empty';
  return (
    <div className={styles.view} data-testid={testIds.view.root} data-phase={state.phase}>
      <SampleSummary phase={state.phase} progress={state.progress} noun={noun} />
      {state.phase === 'error' && state.error && <ErrorState error={state.error} />}
      {finished && !report && <EmptyState>{emptyMessage}</EmptyState>}
      {report && (
        <HotspotResults
          report={report}
          comparison={state.comparison}
          attributes={state.attributes}
          contexts={state.contexts}
          contextComparison={state.contextComparison}
          problems={state.problems}
          records={state.records}
          operations={state.operations}
          mode={options.mode}
          topN={options.topN}
          rollup={options.rollup}
          window={options.window}
          showWhatIf={options.showWhatIf !== false}
          links={links}
          onRollupChange={rollupChange}
          onAttributeFilter={props.onAttributeFilter ? attributeFilter : undefined}
          canFilterAttribute={props.canFilterAttribute}
          windowOf={windowOf}
        />
      )}
    </div>
  );
}

interface HotspotResultsProps {
  report: HotspotReport;
  comparison?: Comparison;
  attributes?: AttributeAnalysis;
  contexts?: ContextReport;
  contextComparison?: ContextComparison;
  problems: readonly InputProblem[];
  records: readonly TraceRecord[];
  operations: OperationTable;
  mode: HotspotViewOptions['mode'];
  topN: number;
  rollup: boolean;
  window: HotspotViewOptions['window'];
  showWhatIf: boolean;
  links?: TraceLinks;
  onRollupChange: (rollup: boolean) => void;
  onAttributeFilter?: (key: string, value: string) => void;
  canFilterAttribute?: (service: string, key: string) => boolean;
  windowOf: (traceId: string) => TimeRangeMs;
}

/** The ranking and what goes with it; only primitives and snapshot parts as props, so `memo` can skip it. */
const HotspotResults = memo(function HotspotResults(props: HotspotResultsProps) {
  const { report, comparison, mode, topN, links, windowOf } = props;
  const compare = mode === 'compare' && comparison !== undefined;
  return (
    <>
      <DiagnosticsBanner report={report} problems={props.problems} window={props.window} />
      <RankingViews
        contexts={props.contexts}
        comparison={compare ? props.contextComparison : undefined}
        links={links}
        windowOf={windowOf}
        table={(picked) =>
          compare ? (
            <>
              <SlowVsBaselineTable comparison={onlyOperation(comparison, picked)} topN={topN} />
              {props.attributes && (
                <SharedAttributes
                  analysis={props.attributes}
                  topN={topN}
                  links={links}
                  windowOf={windowOf}
                  onFilter={props.onAttributeFilter}
                  canFilter={props.canFilterAttribute}
                />
              )}
            </>
          ) : (
            <HotspotTable
              report={onlyOperation(report, picked)}
              topN={topN}
              rollup={props.rollup}
              onRollupChange={props.onRollupChange}
              links={links}
              windowOf={windowOf}
            />
          )
        }
      />
      {props.showWhatIf && (
        <WhatIfControl operations={props.operations} records={props.records} rows={report.operations} />
      )}
    </>
  );
});

/**
 * A trace's window for its links, as one function per report: the analysis publishes a larger `traceWindows` map
 * with every batch of analysed traces, but a trace's window never changes once known, and the traces the table
 * links to (the report's exemplars) were all analysed before that report was built. So the map as of the report's
 * first render serves until the report (or the range) changes, and the table's columns stay memoised in between.
 * (Adjusting state while rendering: react.dev, "Storing information from previous renders".)
 */
function useWindowOf(
  report: HotspotReport | undefined,
  traceWindows: HotspotState['traceWindows'],
  range: TimeRangeMs
): (traceId: string) => TimeRangeMs {
  const [held, setHeld] = useState(() => windowsOf(report, traceWindows, range));
  if (held.report === report && held.range === range) {
    return held.windowOf;
  }
  const next = windowsOf(report, traceWindows, range);
  setHeld(next);
  return next.windowOf;
}

function windowsOf(report: HotspotReport | undefined, traceWindows: HotspotState['traceWindows'], range: TimeRangeMs) {
  return { report, range, windowOf: (traceId: string): TimeRangeMs => traceWindows?.get(traceId) ?? range };
}

/**
 * A stable function that calls the latest `callback`: callers pass inline arrows (`(rollup) => onOptionsChange(…)`),
 * which would defeat the memoised results on every render; it is only called from event handlers, after commit.
 */
function useLatestCallback<A extends unknown[], R>(
  callback: ((...args: A) => R) | undefined
): (...args: A) => R | undefined {
  const latest = useRef(callback);
  useLayoutEffect(() => {
    latest.current = callback;
  });
  return useCallback((...args: A) => latest.current?.(...args), []);
}

const getStyles = (theme: GrafanaTheme2) => ({
  view: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1.5),
    height: '100%',
    overflow: 'auto',
    // A panel is often shorter than its content: scroll it, never squeeze the parts.
    '& > *': { flexShrink: 0 },
  }),
});
