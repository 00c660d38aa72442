import { css } from '@emotion/css';
import { PanelProps } from '@grafana/data';
import type { DataQuery } from '@grafana/schema';
import { Alert, Button, Stack, Text, useStyles2 } from '@grafana/ui';
import React, { useCallback, useMemo, useState } from 'react';

import { HotspotView } from '../../components/hotspots/HotspotView';
import { testIds } from '../../components/testIds';
import { clampMaxTraces, createTraceLinks, searchTableIds, useHotspotAnalysis, useHotspotSearch } from '../../data';
import { canFilterRow, withTagFilter } from '../../data/tagFilter';
import type { HotspotQuery, TraceSearch } from '../../data/types';
import { parseCompareSplit } from './compareSplit';
import { panelJaegerSearch } from './panelSearch';
import { DEFAULT_OPTIONS, HotspotsOptions } from './types';

type Props = PanelProps<HotspotsOptions>;

/**
 * The Jaeger data source of the panel's query: the first Jaeger target's (a mixed query may hold others), else the
 * first target's, else the one the search table's trace links point to (as Grafana's Jaeger data source sets them).
 * Template variables (`${ds}`) are resolved with the panel's own scope.
 */
export function panelJaegerUid(data: Props['data'], replaceVariables: Props['replaceVariables']): string {
  const targets = data.request?.targets ?? [];
  const target = targets.find((t) => t.datasource?.type === 'jaeger') ?? targets[0];
  const uid = target?.datasource?.uid ?? searchTableIds(data.series).jaegerUid ?? '';
  return uid.includes('$') ? replaceVariables(uid) : uid;
}

/**
 * The panel: its query is a Jaeger search (dashboard time range and variables apply); the data layer fetches the
 * traces it found — or analyses trace frames directly — and the shared view ranks them. Options the dashboard did
 * not store take their defaults here (Grafana fills them too, but provisioned JSON may omit any).
 */
export function HotspotsPanel({ data, timeRange, options: given, onOptionsChange, replaceVariables }: Props) {
  const styles = useStyles2(getStyles);
  const options = { ...DEFAULT_OPTIONS, ...given };
  const split = useMemo(() => parseCompareSplit(options.compareSplit), [options.compareSplit]);
  const jaegerUid = panelJaegerUid(data, replaceVariables);
  const lokiUid = options.lokiUid ? replaceVariables(options.lokiUid) : undefined;
  const query = useMemo<HotspotQuery>(
    () => ({
      jaegerUid,
      lokiUid,
      maxTraces: clampMaxTraces(options.maxTraces),
      window: options.window,
      asyncBlocking: options.asyncBlocking,
      ...(options.mode === 'compare' && split.ok ? { compare: split.split } : {}),
    }),
    [jaegerUid, lokiUid, options.maxTraces, options.window, options.asyncBlocking, options.mode, split]
  );
  const seriesState = useHotspotAnalysis({ series: data.series, timeRange, query });
  const cohort = useCohortSearch(data.request?.targets, replaceVariables, query.maxTraces);
  const cohortState = useHotspotSearch({ search: cohort.search, timeRange, query });
  const state = cohort.search ? cohortState : seriesState;
  const links = useMemo(() => createTraceLinks({ jaegerUid, lokiUid }), [jaegerUid, lokiUid]);
  return (
    <div data-testid={testIds.hotspotsPanel.container} className={styles.panel}>
      {cohort.search?.tags && (
        <div data-testid={testIds.hotspotsPanel.cohort}>
          <Stack direction="row" gap={1} alignItems="center">
            <Text color="secondary">
              Filtered to the traces with <code>{cohort.search.tags}</code> (the dashboard&apos;s query is unchanged)
            </Text>
            <Button size="sm" variant="secondary" fill="text" icon="times" onClick={cohort.clear}>
              Clear filter
            </Button>
          </Stack>
        </div>
      )}
      {options.mode === 'compare' && !split.ok && (
        <Alert severity="warning" title="Slow traces: not understood">
          {split.message}
        </Alert>
      )}
      <HotspotView
        state={state}
        options={{ mode: options.mode, topN: options.topN, rollup: options.rollup, window: options.window }}
        links={links}
        onRollupChange={(rollup) => onOptionsChange({ ...given, rollup })}
        onAttributeFilter={cohort.base ? cohort.filter : undefined}
        canFilterAttribute={cohort.canFilter}
      />
    </div>
  );
}

/**
 * "Filter to this" in the panel: the dashboard's query cannot be changed from a panel, so the panel runs its
 * query's Jaeger search itself with the row's `key=value` added (each click narrows further; "Clear filter" goes
 * back to the query's own results). Offered only when the query is a Jaeger search, and only for rows of the
 * searched service: Jaeger matches a tag on a span of that service.
 */
function useCohortSearch(
  targets: readonly DataQuery[] | undefined,
  replaceVariables: Props['replaceVariables'],
  limit: number
) {
  const base = useMemo(() => panelJaegerSearch(targets, replaceVariables), [targets, replaceVariables]);
  const [tags, setTags] = useState<string | undefined>(undefined);
  const search: TraceSearch | undefined = base && tags !== undefined ? { ...base, tags, limit } : undefined;
  const service = base?.service;
  const filter = useCallback(
    (key: string, value: string) => {
      const next = withTagFilter(tags ?? base?.tags ?? '', key, value);
      if (next !== undefined) {
        setTags(next);
      }
    },
    [tags, base?.tags]
  );
  const canFilter = useCallback((rowService: string, key: string) => canFilterRow(service, rowService, key), [service]);
  const clear = useCallback(() => setTags(undefined), []);
  return { base, search, filter, canFilter, clear };
}

const getStyles = () => ({
  panel: css({ height: '100%', overflow: 'auto' }),
});
