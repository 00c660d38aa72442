import { Button, Checkbox, Stack, Text, Toggletip } from '@grafana/ui';
import React from 'react';

import { testIds } from '../testIds';
import { ColumnFit, OPTIONAL_COLUMNS, OptionalColumn } from './hotspotColumns';

export interface ColumnChooserProps {
  fit: ColumnFit;
  labels: Record<OptionalColumn, string>;
  /** The user shows (true) or hides (false) a column, whatever the width. */
  onChoose: (id: OptionalColumn, shown: boolean) => void;
  /** Back to the columns that fit the width. */
  onReset?: () => void;
}

/**
 * The cue that the table shows fewer columns than it has, and the way to the others: "3 more columns" opens a list
 * of every optional column to switch on or off.
 */
export function ColumnChooser({ fit, labels, onChoose, onReset }: ColumnChooserProps) {
  const hidden = fit.hidden.length;
  const content = (
    <Stack direction="column" gap={1}>
      <Text variant="bodySmall" color="secondary">
        Columns that do not fit are left out; expanding a row shows their values.
      </Text>
      {OPTIONAL_COLUMNS.map((id) => (
        <Checkbox
          key={id}
          label={labels[id]}
          value={fit.shown.includes(id)}
          onChange={() => onChoose(id, !fit.shown.includes(id))}
        />
      ))}
      {onReset && (
        <div>
          <Button size="sm" variant="secondary" fill="text" onClick={onReset}>
            Fit to width
          </Button>
        </div>
      )}
    </Stack>
  );
  return (
    <Toggletip content={content} placement="bottom-end" closeButton={false}>
      <Button size="sm" variant="secondary" fill="text" icon="columns" data-testid={testIds.view.columns}>
        {hidden > 0 ? `${hidden} more ${hidden === 1 ? 'column' : 'columns'}` : 'Columns'}
      </Button>
    </Toggletip>
  );
}
