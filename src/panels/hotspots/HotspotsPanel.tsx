import { PanelProps } from '@grafana/data';
import { Alert } from '@grafana/ui';
import React, { useMemo } from 'react';

import { HotspotView } from '../../components/hotspots/HotspotView';
import { testIds } from '../../components/testIds';
import { useHotspotAnalysis } from '../../data';
import { clampMaxTraces, searchTableIds } from '../../data/traceSource';
import type { HotspotQuery } from '../../data/types';
import { parseCompareSplit } from './compareSplit';
import { DEFAULT_OPTIONS, HotspotsOptions } from './types';

type Props = PanelProps<HotspotsOptions>;

/**
 * The panel: its query is a Jaeger search (dashboard time range and variables apply); the data layer fetches the
 * traces it found (or analyses trace frames directly) and the shared view ranks them.
 */
export function HotspotsPanel({ data, timeRange, options: given }: Props) {
  const options = { ...DEFAULT_OPTIONS, ...given };
  const split = parseCompareSplit(options.compareSplit);
  // The query's data source; else the one the search table's trace links point to (as Grafana's Jaeger sets them).
  const jaegerUid = data.request?.targets?.[0]?.datasource?.uid ?? searchTableIds(data.series).jaegerUid ?? '';
  const query = useMemo<HotspotQuery>(
    () => ({
      jaegerUid,
      lokiUid: options.lokiUid || undefined,
      maxTraces: clampMaxTraces(options.maxTraces),
      window: options.window,
      asyncBlocking: options.asyncBlocking,
      ...(options.mode === 'compare' && split.ok ? { compare: split.split } : {}),
    }),
    [jaegerUid, options.lokiUid, options.maxTraces, options.window, options.asyncBlocking, options.mode, split]
  );
  const state = useHotspotAnalysis({ series: data.series, timeRange, query });
  return (
    <div data-testid={testIds.hotspotsPanel.container} style={{ height: '100%' }}>
      {options.mode === 'compare' && !split.ok && (
        <Alert severity="warning" title="Slow traces: not understood">
          {split.message}
        </Alert>
      )}
      <HotspotView
        state={state}
        options={{ mode: options.mode, topN: options.topN, rollup: options.rollup, window: options.window }}
        links={{ jaegerUid, lokiUid: options.lokiUid || undefined }}
      />
    </div>
  );
}
