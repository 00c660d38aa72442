/**
 * Hotpath's analysis engine: pure TypeScript, no Grafana, React or Node imports, so the panel, the app, the CLI,
 * the benchmarks and the tests all run exactly this code.
 */
export { OperationTable } from './model/operations';
export { SpanKind, ParentLink } from './model/trace';
export type { TraceModel } from './model/trace';
export { TraceBuilder } from './model/builder';
export { TraceInputError, UnknownFormatError, formatProblem } from './model/problems';
export type { InputProblem, InputLocation } from './model/problems';
export { emptyDiagnostics, addDiagnostics, coverage } from './model/diagnostics';
export type { TraceDiagnostics } from './model/diagnostics';
export { readJaeger } from './adapters/jaeger';
export { readOtlp, normalizeId, nanosToMicros } from './adapters/otlp';
export { readGrafanaFrames, readTraceFrame, isTraceFrame } from './adapters/grafanaFrame';
export type { FrameLike } from './adapters/grafanaFrame';
export { readTraces, readTraceText, readTraceBytes, detectFormat } from './adapters/detect';
export type { TraceFormat } from './adapters/detect';
export type { ParsedTraces, SpanReads } from './adapters/types';
export { criticalPath } from './criticalPath/criticalPath';
export type { CriticalPath, CriticalPathOptions } from './criticalPath/criticalPath';
export { selfTimes } from './criticalPath/selfTime';
export { analyzeTrace } from './analyze';
export type { AnalysisOptions, TraceAnalysis } from './analyze';
export { HotspotAggregator, LOW_COVERAGE } from './aggregate/aggregator';
export type { AggregatorOptions, HotspotReport, HotspotRow, Exemplar, TraceRecord } from './aggregate/aggregator';
export { ContextAggregator, contextFrameName, DEFAULT_MAX_CONTEXTS, OTHER_CONTEXTS_FRAME } from './aggregate/contexts';
export type { ContextNode, ContextOptions, ContextRecords, ContextReport } from './aggregate/contexts';
export { compareContexts } from './aggregate/contextCompare';
export type { ContextComparison, ContextComparisonNode, ContextMeans } from './aggregate/contextCompare';
export { TraceContextBuilder } from './aggregate/traceContexts';
export type { TraceContexts } from './aggregate/traceContexts';
export { contributionOf, TraceSummarizer } from './aggregate/traceSummary';
export type { TraceContribution, TraceSummary } from './aggregate/traceSummary';
export { percentiles, percentileOfSorted } from './aggregate/percentile';
export type { Percentiles } from './aggregate/percentile';
export { compareSlowToBaseline, MIN_TRUSTED_SAMPLE } from './aggregate/compare';
export type { Comparison, ComparisonRow, SlowSplit } from './aggregate/compare';
export { whatIf, WHAT_IF_CAVEAT } from './aggregate/whatIf';
export type { WhatIf } from './aggregate/whatIf';
export {
  AttributeCollector,
  AttributeRecorder,
  findSharedAttributes,
  DEFAULT_ATTRIBUTE_LIMITS,
} from './aggregate/attributes';
export type {
  AttributeAnalysis,
  AttributeAnalysisOptions,
  AttributeBatch,
  AttributeDrops,
  AttributeLimits,
  AttributeRow,
  AttributeSink,
  SkippedKey,
} from './aggregate/attributes';
export {
  collectAttributes,
  collectAttributesFromText,
  collectFrameAttributes,
  recordAttributesFromBytes,
} from './adapters/attributes';
