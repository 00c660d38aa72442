import { Field, Input, RadioButtonGroup, Stack } from '@grafana/ui';
import React, { useState } from 'react';

export interface ModeValue {
  mode: 'hotspots' | 'compare';
  /** Which traces are slow (`p90`, `250ms`), in compare mode. */
  slow: string;
}

export interface ModeFieldsProps {
  value: ModeValue;
  onChange: (value: ModeValue) => void;
  /** Why `value.slow` is not understood, if it is not. */
  slowError?: string;
}

const MODES = [
  { value: 'hotspots' as const, label: 'Hotspots', description: 'Rank operations by their critical-path share' },
  {
    value: 'compare' as const,
    label: 'Slow vs baseline',
    description: 'What the slow traces spend more critical-path time on, and what they share',
  },
];

/**
 * The Hotspots page's mode, as the panel's Mode and "Slow traces" options. The slow split applies when it is left
 * (blur or Enter), not per keystroke: each change re-runs the analysis.
 */
export function ModeFields({ value, onChange, slowError }: ModeFieldsProps) {
  const [slow, setSlow] = useState(value.slow);
  const [slowOf, setSlowOf] = useState(value.slow);
  if (slowOf !== value.slow) {
    // The URL moved (back button, a link): show what it says.
    setSlowOf(value.slow);
    setSlow(value.slow);
  }
  const commit = () => slow.trim() !== value.slow && onChange({ ...value, slow: slow.trim() });
  return (
    <Stack direction="row" gap={1} alignItems="flex-start">
      <Field label="Mode" noMargin>
        <RadioButtonGroup
          aria-label="Mode"
          options={MODES}
          value={value.mode}
          onChange={(mode) => onChange({ ...value, mode })}
        />
      </Field>
      {value.mode === 'compare' && (
        <Field label="Slow traces" invalid={slowError !== undefined} error={slowError} noMargin>
          <Input
            id="hotpath-slow"
            value={slow}
            placeholder="p90"
            width={12}
            onChange={(event) => setSlow(event.currentTarget.value)}
            onBlur={commit}
            onKeyDown={(event) => event.key === 'Enter' && commit()}
          />
        </Field>
      )}
    </Stack>
  );
}
