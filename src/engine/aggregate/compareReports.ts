import type { HotspotReport, HotspotRow } from './aggregator';
import { byLargestIncrease, lowSampleWarning } from './compare';

/** One (service, operation) — or one service, when comparing the rollup — on both sides of a comparison. */
export interface ReportChangeRow {
  service: string;
  /** Undefined when comparing services (the rollup). */
  operation?: string;
  /** Mean critical-path time per trace on each side, µs (a side without the operation counts it as 0). */
  beforeMeanUs: number;
  afterMeanUs: number;
  /** afterMeanUs − beforeMeanUs, µs: positive when the operation costs requests more time after. */
  deltaUs: number;
  /** deltaUs ÷ the change in mean end-to-end latency: how much of the change it explains (0 when there is none). */
  shareOfChange: number;
  /** Traces containing it on each side. */
  beforeTraces: number;
  afterTraces: number;
  /** Seen on both sides, only after (`new`), or only before (`gone`). */
  presence: 'both' | 'new' | 'gone';
}

export interface ReportSide {
  traces: number;
  /** Σ latency ÷ traces, µs (0 without traces). */
  meanLatencyUs: number;
  p50LatencyUs: number;
  p95LatencyUs: number;
}

export interface ReportChange {
  before: ReportSide;
  after: ReportSide;
  /** after.meanLatencyUs − before.meanLatencyUs, µs. */
  latencyDeltaUs: number;
  /** Ranked by deltaUs, largest increase first; ties by service, then operation. */
  rows: ReportChangeRow[];
  /** Set when a side has fewer than `MIN_TRUSTED_SAMPLE` traces (compare.ts): means that small are anecdotes. */
  warning?: string;
}

export interface CompareReportsOptions {
  /** Compare services (`report.services`) instead of (service, operation) pairs. */
  level?: 'operation' | 'service';
}

/**
 * Two reports side by side (before/after a deploy, or two tag filters): which operations' critical-path time per
 * trace changed, and by how much. Rows are matched by their (service, operation) names, not by operation ids, so the
 * reports may come from separate runs with separate operation tables. Means are over all traces of a side — the
 * engine's `meanCriticalPathUsPerTrace` — so an operation that appears in fewer traces counts for less.
 */
export function compareReports(
  before: HotspotReport,
  after: HotspotReport,
  options: CompareReportsOptions = {}
): ReportChange {
  const level = options.level ?? 'operation';
  const pick = (report: HotspotReport) => (level === 'service' ? report.services : report.operations);
  const beforeSide = side(before);
  const afterSide = side(after);
  const latencyDeltaUs = afterSide.meanLatencyUs - beforeSide.meanLatencyUs;

  const matched = new Map<string, { before?: HotspotRow; after?: HotspotRow }>();
  for (const row of pick(before)) {
    matched.set(key(row), { before: row });
  }
  for (const row of pick(after)) {
    const entry = matched.get(key(row));
    if (entry) {
      entry.after = row;
    } else {
      matched.set(key(row), { after: row });
    }
  }

  const rows: ReportChangeRow[] = [];
  for (const { before: b, after: a } of matched.values()) {
    const named = a ?? b;
    if (!named) {
      continue;
    }
    const beforeMeanUs = b?.meanCriticalPathUsPerTrace ?? 0;
    const afterMeanUs = a?.meanCriticalPathUsPerTrace ?? 0;
    const deltaUs = afterMeanUs - beforeMeanUs;
    rows.push({
      service: named.service,
      ...(level === 'operation' ? { operation: named.operation } : {}),
      beforeMeanUs,
      afterMeanUs,
      deltaUs,
      // Meaningless without both sides, or without a change to explain.
      shareOfChange: before.traces > 0 && after.traces > 0 && latencyDeltaUs !== 0 ? deltaUs / latencyDeltaUs : 0,
      beforeTraces: b?.traces ?? 0,
      afterTraces: a?.traces ?? 0,
      presence: a && b ? 'both' : a ? 'new' : 'gone',
    });
  }
  rows.sort(byLargestIncrease);

  const change: ReportChange = { before: beforeSide, after: afterSide, latencyDeltaUs, rows };
  const warning = lowSampleWarning(
    before.traces,
    after.traces,
    `${before.traces} ${before.traces === 1 ? 'trace' : 'traces'} before and ${after.traces} after`
  );
  if (warning) {
    change.warning = warning;
  }
  return change;
}

function side(report: HotspotReport): ReportSide {
  return {
    traces: report.traces,
    meanLatencyUs: report.traces > 0 ? report.totalLatencyUs / report.traces : 0,
    p50LatencyUs: report.latencyUs.p50,
    p95LatencyUs: report.latencyUs.p95,
  };
}

/** Names joined by a character that cannot occur in either (NUL), so `a` + `b c` never meets `a b` + `c`. */
function key(row: HotspotRow): string {
  return `${row.service}\u0000${row.operation ?? ''}`;
}
