import { OperationTable } from '../model/operations';
import type { TraceRecord } from './aggregator';
import { Comparison, isSlowTrace } from './compare';
import { oneSidedZ, wilsonInterval } from './proportions';

/**
 * What the slow requests share: which (service, key, value) attributes are over-represented in the slow cohort of
 * a slow-vs-baseline comparison, ranked by how sure we are, and how much critical-path time of the comparison's
 * hotspot operations goes with them.
 *
 * Attributes are collected per trace while traces stream in (`AttributeCollector`, only when a comparison is
 * asked for): each trace keeps one sorted Int32Array of interned attribute ids — "some span of this service has
 * key = value" — so the per-trace cost is a few ints per distinct attribute, never the strings.
 */

export interface AttributeLimits {
  /** Distinct (service, key) pairs kept; attributes of further keys are dropped and counted. */
  maxKeys: number;
  /** Distinct values kept per key; a key with more is skipped as high-cardinality (and its values counted). */
  maxValuesPerKey: number;
  /** Longer values and keys (in UTF-16 units) are dropped and counted: nobody filters on a 4 kB tag. */
  maxValueLength: number;
}

export const DEFAULT_ATTRIBUTE_LIMITS: AttributeLimits = { maxKeys: 512, maxValuesPerKey: 1000, maxValueLength: 256 };

/** What the caps cost: occurrences (per span, per attribute) left out. */
export interface AttributeDrops {
  /** Attributes of a (service, key) beyond `maxKeys`. */
  keysOverCap: number;
  /** Attributes whose value came after the key already had `maxValuesPerKey` values. */
  valuesOverCap: number;
  /** Keys or values longer than `maxValueLength`, or values not a string, number or boolean. */
  unusableValues: number;
}

/**
 * Interns attributes and keeps each trace's set. Feed a trace with `startTrace`, `add` per (service, key, value)
 * of its spans and resources, then `endTrace`; a trace ID seen again (a trace split over files) gets the union.
 */
export class AttributeCollector implements AttributeSink {
  private readonly keyIds = new Map<string, number>();
  private readonly keyService: string[] = [];
  private readonly keyName: string[] = [];
  private readonly keyValues: Array<Map<string, number>> = [];
  private readonly keyOverflow: boolean[] = [];
  private tracesWithKey = new Int32Array(64);
  private keyStamp = new Int32Array(64);
  private readonly attrKey: number[] = [];
  private readonly attrValue: string[] = [];
  private attrStamp = new Int32Array(256);
  private readonly sets = new Map<string, Int32Array>();
  private current: number[] = [];
  private currentTrace: string | undefined;
  private traceNo = 0;
  readonly drops: AttributeDrops = { keysOverCap: 0, valuesOverCap: 0, unusableValues: 0 };

  constructor(readonly limits: AttributeLimits = DEFAULT_ATTRIBUTE_LIMITS) {}

  startTrace(traceId: string): void {
    this.currentTrace = traceId;
    this.current = [];
    this.traceNo++;
  }

  /** One attribute of a span (or of the resource/process) of `service` in the current trace. */
  add(service: string, key: string, value: unknown): void {
    const text = attributeText(value, this.limits.maxValueLength);
    if (text === undefined || key.length > this.limits.maxValueLength) {
      this.drops.unusableValues++;
      return;
    }
    this.addResolved(this.resolve(service, key, text), 1);
  }

