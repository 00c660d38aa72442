import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { Combobox, Field, Slider, Stack, Text, useStyles2 } from '@grafana/ui';
import React, { useMemo, useState } from 'react';

import { HotspotRow, OperationTable, TraceRecord, whatIf } from '../../engine';
import { testIds } from '../testIds';
import { count, ms, signedMs } from './format';

export interface WhatIfControlProps {
  /** The run's operation table and per-trace records (HotspotState.operations/.records). */
  operations: OperationTable;
  records: readonly TraceRecord[];
  /** The ranked operations to choose from (the report's `operations`), costliest first. */
  rows: readonly HotspotRow[];
  /** Reduction preselected, in percent (default 50). */
  initialPercent?: number;
}

/** Operations offered in the picker: the costliest, as ranked. */
const CHOICES = 100;
const SEPARATOR = '\u0000';

/**
 * What-if: pick an operation and a reduction of its critical-path time, see the projected end-to-end p50/p95 — a
 * first-order estimate, and it says so (the engine's caveat, verbatim).
 */
export function WhatIfControl({ operations, records, rows, initialPercent = 50 }: WhatIfControlProps) {
  const styles = useStyles2(getStyles);
  const choices = useMemo(
    () =>
      rows
        .filter((r) => r.operation !== undefined && r.criticalPathUs > 0)
        .slice(0, CHOICES)
        .map((r) => ({ label: `${r.service} · ${r.operation}`, value: `${r.service}${SEPARATOR}${r.operation}` })),
    [rows]
  );
  const [picked, setPicked] = useState<string | undefined>(undefined);
  const [reduction, setReduction] = useState(initialPercent);
  // The first choice until the user picks (and again if the pick is no longer offered, e.g. new data).
  const selected = choices.some((c) => c.value === picked) ? picked : choices[0]?.value;
  const projection = useMemo(() => {
    if (!selected) {
      return null;
    }
    const [service, operation] = selected.split(SEPARATOR);
    return whatIf(records, operations, service, operation, reduction / 100);
  }, [records, operations, selected, reduction]);

  if (choices.length === 0) {
    return null;
  }
  return (
    <div data-testid={testIds.view.whatIf} className={styles.container}>
      <Stack direction="row" gap={2} alignItems="flex-end" wrap="wrap">
        <Field label="What if this operation's critical-path time shrank…" htmlFor="hotpath-whatif-operation" noMargin>
          <Combobox
            id="hotpath-whatif-operation"
            options={choices}
            value={selected ?? null}
            onChange={(option) => setPicked(option.value)}
            width={60}
          />
        </Field>
        <Field label={`…by ${reduction} %`} noMargin>
          <div className={styles.slider}>
            <Slider
              inputId="hotpath-whatif-reduction"
              ariaLabelForHandle="Reduction in percent"
              min={0}
              max={100}
              step={5}
              value={reduction}
              onChange={setReduction}
            />
          </div>
        </Field>
      </Stack>
      {projection && (
        <Stack direction="column" gap={0.5}>
          <Text data-testid={testIds.view.whatIfResult} tabular>
            p50 {ms(projection.currentUs.p50)} → {ms(projection.projectedUs.p50)} ms (
            {signedMs(projection.projectedUs.p50 - projection.currentUs.p50)}) · p95 {ms(projection.currentUs.p95)} →{' '}
            {ms(projection.projectedUs.p95)} ms ({signedMs(projection.projectedUs.p95 - projection.currentUs.p95)}) ·{' '}
            {count(projection.tracesAffected)} of {count(records.length)} traces affected
          </Text>
          <Text variant="bodySmall" color="secondary" italic>
            {projection.caveat}
          </Text>
        </Stack>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  container: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1) }),
  slider: css({ width: theme.spacing(35) }),
});
