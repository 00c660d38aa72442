import { AttributeAnalysis, HotspotReport, HotspotRow, LOW_COVERAGE, TraceDiagnostics, WhatIf } from '../../engine';
import { DEFAULT_TOP } from '../args';
import type { AnalysisResult, TracePath } from '../result';
import { formatMs, formatPercent, plural } from '../units';
import { printable } from './printable';

export interface TableOptions {
  /** Rows per ranking; undefined means `DEFAULT_TOP`. */
  top?: number;
  by?: 'operation' | 'service';
  /**
   * The terminal's width in columns (see terminal.ts); undefined: no limit. Tables then drop their least important
   * columns and shorten names until they fit, and prose is wrapped at spaces: no line is wider.
   */
  width?: number;
}

/** Where the report is laid out: its width, and the grid lines already fitted to it (never wrapped). */
interface Layout {
  width: number | undefined;
  gridLines: Set<string>;
}

const MAX_SERVICE = 32;
const MAX_OPERATION = 60;
/** Skipped files named in the table (stderr and JSON list them all). */
const MAX_SKIPPED_NAMES = 5;

/** The human-readable report: header, ranking, optional sections, diagnostics, coverage. Ends with a newline. */
export function renderTable(result: AnalysisResult, options: TableOptions = {}): string {
  const top = options.top ?? DEFAULT_TOP;
  const by = options.by ?? 'operation';
  const layout: Layout = { width: options.width, gridLines: new Set() };
  const { report } = result;
  const lines: string[] = [...header(result), ''];
  lines.push(...ranking(report, by, top, layout), '');
  if (result.comparison !== undefined) {
    lines.push(...comparisonSection(result.comparison, top, layout), '');
  }
  if (result.whatIf !== undefined) {
    lines.push(...whatIfSection(result.whatIf, report.traces, layout), '');
  }
  if (result.criticalPaths !== undefined) {
    for (const path of result.criticalPaths) {
      lines.push(...criticalPathSection(path, layout), '');
    }
  }
  lines.push(...diagnosticsSection(result), '');
  lines.push(...coverageLines(result));
  // Input text is escaped where it is placed (so columns align); this pass makes sure none was missed.
  const text = lines.map(printable);
  const fitted = layout.width === undefined ? text : text.flatMap((line) => wrapProse(line, layout));
  return fitted.join('\n') + '\n';
}

function header(result: AnalysisResult): string[] {
  const { report } = result;
  const window =
    result.window === 'root'
      ? "root (each trace's root span)"
      : "full (each trace's full extent, from first to last span)";
  const latency = report.latencyUs;
  return [
    `Traces: ${report.traces} · spans: ${report.spans} · files: ${result.files} · window: ${window}` +
      (result.asyncBlocking ? ' · async children blocking' : ''),
    `End-to-end latency (ms): p50 ${formatMs(latency.p50)} · p95 ${formatMs(latency.p95)} · ` +
      `p99 ${formatMs(latency.p99)} · coverage ${formatPercent(report.coverage)} %` +
      (isLowCoverage(report) ? ' (LOW: see the warning at the end)' : ''),
  ];
}