  /**
   * Adds the attribute sets an `AttributeRecorder` took down (in a worker, say), exactly as if each recorded `add`
   * had been made here in turn. Each distinct (service, key, value) of the batch is interned once, on its first
   * recorded use, which is when the direct calls would have interned it; later uses reuse that outcome, which
   * cannot change: keys and values are never forgotten, and a cap once reached stays reached.
   */
  addBatch(batch: AttributeBatch): void {
    const resolved = new Int32Array(batch.triples.length / 3).fill(UNRESOLVED);
    let entry = 0;
    batch.traceIds.forEach((traceId, t) => {
      this.startTrace(traceId);
      const end = entry + batch.entries[t];
      for (; entry < end; entry++) {
        const local = batch.ids[entry];
        let attr = resolved[local];
        if (attr === UNRESOLVED) {
          const { triples } = batch;
          attr = this.resolve(triples[3 * local], triples[3 * local + 1], triples[3 * local + 2]);
          resolved[local] = attr;
        }
        this.addResolved(attr, batch.counts[entry]);
      }
      this.endTrace();
    });
    this.drops.unusableValues += batch.unusableValues;
  }

  /** The attribute id of (service, key, text), interned if new; or why it is left out (`KEY_OVER_CAP`, …). */
  private resolve(service: string, key: string, text: string): number {
    const keyId = this.keyIdOf(service, key);
    if (keyId < 0) {
      return KEY_OVER_CAP;
    }
    const values = this.keyValues[keyId];
    let attr = values.get(text);
    if (attr === undefined) {
      if (values.size >= this.limits.maxValuesPerKey) {
        this.keyOverflow[keyId] = true;
        return VALUE_OVER_CAP;
      }
      attr = this.attrKey.length;
      this.attrKey.push(keyId);
      this.attrValue.push(text);
      values.set(text, attr);
      if (attr >= this.attrStamp.length) {
        const grown = new Int32Array(2 * this.attrStamp.length);
        grown.set(this.attrStamp);
        this.attrStamp = grown;
      }
    }
    return attr;
  }

  /** `occurrences` uses of a resolved attribute in the current trace: drops are counted per use, sets once. */
  private addResolved(attr: number, occurrences: number): void {
    if (attr === KEY_OVER_CAP) {
      this.drops.keysOverCap += occurrences;
      return;
    }
    if (attr === VALUE_OVER_CAP) {
      this.drops.valuesOverCap += occurrences;
      return;
    }
    if (this.attrStamp[attr] !== this.traceNo) {
      this.attrStamp[attr] = this.traceNo;
      this.current.push(attr);
      const keyId = this.attrKey[attr];
      if (this.keyStamp[keyId] !== this.traceNo) {
        this.keyStamp[keyId] = this.traceNo;
        this.tracesWithKey[keyId]++;
      }
    }
  }

  endTrace(): void {
    const traceId = this.currentTrace;
    if (traceId === undefined) {
      return;
    }
    const earlier = this.sets.get(traceId);
    const ids = earlier === undefined ? this.current : [...new Set([...earlier, ...this.current])];
    this.sets.set(traceId, Int32Array.from(ids).sort());
    this.currentTrace = undefined;
    this.current = [];
  }

  /** The attribute ids of a trace, sorted; empty for a trace never seen. */
  setOf(traceId: string): Int32Array {
    return this.sets.get(traceId) ?? EMPTY;
  }

  get attributeCount(): number {
    return this.attrKey.length;
  }

  get keyCount(): number {
    return this.keyService.length;
  }

  keyOf(attr: number): number {
    return this.attrKey[attr];
  }

  value(attr: number): string {
    return this.attrValue[attr];
  }

  service(keyId: number): string {
    return this.keyService[keyId];
  }

  key(keyId: number): string {
    return this.keyName[keyId];
  }

  distinctValues(keyId: number): number {
    return this.keyValues[keyId].size;
  }

  /** Traces (counted once per trace ID appearance) with any value of this key. */
  tracesWith(keyId: number): number {
    return this.tracesWithKey[keyId];
  }

  overflowed(keyId: number): boolean {
    return this.keyOverflow[keyId];
  }

