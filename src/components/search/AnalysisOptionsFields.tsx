import { DataSourcePicker } from '@grafana/runtime';
import { Field, InlineSwitch, RadioButtonGroup, Stack } from '@grafana/ui';
import React from 'react';

export interface AnalysisOptionsValue {
  window: 'root' | 'full';
  asyncBlocking: boolean;
}

export interface AnalysisOptionsFieldsProps {
  value: AnalysisOptionsValue;
  onChange: (value: AnalysisOptionsValue) => void;
  /** The Jaeger data source; omit `onJaegerChange` to hide the picker (Import page). */
  jaegerUid?: string;
  onJaegerChange?: (uid: string) => void;
}

const WINDOWS = [
  { value: 'root' as const, label: 'Root span', description: "Analyse the root span's window (as Jaeger UI does)" },
  {
    value: 'full' as const,
    label: 'Full trace',
    description: "Analyse each trace's full extent, including work after the root returned",
  },
];

/** The analysis options shared by the app pages (the panel has them in its options editor). */
export function AnalysisOptionsFields({ value, onChange, jaegerUid, onJaegerChange }: AnalysisOptionsFieldsProps) {
  return (
    <Stack direction="row" gap={2} wrap="wrap" alignItems="flex-end">
      {onJaegerChange && (
        <Field label="Jaeger data source" htmlFor="hotpath-jaeger" noMargin>
          <DataSourcePicker
            inputId="hotpath-jaeger"
            type="jaeger"
            current={jaegerUid || null}
            noDefault
            width={28}
            onChange={(ds) => onJaegerChange(ds.uid)}
          />
        </Field>
      )}
      <Field label="Window" noMargin>
        <RadioButtonGroup
          aria-label="Window"
          options={WINDOWS}
          value={value.window}
          onChange={(window) => onChange({ ...value, window })}
        />
      </Field>
      <InlineSwitch
        label="Wait for async children"
        showLabel
        transparent
        value={value.asyncBlocking}
        onChange={() => onChange({ ...value, asyncBlocking: !value.asyncBlocking })}
      />
    </Stack>
  );
}

/** The options as an app page keeps them in its URL state, where the chosen Jaeger data source is `ds`. */
export interface PageAnalysisOptionsProps<T extends AnalysisOptionsValue & { ds?: string }> {
  state: T;
  onChange: (next: T) => void;
  /** The data source in use: `state.ds` or the app's default. */
  jaegerUid: string;
}

/** The analysis options and Jaeger picker of the Hotspots and Compare pages, bound to their URL state. */
export function PageAnalysisOptions<T extends AnalysisOptionsValue & { ds?: string }>({
  state,
  onChange,
  jaegerUid,
}: PageAnalysisOptionsProps<T>) {
  return (
    <AnalysisOptionsFields
      value={{ window: state.window, asyncBlocking: state.asyncBlocking }}
      onChange={(options) => onChange({ ...state, ...options })}
      jaegerUid={jaegerUid}
      onJaegerChange={(ds) => onChange({ ...state, ds })}
    />
  );
}
