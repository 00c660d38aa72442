import { Field, Select, Slider, Stack, Text } from '@grafana/ui';
import React, { useMemo, useState } from 'react';

import { HotspotRow, OperationTable, TraceRecord, whatIf } from '../../engine';
import { ms } from './format';

interface Props {
  operations: OperationTable;
  records: readonly TraceRecord[];
  rows: readonly HotspotRow[];
}

/** What-if: pick an operation and a reduction, see the projected end-to-end p50/p95 (an estimate, said so). */
export function WhatIfControl({ operations, records, rows }: Props) {
  const choices = useMemo(
    () =>
      rows
        .filter((r) => r.operation !== undefined)
        .slice(0, 50)
        .map((r) => ({ label: `${r.service} · ${r.operation}`, value: `${r.service}\u0000${r.operation}` })),
    [rows]
  );
  const [selected, setSelected] = useState<string | undefined>(choices[0]?.value);
  const [reduction, setReduction] = useState(50);
  const [service, operation] = (selected ?? '').split('\u0000');
  const projection = selected ? whatIf(records, operations, service, operation, reduction / 100) : null;
  return (
    <div data-testid="hotpath-whatif">
      <Stack direction="row" gap={2} alignItems="flex-end" wrap="wrap">
        <Field label="What if this operation's critical-path time shrank…">
          <Select options={choices} value={selected} onChange={(option) => setSelected(option?.value)} width={50} />
        </Field>
        <Field label={`…by ${reduction} %`}>
          <Slider
            inputId="hotpath-whatif-reduction"
            min={0}
            max={100}
            step={5}
            value={reduction}
            onChange={setReduction}
          />
        </Field>
      </Stack>
      {projection && (
        <Text variant="bodySmall" data-testid="hotpath-whatif-result">
          p50 {ms(projection.currentUs.p50)} → {ms(projection.projectedUs.p50)} ms · p95 {ms(projection.currentUs.p95)}{' '}
          → {ms(projection.projectedUs.p95)} ms ({projection.tracesAffected} traces affected). {projection.caveat}
        </Text>
      )}
    </div>
  );
}