  private keyIdOf(service: string, key: string): number {
    const name = `${service}\u0000${key}`;
    let id = this.keyIds.get(name);
    if (id === undefined) {
      if (this.keyService.length >= this.limits.maxKeys) {
        return -1;
      }
      id = this.keyService.length;
      this.keyIds.set(name, id);
      this.keyService.push(service);
      this.keyName.push(key);
      this.keyValues.push(new Map());
      this.keyOverflow.push(false);
      if (id >= this.tracesWithKey.length) {
        const size = 2 * this.tracesWithKey.length;
        const traces = new Int32Array(size);
        traces.set(this.tracesWithKey);
        this.tracesWithKey = traces;
        const stamps = new Int32Array(size);
        stamps.set(this.keyStamp);
        this.keyStamp = stamps;
      }
    }
    return id;
  }
}

const EMPTY = new Int32Array(0);
const UNRESOLVED = -1;
const KEY_OVER_CAP = -2;
const VALUE_OVER_CAP = -3;

/** What `collectAttributes` feeds: an `AttributeCollector`, or an `AttributeRecorder` to collect elsewhere. */
export interface AttributeSink {
  startTrace(traceId: string): void;
  add(service: string, key: string, value: unknown): void;
  endTrace(): void;
}

/**
 * The attribute uses of some traces, condensed for `AttributeCollector.addBatch` (plain data: it crosses from a
 * worker thread). Per trace, each distinct (service, key, value) once, in the order of its first use, with how
 * many times it was used (the caps count drops per use).
 */
export interface AttributeBatch {
  /** The distinct (service, key, value text) of the batch, flattened: local id `i` is `triples[3i … 3i+2]`. */
  triples: string[];
  traceIds: string[];
  /** Trace `t` owns `entries[t]` consecutive entries of `ids` and `counts`. */
  entries: number[];
  ids: Int32Array<ArrayBuffer>;
  counts: Int32Array<ArrayBuffer>;
  /** Uses whose key or value cannot be compared (too long, not a scalar): the collector's `unusableValues`. */
  unusableValues: number;
}

/**
 * An `AttributeSink` that takes the attribute uses down as an `AttributeBatch` instead of interning them, so that
 * workers can collect their files' attributes and the main thread add them in file order with identical results.
 * Interning, caps and drops stay with the one collector: they depend on the order of all inputs.
 */
export class AttributeRecorder implements AttributeSink {
  private readonly localIds = new Map<string, Map<string, Map<string, number>>>();
  private readonly triples: string[] = [];
  private readonly traceIds: string[] = [];
  private readonly entries: number[] = [];
  private ids: number[] = [];
  private counts: number[] = [];
  /** Per local id: the trace it was last used in, and its entry there. */
  private stamp = new Int32Array(256);
  private entryOf = new Int32Array(256);
  private traceNo = 0;
  private traceStart = 0;
  private unusableValues = 0;
  private open = false;

  constructor(readonly limits: AttributeLimits = DEFAULT_ATTRIBUTE_LIMITS) {}

  startTrace(traceId: string): void {
    this.traceIds.push(traceId);
    this.traceNo++;
    this.traceStart = this.ids.length;
    this.open = true;
  }

  add(service: string, key: string, value: unknown): void {
    const text = attributeText(value, this.limits.maxValueLength);
    if (text === undefined || key.length > this.limits.maxValueLength) {
      this.unusableValues++;
      return;
    }
    const local = this.localIdOf(service, key, text);
    if (this.stamp[local] === this.traceNo) {
      this.counts[this.entryOf[local]]++;
      return;
    }
    this.stamp[local] = this.traceNo;
    this.entryOf[local] = this.ids.length;
    this.ids.push(local);
    this.counts.push(1);
  }

  endTrace(): void {
    if (this.open) {
      this.entries.push(this.ids.length - this.traceStart);
      this.open = false;
    }
  }

