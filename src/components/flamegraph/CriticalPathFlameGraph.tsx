import { FlameGraph } from '@grafana/flamegraph';
import { useTheme2 } from '@grafana/ui';
import React, { useCallback, useMemo } from 'react';

import type { ContextComparison, ContextReport } from '../../engine';
import { testIds } from '../testIds';
import { contextDiffFlameGraph, contextFlameGraph, FlameGraphData } from './flameGraphFrame';

/** A frame the user picked: its operation (for the table) and the costliest trace that reached it. */
export interface PickedContext {
  service: string;
  operation: string;
  /** The trace in which the most critical-path time was spent in this context (absent in the diff). */
  exemplarTraceId?: string;
}

export interface CriticalPathFlameGraphProps {
  contexts: ContextReport;
  /** When given, the diff flame graph: baseline on the left, slow traces on the right. */
  comparison?: ContextComparison;
  /** "Show in table" on a frame: undefined for the root (all operations again). */
  onPick: (picked: PickedContext | undefined) => void;
}

/**
 * The critical path by calling context, drawn by Grafana's own flame graph component (the one its flame graph
 * panel and Pyroscope use): its header (search, colour scheme, its own top table), theme, tooltips, zoom ("Focus
 * block") and sandwich view; collapsing is off, so recursion shows frame by frame. Clicking a frame
 * opens the component's menu, where "Show in table" filters the ranking to that frame's operation. In slow-vs-
 * baseline mode the frame is the component's diff form, so the paths that grew stand out in its diff colours.
 */
export function CriticalPathFlameGraph({ contexts, comparison, onPick }: CriticalPathFlameGraphProps) {
  const theme = useTheme2();
  const getTheme = useCallback(() => theme, [theme]);
  const data: FlameGraphData = useMemo(
    () => (comparison ? contextDiffFlameGraph(comparison) : contextFlameGraph(contexts)),
    [comparison, contexts]
  );
  const menuButtons = useCallback(
    (clicked: { item: { itemIndexes: number[] } }) => {
      const row = data.rows[clicked.item.itemIndexes[0]];
      const node = row?.kind === 'context' ? (comparison ?? contexts).nodes[row.node] : undefined;
      const exemplar = node && 'exemplar' in node ? node.exemplar.traceId : undefined;
      const picked = node && !node.other ? { service: node.service, operation: node.operation } : undefined;
      return [
        {
          label: picked ? 'Show in table' : 'Show all operations',
          icon: 'table' as const,
          onClick: () => onPick(picked && { ...picked, exemplarTraceId: exemplar }),
        },
      ];
    },
    [comparison, contexts, data, onPick]
  );
  return (
    <div data-testid={testIds.view.flameGraph} data-diff={comparison ? 'true' : 'false'}>
      <FlameGraph data={data.frame} getTheme={getTheme} disableCollapsing getExtraContextMenuButtons={menuButtons} />
    </div>
  );
}
