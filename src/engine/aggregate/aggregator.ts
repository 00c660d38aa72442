import { TraceAnalysis } from '../analyze';
import { addDiagnostics, coverage, emptyDiagnostics, TraceDiagnostics } from '../model/diagnostics';
import { OperationTable } from '../model/operations';
import { grownFrom } from '../model/typedArrays';
import { ContextAggregator, ContextOptions, ContextReport } from './contexts';
import { Percentiles, percentiles } from './percentile';
import { contributionOf, TraceContribution, TraceSummarizer, TraceSummary } from './traceSummary';

/** What one trace contributed, kept small (sparse per operation) for slow-vs-baseline and what-if. */
export interface TraceRecord {
  traceId: string;
  latencyUs: number;
  coverage: number;
  /** Operations on this trace's critical path or in it at all, with their CP time in this trace (µs). */
  operations: Int32Array;
  criticalPathUs: Float64Array;
}

export interface Exemplar {
  traceId: string;
  /** This operation's critical-path time in that trace, µs. */
  criticalPathUs: number;
}

/** One ranked row: an operation, or a whole service in the rollup (then `operation` is undefined). */
export interface HotspotRow {
  service: string;
  operation?: string;
  /** Σ critical-path time over all traces, µs. */
  criticalPathUs: number;
  /** criticalPathUs ÷ Σ end-to-end latency of all traces. Shares of all rows sum to 1. */
  criticalPathShare: number;
  /** criticalPathUs ÷ number of traces analysed (all of them, not only those containing it). */
  meanCriticalPathUsPerTrace: number;
  /** Per trace containing it: its critical-path time in that trace. */
  criticalPathPerTraceUs: Percentiles;
  /** Per span. */
  spanDurationUs: Percentiles;
  selfTimeUs: number;
  calls: number;
  traces: number;
  errors: number;
  errorRate: number;
  /** Up to three traces where it cost the most critical-path time, costliest first. */
  exemplars: Exemplar[];
}

export interface HotspotReport {
  traces: number;
  spans: number;
  /** Σ end-to-end latency over all traces, µs. */
  totalLatencyUs: number;
  latencyUs: Percentiles;
  /** Ranked by critical-path time, largest first. */
  operations: HotspotRow[];
  services: HotspotRow[];
  diagnostics: TraceDiagnostics;
  /** Share of all span time inside the analysed windows. */
  coverage: number;
  /** Traces less than 90 % of whose span time lies in the analysed window. */
  lowCoverageTraces: number;
}

export const LOW_COVERAGE = 0.9;
const EXEMPLARS = 3;

export interface AggregatorOptions {
  /**
   * Also aggregate critical-path time by calling context (`contextReport()`, the flame graph's data). Off by default:
   * it costs a walk over each trace's critical-path spans and a small record per trace.
   */
  callContexts?: boolean | ContextOptions;
}

/**
 * Accumulates trace analyses into per-(service, operation) statistics. Feed traces one at a time and drop
 * them: it keeps only numbers (per span: its duration; per trace: a sparse record), so a million spans read
 * file by file fit in a small heap.
 */
export class HotspotAggregator {
  private traceCount = 0;
  private spanCount = 0;
  private readonly records: TraceRecord[] = [];
  private readonly diagnostics = emptyDiagnostics();
  private lowCoverageTraces = 0;
  private capacity = 0;
  private cpTotal = new Float64Array(0);
  private selfTotal = new Float64Array(0);
  private calls = new Float64Array(0);
  private errors = new Float64Array(0);
  private tracesWith = new Float64Array(0);
  private readonly summarizer: TraceSummarizer;
  private readonly contexts?: ContextAggregator;
  private readonly durations: DoubleList[] = [];
  private readonly cpPerTrace: number[][] = [];
  private readonly exemplars: Exemplar[][] = [];
  /** Per service (by name): CP time per trace containing it, and its exemplars — kept as traces arrive. */
  private readonly serviceStats = new Map<string, { perTrace: number[]; exemplars: Exemplar[] }>();
  private readonly serviceCp = new Map<string, number>();

  constructor(
    readonly operations: OperationTable,
    options: AggregatorOptions = {}
  ) {
    const { callContexts } = options;
    if (callContexts) {
      this.contexts = new ContextAggregator(operations, callContexts === true ? {} : callContexts);
    }
    this.summarizer = new TraceSummarizer({ callContexts: this.contexts !== undefined });
  }

