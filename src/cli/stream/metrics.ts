/**
 * What `hotpath stream` exports (prom-client, OpenMetrics text so that exemplars are served), and how a finalised
 * trace becomes those numbers: the same engine as `hotpath analyze` (protoTrace.ts, the OTLP reading → analyzeTrace →
 * per-operation sums of the critical path), so the counters summed over replicas equal `hotpath analyze` over the
 * same traces.
 */
import { analyzeTrace, contributionOf, OperationTable, TraceSummarizer } from '../../engine';
import { Counter, Gauge, Histogram, Registry, type OpenMetricsContentType } from 'prom-client';

import { CardinalityGuard } from './cardinality';
import type { Finalised } from './openTraces';
import { readFinalisedTrace } from './protoTrace';

/** Per-trace critical-path seconds of one operation: from 1 ms to a minute. */
const TRACE_SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Where a span ended up (label `outcome` of hotpath_spans_total). */
export type SpanOutcome = 'analysed' | 'evicted' | 'late' | 'revoked' | 'malformed' | 'orphan' | 'clipped' | 'folded';

/**
 * Increments of a counter gathered per label set and added to it when it is collected (at every scrape, by its
 * `collect`): prom-client hashes and validates the labels on every `inc`, which took a tenth of the stream's time at
 * one `inc` per operation per trace. A scrape still sees every increment made before it.
 */
class GatheredIncrements<L extends string> {
  private readonly pending = new Map<string, { labels: Record<L, string>; value: number }>();

  /** `key` identifies `labels` (made only for a key not pending yet). */
  add(key: string, labels: () => Record<L, string>, value: number): void {
    const entry = this.pending.get(key);
    if (entry === undefined) {
      this.pending.set(key, { labels: labels(), value });
    } else {
      entry.value += value;
    }
  }

  flushInto(counter: Counter<L>): void {
    for (const { labels, value } of this.pending.values()) {
      counter.inc(labels, value);
    }
    this.pending.clear();
  }
}

/** The index of the histogram bucket `value` falls in (buckets.length: +Inf). */
function bucketIndex(value: number): number {
  for (let i = 0; i < TRACE_SECONDS_BUCKETS.length; i++) {
    if (value <= TRACE_SECONDS_BUCKETS[i]) {
      return i;
    }
  }
  return TRACE_SECONDS_BUCKETS.length;
}

/** Exemplars are served only in OpenMetrics text (prom-client refuses them in a Prometheus-format registry). */
function openMetricsRegistry(): Registry<OpenMetricsContentType> {
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  return registry;
}

export class StreamMetrics {
  readonly registry = openMetricsRegistry();
  private readonly criticalPath: Counter<'service' | 'operation'>;
  /** `trace_id` is an exemplar label only (prom-client types exemplar labels as the metric's own). */
  private readonly traceCriticalPath: Histogram<'service' | 'operation' | 'trace_id'>;
  private readonly traces: Counter<'root_service'>;
  private readonly spans: Counter<'outcome'>;
  private readonly messages: Counter<'outcome'>;
  readonly openTraces: Gauge;
  readonly openSpans: Gauge;
  readonly uncommittedTraces: Gauge;
  readonly handedOverTraces: Counter;
  readonly assignedPartitions: Gauge;
  private readonly lag: Gauge<'topic' | 'partition'>;
  private readonly summarizer = new TraceSummarizer();
  private readonly pendingCriticalPath = new GatheredIncrements<'service' | 'operation'>();
  private readonly pendingTraces = new GatheredIncrements<'root_service'>();
  private readonly pendingSpans = new GatheredIncrements<'outcome'>();
  /**
   * (series, bucket) whose exemplar was set since the last scrape. prom-client keeps one exemplar per bucket, the
   * last one given; setting it costs a second hashing of the labels. Only the first trace per bucket after each scrape
   * sets it, so every scrape still shows an exemplar of that interval for every bucket that had one.
   */
  private readonly exemplarsSinceScrape = new Set<string>();

