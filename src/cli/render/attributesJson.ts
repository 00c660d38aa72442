import type { AttributeAnalysis } from '../../engine';
import { usToMs } from '../units';

/** One over-represented attribute value, most implicated first (issue #16). Durations in ms. */
export interface JsonAttributeRow {
  service: string;
  key: string;
  value: string;
  /** Slow / baseline traces with this value. */
  slowTraces: number;
  baselineTraces: number;
  slowShare: number;
  baselineShare: number;
  /** slowShare − baselineShare, and the lower confidence bound of it (`attributeAnalysis.method`). */
  difference: number;
  lowerBound: number;
  /** Mean critical-path time of `attributeAnalysis.hotspotOperations` in slow traces with / without the value. */
  hotspotWithMs: number;
  hotspotWithoutMs: number | null;
  hotspotDeltaMs: number | null;
  exemplarTraceId: string;
  /** Other values on exactly the same traces (`service key=value`), folded into this row. */
  sameTraces: string[];
}

export interface JsonAttributeAnalysis {
  method: string;
  confidence: number;
  /** Values with at least `minSlowTraces` slow traces, all tested (the Bonferroni family). */
  tested: number;
  minSlowTraces: number;
  hotspotOperations: Array<{ service: string; operation: string }>;
  /** Keys left out: identifiers (values nearly unique per trace) or more distinct values than the cap. */
  skippedKeys: Array<{ service: string; key: string; distinctValues: number; traces: number; reason: string }>;
  /** Attribute occurrences left out by the caps. */
  dropped: { keysOverCap: number; valuesOverCap: number; unusableValues: number };
}

export const ATTRIBUTE_METHOD =
  "difference of proportions, lower bound of Newcombe's hybrid score interval, Bonferroni over the values tested";

/** The `attributes` list and `attributeAnalysis` of a comparison's JSON. */
export function attributesJson(analysis: AttributeAnalysis): {
  attributes: JsonAttributeRow[];
  attributeAnalysis: JsonAttributeAnalysis;
} {
  const ms = (us: number | null) => (us === null ? null : usToMs(us));
  return {
    attributes: analysis.rows.map((row) => ({
      service: row.service,
      key: row.key,
      value: row.value,
      slowTraces: row.slowTraces,
      baselineTraces: row.baselineTraces,
      slowShare: row.slowShare,
      baselineShare: row.baselineShare,
      difference: row.difference,
      lowerBound: row.lowerBound,
      hotspotWithMs: usToMs(row.hotspotWithUs),
      hotspotWithoutMs: ms(row.hotspotWithoutUs),
      hotspotDeltaMs: ms(row.hotspotDeltaUs),
      exemplarTraceId: row.exemplarTraceId,
      sameTraces: [...row.sameTraces],
    })),
    attributeAnalysis: {
      method: ATTRIBUTE_METHOD,
      confidence: analysis.confidence,
      tested: analysis.tested,
      minSlowTraces: analysis.minSlowTraces,
      hotspotOperations: analysis.hotspotOperations,
      skippedKeys: analysis.skippedKeys.map((key) => ({ ...key })),
      dropped: { ...analysis.drops },
    },
  };
}
