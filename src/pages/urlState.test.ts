import { urlUtil } from '@grafana/data';

import {
  compareUrlQuery,
  CompareUrlState,
  hotspotsUrlQuery,
  HotspotsUrlState,
  parseCompareUrl,
  parseHotspotsUrl,
  UrlQuery,
} from './urlState';

/** What `locationService.partial` does with a query: undefined values dropped, the rest rendered. */
const toSearch = (query: UrlQuery) =>
  urlUtil.toUrlParams(Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)));

describe('Hotspots page URL', () => {
  const state: HotspotsUrlState = {
    ds: 'jaeger-eu',
    search: {
      service: 'frontend',
      operation: 'GET /api/cart',
      tags: 'error=true http.status_code=500',
      minDuration: '250ms',
    },
    range: { from: '1700000000000', to: '1700003600000' },
    window: 'full',
    asyncBlocking: true,
    rollup: true,
    topN: 50,
    maxTraces: 1000,
    source: 'prometheus',
    promDs: 'prometheus-eu',
    mode: 'compare',
    slow: '250ms',
  };

  it('round-trips every field', () => {
    expect(parseHotspotsUrl(toSearch(hotspotsUrlQuery(state)))).toEqual(state);
  });

  it('keeps the ranking source: every trace as source=prometheus, the sample by default, anything else a sample', () => {
    expect(hotspotsUrlQuery(state)).toMatchObject({ source: 'prometheus', prom: 'prometheus-eu' });
    expect(hotspotsUrlQuery({ ...state, source: 'sample', promDs: undefined })).toMatchObject({
      source: undefined,
      prom: undefined,
    });
    expect(parseHotspotsUrl('source=prometheus').source).toBe('prometheus');
    expect(parseHotspotsUrl('source=%22%3E%3Cscript').source).toBe('sample');
  });

  it('leaves defaults out, except the time range', () => {
    const defaults = parseHotspotsUrl('');
    expect(defaults).toEqual({
      ds: undefined,
      search: { service: '', operation: '', tags: '', minDuration: '' },
      range: { from: 'now-1h', to: 'now' },
      window: 'root',
      asyncBlocking: false,
      rollup: false,
      topN: 20,
      maxTraces: undefined,
      source: 'sample',
      promDs: undefined,
      mode: 'hotspots',
      slow: 'p90',
    });
    expect(toSearch(hotspotsUrlQuery(defaults))).toBe('from=now-1h&to=now');
    expect(toSearch(hotspotsUrlQuery({ ...defaults, mode: 'compare' }))).toBe('mode=compare&from=now-1h&to=now');
  });

  it('ignores values it cannot use', () => {
    const parsed = parseHotspotsUrl('?window=sideways&top=-4&max=999999&async=yes&mode=flame');
    expect(parsed).toMatchObject({ window: 'root', topN: 20, maxTraces: 1500, asyncBlocking: false, mode: 'hotspots' });
  });
});

describe('Compare page URL', () => {
  const time: CompareUrlState = {
    ds: undefined,
    mode: 'time',
    search: { service: 'checkout', operation: '', tags: 'region=eu', minDuration: '' },
    referenceTags: '',
    range: { from: 'now-1h', to: 'now' },
    referenceRange: { from: 'now-25h', to: 'now-24h' },
    window: 'root',
    asyncBlocking: false,
    rollup: false,
    topN: 20,
    maxTraces: undefined,
  };

  it('round-trips two time ranges', () => {
    expect(parseCompareUrl(toSearch(compareUrlQuery(time)))).toEqual(time);
    expect(toSearch(compareUrlQuery(time))).toBe(
      'service=checkout&tags=region%3Deu&from=now-1h&to=now&afrom=now-25h&ato=now-24h'
    );
  });

  it('round-trips two tag filters (and drops the second range)', () => {
    const tags: CompareUrlState = {
      ...time,
      mode: 'tags',
      referenceTags: 'version=1.4',
      search: { ...time.search, tags: 'version=1.5' },
    };
    const search = toSearch(compareUrlQuery(tags));
    expect(search).not.toContain('afrom');
    expect(parseCompareUrl(search)).toEqual({ ...tags, referenceRange: { from: 'now-2h', to: 'now-1h' } });
  });
});