  constructor(private readonly guard: CardinalityGuard) {
    const registers = [this.registry];
    this.criticalPath = new Counter({
      name: 'hotpath_critical_path_seconds_total',
      help: 'Time (service, operation) spent on the critical path of the traces analysed, in seconds',
      labelNames: ['service', 'operation'],
      registers,
      collect: () => this.pendingCriticalPath.flushInto(this.criticalPath),
    });
    this.traceCriticalPath = new Histogram({
      name: 'hotpath_trace_critical_path_seconds',
      help: "One operation's critical-path time in one trace, in seconds, per trace it occurs in",
      labelNames: ['service', 'operation'],
      buckets: TRACE_SECONDS_BUCKETS,
      enableExemplars: true,
      registers,
      collect: () => this.exemplarsSinceScrape.clear(),
    });
    this.traces = new Counter({
      name: 'hotpath_traces_total',
      help: 'Traces analysed, by the service of their root span',
      labelNames: ['root_service'],
      registers,
      collect: () => this.pendingTraces.flushInto(this.traces),
    });
    this.spans = new Counter({
      name: 'hotpath_spans_total',
      help:
        'Spans by outcome: analysed (in an analysed trace), evicted (of those, in traces finalised early by ' +
        '--max-open-traces), late (after their trace was finalised; not analysed), revoked (open when their ' +
        'partition was revoked; replayed by its new owner), malformed (no usable trace ID, or rejected by the ' +
        'engine), orphan (parent not in the trace), clipped (overflowing their parent), folded (under operation ' +
        '"other" by the cardinality guard)',
      labelNames: ['outcome'],
      registers,
      collect: () => this.pendingSpans.flushInto(this.spans),
    });
    this.messages = new Counter({
      name: 'hotpath_messages_total',
      help: 'Kafka messages read, by outcome: decoded or malformed (not the encoding; skipped)',
      labelNames: ['outcome'],
      registers,
    });
    this.openTraces = new Gauge({ name: 'hotpath_open_traces', help: 'Traces being collected', registers });
    this.openSpans = new Gauge({ name: 'hotpath_open_spans', help: 'Spans of the traces being collected', registers });
    this.uncommittedTraces = new Gauge({
      name: 'hotpath_uncommitted_traces',
      help:
        'Traces analysed and counted here whose messages are not all below the committed offsets yet: if this ' +
        'consumer died now, its successor would replay and count them again (the double-count bound)',
      registers,
    });
    this.handedOverTraces = new Counter({
      name: 'hotpath_handed_over_traces_total',
      help:
        'Traces counted here on a partition the group then gave to another consumer before their messages were ' +
        'committed: the new owner replays and counts them again (the double count of rebalances)',
      registers,
    });
    this.assignedPartitions = new Gauge({
      name: 'hotpath_assigned_partitions',
      help: 'Partitions the group assigned to this consumer',
      registers,
    });
    this.lag = new Gauge({
      name: 'hotpath_consumer_lag',
      help: 'Messages in the partition after the last one this consumer processed',
      labelNames: ['topic', 'partition'],
      registers,
    });
  }

  countSpans(outcome: SpanOutcome, spans: number): void {
    if (spans > 0) {
      this.pendingSpans.add(outcome, () => ({ outcome }), spans);
    }
  }

  countMessage(outcome: 'decoded' | 'malformed'): void {
    this.messages.inc({ outcome });
  }

  setLag(topic: string, partition: number, lag: number): void {
    this.lag.set({ topic, partition: String(partition) }, lag);
  }

  removeLag(topic: string, partition: number): void {
    this.lag.remove({ topic, partition: String(partition) });
  }

  /** Runs the engine on a finalised trace and adds it to the metrics. */
  record({ trace, reason }: Finalised): void {
    // A table per trace: the guard bounds what is exported, and nothing grows with every name ever seen.
    const operations = new OperationTable();
    const parsed = readFinalisedTrace(trace, operations);
    let rejected = trace.spans;
    for (const model of parsed.traces) {
      const analysis = analyzeTrace(model);
      const summary = this.summarizer.summarize(contributionOf(analysis));
      rejected -= summary.spans;
      for (let k = 0; k < summary.operations.length; k++) {
        const op = summary.operations[k];
        const labels = this.guard.labels(operations.service(op), operations.operation(op));
        if (labels.folded) {
          this.countSpans('folded', summary.calls[k]);
        }
        const seconds = summary.criticalPathUs[k] / 1e6;
        const exported = { service: labels.service, operation: labels.operation };
        const series = `${labels.service}\u0000${labels.operation}`;
        this.pendingCriticalPath.add(series, () => exported, seconds);
        const bucket = `${series}\u0000${bucketIndex(seconds)}`;
        if (this.exemplarsSinceScrape.has(bucket)) {
          this.traceCriticalPath.observe({ labels: exported, value: seconds });
        } else {
          this.exemplarsSinceScrape.add(bucket);
          const exemplarLabels = { trace_id: trace.traceId };
          this.traceCriticalPath.observe({ labels: exported, value: seconds, exemplarLabels });
        }
      }
      const rootService = this.guard.service(operations.service(model.operation[model.root]));
      this.pendingTraces.add(rootService, () => ({ root_service: rootService }), 1);
      const { diagnostics } = summary;
      this.countSpans('analysed', summary.spans);
      if (reason === 'evicted') {
        this.countSpans('evicted', summary.spans);
      }
      this.countSpans('orphan', diagnostics.orphans);
      this.countSpans('clipped', diagnostics.clippedChildren);
    }
    this.countSpans('malformed', rejected);
  }
}
