import { expect, type Locator } from '@playwright/test';

/**
 * What Explore makes of a link: its path, the query parameters other than `panes`, and `panes` parsed as JSON — the
 * way Grafana reads its URL (URLSearchParams, then JSON.parse of `panes`; public/app/features/explore/hooks/
 * useStateSync). Specs compare this meaning, not one encoding of it: the runtimes may write the same state differently.
 */
export interface ExploreState {
  path: string;
  params: Record<string, string>;
  panes: unknown;
}

export function exploreState(href: string): ExploreState {
  // A relative href, resolved as the browser would on a Grafana page.
  const url = new URL(href, 'http://grafana.invalid/a/hotpath-latency-app/');
  const params = Object.fromEntries(url.searchParams);
  const { panes, ...rest } = params;
  return { path: url.pathname, params: rest, panes: panes === undefined ? undefined : parsePanes(panes) };
}

function parsePanes(panes: string): unknown {
  try {
    return JSON.parse(panes);
  } catch (error) {
    // What Explore would get: say so with the text, e.g. a link cut at a `#` or `&` that was decoded on the way.
    throw new Error(`the link's panes is not JSON (${String(error)}): ${panes}`);
  }
}

/** The state an Explore link in the harness must open: orgId 1 (the harness's boot data), URL schema 1. */
export function explorePanes(panes: Record<string, unknown>): ExploreState {
  return { path: '/explore', params: { schemaVersion: '1', orgId: '1' }, panes };
}

/** The link's href read as Explore reads it (fails the test when the element has no href). */
export async function linkState(link: Locator): Promise<ExploreState> {
  const href = await link.getAttribute('href');
  expect(href, 'the link has an href').not.toBeNull();
  return exploreState(href ?? '');
}
