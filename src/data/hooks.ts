import type { DataFrame, TimeRange } from '@grafana/data';
import { useEffect, useMemo, useState } from 'react';
import { emptyState } from './analysis';
import { coalesceStates } from './coalesce';
import { runSearchPipeline, runSeriesPipeline, type PipelineOptions } from './pipeline';
import { prometheusRanking$ } from './promRanking';
import type { HotspotQuery, HotspotState, MetricsRankingState, TimeRangeMs, TraceSearch } from './types';

/**
 * The only React in src/data: each hook starts a pipeline run in an effect and cancels it when its inputs change
 * or the component unmounts, so a stale run never reports into a newer view (the run's `cancel()` stops requests
 * and snapshots). Inputs are compared by value (`query` by its fields, the time range by its epoch ms), not by
 * object identity, so a panel re-render with equal options does not refetch.
 */
type RangeInput = TimeRange | TimeRangeMs;

function toMs(range: RangeInput): TimeRangeMs {
  const from = range.from.valueOf();
  const to = range.to.valueOf();
  return { from: Number(from), to: Number(to) };
}

function queryKey(query: HotspotQuery): string {
  return JSON.stringify([
    query.jaegerUid,
    query.maxTraces,
    query.window,
    query.asyncBlocking,
    query.compare ?? null,
    query.lokiUid ?? null,
  ]);
}

/**
 * The previous array while it holds the same frames: Grafana passes the same `data.series` until new data arrive,
 * but a caller building `[frame]` or `[]` inline must not restart the run on every render.
 */
function useSameFrames(series: readonly DataFrame[]): readonly DataFrame[] {
  const [previous, setPrevious] = useState(series);
  const same = previous.length === series.length && previous.every((frame, i) => frame === series[i]);
  if (!same) {
    // Adjusting state while rendering (react.dev "storing information from previous renders"): no extra commit.
    setPrevious(series);
  }
  return same ? previous : series;
}

/**
 * A value key for pipeline options: plain data by value; functions and class instances (a `TraceCache`) by
 * identity — so options written inline do not restart the run, and nothing circular is ever serialised.
 */
const identities = new WeakMap<object, number>();
let nextIdentity = 0;
function optionsKey(options: HotspotHookOptions | undefined): string {
  return JSON.stringify(options ?? null, (_key, value: unknown) => {
    const byIdentity =
      typeof value === 'function' ||
      (typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value) &&
        Object.getPrototypeOf(value) !== Object.prototype);
    if (!byIdentity) {
      return value;
    }
    const object = value as object;
    let id = identities.get(object);
    if (id === undefined) {
      id = ++nextIdentity;
      identities.set(object, id);
    }
    return `#${id}`;
  });
}

/** Stable copy of `value` for as long as `key` is unchanged. */
function useStable<T>(value: T, key: string): T {
  // eslint-disable-next-line react-hooks/exhaustive-deps
  return useMemo(() => value, [key]);
}

/**
 * Pipeline options, and how often a running analysis's snapshots reach React (default `PUBLISH_INTERVAL_MS`; the
 * first, a phase change and the final state always at once): see coalesce.ts.
 */
export type HotspotHookOptions = PipelineOptions & { publishIntervalMs?: number };

/**
 * Starts a pipeline whose snapshots reach React through `coalesceStates`, and returns the effect's cleanup (cancel
 * both). What the run knows from the start (the sample, traces already cached) is shown at once, not after a tick.
 */
function startCoalesced(
  start: (update: (state: HotspotState) => void) => { cancel(): void },
  publish: (state: HotspotState) => void,
  intervalMs: number | undefined
): () => void {
  const updates = coalesceStates(publish, intervalMs);
  const pipeline = start(updates.push);
  updates.flush();
  return () => {
    pipeline.cancel();
    updates.cancel();
  };
}

/**
 * The panel: `series` is the panel query's result — a Jaeger search table (the traces are fetched) or trace
 * frames (analysed directly). Refetches and cancels when `series`, the time range or the query change.
 */