function ranking(report: HotspotReport, by: 'operation' | 'service', top: number, layout: Layout): string[] {
  const all = by === 'operation' ? report.operations : report.services;
  const rows = all.slice(0, top);
  const columns: Column[] = [
    { header: '#', right: true },
    { header: 'service' },
    ...(by === 'operation' ? [{ header: 'operation' }] : []),
    { header: 'CP total ms', right: true },
    { header: 'CP share %', right: true },
    { header: 'CP/trace p50', right: true },
    { header: 'CP/trace p95', right: true },
    { header: 'CP/trace p99', right: true },
    { header: 'span p95 ms', right: true },
    { header: 'self ms', right: true },
    { header: 'calls', right: true },
    { header: 'errors (rate)', right: true },
    { header: 'traces', right: true },
  ];
  const cells = rows.map((row, i) => [
    String(i + 1),
    truncate(row.service, MAX_SERVICE),
    ...(by === 'operation' ? [truncate(row.operation ?? '', MAX_OPERATION)] : []),
    formatMs(row.criticalPathUs),
    formatPercent(row.criticalPathShare),
    formatMs(row.criticalPathPerTraceUs.p50),
    formatMs(row.criticalPathPerTraceUs.p95),
    formatMs(row.criticalPathPerTraceUs.p99),
    formatMs(row.spanDurationUs.p95),
    formatMs(row.selfTimeUs),
    String(row.calls),
    errorsCell(row),
    String(row.traces),
  ]);
  const kind = by === 'operation' ? 'operations' : 'services';
  const title = `${by === 'operation' ? 'Operations' : 'Services'} ranked by critical-path (CP) time:`;
  const shown =
    rows.length < all.length
      ? `Showing the top ${rows.length} of ${all.length} ${kind} (--top N to change).`
      : `All ${plural(all.length, by)} shown.`;
  // Least useful first; the ranking itself (names, CP total and share) always stays.
  const fit: FitStep[] = [
    { shrink: { operation: 40 } },
    { drop: 'CP/trace p99' },
    { drop: 'span p95 ms' },
    { drop: 'self ms' },
    { shrink: { service: 20, operation: 30 } },
    { drop: 'CP/trace p50' },
    { drop: 'traces' },
    { drop: 'calls' },
    { shrink: { service: 14, operation: 20 } },
    { drop: 'errors (rate)' },
    { drop: 'CP/trace p95' },
    { shrink: { service: 10, operation: 12 } },
    { drop: 'CP share %' },
    { shrink: { service: 8, operation: 10 } },
  ];
  return [
    title,
    ...grid(columns, cells, layout, fit),
    `${shown} Times in ms. CP/trace: CP time per trace that contains the ${by}. Self: time not covered by children.`,
  ];
}

function errorsCell(row: HotspotRow): string {
  return row.errors === 0 ? '0' : `${row.errors} (${formatPercent(row.errorRate)} %)`;
}

function comparisonSection(
  comparison: NonNullable<AnalysisResult['comparison']>,
  top: number,
  layout: Layout
): string[] {
  const { option, result: c } = comparison;
  const threshold =
    'percentile' in option.split
      ? `the ${option.label} latency, ${formatMs(c.thresholdUs)} ms`
      : `${formatMs(c.thresholdUs)} ms`;
  const lines = [`Slow vs baseline: a trace is slow when its latency is at or above ${threshold}.`];
  // A side without traces has no mean (the engine's 0 would read as a measurement): say so instead.
  const allTraces = (count: number, meanUs: number, where: string) =>
    `${count === 1 ? 'the only trace' : `all ${count} traces`} (mean ${formatMs(meanUs)} ms) ` +
    `${count === 1 ? 'is' : 'are'} ${where} the threshold, so there is nothing to compare.`;
  if (c.slowTraces === 0) {
    lines.push(`No slow traces: ${allTraces(c.baselineTraces, c.baselineMeanLatencyUs, 'below')}`);
    return lines;
  }
  if (c.baselineTraces === 0) {
    lines.push(`No baseline traces: ${allTraces(c.slowTraces, c.slowMeanLatencyUs, 'at or above')}`);
    return lines;
  }
  lines.push(
    `${plural(c.slowTraces, 'slow trace')} (mean ${formatMs(c.slowMeanLatencyUs)} ms) vs ` +
      `${plural(c.baselineTraces, 'baseline trace')} (mean ${formatMs(c.baselineMeanLatencyUs)} ms).`
  );
  if (c.warning !== undefined) {
    lines.push(`WARNING: ${c.warning}.`);
  }
  const rows = c.rows.slice(0, top);
  const columns: Column[] = [
    { header: '#', right: true },
    { header: 'service' },
    { header: 'operation' },
    { header: 'Δ CP ms/trace', right: true },
    { header: 'slow mean ms', right: true },
    { header: 'baseline mean ms', right: true },
    { header: 'share of slowdown %', right: true },
  ];
  const cells = rows.map((row, i) => [
    String(i + 1),
    truncate(row.service, MAX_SERVICE),
    truncate(row.operation, MAX_OPERATION),
    signed(formatMs(row.deltaUs)),
    formatMs(row.slowMeanUs),
    formatMs(row.baselineMeanUs),
    formatPercent(row.shareOfSlowdown),
  ]);
  const fit: FitStep[] = [
    { shrink: { operation: 40 } },
    { drop: 'baseline mean ms' },
    { drop: 'slow mean ms' },
    { shrink: { service: 20, operation: 30 } },
    { shrink: { service: 14, operation: 20 } },
    { drop: 'share of slowdown %' },
    { shrink: { service: 10, operation: 12 } },
    { shrink: { service: 8, operation: 10 } },
  ];
  lines.push(...grid(columns, cells, layout, fit));
  if (rows.length < c.rows.length) {
    lines.push(`Showing the top ${rows.length} of ${c.rows.length} operations (--top N to change).`);
  }
  if (comparison.attributes !== undefined) {
    lines.push('', ...attributeSection(comparison.attributes, top, layout));
  }
  return lines;
}

