import { css } from '@emotion/css';
import { PanelProps } from '@grafana/data';
import { Alert, useStyles2 } from '@grafana/ui';
import React, { useMemo } from 'react';

import { HotspotView } from '../../components/hotspots/HotspotView';
import { testIds } from '../../components/testIds';
import { clampMaxTraces, createTraceLinks, searchTableIds, useHotspotAnalysis } from '../../data';
import type { HotspotQuery } from '../../data/types';
import { parseCompareSplit } from './compareSplit';
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
  const state = useHotspotAnalysis({ series: data.series, timeRange, query });
  const links = useMemo(() => createTraceLinks({ jaegerUid, lokiUid }), [jaegerUid, lokiUid]);
  return (
    <div data-testid={testIds.hotspotsPanel.container} className={styles.panel}>
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
      />
    </div>
  );
}

const getStyles = () => ({
  panel: css({ height: '100%', overflow: 'auto' }),
});
