import type { StandardEditorProps } from '@grafana/data';
import { DataSourcePicker } from '@grafana/runtime';
import React from 'react';

/** The panel's Loki override, picked from the instance's Loki data sources; cleared: no override. */
export function LokiPickerEditor({ value, onChange, id }: StandardEditorProps<string | undefined>) {
  return (
    <DataSourcePicker
      inputId={id}
      type="loki"
      current={value || null}
      noDefault
      placeholder="From the Jaeger data source's trace to logs"
      onChange={(ds) => onChange(ds.uid)}
      onClear={() => onChange(undefined)}
    />
  );
}