/** What the slow requests share (issue #16): over-represented attribute values, surest first. */
function attributeSection(analysis: AttributeAnalysis, top: number, layout: Layout): string[] {
  const sure = `${formatPercent(analysis.confidence)} %`;
  const lines = ['What the slow requests share:'];
  if (analysis.rows.length === 0) {
    lines.push(
      `No attribute value is over-represented in the slow traces at ${sure} confidence ` +
        `(${plural(analysis.tested, 'value')} in at least ${analysis.minSlowTraces} slow traces tested).`
    );
  } else {
    const hotspots = analysis.hotspotOperations.map((op) => `${op.service} ${op.operation}`).join(', ');
    const rows = analysis.rows.slice(0, top);
    const columns: Column[] = [
      { header: '#', right: true },
      { header: 'service' },
      { header: 'attribute' },
      { header: 'slow', right: true },
      { header: 'baseline', right: true },
      { header: 'Δ share ≥', right: true },
      { header: 'Δ hotspot ms', right: true },
    ];
    const cells = rows.map((row, i) => [
      String(i + 1),
      truncate(row.service, MAX_SERVICE),
      truncate(`${row.key}=${row.value}`, MAX_OPERATION),
      `${formatPercent(row.slowShare)} %`,
      `${formatPercent(row.baselineShare)} %`,
      `${formatPercent(row.lowerBound)} %`,
      row.hotspotDeltaUs === null ? '—' : signed(formatMs(row.hotspotDeltaUs)),
    ]);
    lines.push(
      ...grid(columns, cells, layout, [
        { drop: 'Δ hotspot ms' },
        { shrink: { service: 14, attribute: 30 } },
        { drop: 'baseline' },
        { shrink: { service: 8, attribute: 16 } },
      ])
    );
    rows.forEach((row, i) => {
      if (row.sameTraces.length > 0) {
        const more = row.sameTraces.length > 3 ? `, … (${row.sameTraces.length - 3} more)` : '';
        lines.push(`  #${i + 1} is on the same traces as ${row.sameTraces.slice(0, 3).join(', ')}${more}.`);
      }
    });
    lines.push(
      `slow / baseline: share of traces with the value; Δ share ≥: the lower bound of the difference at ${sure} ` +
        `confidence over ${plural(analysis.tested, 'value')} tested; Δ hotspot: critical-path time of ${hotspots || 'the hotspots'} ` +
        'in slow traces with the value minus without it.'
    );
  }
  if (analysis.skippedKeys.length > 0) {
    const keys = analysis.skippedKeys.map((k) => `${k.service} ${k.key}`).join(', ');
    lines.push(`Skipped as identifiers or too many values: ${keys}.`);
  }
  return lines;
}

function whatIfSection(w: WhatIf, traces: number, layout: Layout): string[] {
  const columns: Column[] = [
    { header: 'latency' },
    { header: 'current ms', right: true },
    { header: 'projected ms', right: true },
    { header: 'change ms', right: true },
  ];
  const cells = (['p50', 'p95'] as const).map((p) => [
    p,
    formatMs(w.currentUs[p]),
    formatMs(w.projectedUs[p]),
    signed(formatMs(w.projectedUs[p] - w.currentUs[p])),
  ]);
  return [
    `What if ${printable(w.service)}::${printable(w.operation)} spent ${formatPercent(w.reduction)} % less time on the critical path? ` +
      `(${w.tracesAffected} of ${plural(traces, 'trace')} affected)`,
    ...grid(columns, cells, layout, [{ drop: 'change ms' }]),
    w.caveat,
  ];
}