export function useHotspotAnalysis(
  input: { series: readonly DataFrame[]; timeRange: RangeInput; query: HotspotQuery },
  options?: HotspotHookOptions
): HotspotState {
  const series = useSameFrames(input.series);
  const { from, to } = toMs(input.timeRange);
  const query = useStable(input.query, queryKey(input.query));
  const stableOptions = useStable(options, optionsKey(options));
  // One token per run: a snapshot of an older run is never returned, not even for the render before its effect.
  const run = useMemo(
    () => ({ series, range: { from, to }, query, options: stableOptions }),
    [series, from, to, query, stableOptions]
  );
  const [current, setCurrent] = useState<{ run: object; state: HotspotState } | undefined>(undefined);
  useEffect(() => {
    return startCoalesced(
      (update) => runSeriesPipeline(run, update, run.options),
      (state) => setCurrent({ run, state }),
      run.options?.publishIntervalMs
    );
  }, [run]);
  return current?.run === run ? current.state : initialState(run.range);
}

/**
 * The Hotspots and Compare pages: runs the Jaeger search itself (`search` null or without a service: idle), then
 * fetches and analyses like the panel.
 */
export function useHotspotSearch(
  input: { search: TraceSearch | null | undefined; timeRange: RangeInput; query: HotspotQuery },
  options?: HotspotHookOptions
): HotspotState {
  const { from, to } = toMs(input.timeRange);
  const query = useStable(input.query, queryKey(input.query));
  const search = useStable(input.search, JSON.stringify(input.search ?? null));
  const stableOptions = useStable(options, optionsKey(options));
  const run = useMemo(
    () => ({ search, range: { from, to }, query, options: stableOptions }),
    [search, from, to, query, stableOptions]
  );
  const [current, setCurrent] = useState<{ run: object; state: HotspotState } | undefined>(undefined);
  useEffect(() => {
    const { search: wanted } = run;
    if (!wanted?.service) {
      return undefined;
    }
    return startCoalesced(
      (update) => runSearchPipeline({ ...run, search: wanted }, update, run.options),
      (state) => setCurrent({ run, state }),
      run.options?.publishIntervalMs
    );
  }, [run]);
  if (!run.search?.service) {
    return idleState(run.range);
  }
  return current?.run === run ? current.state : initialState(run.range);
}

/** Snapshots are compared by identity downstream: reuse one per range instead of a new object every render. */
const initialStates = new WeakMap<TimeRangeMs, HotspotState>();
function initialState(range: TimeRangeMs): HotspotState {
  let state = initialStates.get(range);
  if (!state) {
    state = emptyState(range, 'fetching');
    initialStates.set(range, state);
  }
  return state;
}
const idleStates = new WeakMap<TimeRangeMs, HotspotState>();
function idleState(range: TimeRangeMs): HotspotState {
  let state = idleStates.get(range);
  if (!state) {
    state = emptyState(range, 'idle');
    idleStates.set(range, state);
  }
  return state;
}

/**
 * The Hotspots page's "every trace" source: the ranking from Prometheus (src/data/promRanking.ts) for the data
 * source, range and optional service; idle while `prometheusUid` is undefined. A change of input cancels the request.
 */
export function usePrometheusRanking(input: {
  prometheusUid: string | undefined;
  timeRange: RangeInput;
  service?: string;
}): MetricsRankingState {
  const { from, to } = toMs(input.timeRange);
  const { prometheusUid } = input;
  const service = input.service?.trim() || undefined;
  const run = useMemo(() => ({ prometheusUid, service, range: { from, to } }), [prometheusUid, service, from, to]);
  const [current, setCurrent] = useState<{ run: object; state: MetricsRankingState } | undefined>(undefined);
  useEffect(() => {
    if (!run.prometheusUid) {
      return undefined;
    }
    const subscription = prometheusRanking$({ ...run, prometheusUid: run.prometheusUid }).subscribe({
      next: (state) => setCurrent({ run, state }),
    });
    return () => subscription.unsubscribe();
  }, [run]);
  if (!run.prometheusUid) {
    return { phase: 'idle', range: run.range };
  }
  return current?.run === run ? current.state : { phase: 'loading', range: run.range };
}
