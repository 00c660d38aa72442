import type { TimeZone } from '@grafana/schema';
import { PluginPage } from '@grafana/runtime';
import { Button, Stack } from '@grafana/ui';
import React, { useCallback, useMemo, useState } from 'react';

import { HotspotView } from '../components/hotspots/HotspotView';
import { RankingSourceSwitch } from '../components/hotspots/RankingSourceSwitch';
import { IdleState, NoDataSourceState } from '../components/hotspots/StatusStates';
import { PageAnalysisOptions } from '../components/search/AnalysisOptionsFields';
import { ControlsBox } from '../components/search/ControlsBox';
import { ModeFields } from '../components/search/ModeFields';
import { RawRange, resolveRange } from '../components/search/timeRange';
import { TimeRangeControl } from '../components/search/TimeRangeControl';
import { isGoDuration, TraceSearchFields } from '../components/search/TraceSearchFields';
import { testIds } from '../components/testIds';
import { createTraceLinks, useHotspotSearch } from '../data';
import { EveryTraceHotspots } from './EveryTraceHotspots';
import { canFilterRow, withTagFilter } from '../data/tagFilter';
import { parseCompareSplit } from '../panels/hotspots/compareSplit';
import { PageProps, toTraceSearch, useDraft, usePageQuery } from './pageState';
import { hotspotsUrlQuery, HotspotsUrlState, parseHotspotsUrl } from './urlState';
import { useUrlState } from './useUrlState';

/**
 * The Hotspots page ranks from a sample (a Jaeger search, the default) or from every trace (`hotpath stream`'s
 * metrics in Prometheus, EveryTraceHotspots.tsx): the URL's `source` picks one.
 */
function Hotspots({ settings }: PageProps) {
  const [url, setUrl] = useUrlState<HotspotsUrlState>(parseHotspotsUrl, hotspotsUrlQuery);
  return url.source === 'prometheus' ? (
    <EveryTraceHotspots settings={settings} url={url} setUrl={setUrl} />
  ) : (
    <SampleHotspots settings={settings} url={url} setUrl={setUrl} />
  );
}

/**
 * The sample: a Jaeger search (service, operation, tags, min duration, time range) drives the same view as the
 * panel. Everything is in the URL, so a view can be shared by copying the address.
 */
function SampleHotspots({ settings, url, setUrl }: PageProps & UrlStateProps) {
  const [draft, setDraft] = useDraft(url.search);
  const [timeZone, setTimeZone] = useState<TimeZone>('browser');
  // Bumped by "Run": relative ranges ("now-1h") are resolved again, so the search runs again.
  const [runs, setRuns] = useState(0);
  const timeRange = useMemo(
    () => resolveRange(url.range, timeZone),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [url.range.from, url.range.to, timeZone, runs]
  );
  const { jaegerUid, maxTraces, query: hotspotsQuery } = usePageQuery(url, settings);
  const split = useMemo(() => (url.mode === 'compare' ? parseCompareSplit(url.slow) : undefined), [url.mode, url.slow]);
  const query = useMemo(
    () => (split?.ok ? { ...hotspotsQuery, compare: split.split } : hotspotsQuery),
    [hotspotsQuery, split]
  );
  const search = jaegerUid ? toTraceSearch(url.search, maxTraces) : undefined;
  const state = useHotspotSearch({ search, timeRange, query });
  // "Filter to this" (slow vs baseline): the row's tag joins the search's tags, which re-runs it on that cohort.
  const filterTo = (key: string, value: string) => {
    const tags = withTagFilter(url.search.tags, key, value);
    if (tags !== undefined) {
      setUrl({ ...url, search: { ...url.search, tags } });
    }
  };
  const searched = search?.service;
  const canFilter = useCallback((service: string, key: string) => canFilterRow(searched, service, key), [searched]);
  const links = useMemo(
    () => createTraceLinks({ jaegerUid, defaultLokiUid: settings.lokiUid }),
    [jaegerUid, settings.lokiUid]
  );

  const run = () => {
    setUrl({ ...url, search: draft });
    setRuns(runs + 1);
  };
  const setRange = (range: RawRange) => setUrl({ ...url, range });
  const canRun = draft.service.trim() !== '' && isGoDuration(draft.minDuration) && jaegerUid !== '';

  return (
    <PluginPage>
      <div data-testid={testIds.hotspots.container}>
        <ControlsBox>
          <RankingSourceSwitch value="sample" onChange={(source) => setUrl({ ...url, source })} />
          <Stack direction="row" gap={2} wrap="wrap" alignItems="flex-end" justifyContent="space-between">
            <TraceSearchFields value={draft} onChange={setDraft} onSubmit={() => canRun && run()} />
            <Stack direction="row" gap={1} alignItems="center">
              <TimeRangeControl
                value={timeRange}
                onChange={setRange}
                timeZone={timeZone}
                onChangeTimeZone={setTimeZone}
              />
              <Button icon="search" onClick={run} disabled={!canRun}>
                Run search
              </Button>
            </Stack>
          </Stack>
          <Stack direction="row" gap={2} wrap="wrap" alignItems="flex-end">
            <PageAnalysisOptions state={url} onChange={setUrl} jaegerUid={jaegerUid} />
            <ModeFields
              value={url}
              onChange={({ mode, slow }) => setUrl({ ...url, mode, slow })}
              slowError={split && !split.ok ? split.message : undefined}
            />
          </Stack>
        </ControlsBox>
        {!jaegerUid ? (
          <NoDataSourceState />
        ) : !search ? (
          <IdleState title="Choose a service">
            Enter the service whose requests you want to explain, then run the search. The ranking covers up to{' '}
            {maxTraces.toLocaleString('en-US')} traces of the time range.
          </IdleState>
        ) : (
          <HotspotView
            state={state}
            options={{ mode: url.mode, topN: url.topN, rollup: url.rollup, window: url.window }}
            links={links}
            onRollupChange={(rollup) => setUrl({ ...url, rollup }, { replace: true })}
            onAttributeFilter={filterTo}
            canFilterAttribute={canFilter}
          />
        )}
      </div>
    </PluginPage>
  );
}

interface UrlStateProps {
  url: HotspotsUrlState;
  setUrl: (next: HotspotsUrlState, options?: { replace?: boolean }) => void;
}

export default Hotspots;
