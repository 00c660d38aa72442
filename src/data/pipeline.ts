import type { DataFrame } from '@grafana/data';
import { getDataSourceSrv } from '@grafana/runtime';
import type { Subscription } from 'rxjs';
import { createHotspotAnalysis, errorState, type AnalysisRunOptions, type HotspotAnalysis } from './analysis';
import { classifyError } from './errors';
import { fetchTraces$, searchTraceIds$, type FetchTracesOptions } from './fetchTraces';
import { readTraceSource } from './traceSource';
import {
  clampMaxTraces,
  type HotspotQuery,
  type HotspotState,
  type TimeRangeMs,
  type TraceSearch,
  type UserFacingError,
} from './types';

/**
 * The runs behind the hooks, free of React so they can be tested and reused: panel data or a search → trace IDs →
 * batched fetches → the time-sliced analysis, with one `cancel()` that stops all of it (no request starts and no
 * state is reported afterwards).
 */
export interface PipelineRun {
  cancel(): void;
  /** Resolves with the final state (or the last one, when cancelled). */
  done: Promise<HotspotState>;
}

export interface PipelineOptions {
  fetch?: Partial<Omit<FetchTracesOptions, 'jaegerUid' | 'range'>>;
  analysis?: Omit<AnalysisRunOptions, 'range'>;
}

/** The panel: its `series` are a Jaeger search table (fetch the traces) or trace frames (analyse them). */
export function runSeriesPipeline(
  input: { series: readonly DataFrame[]; range: TimeRangeMs; query: HotspotQuery },
  onState: (state: HotspotState) => void,
  options: PipelineOptions = {}
): PipelineRun {
  const { series, range, query } = input;
  const source = readTraceSource(series, query.maxTraces);
  if (!source.ok) {
    return settled(errorState(source.error, range), onState);
  }
  const { frames, frameTraces, toFetch, found, limitHit } = source.source;
  const analysis = start(query, range, onState, options);
  analysis.setPhase('fetching');
  analysis.setSample({ searched: frameTraces + found, toFetch: frameTraces + toFetch.length, limitHit });
  if (frames.length > 0) {
    analysis.addTraceFrames(frames, 'panel data');
  }
  if (toFetch.length === 0) {
    return handle(analysis, undefined);
  }
  const jaegerUid = query.jaegerUid || source.source.jaegerUid || '';
  const problem = checkJaeger(jaegerUid);
  if (problem) {
    analysis.fail(problem);
    return handle(analysis, undefined);
  }
  return handle(analysis, fetchInto(analysis, toFetch, jaegerUid, range, options));
}

/** The app pages: run the Jaeger search ourselves, then fetch and analyse. */
export function runSearchPipeline(
  input: { search: TraceSearch; range: TimeRangeMs; query: HotspotQuery },
  onState: (state: HotspotState) => void,
  options: PipelineOptions = {}
): PipelineRun {
  const { search, range, query } = input;
  const analysis = start(query, range, onState, options);
  const problem = checkJaeger(query.jaegerUid);
  if (problem) {
    analysis.fail(problem);
    return handle(analysis, undefined);
  }
  const max = Math.min(clampMaxTraces(query.maxTraces), clampMaxTraces(search.limit ?? query.maxTraces));
  analysis.setPhase('searching');
  let fetching: Subscription | undefined;
  // One more than we will fetch: if Jaeger returns it, more traces matched than we analyse, and we can say so.
  const timeouts = options.fetch?.timeoutMs !== undefined ? { timeoutMs: options.fetch.timeoutMs } : {};
  const searching = searchTraceIds$(query.jaegerUid, { ...search, limit: max + 1 }, range, timeouts).subscribe({
    next: ({ traceIds }) => {
      const toFetch = traceIds.slice(0, max);
      analysis.setPhase('fetching');
      analysis.setSample({
        searched: traceIds.length,
        toFetch: toFetch.length,
        ...(traceIds.length > max ? { limitHit: { found: traceIds.length, max, atLeast: true } } : {}),
      });
      if (toFetch.length === 0) {
        void analysis.finish();
        return;
      }
      fetching = fetchInto(analysis, toFetch, query.jaegerUid, range, options);
    },
    error: (err: unknown) =>
      analysis.fail(classifyError(err, { target: 'Jaeger data source', uid: query.jaegerUid }).error),
  });
  return {
    cancel: () => {
      searching.unsubscribe();
      fetching?.unsubscribe();
      analysis.cancel();
    },
    done: analysis.done,
  };
}

function start(
  query: HotspotQuery,
  range: TimeRangeMs,
  onState: (state: HotspotState) => void,
  options: PipelineOptions
): HotspotAnalysis {
  const analysis = createHotspotAnalysis(query, { ...options.analysis, range });
  analysis.subscribe(onState);
  onState(analysis.getState());
  return analysis;
}

function fetchInto(
  analysis: HotspotAnalysis,
  traceIds: string[],
  jaegerUid: string,
  range: TimeRangeMs,
  options: PipelineOptions
): Subscription {
  let fetched = 0;
  let firstBatchError: UserFacingError | undefined;
  return fetchTraces$(traceIds, { ...options.fetch, jaegerUid, range }).subscribe({
    next: (batch) => {
      fetched += batch.traces.length;
      firstBatchError ??= batch.batchError;
      analysis.addFailures(batch.failures);
      if (batch.traces.length > 0) {
        analysis.addTraceFrames(
          batch.traces.map((t) => t.frame),
          'Jaeger'
        );
      }
    },
    error: (err: unknown) => analysis.fail(classifyError(err, { target: 'Jaeger data source', uid: jaegerUid }).error),
    complete: () => {
      // Every request failed as a whole (5xx, timeouts): that is the run's error, not "N traces failed".
      if (fetched === 0 && firstBatchError) {
        analysis.fail(firstBatchError);
      } else {
        void analysis.finish();
      }
    },
  });
}

/** `subscription` feeds the analysis and finishes it; without one, everything is already queued. */
function handle(analysis: HotspotAnalysis, subscription: Subscription | undefined): PipelineRun {
  if (!subscription) {
    void analysis.finish();
  }
  return {
    cancel: () => {
      subscription?.unsubscribe();
      analysis.cancel();
    },
    done: analysis.done,
  };
}

function settled(state: HotspotState, onState: (state: HotspotState) => void): PipelineRun {
  onState(state);
  return { cancel: () => undefined, done: Promise.resolve(state) };
}

/**
 * Before fetching: a data source is chosen and it is a Jaeger one. (A uid Grafana does not list is left to the
 * server to judge — a data source created after the page loaded is missing from the boot data — and the request's
 * "Data source not found" answer is then reported.)
 */
function checkJaeger(jaegerUid: string): UserFacingError | undefined {
  if (!jaegerUid) {
    return {
      title: 'No Jaeger data source',
      message: 'Choose a Jaeger data source (in the panel query, or the app configuration) to fetch traces from.',
    };
  }
  let settings: { type: string; name: string } | undefined;
  try {
    settings = getDataSourceSrv()?.getInstanceSettings(jaegerUid);
  } catch {
    settings = undefined;
  }
  if (settings && settings.type !== 'jaeger') {
    return {
      title: 'Not a Jaeger data source',
      message: `“${settings.name}” is a data source of type ${settings.type}. Hotpath fetches full traces from Jaeger data sources only.`,
    };
  }
  return undefined;
}
