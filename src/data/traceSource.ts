import type { DataFrame, Field } from '@grafana/data';
import { isTraceFrame } from '../engine';
import { clampMaxTraces, type UserFacingError } from './types';

/**
 * What a panel's `series` offer Hotpath. Grafana's Jaeger data source (grafana/grafana-jaeger-datasource
 * `pkg/jaeger/utils/client_utils.go`) answers
 * - a trace-by-ID query with a **trace frame** — one row per span, `meta.preferredVisualisationType = 'trace'`
 *   (`TransformTraceResponse`): the engine reads it as it is;
 * - a `queryType: 'search'` query with a **`traces` table** — `traceID`, `traceName`, `startTime`, `duration` (µs),
 *   no spans, sorted newest first (`TransformSearchResponse`): we fetch each listed trace by ID.
 * Anything else (a time series, logs, a dependency graph) cannot be analysed, and the user is told what arrived.
 */
export interface TraceSource {
  /** Trace frames already in the data: analysed without fetching. */
  frames: DataFrame[];
  /** Distinct trace IDs in `frames`. */
  frameTraces: number;
  /** Trace IDs from search tables still to fetch: newest first, deduplicated, at most `maxTraces`. */
  toFetch: string[];
  /** Distinct trace IDs the search tables listed (those already present as trace frames left out). */
  found: number;
  limitHit?: { found: number; max: number };
  /** The Jaeger data source that produced the search table (its `traceID` field links to it). */
  jaegerUid?: string;
}

export type TraceSourceResult = { ok: true; source: TraceSource } | { ok: false; error: UserFacingError };

export function readTraceSource(series: readonly DataFrame[], maxTraces: number): TraceSourceResult {
  const max = clampMaxTraces(maxTraces);
  const frames = series.filter(isTraceFrame);
  const tables = series.filter(isSearchTable);
  if (frames.length === 0 && tables.length === 0) {
    return { ok: false, error: notTraces(series) };
  }
  const present = new Set<string>();
  for (const frame of frames) {
    const ids = fieldValues(frame, 'traceID');
    for (let i = 0; i < ids.length; i++) {
      present.add(String(ids[i]));
    }
  }
  const { ids, jaegerUid } = searchTableIds(tables);
  const missing = ids.filter((id) => !present.has(id));
  return {
    ok: true,
    source: {
      frames,
      frameTraces: present.size,
      toFetch: missing.slice(0, max),
      found: missing.length,
      ...(missing.length > max ? { limitHit: { found: missing.length, max } } : {}),
      ...(jaegerUid ? { jaegerUid } : {}),
    },
  };
}

/** A Jaeger (or Tempo) search result: trace IDs without spans. */
export function isSearchTable(frame: DataFrame): boolean {
  const names = new Set(frame.fields.map((f) => f.name));
  return names.has('traceID') && !names.has('spanID');
}

/**
 * Trace IDs of search tables, newest first (by `startTime` when present — the data source already sorts so, but
 * several tables or a transformation may not), without duplicates; and the Jaeger data source behind them, from
 * the internal data link the data source puts on the `traceID` field.
 */
export function searchTableIds(tables: readonly DataFrame[]): { ids: string[]; jaegerUid?: string } {
  const rows: Array<{ id: string; start: number; order: number }> = [];
  let jaegerUid: string | undefined;
  for (const table of tables) {
    const idField = table.fields.find((f) => f.name === 'traceID');
    if (!idField) {
      continue;
    }
    jaegerUid ??= idField.config?.links?.find((link) => link.internal?.datasourceUid)?.internal?.datasourceUid;
    const starts = table.fields.find((f) => f.name === 'startTime')?.values;
    for (let i = 0; i < idField.values.length; i++) {
      const id = idField.values[i];
      if (id === null || id === undefined || id === '') {
        continue;
      }
      rows.push({ id: String(id), start: toMs(starts?.[i]), order: rows.length });
    }
  }
  rows.sort((a, b) => b.start - a.start || a.order - b.order);
  const seen = new Set<string>();
  const ids: string[] = [];
  for (const row of rows) {
    if (!seen.has(row.id)) {
      seen.add(row.id);
      ids.push(row.id);
    }
  }
  return jaegerUid ? { ids, jaegerUid } : { ids };
}

function toMs(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) {
    return value;
  }
  if (typeof value === 'object' && value !== null && typeof value.valueOf === 'function') {
    const ms = Number(value.valueOf());
    return Number.isFinite(ms) ? ms : -Infinity;
  }
  return -Infinity;
}

function fieldValues(frame: DataFrame, name: string): Field['values'] {
  return frame.fields.find((f) => f.name === name)?.values ?? [];
}

const NEED =
  'Hotpath needs the traces table of a Jaeger search: set the query type to Search (a trace-by-ID query works too).';

function notTraces(series: readonly DataFrame[]): UserFacingError {
  if (series.length === 0) {
    return { title: 'No data from the query', message: `The query returned no data frames. ${NEED}` };
  }
  const shown = series.slice(0, 3).map(describeFrame);
  const more = series.length > 3 ? ` and ${series.length - 3} more` : '';
  const received = `${series.length === 1 ? 'one frame' : `${series.length} frames`}: ${shown.join('; ')}${more}`;
  return { title: 'These are not Jaeger search results', message: `The panel received ${received}. ${NEED}` };
}

function describeFrame(frame: DataFrame): string {
  const name = frame.name ?? frame.refId ?? 'unnamed';
  const fields = frame.fields.map((f) => f.name);
  const listed = fields.slice(0, 6).join(', ') + (fields.length > 6 ? ', …' : '');
  const kind = frame.meta?.preferredVisualisationType;
  return `“${name}”${kind ? ` (${kind})` : ''} with fields ${listed || 'none'}, ${frame.length} ${frame.length === 1 ? 'row' : 'rows'}`;
}
