import type {
  AttributeAnalysis,
  Comparison,
  ContextComparison,
  ContextReport,
  HotspotReport,
  InputProblem,
  OperationTable,
  TraceRecord,
} from '../engine';

/**
 * The contract between src/data (which fetches and analyses) and src/components (which show): src/state sits below
 * both, so views import these types without reaching into the data layer. The panel and the pages fill them from
 * src/data; components receive them as props and never fetch.
 */

/** What the user asked for: the Jaeger search that selects traces, and the analysis options. */
export interface HotspotQuery {
  /** The Jaeger data source to fetch full traces from. */
  jaegerUid: string;
  /** Optional Loki data source for log links and counts (else: Jaeger's tracesToLogsV2, else the app default). */
  lokiUid?: string;
  /** Traces to fetch at most (default 500, hard maximum 1,500). */
  maxTraces: number;
  /** Analyse the root span's window (default) or each trace's full extent. */
  window: 'root' | 'full';
  /** FOLLOWS_FROM and PRODUCER→CONSUMER children block their parent. */
  asyncBlocking: boolean;
  /** Slow-vs-baseline split: latency percentile (e.g. 90) or threshold in ms. */
  compare?: { percentile: number } | { thresholdMs: number };
}

/** The honest sample: how many traces were searched, fetched, failed and analysed. */
export interface FetchProgress {
  /** Trace IDs found by the search (or trace frames handed to the panel directly). */
  searched: number;
  /** Of those, how many we set out to fetch (≤ maxTraces). */
  toFetch: number;
  fetched: number;
  failed: number;
  analysed: number;
  /**
   * Set when the search found more traces than `maxTraces`: the analysis covers only the newest `toFetch`.
   * `atLeast` (added by src/data): `found` is a lower bound — the app's own search asks Jaeger for one trace more
   * than it will fetch, so it knows that more exist but not how many.
   */
  limitHit?: { found: number; max: number; atLeast?: boolean };
}

export type HotspotPhase = 'idle' | 'searching' | 'fetching' | 'done' | 'empty' | 'error';

/** A failure the user must see, worded for them (title: what failed; message: why and what to do). */
export interface UserFacingError {
  title: string;
  message: string;
  /** HTTP status when the failure was an HTTP response. */
  status?: number;
}

/** Everything the views need, as one immutable snapshot (a new object on every change). */
export interface HotspotState {
  phase: HotspotPhase;
  progress: FetchProgress;
  /** Present as soon as one trace is analysed: partial results while `phase === 'fetching'`. */
  report?: HotspotReport;
  /** Present when `HotspotQuery.compare` is set and at least one trace is analysed. */
  comparison?: Comparison;
  /** With `comparison`: the attribute values over-represented in its slow traces (issue #16). */
  attributes?: AttributeAnalysis;
  /** Critical-path time by calling context (the flame graph), taken with `report`. */
  contexts?: ContextReport;
  /** Slow vs baseline per calling context (the diff flame graph), taken with `comparison`. */
  contextComparison?: ContextComparison;
  /** Per-trace records (for what-if), and the operation table they index. */
  records: readonly TraceRecord[];
  operations: OperationTable;
  /** Per-trace/per-span input problems from the engine, and per-trace fetch failures (traceId + message). */
  problems: readonly InputProblem[];
  /** Set when `phase === 'error'`: the whole fetch failed (data source missing or unreachable, 4xx/5xx, timeout). */
  error?: UserFacingError;
  /** The time range the traces were searched in (ms since epoch), for links. */
  range: { from: number; to: number };
  /**
   * Optional (views fall back to `range`): each analysed trace's own extent, first span start to last span end in
   * ms since the epoch, by trace ID — so a trace's logs link and log count cover that trace, not the whole search.
   */
  traceWindows?: ReadonlyMap<string, TimeRangeMs>;
}

/** A link the views render; `href` is absolute within Grafana (appSubUrl included). */
export interface ExploreLink {
  title: string;
  href: string;
}

/** Log lines found for a trace (and service), so the view can say "no logs" instead of linking to nothing. */
export type LogCount =
  { state: 'loading' } | { state: 'counted'; lines: number } | { state: 'unavailable'; reason: string };

/** A Jaeger search as the app pages ask for it (the data source's `queryType: 'search'` query model). */
export interface TraceSearch {
  service: string;
  operation?: string;
  /** logfmt, e.g. `http.status_code=500 error=true` (the data source converts it to Jaeger's JSON). */
  tags?: string;
  /** Go durations, e.g. `100ms`, `1.5s`. */
  minDuration?: string;
  maxDuration?: string;
  /** Traces to ask for; capped at `HotspotQuery.maxTraces`. */
  limit?: number;
}

/** A time range in ms since the epoch. */
export interface TimeRangeMs {
  from: number;
  to: number;
}

/**
 * Row statistics a ranking source may be unable to measure. The Prometheus source (`hotpath stream`'s metrics) has
 * critical-path totals, per-trace percentiles and trace counts per operation, but no span durations, self time,
 * calls or errors: the table then shows "—" with the reason instead of a number that would be wrong (e.g. 0).
 */
export type RowStatistic = 'criticalPathPerTrace' | 'spanDuration' | 'selfTime' | 'calls' | 'errors' | 'traces';
/** Why each statistic is missing, by statistic; a statistic not listed is measured. */
export type UnavailableStatistics = Partial<Record<RowStatistic, string>>;

/** Where the Hotspots page ranks from: a Jaeger search's traces, or every trace through `hotpath stream`'s metrics. */
export type RankingSource = 'sample' | 'prometheus';

/** The ranking over every trace, from Prometheus: the same report the table renders, and what it lacks. */
export interface MetricsRanking {
  report: HotspotReport;
  /** What the operation rows and the per-service rows cannot show (they differ: see src/data/promRanking.ts). */
  unavailable: { operations: UnavailableStatistics; services: UnavailableStatistics };
  /** The PromQL range the counters were increased over, e.g. `3600s`. */
  window: string;
  /** Operations left out (beyond the row limit, smallest critical-path time first). */
  truncated?: number;
  /**
   * The follow-up that looks up the first rows' costliest exemplar traces (Grafana's sampling across all series may
   * have dropped them): under way, or failed (those rows keep the sampled exemplars, which may not be their
   * costliest, or "–"). Absent when none was needed or it is done.
   */
  exemplarLookup?: ExemplarLookup;
}

/** Rows (operations) whose costliest exemplar traces are being looked up, or could not be. */
export type ExemplarLookup =
  { phase: 'loading'; operations: number } | { phase: 'failed'; operations: number; message: string };

export type MetricsPhase = 'idle' | 'loading' | 'done' | 'empty' | 'error';

/** The Prometheus ranking's state, one immutable snapshot per change. */
export interface MetricsRankingState {
  phase: MetricsPhase;
  ranking?: MetricsRanking;
  /** Set when `phase === 'error'`, and when `phase === 'empty'` (what to check). */
  error?: UserFacingError;
  /** The time range asked for (ms since the epoch), the links' fallback window. */
  range: TimeRangeMs;
}
