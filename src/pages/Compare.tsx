import type { TimeZone } from '@grafana/schema';
import { PluginPage } from '@grafana/runtime';
import { Button, Field, InlineSwitch, Input, RadioButtonGroup, Stack, Text } from '@grafana/ui';
import React, { useMemo, useState } from 'react';

import { DiagnosticsBanner } from '../components/hotspots/DiagnosticsBanner';
import { TwoSearchesTable } from '../components/hotspots/TwoSearchesTable';
import { SampleSummary } from '../components/hotspots/SampleSummary';
import { EmptyState, ErrorState, IdleState, NoDataSourceState } from '../components/hotspots/StatusStates';
import { PageAnalysisOptions } from '../components/search/AnalysisOptionsFields';
import { ControlsBox } from '../components/search/ControlsBox';
import { resolveRange } from '../components/search/timeRange';
import { TimeRangeControl } from '../components/search/TimeRangeControl';
import { isGoDuration, TraceSearchFields } from '../components/search/TraceSearchFields';
import { testIds } from '../components/testIds';
import { useHotspotSearch } from '../data';
import type { HotspotState } from '../data/types';
import { compareReports } from '../engine/aggregate/compareReports';
import { PageProps, toTraceSearch, useDraft, usePageQuery } from './pageState';
import { CompareMode, compareUrlQuery, CompareUrlState, parseCompareUrl } from './urlState';
import { useUrlState } from './useUrlState';

const MODES = [
  { value: 'time' as const, label: 'Two time ranges', description: 'The same search before and after (a deploy)' },
  { value: 'tags' as const, label: 'Two tag filters', description: 'The same time range, two tag filters' },
];

const LABELS: Record<CompareMode, { before: string; after: string }> = {
  time: { before: 'Before', after: 'After' },
  tags: { before: 'A', after: 'B' },
};

/**
 * The Compare page: one search run twice — over two time ranges (before/after a deploy) or with two tag filters —
 * and the operations ranked by how much their critical-path time per trace changed (compareReports).
 */
