import type { DataFrame } from '@grafana/data';

import { grafanaTraceFrame, type SpanSpec } from '../../testing/traces';
import { createHotspotAnalysis } from '../analysis';
import type { HotspotState } from '../types';
import { wireToFrame } from './traces';

/**
 * 100 trace frames as the Jaeger data source returns them: 10 slow requests (SELECT stock 300 ms), 8 of them and
 * 1 fast one on inventory host node-7 (its `serviceTags`), the rest on node-1 … node-3.
 */
export function cohortFrames(): DataFrame[] {
  return Array.from({ length: 100 }, (_, i) => {
    const slow = i % 10 === 0;
    const selectUs = slow ? 300_000 : 20_000 + (i % 7) * 1000;
    const start = 1.7e15 + i * 1e7;
    const spans: SpanSpec[] = [
      { id: `a${i}`, service: 'frontend', op: 'GET /', start, duration: selectUs + 10_000, kind: 'server' },
      {
        id: `b${i}`,
        parent: `a${i}`,
        service: 'inventory',
        op: 'SELECT stock',
        start: start + 5000,
        duration: selectUs,
      },
    ];
    const wire = grafanaTraceFrame(spans, (i + 1).toString(16).padStart(32, '0'));
    const host = (slow && i < 80) || i === 5 ? 'node-7' : `node-${1 + (i % 3)}`;
    const serviceTags = wire.data.values[wire.schema.fields.findIndex((f) => f.name === 'serviceTags')];
    serviceTags[1] = [{ key: 'host.name', type: 'string', value: host }];
    return wireToFrame(wire);
  });
}

/** The slow-vs-baseline state of `cohortFrames` (slow: 100 ms and above), as the panel and pages receive it. */
export async function cohortState(): Promise<HotspotState> {
  const analysis = createHotspotAnalysis({
    jaegerUid: 'jaeger',
    maxTraces: 500,
    window: 'root',
    asyncBlocking: false,
    compare: { thresholdMs: 100 },
  });
  analysis.addTraceFrames(cohortFrames());
  return analysis.finish();
}
