import { useMemo, useState } from 'react';

import type { ResolvedAppSettings } from '../components/AppConfig/settings';
import type { SearchDraft } from '../components/search/TraceSearchFields';
import type { HotspotQuery, TraceSearch } from '../data/types';
import type { AnalysisUrlOptions } from './urlState';

/** What every app page receives from the app root. */
export interface PageProps {
  settings: ResolvedAppSettings;
}

/** The Jaeger search the hooks run, from what the URL says; undefined until there is a service. */
export function toTraceSearch(search: SearchDraft, limit: number, tags = search.tags): TraceSearch | undefined {
  const service = search.service.trim();
  if (!service) {
    return undefined;
  }
  return {
    service,
    ...(search.operation.trim() ? { operation: search.operation.trim() } : {}),
    ...(tags.trim() ? { tags: tags.trim() } : {}),
    ...(search.minDuration.trim() ? { minDuration: search.minDuration.trim() } : {}),
    limit,
  };
}

/** Keeps a draft of `value` that is reset whenever `value` itself changes (the URL moved: back button, a link). */
export function useDraft<T>(value: T): [T, (next: T) => void] {
  const key = JSON.stringify(value);
  const [draft, setDraft] = useState(value);
  const [draftOf, setDraftOf] = useState(key);
  if (draftOf !== key) {
    setDraftOf(key);
    setDraft(value);
  }
  return [draftOf === key ? draft : value, setDraft];
}

/** The data source, trace budget and analysis query of a page: its URL's choices, else the app's defaults. */
export function usePageQuery(url: AnalysisUrlOptions, settings: ResolvedAppSettings) {
  const jaegerUid = url.ds ?? settings.jaegerUid ?? '';
  const maxTraces = url.maxTraces ?? settings.maxTraces;
  const query = useMemo<HotspotQuery>(
    () => ({ jaegerUid, maxTraces, window: url.window, asyncBlocking: url.asyncBlocking }),
    [jaegerUid, maxTraces, url.window, url.asyncBlocking]
  );
  return { jaegerUid, maxTraces, query };
}