  /** What was recorded since the last call; the recorder starts afresh. */
  take(): AttributeBatch {
    const batch: AttributeBatch = {
      triples: this.triples.splice(0),
      traceIds: this.traceIds.splice(0),
      entries: this.entries.splice(0),
      ids: Int32Array.from(this.ids),
      counts: Int32Array.from(this.counts),
      unusableValues: this.unusableValues,
    };
    this.localIds.clear();
    this.ids = [];
    this.counts = [];
    this.stamp.fill(0);
    this.traceNo = 0;
    this.unusableValues = 0;
    return batch;
  }

  private localIdOf(service: string, key: string, text: string): number {
    let keys = this.localIds.get(service);
    if (keys === undefined) {
      keys = new Map();
      this.localIds.set(service, keys);
    }
    let values = keys.get(key);
    if (values === undefined) {
      values = new Map();
      keys.set(key, values);
    }
    let local = values.get(text);
    if (local === undefined) {
      local = this.triples.length / 3;
      this.triples.push(service, key, text);
      values.set(text, local);
      if (local >= this.stamp.length) {
        const stamp = new Int32Array(2 * this.stamp.length);
        stamp.set(this.stamp);
        this.stamp = stamp;
        const entryOf = new Int32Array(2 * this.entryOf.length);
        entryOf.set(this.entryOf);
        this.entryOf = entryOf;
      }
    }
    return local;
  }
}

/** A value as the text it is compared by; undefined when it cannot be one (objects, arrays, too long). */
function attributeText(value: unknown, maxLength: number): string | undefined {
  let text: string;
  if (typeof value === 'string') {
    text = value;
  } else if (typeof value === 'number' || typeof value === 'boolean') {
    text = String(value);
  } else {
    return undefined;
  }
  return text.length <= maxLength ? text : undefined;
}

export interface AttributeRow {
  service: string;
  key: string;
  value: string;
  /** Slow / baseline traces with this value (on some span of `service`). */
  slowTraces: number;
  baselineTraces: number;
  slowShare: number;
  baselineShare: number;
  /** slowShare − baselineShare. */
  difference: number;
  /**
   * Lower confidence bound of `difference`: the lower end of Newcombe's two-sided hybrid score interval at
   * 1 − α/m, α = 1 − `AttributeAnalysis.confidence`, m = the values tested (Bonferroni). Two-sided rather than
   * one-sided at α/m because the interval is not conservative that far into the tail: on noise the one-sided
   * bound raised alarms in 8.5 % of trace sets, this one in 3.5 % (attributes.test.ts). Rows are listed only when
   * it is above 0.
   */
  lowerBound: number;
  /**
   * Mean critical-path time (µs) of the hotspot operations in slow traces with this value, and in slow traces
   * without it; the delta is null when every slow trace has the value (nothing to compare with).
   */
  hotspotWithUs: number;
  hotspotWithoutUs: number | null;
  hotspotDeltaUs: number | null;
  /** The slowest trace with this value. */
  exemplarTraceId: string;
  /**
   * Other values found on exactly the same traces (e.g. `http.route` and `url.path` of one endpoint), as
   * `service key=value`: folded into this row instead of listed as rows that say the same thing.
   */
  sameTraces: string[];
}

export interface SkippedKey {
  service: string;
  key: string;
  distinctValues: number;
  traces: number;
  reason: 'identifier' | 'too many values';
}

export interface AttributeAnalysis {
  /** Family-wise confidence of the bounds (e.g. 0.95). */
  confidence: number;
  /** Values in at least `minSlowTraces` slow traces, all tested (the Bonferroni family size). */
  tested: number;
  minSlowTraces: number;
  /** Over-represented values, most implicated (highest lower bound) first. */
  rows: AttributeRow[];
  /** The operations whose critical-path time `hotspot*` sums: the comparison's top growing operations. */
  hotspotOperations: Array<{ service: string; operation: string }>;
  skippedKeys: SkippedKey[];
  drops: AttributeDrops;
}

export interface AttributeAnalysisOptions {
  confidence?: number;
  /** Fewer slow traces with a value and it is not tested (a value in 1 slow trace says nothing). */
  minSlowTraces?: number;
  /** How many of the comparison's top growing operations count as hotspots. */
  hotspotOperations?: number;
}

