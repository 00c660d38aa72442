import type { AttributeAnalysis, AttributeRow } from '../../engine';
import { usToMs } from '../units';

type MicrosecondField = 'hotspotWithUs' | 'hotspotWithoutUs' | 'hotspotDeltaUs';

/**
 * One over-represented attribute value, most implicated first (issue #16): the engine's row (whose fields document
 * it) with the hotspot's critical-path times in ms instead of µs.
 */
export type JsonAttributeRow = Omit<AttributeRow, MicrosecondField> & {
  hotspotWithMs: number;
  hotspotWithoutMs: number | null;
  hotspotDeltaMs: number | null;
};

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
    attributes: analysis.rows.map(({ hotspotWithUs, hotspotWithoutUs, hotspotDeltaUs, ...row }) => ({
      ...row,
      hotspotWithMs: usToMs(hotspotWithUs),
      hotspotWithoutMs: ms(hotspotWithoutUs),
      hotspotDeltaMs: ms(hotspotDeltaUs),
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
