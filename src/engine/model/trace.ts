import { TraceDiagnostics } from './diagnostics';

/** OpenTelemetry span kinds, as Jaeger's `span.kind` tag and OTLP's `kind` carry them. */
export enum SpanKind {
  Unspecified = 0,
  Internal = 1,
  Server = 2,
  Client = 3,
  Producer = 4,
  Consumer = 5,
}

/** How a span hangs under its parent in the built tree. */
export enum ParentLink {
  /** The root: no parent. */
  None = 0,
  /** CHILD_OF / OTLP parentSpanId. */
  ChildOf = 1,
  /** FOLLOWS_FROM / an OTLP link used as the only parent. Non-blocking by default. */
  FollowsFrom = 2,
  /** Not a reference of the input: an orphan, extra root or cut cycle that the engine hung under the root. */
  Attached = 3,
}

/**
 * One trace as flat, typed columns indexed by span number (struct of arrays): no object per span, so that a
 * million spans cost a few tens of megabytes and walks are cache-friendly. Built only by `TraceBuilder`.
 * Times are microseconds since the epoch (fractions allowed).
 */
export interface TraceModel {
  readonly traceId: string;
  readonly size: number;
  readonly spanIds: readonly string[];
  /** Index into the shared `OperationTable`. */
  readonly operation: Int32Array;
  readonly start: Float64Array;
  /** Never negative: negative input durations are analysed as 0 and counted. */
  readonly duration: Float64Array;
  /** Parent span number; -1 only for `root`. */
  readonly parent: Int32Array;
  readonly link: Uint8Array;
  readonly kind: Uint8Array;
  /** 1 when the span failed: OTel status ERROR, `error=true`, or an HTTP status ≥ 500. */
  readonly error: Uint8Array;
  readonly root: number;
  /** Children of span s are `children[childOffset[s] .. childOffset[s + 1])`. */
  readonly childOffset: Int32Array;
  readonly children: Int32Array;
  /** What building the tree had to repair (the critical-path fields are filled in later, per analysis). */
  readonly structure: Pick<
    TraceDiagnostics,
    | 'spans'
    | 'extraRoots'
    | 'orphans'
    | 'duplicateSpanIds'
    | 'cyclesBroken'
    | 'invalidSpans'
    | 'outOfRangeSpans'
    | 'negativeDurations'
    | 'zeroDurations'
  >;
}
