import { clampMaxTraces, type RankingSource } from '../data';
import { DEFAULT_RAW_RANGE, RawRange } from '../components/search/timeRange';
import type { SearchDraft } from '../components/search/TraceSearchFields';

/**
 * What the app pages keep in the URL, so that a view can be shared by copying the address: the search, the time
 * range(s) (Grafana's `from`/`to` conventions) and the analysis options. Values equal to their default are left out
 * of the URL, except the time range, which a shared link must always carry.
 */
export type UrlQuery = Record<string, string | undefined>;

export interface AnalysisUrlOptions {
  /** Jaeger data source uid; undefined: the app's default. */
  ds?: string;
  window: 'root' | 'full';
  asyncBlocking: boolean;
  rollup: boolean;
  topN: number;
  /** undefined: the app's default. */
  maxTraces?: number;
}

export interface HotspotsUrlState extends AnalysisUrlOptions {
  search: SearchDraft;
  range: RawRange;
  /** Rank from a Jaeger search's traces (default) or from every trace's metrics in Prometheus (`source=prometheus`). */
  source: RankingSource;
  /** Prometheus data source uid (`prom`); undefined: the app's default. */
  promDs?: string;
  /** As the panel's Mode option: rank hotspots, or compare the slow traces with the rest. */
  mode: 'hotspots' | 'compare';
  /** Slow vs baseline: which traces are slow, as the panel's "Slow traces" option (`p90`, `250ms`). */
  slow: string;
}

export type CompareMode = 'time' | 'tags';

export interface CompareUrlState extends AnalysisUrlOptions {
  mode: CompareMode;
  /** Service, operation and min duration shared by both sides; `tags` is side B's (both sides' in time mode). */
  search: SearchDraft;
  /** Side A's tags (tags mode). */
  referenceTags: string;
  /** Side B's range (both sides' in tags mode). */
  range: RawRange;
  /** Side A's range (time mode). */
  referenceRange: RawRange;
}

export const DEFAULT_TOP_N = 20;
/** The slow cohort by default, as the panel's (src/panels/hotspots/types.ts). */
export const DEFAULT_SLOW_SPLIT = 'p90';
/** Side A in time mode, by default: the hour before the default range. */
export const DEFAULT_REFERENCE_RANGE: RawRange = { from: 'now-2h', to: 'now-1h' };

const get = (params: URLSearchParams, key: string): string => params.get(key)?.trim() ?? '';

function readOptions(params: URLSearchParams): AnalysisUrlOptions {
  const top = Number(get(params, 'top'));
  const max = Number(get(params, 'max'));
  return {
    ds: get(params, 'ds') || undefined,
    window: get(params, 'window') === 'full' ? 'full' : 'root',
    asyncBlocking: get(params, 'async') === 'true',
    rollup: get(params, 'rollup') === 'true',
    topN: Number.isInteger(top) && top > 0 ? top : DEFAULT_TOP_N,
    maxTraces: get(params, 'max') && Number.isFinite(max) && max > 0 ? clampMaxTraces(max) : undefined,
  };
}

function writeOptions(options: AnalysisUrlOptions): UrlQuery {
  return {
    ds: options.ds || undefined,
    window: options.window === 'full' ? 'full' : undefined,
    async: options.asyncBlocking ? 'true' : undefined,
    rollup: options.rollup ? 'true' : undefined,
    top: options.topN !== DEFAULT_TOP_N ? String(options.topN) : undefined,
    max: options.maxTraces !== undefined ? String(options.maxTraces) : undefined,
  };
}

function readRange(params: URLSearchParams, fromKey: string, toKey: string, fallback: RawRange): RawRange {
  return { from: get(params, fromKey) || fallback.from, to: get(params, toKey) || fallback.to };
}

function readSearch(params: URLSearchParams): SearchDraft {
  return {
    service: get(params, 'service'),
    operation: get(params, 'operation'),
    tags: get(params, 'tags'),
    minDuration: get(params, 'minDuration'),
  };
}

function writeSearch(search: SearchDraft): UrlQuery {
  return {
    service: search.service.trim() || undefined,
    operation: search.operation.trim() || undefined,
    tags: search.tags.trim() || undefined,
    minDuration: search.minDuration.trim() || undefined,
  };
}

export function parseHotspotsUrl(search: string): HotspotsUrlState {
  const params = new URLSearchParams(search);
  return {
    ...readOptions(params),
    search: readSearch(params),
    range: readRange(params, 'from', 'to', DEFAULT_RAW_RANGE),
    source: get(params, 'source') === 'prometheus' ? 'prometheus' : 'sample',
    promDs: get(params, 'prom') || undefined,
    mode: get(params, 'mode') === 'compare' ? 'compare' : 'hotspots',
    slow: get(params, 'slow') || DEFAULT_SLOW_SPLIT,
  };
}

/** Every key the page owns (undefined ones are removed by `locationService.partial`). */
export function hotspotsUrlQuery(state: HotspotsUrlState): UrlQuery {
  const compare = state.mode === 'compare';
  return {
    mode: compare ? 'compare' : undefined,
    slow: compare && state.slow.trim() && state.slow.trim() !== DEFAULT_SLOW_SPLIT ? state.slow.trim() : undefined,
    ...writeSearch(state.search),
    from: state.range.from,
    to: state.range.to,
    ...writeOptions(state),
    source: state.source === 'prometheus' ? 'prometheus' : undefined,
    prom: state.promDs || undefined,
  };
}

export function parseCompareUrl(search: string): CompareUrlState {
  const params = new URLSearchParams(search);
  return {
    ...readOptions(params),
    mode: get(params, 'mode') === 'tags' ? 'tags' : 'time',
    search: readSearch(params),
    referenceTags: get(params, 'atags'),
    range: readRange(params, 'from', 'to', DEFAULT_RAW_RANGE),
    referenceRange: readRange(params, 'afrom', 'ato', DEFAULT_REFERENCE_RANGE),
  };
}

export function compareUrlQuery(state: CompareUrlState): UrlQuery {
  const time = state.mode === 'time';
  return {
    mode: time ? undefined : 'tags',
    ...writeSearch(state.search),
    atags: !time ? state.referenceTags.trim() || undefined : undefined,
    from: state.range.from,
    to: state.range.to,
    afrom: time ? state.referenceRange.from : undefined,
    ato: time ? state.referenceRange.to : undefined,
    ...writeOptions(state),
  };
}
