/** The view contract lives in src/state (below views and data); the data layer uses it through this module. */
export * from '../state/types';
export * from '../state/limits';
export type { LogsTarget, LogsLinkResult, TraceLinks } from '../state/traceLinks';
