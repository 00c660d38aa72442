import { urlUtil } from '@grafana/data';

import { toTraceSearch } from '../pages/pageState';
import { hotspotsUrlQuery, parseHotspotsUrl, UrlQuery } from '../pages/urlState';
import { searchQuery } from './fetchTraces';
import { canFilterOnTag, canFilterRow, logfmtTag, withTagFilter } from './tagFilter';
import { jaegerTagsJson } from './testing/goLogfmt';

/** What `locationService.partial` writes into the address (undefined values dropped), as the page's URL tests do. */
const toSearch = (query: UrlQuery) =>
  urlUtil.toUrlParams(Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)));

/** What Jaeger receives for a search's logfmt tags: the data source's go-logfmt decoding, as JSON (goLogfmt.ts). */
const jaegerTags = (tags: string): Record<string, string> => JSON.parse(jaegerTagsJson(tags));

// Span tags are hostile text: quotes, a closing brace, `&`, a line break, a backslash, a `${…}` and control bytes.
const HOSTILE = 'gold" } & tier=silver\nx\\"y ${__all} \u0000\t%26\u2028';

describe('tag filter ("Filter to this")', () => {
  it('carries a hostile value exactly from the click through the URL to Jaeger’s tags JSON', () => {
    const url = parseHotspotsUrl('?service=frontend&tags=error%3Dtrue&from=now-1h&to=now&mode=compare');
    const tags = withTagFilter(url.search.tags, 'customer.tier', HOSTILE);
    expect(tags).toBeDefined();
    const address = toSearch(hotspotsUrlQuery({ ...url, search: { ...url.search, tags: tags! } }));
    const reloaded = parseHotspotsUrl(`?${address}`);
    const query = searchQuery('jaeger', toTraceSearch(reloaded.search, 100)!, 100);
    expect(jaegerTags(String((query as { tags?: string }).tags))).toEqual({ error: 'true', 'customer.tier': HOSTILE });
    // One parameter each: the value's `&` and `=` did not split the address.
    expect(Array.from(new URLSearchParams(address).keys())).toEqual(['mode', 'service', 'tags', 'from', 'to']);
  });

  it('writes one quoted value on one line, whatever the value holds', () => {
    expect(logfmtTag('k', 'a"b\nc')).toBe('k="a\\"b\\nc"');
    expect(logfmtTag('http.status_code', '500')).toBe('http.status_code="500"');
  });

  it('adds last, so the new value wins over an earlier one of the same key', () => {
    expect(jaegerTags(withTagFilter('tier=silver', 'tier', 'gold')!)).toEqual({ tier: 'gold' });
    expect(withTagFilter('  ', 'tier', 'gold')).toBe('tier="gold"');
  });

  it('refuses what the search syntax cannot carry: such keys, lone surrogates', () => {
    for (const key of ['', 'a b', 'a=b', 'a"b', 'a\nb', 'a\u0000b']) {
      expect(canFilterOnTag(key)).toBe(false);
      expect(withTagFilter('', key, 'v')).toBeUndefined();
    }
    expect(withTagFilter('', 'k', 'half \ud83d')).toBeUndefined();
    expect(jaegerTags(withTagFilter('', 'k', 'whole \ud83d\ude42')!)).toEqual({ k: 'whole \ud83d\ude42' });
  });

  it('offers the filter only on rows of the searched service (Jaeger matches tags on that service), writable keys only', () => {
    expect(canFilterRow('backend', 'backend', 'customer.tier')).toBe(true);
    expect(canFilterRow('backend', 'frontend', 'customer.tier')).toBe(false);
    expect(canFilterRow(undefined, 'backend', 'customer.tier')).toBe(false);
    expect(canFilterRow('backend', 'backend', 'a b')).toBe(false);
  });
});
