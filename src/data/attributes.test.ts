import { createHotspotAnalysis } from './analysis';
import { cohortFrames as frames } from './testing/cohort';
import type { HotspotQuery } from './types';

const QUERY: HotspotQuery = { jaegerUid: 'j', maxTraces: 500, window: 'root', asyncBlocking: false };

describe('slow-vs-baseline analysis in the panel and app', () => {
  it('says what the slow requests share, from the frames the data source returned', async () => {
    const analysis = createHotspotAnalysis({ ...QUERY, compare: { thresholdMs: 100 } });
    analysis.addTraceFrames(frames());
    const state = await analysis.finish();
    expect(state.attributes?.rows[0]).toMatchObject({
      service: 'inventory',
      key: 'host.name',
      value: 'node-7',
      slowTraces: 8,
      baselineTraces: 1,
    });
    expect(state.attributes?.rows[0].exemplarTraceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('collects no attributes without a comparison', async () => {
    const analysis = createHotspotAnalysis(QUERY);
    analysis.addTraceFrames(frames());
    expect((await analysis.finish()).attributes).toBeUndefined();
  });
});
