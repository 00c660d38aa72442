import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, Stack, Text, useStyles2 } from '@grafana/ui';
import React from 'react';

import type { AttributeAnalysis } from '../../engine';
import type { TraceLinks } from '../../state/traceLinks';
import type { TimeRangeMs } from '../../state/types';
import { testIds } from '../testIds';
import { ExemplarLinks } from './ExemplarLinks';
import { count, percent, signedMs } from './format';

export interface SharedAttributesProps {
  analysis: AttributeAnalysis;
  topN: number;
  links?: TraceLinks;
  windowOf: (traceId: string) => TimeRangeMs;
  /** Re-run on just that cohort: adds `key=value` to the search's tags. Absent: no filter button. */
  onFilter?: (key: string, value: string) => void;
  /**
   * Whether a row's value can be a filter of the search (default: all). Jaeger matches a tag on a span of the
   * searched service, so a row of another service would not select its cohort; a key the search syntax cannot
   * carry cannot either.
   */
  canFilter?: (service: string, key: string) => boolean;
}

/**
 * "What the slow requests share" (issue #16), under the slow-vs-baseline table: attribute values over-represented
 * in the slow traces, surest first, with their counts, the lower confidence bound of the difference, the hotspot
 * operations' critical-path time with vs without the value, and an exemplar trace.
 */
export function SharedAttributes({ analysis, topN, links, windowOf, onFilter, canFilter }: SharedAttributesProps) {
  const styles = useStyles2(getStyles);
  const rows = analysis.rows.slice(0, topN);
  const sure = percent(analysis.confidence);
  return (
    <div data-testid={testIds.view.sharedAttributes}>
      <Stack direction="column" gap={1}>
        <Text element="h5">What the slow requests share</Text>
        {rows.length === 0 ? (
          <Text color="secondary">
            No attribute value is over-represented in the slow traces at {sure} confidence ({count(analysis.tested)}{' '}
            values in at least {analysis.minSlowTraces} slow traces tested).
          </Text>
        ) : (
          <table className={styles.table}>
            <thead>
              <tr>
                <th>Service</th>
                <th>Attribute</th>
                <th>Slow</th>
                <th>Baseline</th>
                <th>Difference at least</th>
                <th>Δ hotspot CP ms</th>
                <th>Exemplar</th>
                {onFilter && <th />}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={`${row.service}\u0000${row.key}\u0000${row.value}`}>
                  <td>{row.service}</td>
                  <td>
                    {row.key}={row.value}
                    {row.sameTraces.length > 0 && (
                      <Text variant="bodySmall" color="secondary" element="p">
                        Same traces: {row.sameTraces.join(', ')}
                      </Text>
                    )}
                  </td>
                  <td>
                    {count(row.slowTraces)} ({percent(row.slowShare)})
                  </td>
                  <td>
                    {count(row.baselineTraces)} ({percent(row.baselineShare)})
                  </td>
                  <td>{percent(row.lowerBound)}</td>
                  <td>{row.hotspotDeltaUs === null ? '—' : signedMs(row.hotspotDeltaUs)}</td>
                  <td>
                    <ExemplarLinks
                      traceId={row.exemplarTraceId}
                      service={row.service}
                      window={windowOf(row.exemplarTraceId)}
                      links={links}
                    />
                  </td>
                  {onFilter && (
                    <td>
                      {(canFilter?.(row.service, row.key) ?? true) && (
                        <Button
                          size="sm"
                          variant="secondary"
                          fill="text"
                          icon="filter"
                          tooltip={`Run the search again on the traces with ${row.key}=${row.value}`}
                          onClick={() => onFilter(row.key, row.value)}
                        >
                          Filter to this
                        </Button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {analysis.skippedKeys.length > 0 && (
          <Text variant="bodySmall" color="secondary">
            Skipped as identifiers or too many values:{' '}
            {analysis.skippedKeys.map((k) => `${k.service} ${k.key}`).join(', ')}
          </Text>
        )}
      </Stack>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  table: css({
    borderCollapse: 'collapse',
    '& th, & td': { padding: theme.spacing(0.5, 1.5, 0.5, 0), textAlign: 'left', verticalAlign: 'top' },
    '& th': { color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightMedium },
    '& tbody tr': { borderTop: `1px solid ${theme.colors.border.weak}` },
    // Counts and bounds stay on one line each.
    '& td:nth-child(n+3)': { whiteSpace: 'nowrap' },
  }),
});