function criticalPathSection(path: TracePath, layout: Layout): string[] {
  const origin = path.segments.length > 0 ? path.segments[0].startUs : 0;
  const end = path.segments.length > 0 ? path.segments[path.segments.length - 1].endUs : 0;
  const columns: Column[] = [
    { header: 'at ms', right: true },
    { header: 'for ms', right: true },
    { header: 'service' },
    { header: 'operation' },
    { header: 'span' },
  ];
  const cells = path.segments.map((s) => [
    formatMs(s.startUs - origin),
    formatMs(s.endUs - s.startUs),
    truncate(s.service, MAX_SERVICE),
    truncate(s.operation, MAX_OPERATION),
    printable(s.spanId),
  ]);
  return [
    `Critical path of trace ${printable(path.traceId)} (${formatMs(end - origin)} ms, ${plural(path.segments.length, 'segment')}):`,
    ...grid(columns, cells, layout, [
      { shrink: { operation: 40 } },
      { drop: 'span' },
      { shrink: { service: 20, operation: 30 } },
      { shrink: { service: 14, operation: 20 } },
      { shrink: { service: 10, operation: 12 } },
      { shrink: { service: 8, operation: 10 } },
    ]),
  ];
}

/** Plain-English lines for every non-zero diagnostic (coverage has its own line). */
export function diagnosticLines(
  d: TraceDiagnostics,
  mode: { window: 'root' | 'full'; asyncBlocking: boolean }
): string[] {
  const lines: string[] = [];
  const add = (count: number, text: string) => {
    if (count > 0) {
      lines.push(text);
    }
  };
  const one = (count: number, singular: string, pluralForm: string) => (count === 1 ? singular : pluralForm);
  add(
    d.invalidSpans,
    `${plural(d.invalidSpans, 'span was', 'spans were')} left out: a required field was missing or not a number ` +
      '(each one is listed on stderr).'
  );
  add(
    d.outOfRangeSpans,
    `${plural(d.outOfRangeSpans, 'span was', 'spans were')} left out: a time was out of range (a start before 1970 ` +
      'or after 2262, or a duration longer than a year; each one is listed on stderr).'
  );
  add(
    d.extraRoots,
    `${plural(d.extraRoots, 'span has', 'spans have')} no parent reference although the trace already has a root; ` +
      `analysed as ${one(d.extraRoots, 'a child', 'children')} of the root.`
  );
  add(
    d.orphans,
    `${plural(d.orphans, 'span refers', 'spans refer')} to a parent that is not in the trace; ` +
      `analysed as ${one(d.orphans, 'a child', 'children')} of the root.`
  );
  add(
    d.duplicateSpanIds,
    `${plural(d.duplicateSpanIds, 'span reuses', 'spans reuse')} a span ID already taken in the trace; ` +
      'children naming that ID were attached to the first span with it.'
  );
  add(
    d.cyclesBroken,
    `${plural(d.cyclesBroken, 'cycle', 'cycles')} of parent references cut: the span with the smallest ID in each ` +
      'was attached under the root.'
  );
  add(
    d.negativeDurations,
    `${plural(d.negativeDurations, 'span has', 'spans have')} a negative duration; analysed as lasting 0 µs.`
  );
  add(
    d.zeroDurations,
    `${plural(d.zeroDurations, 'span lasts', 'spans last')} 0 µs (often: the instrumentation recorded no duration).`
  );
  const they = one(d.clippedChildren, 'it', 'they');
  add(
    d.clippedChildren,
    `${plural(d.clippedChildren, 'child span runs', 'child spans run')} past the parent's start or end ` +
      `(${formatMs(d.clippedUs)} ms in all); ` +
      (mode.window === 'root'
        ? `on the critical path ${they} ${one(d.clippedChildren, 'is', 'are')} cut to the parent's window.`
        : `the full window widens the parent to cover ${one(d.clippedChildren, 'it', 'them')} unless ${they} ` +
          `${one(d.clippedChildren, 'is', 'are')} async.`)
  );
  add(
    d.outsideParent,
    `${plural(d.outsideParent, 'child span lies', 'child spans lie')} wholly outside the parent's time window ` +
      '(async work or clock skew); ' +
      (mode.window === 'root'
        ? `${one(d.outsideParent, 'it and its subtree are', 'they and their subtrees are')} never on the critical path.`
        : `the full window widens the parent to cover ${one(d.outsideParent, 'it', 'them')} unless ` +
          `${one(d.outsideParent, 'it is', 'they are')} async.`)
  );
  add(
    d.skewedChildren,
    `${plural(d.skewedChildren, 'child span starts', 'child spans start')} before the parent, by up to ` +
      `${formatMs(d.maxSkewUs)} ms: clock skew between hosts, or instrumentation error.`
  );
  const asyncChildren = `${plural(d.asyncChildren, 'async child', 'async children')} (FOLLOWS_FROM, or consumer under producer)`;
  add(
    d.asyncChildren,
    mode.asyncBlocking
      ? `${asyncChildren} treated as blocking (--async-blocking).`
      : `${asyncChildren} not waited for, so left off the critical path ` +
          `(--async-blocking to include ${one(d.asyncChildren, 'it', 'them')}).`
  );
  return lines;
}