  add(analysis: TraceAnalysis): void {
    this.addContribution(contributionOf(analysis));
  }

  /** Adds one trace given as columns; `add(analysis)` and this give the same result for the same trace. */
  addContribution(contribution: TraceContribution): void {
    this.addSummary(this.summarizer.summarize(contribution));
  }

  /**
   * Adds one trace's summary (see TraceSummarizer). Its arrays may be views into reused buffers: what is kept is
   * copied.
   */
  addSummary(summary: TraceSummary): void {
    const { traceId, operations: ops, criticalPathUs: cps, selfUs, errors, calls, durations, diagnostics } = summary;
    this.ensureCapacity(this.operations.size);
    this.traceCount++;
    this.spanCount += summary.spans;
    let at = 0;
    for (let k = 0; k < ops.length; k++) {
      const op = ops[k];
      const cp = cps[k];
      this.calls[op] += calls[k];
      this.errors[op] += errors[k];
      this.selfTotal[op] += selfUs[k];
      this.durations[op].append(durations, at, at + calls[k]);
      at += calls[k];
      this.tracesWith[op]++;
      this.cpTotal[op] += cp;
      this.cpPerTrace[op].push(cp);
      if (cp > 0) {
        keepTopExemplars(this.exemplars[op], { traceId, criticalPathUs: cp });
      }
    }
    this.addServiceTotals(traceId, ops, cps);
    if (this.contexts !== undefined) {
      if (summary.contexts === undefined) {
        throw new Error('this aggregator keeps call contexts: summarize with { callContexts: true }');
      }
      this.contexts.add(traceId, summary.latencyUs, summary.contexts);
    }
    addDiagnostics(this.diagnostics, diagnostics);
    const traceCoverage = coverage(diagnostics);
    if (traceCoverage < LOW_COVERAGE) {
      this.lowCoverageTraces++;
    }
    this.records.push({
      traceId,
      latencyUs: summary.latencyUs,
      coverage: traceCoverage,
      operations: ops.slice(),
      criticalPathUs: cps.slice(),
    });
  }

  /** The calling-context aggregation, when asked for (`callContexts`); the slow-vs-baseline of contexts reads it. */
  callContexts(): ContextAggregator | undefined {
    return this.contexts;
  }

  /** Critical-path time by calling context (undefined unless `callContexts` was asked for). */
  contextReport(): ContextReport | undefined {
    return this.contexts?.report();
  }

  /** Per-trace records, in the order traces were added. */
  traceRecords(): readonly TraceRecord[] {
    return this.records;
  }

  report(): HotspotReport {
    const totalLatencyUs = this.records.reduce((sum, r) => sum + r.latencyUs, 0);
    const operations: HotspotRow[] = [];
    const byService = new Map<string, number[]>();
    for (let op = 0; op < this.capacity; op++) {
      if (this.calls[op] === 0) {
        continue;
      }
      const service = this.operations.service(op);
      operations.push(
        this.row(
          service,
          this.operations.operation(op),
          [op],
          this.cpPerTrace[op],
          this.tracesWith[op],
          this.exemplars[op],
          totalLatencyUs
        )
      );
      const list = byService.get(service) ?? [];
      list.push(op);
      byService.set(service, list);
    }
    const services: HotspotRow[] = [];
    for (const [service, ops] of byService) {
      const { perTrace, exemplars } = this.serviceStats.get(service) ?? { perTrace: [], exemplars: [] };
      services.push(this.row(service, undefined, ops, perTrace, perTrace.length, exemplars, totalLatencyUs));
    }
    const rank = (a: HotspotRow, b: HotspotRow) =>
      b.criticalPathUs - a.criticalPathUs ||
      a.service.localeCompare(b.service) ||
      (a.operation ?? '').localeCompare(b.operation ?? '');
    return {
      traces: this.traceCount,
      spans: this.spanCount,
      totalLatencyUs,
      latencyUs: percentiles(this.records.map((r) => r.latencyUs)),
      operations: operations.sort(rank),
      services: services.sort(rank),
      diagnostics: { ...this.diagnostics },
      coverage: coverage(this.diagnostics),
      lowCoverageTraces: this.lowCoverageTraces,
    };
  }

