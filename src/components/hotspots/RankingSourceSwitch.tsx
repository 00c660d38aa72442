import { Field, RadioButtonGroup } from '@grafana/ui';
import React from 'react';

import type { RankingSource } from '../../state/types';
import { testIds } from '../testIds';

const SOURCES = [
  {
    value: 'sample' as const,
    label: 'Sample (Jaeger search)',
    description:
      'Fetch the traces one Jaeger search finds and analyse them here: every statistic, up to the trace limit',
  },
  {
    value: 'prometheus' as const,
    label: 'Every trace (Prometheus)',
    description:
      'Rank from the metrics hotpath stream exports for every trace it analysed: critical-path time, per-trace percentiles, example traces',
  },
];

/** Where the Hotspots page ranks from; the page keeps the choice in its URL. */
export function RankingSourceSwitch({
  value,
  onChange,
}: {
  value: RankingSource;
  onChange: (source: RankingSource) => void;
}) {
  return (
    <Field label="Rank from" noMargin data-testid={testIds.hotspots.source}>
      <RadioButtonGroup aria-label="Rank from" options={SOURCES} value={value} onChange={onChange} />
    </Field>
  );
}