function diagnosticsSection(result: AnalysisResult): string[] {
  const lines = diagnosticLines(result.report.diagnostics, result);
  const skipped = result.skippedFiles ?? [];
  if (skipped.length > 0) {
    const names = skipped.slice(0, MAX_SKIPPED_NAMES).map((p) => p.source ?? '?');
    const more = skipped.length > names.length ? `, … (${skipped.length} in all)` : '';
    lines.push(
      `${plural(skipped.length, 'file')} in the directories given held no trace data and ` +
        `${skipped.length === 1 ? 'was' : 'were'} skipped: ${names.join(', ')}${more}.`
    );
  }
  const duplicates = result.duplicateTraceIds;
  if (duplicates > 0) {
    lines.push(
      `${plural(duplicates, 'trace has', 'traces have')} an ID seen earlier (e.g. one trace split over several ` +
        'files); each part was analysed as a trace of its own.'
    );
  }
  if (lines.length === 0) {
    return ['Diagnostics: none. Every span was well-formed and inside its parent.'];
  }
  return ['Diagnostics:', ...lines.map((line) => `  - ${line}`)];
}

export function isLowCoverage(report: HotspotReport): boolean {
  return report.coverage < LOW_COVERAGE || report.lowCoverageTraces > 0;
}

/** The coverage statement; a multi-line warning when coverage is low. */
export function coverageLines(result: AnalysisResult): string[] {
  const { report } = result;
  const d = report.diagnostics;
  const windows = result.window === 'root' ? 'the analysed root windows' : 'the analysed windows';
  const statement = `Coverage: ${formatPercent(report.coverage)} % of span time lies inside ${windows}`;
  if (!isLowCoverage(report)) {
    return [`${statement}.`];
  }
  const outside =
    d.spansOutsideWindow > 0
      ? `${d.spansOutsideWindow} of ${plural(d.spans, 'span')} ${d.spansOutsideWindow === 1 ? 'lies' : 'lie'} outside`
      : 'spans run past its edges';
  const lines = [`!! ${statement} — ${outside}.`, '!! The ranking describes only that part of the traces.'];
  if (report.traces > 1) {
    lines.push(
      `!! ${report.lowCoverageTraces} of ${plural(report.traces, 'trace')} have less than ` +
        `${formatPercent(LOW_COVERAGE)} % of their span time inside the window.`
    );
  }
  if (result.window === 'root') {
    lines.push("!! Re-run with --window full to analyse each trace's full extent.");
    if (d.asyncChildren > 0 && !result.asyncBlocking) {
      lines.push('!! Async children stay off the critical path even then: add --async-blocking to include them.');
    }
  } else if (d.asyncChildren > 0 && !result.asyncBlocking) {
    lines.push('!! The time outside is async work; re-run with --async-blocking to put it on the critical path.');
  }
  return lines;
}