  private row(
    service: string,
    operation: string | undefined,
    ops: number[],
    perTrace: number[],
    traces: number,
    exemplars: Exemplar[],
    totalLatencyUs: number
  ): HotspotRow {
    let cp = 0;
    let self = 0;
    let calls = 0;
    let errors = 0;
    let spans = 0;
    for (const op of ops) {
      cp += this.cpTotal[op];
      self += this.selfTotal[op];
      calls += this.calls[op];
      errors += this.errors[op];
      spans += this.durations[op].length;
    }
    // One operation's list as it is; a service's lists joined into one array.
    const durations = ops.length === 1 ? this.durations[ops[0]].values() : new Float64Array(spans);
    if (ops.length > 1) {
      let at = 0;
      for (const op of ops) {
        const list = this.durations[op].values();
        durations.set(list, at);
        at += list.length;
      }
    }
    return {
      service,
      operation,
      criticalPathUs: cp,
      criticalPathShare: totalLatencyUs > 0 ? cp / totalLatencyUs : 0,
      meanCriticalPathUsPerTrace: this.traceCount > 0 ? cp / this.traceCount : 0,
      criticalPathPerTraceUs: percentiles(perTrace),
      spanDurationUs: percentiles(durations),
      selfTimeUs: self,
      calls,
      traces,
      errors,
      errorRate: calls > 0 ? errors / calls : 0,
      exemplars: [...exemplars],
    };
  }

  /** Rolls this trace's per-operation CP times (`cps`, parallel to `ops`) up to its services. */
  private addServiceTotals(traceId: string, ops: Int32Array, cps: Float64Array): void {
    const { serviceCp } = this;
    serviceCp.clear();
    for (let k = 0; k < ops.length; k++) {
      const service = this.operations.service(ops[k]);
      serviceCp.set(service, (serviceCp.get(service) ?? 0) + cps[k]);
    }
    for (const [service, cp] of serviceCp) {
      let stats = this.serviceStats.get(service);
      if (stats === undefined) {
        stats = { perTrace: [], exemplars: [] };
        this.serviceStats.set(service, stats);
      }
      stats.perTrace.push(cp);
      if (cp > 0) {
        keepTopExemplars(stats.exemplars, { traceId, criticalPathUs: cp });
      }
    }
  }

  private ensureCapacity(size: number): void {
    if (size <= this.capacity) {
      return;
    }
    const capacity = Math.max(size, this.capacity * 2, 64);
    this.cpTotal = grownFrom(new Float64Array(capacity), this.cpTotal);
    this.selfTotal = grownFrom(new Float64Array(capacity), this.selfTotal);
    this.calls = grownFrom(new Float64Array(capacity), this.calls);
    this.errors = grownFrom(new Float64Array(capacity), this.errors);
    this.tracesWith = grownFrom(new Float64Array(capacity), this.tracesWith);
    for (let op = this.capacity; op < capacity; op++) {
      this.durations.push(new DoubleList());
      this.cpPerTrace.push([]);
      this.exemplars.push([]);
    }
    this.capacity = capacity;
  }
}

/** Keeps the `EXEMPLARS` costliest entries, costliest first (ties: the earlier trace stays). */
function keepTopExemplars(list: Exemplar[], candidate: Exemplar): void {
  if (list.length === EXEMPLARS && candidate.criticalPathUs <= list[EXEMPLARS - 1].criticalPathUs) {
    return;
  }
  let at = list.length;
  while (at > 0 && list[at - 1].criticalPathUs < candidate.criticalPathUs) {
    at--;
  }
  list.splice(at, 0, candidate);
  if (list.length > EXEMPLARS) {
    list.pop();
  }
}

/** A growing list of numbers in a typed array: one backing store instead of a boxed array per operation. */
class DoubleList {
  private items = new Float64Array(16);
  length = 0;

  /** Appends `from[start .. end)`. */
  append(from: Float64Array, start: number, end: number): void {
    const count = end - start;
    if (this.length + count > this.items.length) {
      const capacity = Math.max(this.length + count, 2 * this.items.length);
      this.items = grownFrom(new Float64Array(capacity), this.items.subarray(0, this.length));
    }
    // Most appends are a span or two: a loop, not a view for `set`.
    for (let k = 0; k < count; k++) {
      this.items[this.length + k] = from[start + k];
    }
    this.length += count;
  }

  /** The items (a view, valid until the next append). */
  values(): Float64Array {
    return this.items.subarray(0, this.length);
  }
}