function Compare({ settings }: PageProps) {
  const [url, setUrl] = useUrlState<CompareUrlState>(parseCompareUrl, compareUrlQuery);
  const [draft, setDraft] = useDraft({ search: url.search, referenceTags: url.referenceTags });
  const [timeZone, setTimeZone] = useState<TimeZone>('browser');
  const [runs, setRuns] = useState(0);
  const time = url.mode === 'time';
  const labels = LABELS[url.mode];

  const afterRange = useMemo(
    () => resolveRange(url.range, timeZone),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [url.range.from, url.range.to, timeZone, runs]
  );
  const referenceRange = useMemo(
    () => resolveRange(url.referenceRange, timeZone),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [url.referenceRange.from, url.referenceRange.to, timeZone, runs]
  );
  const { jaegerUid, maxTraces, query } = usePageQuery(url, settings);
  const afterSearch = jaegerUid ? toTraceSearch(url.search, maxTraces) : undefined;
  const beforeSearch = jaegerUid
    ? toTraceSearch(url.search, maxTraces, time ? url.search.tags : url.referenceTags)
    : undefined;
  const before = useHotspotSearch({ search: beforeSearch, timeRange: time ? referenceRange : afterRange, query });
  const after = useHotspotSearch({ search: afterSearch, timeRange: afterRange, query });

  const change = useMemo(
    () =>
      before.report && after.report && before.report.traces > 0 && after.report.traces > 0
        ? compareReports(before.report, after.report, { level: url.rollup ? 'service' : 'operation' })
        : undefined,
    [before.report, after.report, url.rollup]
  );

  const run = () => {
    setUrl({ ...url, search: draft.search, referenceTags: draft.referenceTags });
    setRuns(runs + 1);
  };
  const canRun = draft.search.service.trim() !== '' && isGoDuration(draft.search.minDuration) && jaegerUid !== '';
  const submit = () => canRun && run();

  return (
    <PluginPage>
      <div data-testid={testIds.compare.container}>
        <ControlsBox>
          <Field label="Compare" noMargin>
            <RadioButtonGroup
              aria-label="Compare"
              options={MODES}
              value={url.mode}
              onChange={(mode) => setUrl({ ...url, mode })}
            />
          </Field>
          <Stack direction="row" gap={2} wrap="wrap" alignItems="flex-end">
            <TraceSearchFields
              value={draft.search}
              onChange={(search) => setDraft({ ...draft, search })}
              onSubmit={submit}
              fields={time ? ['service', 'operation', 'tags', 'minDuration'] : ['service', 'operation', 'minDuration']}
            />
            {!time && (
              <>
                <Field label="Tags A (reference)" noMargin>
                  <Input
                    id="hotpath-compare-tags-a"
                    value={draft.referenceTags}
                    placeholder="logfmt, e.g. version=1.4"
                    onChange={(e) => setDraft({ ...draft, referenceTags: e.currentTarget.value })}
                    onKeyDown={(e) => e.key === 'Enter' && submit()}
                    width={28}
                  />
                </Field>
                <Field label="Tags B" noMargin>
                  <Input
                    id="hotpath-compare-tags-b"
                    value={draft.search.tags}
                    placeholder="logfmt, e.g. version=1.5"
                    onChange={(e) => setDraft({ ...draft, search: { ...draft.search, tags: e.currentTarget.value } })}
                    onKeyDown={(e) => e.key === 'Enter' && submit()}
                    width={28}
                  />
                </Field>
              </>
            )}
          </Stack>
          <Stack direction="row" gap={2} wrap="wrap" alignItems="flex-end">
            {time && (
              <Field label="Before" noMargin>
                <TimeRangeControl
                  value={referenceRange}
                  onChange={(range) => setUrl({ ...url, referenceRange: range })}
                  timeZone={timeZone}
                  onChangeTimeZone={setTimeZone}
                />
              </Field>
            )}
            <Field label={time ? 'After' : 'Time range'} noMargin>
              <TimeRangeControl
                value={afterRange}
                onChange={(range) => setUrl({ ...url, range })}
                timeZone={timeZone}
                onChangeTimeZone={setTimeZone}
              />
            </Field>
            <Button icon="search" onClick={run} disabled={!canRun}>
              Run comparison
            </Button>
          </Stack>
          <PageAnalysisOptions state={url} onChange={setUrl} jaegerUid={jaegerUid} />
        </ControlsBox>
        {!jaegerUid ? (
          <NoDataSourceState />
        ) : !afterSearch ? (
          <IdleState title="Choose a service">
            Enter the service whose requests you want to compare, then run the comparison. Each side covers up to{' '}
            {maxTraces.toLocaleString('en-US')} traces.
          </IdleState>
        ) : (
          <Stack direction="column" gap={2}>
            <Side label={labels.before} state={before} window={url.window} />
            <Side label={labels.after} state={after} window={url.window} />
            {change && (
              <Stack direction="column" gap={1}>
                <InlineSwitch
                  label="Per service"
                  showLabel
                  transparent
                  value={url.rollup}
                  onChange={() => setUrl({ ...url, rollup: !url.rollup }, { replace: true })}
                />
                <TwoSearchesTable change={change} topN={url.topN} labels={labels} />
              </Stack>
            )}
          </Stack>
        )}
      </div>
    </PluginPage>
  );
}

/** One side's sample, error, empty result and data notes. */
function Side({ label, state, window }: { label: string; state: HotspotState; window: 'root' | 'full' }) {
  const report = state.report && state.report.traces > 0 ? state.report : undefined;
  return (
    <Stack direction="column" gap={1}>
      <Text weight="medium">{label}</Text>
      <SampleSummary phase={state.phase} progress={state.progress} />
      {state.phase === 'error' && state.error && (
        <ErrorState error={{ ...state.error, title: `${label}: ${state.error.title}` }} />
      )}
      {(state.phase === 'done' || state.phase === 'empty') && !report && (
        <EmptyState title={`${label}: no traces to analyse`} />
      )}
      {report && <DiagnosticsBanner report={report} problems={state.problems} window={window} />}
    </Stack>
  );
}

export default Compare;