interface Column {
  header: string;
  right?: boolean;
}

/**
 * How a grid gives way to a narrow terminal, tried in order until it fits: drop a column (by header), or shorten
 * text columns (by header) to at most so many characters.
 */
type FitStep = { drop: string } | { shrink: Record<string, number> };

const GAP = 2;

/**
 * Aligned columns, two spaces apart, no trailing spaces. With a width, `fit` is applied step by step until the grid
 * fits; dropped columns are named in a line below it, so nothing disappears without a cue.
 */
function grid(columns: Column[], rows: string[][], layout: Layout, fit: FitStep[] = []): string[] {
  const natural = columns.map((column, c) => {
    let width = column.header.length;
    for (const row of rows) {
      width = Math.max(width, row[c].length); // a loop: spreading thousands of rows into Math.max overflows
    }
    return width;
  });
  const widths = [...natural];
  const shown = columns.map(() => true);
  const total = () => widths.reduce((sum, width, c) => (shown[c] ? sum + width + GAP : sum), -GAP);
  const hidden: string[] = [];
  const at = (header: string) => columns.findIndex((column) => column.header === header);
  for (const step of fit) {
    if (layout.width === undefined || total() <= layout.width) {
      break;
    }
    if ('drop' in step) {
      const c = at(step.drop);
      if (c >= 0 && shown[c]) {
        shown[c] = false;
        hidden.push(step.drop);
      }
    } else {
      for (const [header, most] of Object.entries(step.shrink)) {
        const c = at(header);
        if (c >= 0) {
          widths[c] = Math.min(widths[c], Math.max(most, header.length));
        }
      }
    }
  }
  const line = (cells: string[]) =>
    cells
      .flatMap((cell, c) => {
        if (!shown[c]) {
          return [];
        }
        const text = widths[c] < natural[c] ? truncate(cell, widths[c]) : cell;
        return [columns[c].right ? text.padStart(widths[c]) : text.padEnd(widths[c])];
      })
      .join(' '.repeat(GAP))
      .trimEnd();
  const lines = [line(columns.map((column) => column.header)), ...rows.map(line)];
  for (const gridLine of lines) {
    layout.gridLines.add(gridLine);
  }
  if (hidden.length > 0) {
    lines.push(`(Hidden to fit ${layout.width} columns: ${hidden.join(', ')}; --format json has every field.)`);
  }
  return lines;
}

/**
 * A prose line wider than the layout, broken at spaces; continuation lines keep its indent (and a `- ` bullet's or
 * `!! ` warning's hanging indent). Grid lines are left alone: they were fitted, or cannot be, and breaking a row
 * would scramble its columns.
 */
function wrapProse(line: string, layout: Layout): string[] {
  const width = layout.width;
  if (width === undefined || line.length <= width || layout.gridLines.has(line)) {
    return [line];
  }
  const lead = /^(\s*)(- |!! )?/.exec(line)?.[0] ?? '';
  const hanging = lead.startsWith('!!') || lead.endsWith('!! ') ? lead : ' '.repeat(lead.length);
  const room = Math.max(width, hanging.length + 20); // never so narrow that no word fits
  const out: string[] = [];
  let rest = line;
  let prefix = '';
  while (prefix.length + rest.length > room) {
    const limit = room - prefix.length;
    let cut = rest.lastIndexOf(' ', limit);
    if (cut <= (prefix === '' ? lead.length : 0)) {
      cut = limit; // one word longer than the line: broken where it must be
    }
    out.push(prefix + rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
    prefix = hanging;
  }
  out.push(prefix + rest);
  return out;
}

/** Input text on one line, `printable`, at most `max` UTF-16 units (never cutting a surrogate pair in two). */
function truncate(text: string, max: number): string {
  const oneLine = printable(text.replace(/\s+/g, ' '));
  if (oneLine.length <= max) {
    return oneLine;
  }
  const cut = isHighSurrogate(oneLine.charCodeAt(max - 2)) ? max - 2 : max - 1;
  return `${oneLine.slice(0, cut)}…`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function signed(text: string): string {
  return text.startsWith('-') || /^0\.0+$/.test(text) ? text : `+${text}`;
}