/** A key with more distinct values than this share of its traces (and more than `IDENTIFIER_MIN_VALUES`) is an ID. */
export const IDENTIFIER_RATIO = 0.5;
export const IDENTIFIER_MIN_VALUES = 5;
export const MIN_SLOW_TRACES = 3;

/**
 * Which attributes the slow traces of `comparison` share beyond the baseline. `records` and `comparison` are
 * those of `compareSlowToBaseline`; `attributes` collected the same traces (matched by trace ID).
 */
export function findSharedAttributes(
  records: readonly TraceRecord[],
  attributes: AttributeCollector,
  comparison: Comparison,
  operations: OperationTable,
  options: AttributeAnalysisOptions = {}
): AttributeAnalysis {
  const confidence = options.confidence ?? 0.95;
  const minSlow = options.minSlowTraces ?? MIN_SLOW_TRACES;
  const hotspotRows = comparison.rows.filter((row) => row.deltaUs > 0).slice(0, options.hotspotOperations ?? 3);
  const hotspotOps = new Set<number>();
  for (const row of hotspotRows) {
    const id = operations.find(row.service, row.operation);
    if (id !== undefined) {
      hotspotOps.add(id);
    }
  }
  const skippedKeys = skippedKeysOf(attributes);
  const skipped = new Set(skippedKeys.map((k) => k.keyId));

  const n = attributes.attributeCount;
  const slowWith = new Int32Array(n);
  const baseWith = new Int32Array(n);
  const hotspotWith = new Float64Array(n);
  const exemplar = new Int32Array(n).fill(-1);
  // Two sums of per-trace hashes: values with equal counts and equal sums were (almost surely) on the same traces.
  const traceHashA = new Float64Array(n);
  const traceHashB = new Float64Array(n);
  let slowTraces = 0;
  let baseTraces = 0;
  let hotspotAll = 0;
  records.forEach((record, index) => {
    const set = attributes.setOf(record.traceId);
    const hashA = mix32(index, 0x9e3779b9);
    const hashB = mix32(index, 0x85ebca6b);
    for (const attr of set) {
      traceHashA[attr] += hashA;
      traceHashB[attr] += hashB;
    }
    if (!isSlowTrace(record, comparison.thresholdUs)) {
      baseTraces++;
      for (const attr of set) {
        baseWith[attr]++;
      }
      return;
    }
    slowTraces++;
    let hotspot = 0;
    for (let k = 0; k < record.operations.length; k++) {
      if (hotspotOps.has(record.operations[k])) {
        hotspot += record.criticalPathUs[k];
      }
    }
    hotspotAll += hotspot;
    for (const attr of set) {
      slowWith[attr]++;
      hotspotWith[attr] += hotspot;
      if (exemplar[attr] < 0 || records[exemplar[attr]].latencyUs < record.latencyUs) {
        exemplar[attr] = index;
      }
    }
  });

  const candidates: number[] = [];
  for (let attr = 0; attr < n; attr++) {
    if (slowWith[attr] >= minSlow && !skipped.has(attributes.keyOf(attr))) {
      candidates.push(attr);
    }
  }
  const rows: AttributeRow[] = [];
  const groupOf: string[] = [];
  if (slowTraces > 0 && baseTraces > 0 && candidates.length > 0) {
    // Two-sided at α/m: see AttributeRow.lowerBound.
    const z = oneSidedZ((1 - confidence) / candidates.length / 2);
    for (const attr of candidates) {
      const a = slowWith[attr];
      const b = baseWith[attr];
      const slowShare = a / slowTraces;
      const baselineShare = b / baseTraces;
      const lowerBound = differenceLowerBound(a, slowTraces, b, baseTraces, z);
      if (!(lowerBound > 0)) {
        continue;
      }
      const keyId = attributes.keyOf(attr);
      const without = slowTraces - a;
      const hotspotWithUs = hotspotWith[attr] / a;
      const hotspotWithoutUs = without > 0 ? (hotspotAll - hotspotWith[attr]) / without : null;
      rows.push({
        service: attributes.service(keyId),
        key: attributes.key(keyId),
        value: attributes.value(attr),
        slowTraces: a,
        baselineTraces: b,
        slowShare,
        baselineShare,
        difference: slowShare - baselineShare,
        lowerBound,
        hotspotWithUs,
        hotspotWithoutUs,
        hotspotDeltaUs: hotspotWithoutUs === null ? null : hotspotWithUs - hotspotWithoutUs,
        exemplarTraceId: records[exemplar[attr]].traceId,
        sameTraces: [],
      });
      groupOf.push(`${a}:${b}:${traceHashA[attr]}:${traceHashB[attr]}`);
    }
  }
  const order = rows.map((_, i) => i);
  order.sort(
    (i, j) =>
      rows[j].lowerBound - rows[i].lowerBound ||
      rows[i].service.localeCompare(rows[j].service) ||
      rows[i].key.localeCompare(rows[j].key) ||
      rows[i].value.localeCompare(rows[j].value)
  );
  const firstOfGroup = new Map<string, AttributeRow>();
  const folded: AttributeRow[] = [];
  for (const i of order) {
    const row = rows[i];
    const first = firstOfGroup.get(groupOf[i]);
    if (first === undefined) {
      firstOfGroup.set(groupOf[i], row);
      folded.push(row);
    } else {
      first.sameTraces.push(`${row.service} ${row.key}=${row.value}`);
    }
  }
  return {
    confidence,
    tested: candidates.length,
    minSlowTraces: minSlow,
    rows: folded,
    hotspotOperations: hotspotRows.map((row) => ({ service: row.service, operation: row.operation })),
    skippedKeys: skippedKeys.map(({ keyId, ...key }) => key),
    drops: { ...attributes.drops },
  };
}

