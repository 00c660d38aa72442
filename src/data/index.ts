/**
 * src/data: everything that talks to Grafana's backend and turns it into engine results. The views import from
 * here only (and the types from ./types).
 */
export * from './types';
export { useHotspotAnalysis, useHotspotSearch, usePrometheusRanking } from './hooks';
export { prometheusRanking$, rankingQueries, NO_METRICS_MESSAGE } from './promRanking';
export type { PrometheusRankingRequest } from './promRanking';
export { createTraceLinks } from './traceLinks';
export type { TraceLinkSources } from './traceLinks';
export { createHotspotAnalysis, analyzeLocalFiles, emptyState, errorState } from './analysis';
export type { HotspotAnalysis, AnalysisRunOptions } from './analysis';
export { readTraceSource, isSearchTable, searchTableIds } from './traceSource';
export type { TraceSource, TraceSourceResult } from './traceSource';
export {
  fetchTraces,
  fetchTraces$,
  searchTraceIds,
  searchTraceIds$,
  searchQuery,
  TraceCache,
  sharedTraceCache,
  DEFAULT_BATCH_SIZE,
  DEFAULT_CONCURRENCY,
  DEFAULT_REQUEST_TIMEOUT_MS,
} from './fetchTraces';
export type { FetchTracesOptions, FetchedTrace, TraceFailure, TraceBatch, FetchProgressUpdate } from './fetchTraces';
export { runSeriesPipeline, runSearchPipeline } from './pipeline';
export type { PipelineRun, PipelineOptions } from './pipeline';
export {
  traceLink,
  logsLink,
  logCountExpr,
  jaegerLinkSettings,
  traceToLogsOptions,
  exploreHref,
  DEFAULT_LOGS_SHIFT_MS,
} from './links';
export type { LogsLinkInput, JaegerLinkSettings, TraceToLogsOptionsV2 } from './links';
export { countLogs, countLogs$, countFromFrames, clearLogCountCache } from './logCount';
export { HotpathError, classifyError } from './errors';