/**
 * Lower bound of p1 − p0 (p1 = a/n1, p0 = b/n0): Newcombe's method 10, the hybrid score interval built from the
 * two Wilson intervals — well-behaved at 0 and 1 and on small samples, unlike the Wald interval. Newcombe RG,
 * "Interval estimation for the difference between independent proportions", Statistics in Medicine 17 (1998).
 */
export function differenceLowerBound(a: number, n1: number, b: number, n0: number, z: number): number {
  const p1 = a / n1;
  const p0 = b / n0;
  const [low1] = wilsonInterval(a, n1, z);
  const [, high0] = wilsonInterval(b, n0, z);
  return p1 - p0 - Math.sqrt((p1 - low1) ** 2 + (high0 - p0) ** 2);
}

/** Keys whose values identify traces rather than group them, and keys that overflowed the value cap. */
function skippedKeysOf(attributes: AttributeCollector): Array<SkippedKey & { keyId: number }> {
  const skipped: Array<SkippedKey & { keyId: number }> = [];
  for (let keyId = 0; keyId < attributes.keyCount; keyId++) {
    const distinctValues = attributes.distinctValues(keyId);
    const traces = attributes.tracesWith(keyId);
    const base = { keyId, service: attributes.service(keyId), key: attributes.key(keyId), distinctValues, traces };
    if (attributes.overflowed(keyId)) {
      skipped.push({ ...base, reason: 'too many values' });
    } else if (distinctValues > IDENTIFIER_MIN_VALUES && distinctValues > IDENTIFIER_RATIO * traces) {
      skipped.push({ ...base, reason: 'identifier' });
    }
  }
  return skipped;
}

/** A 32-bit hash of `value` (the murmur3 finaliser), as a non-negative number: one term of a set's hash sum. */
function mix32(value: number, seed: number): number {
  let h = (value ^ seed) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
