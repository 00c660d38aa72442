import { css } from '@emotion/css';
import { AppPluginMeta, GrafanaTheme2, PluginConfigPageProps, PluginMeta } from '@grafana/data';
import { DataSourcePicker, getBackendSrv } from '@grafana/runtime';
import { Alert, Button, Field, FieldSet, Input, Stack, Text, useStyles2 } from '@grafana/ui';
import React, { FormEvent, useState } from 'react';
import { lastValueFrom } from 'rxjs';

import { MAX_TRACES_LIMIT } from '../../state/limits';
import { testIds } from '../testIds';
import { AppSettings, readAppSettings } from './settings';

export interface AppConfigProps extends PluginConfigPageProps<AppPluginMeta<AppSettings>> {}

interface Draft {
  jaegerUid?: string;
  lokiUid?: string;
  prometheusUid?: string;
  maxTraces: string;
}

/** The three default data sources, each a picker of its type saved under its `jsonData` key. */
const DATA_SOURCE_FIELDS: ReadonlyArray<{
  key: 'jaegerUid' | 'lokiUid' | 'prometheusUid';
  type: 'jaeger' | 'loki' | 'prometheus';
  label: string;
  description: string;
}> = [
  {
    key: 'jaegerUid',
    type: 'jaeger',
    label: 'Traces (Jaeger)',
    description: 'Where traces are searched and fetched from',
  },
  {
    key: 'lokiUid',
    type: 'loki',
    label: 'Logs (Loki)',
    description: 'For log links and log counts when the Jaeger data source has no trace-to-logs target',
  },
  {
    key: 'prometheusUid',
    type: 'prometheus',
    label: 'Metrics (Prometheus)',
    description: 'The metrics of the services, for the RED dashboards next to the hotspots',
  },
];

/** A whole number from 1 to MAX_TRACES_LIMIT, else undefined. */
function parseMaxTraces(text: string): number | undefined {
  const value = Number(text.trim());
  return Number.isInteger(value) && value >= 1 && value <= MAX_TRACES_LIMIT ? value : undefined;
}

/**
 * The app's Configuration page: the data sources the app pages use by default (Jaeger for traces, Loki for log
 * links and counts, Prometheus for metrics) and the trace limit, saved in the app's `jsonData` — the same keys
 * provisioning/plugins/apps.yaml sets, so provisioned and hand-made settings look alike.
 */
const AppConfig = ({ plugin }: AppConfigProps) => {
  const styles = useStyles2(getStyles);
  const { enabled, pinned, jsonData } = plugin.meta;
  const initial = readAppSettings(jsonData);
  const [draft, setDraft] = useState<Draft>({
    jaegerUid: initial.jaegerUid,
    lokiUid: initial.lokiUid,
    prometheusUid: initial.prometheusUid,
    maxTraces: String(initial.maxTraces),
  });
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const maxTraces = parseMaxTraces(draft.maxTraces);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (maxTraces === undefined) {
      return;
    }
    setSaving(true);
    setFailure(undefined);
    // Unset data sources are left out (not sent as null), so provisioning and this page write the same shape.
    const settings: AppSettings = {};
    for (const { key } of DATA_SOURCE_FIELDS) {
      const uid = draft[key];
      if (uid) {
        settings[key] = uid;
      }
    }
    settings.maxTraces = maxTraces;
    try {
      await updatePlugin(plugin.meta.id, { enabled, pinned, jsonData: settings });
      // Grafana keeps the plugin's settings in its boot data; a reload is the supported way to refresh them.
      window.location.reload();
    } catch (err) {
      setSaving(false);
      setFailure(describeFailure(err));
    }
  };

  return (
    <form onSubmit={onSubmit} data-testid={testIds.appConfig.form} className={styles.form}>
      <FieldSet label="Data sources">
        <Text color="secondary" element="p">
          What the Hotspots, Compare and Import pages use unless a page says otherwise. Dashboard panels use their own
          query&apos;s data source.
        </Text>
        {DATA_SOURCE_FIELDS.map(({ key, type, label, description }) => (
          <Field key={key} label={label} description={description} htmlFor={`hotpath-config-${type}`}>
            <DataSourcePicker
              inputId={`hotpath-config-${type}`}
              type={type}
              current={draft[key] ?? null}
              noDefault
              width={40}
              onChange={(ds) => setDraft({ ...draft, [key]: ds.uid })}
              onClear={() => setDraft({ ...draft, [key]: undefined })}
            />
          </Field>
        ))}
      </FieldSet>
      <FieldSet label="Limits">
        <Field
          label="Max traces"
          description={`Traces a page fetches and analyses at most (1 to ${MAX_TRACES_LIMIT.toLocaleString('en-US')})`}
          invalid={maxTraces === undefined}
          error={maxTraces === undefined ? `A whole number from 1 to ${MAX_TRACES_LIMIT}` : undefined}
          htmlFor="hotpath-config-max-traces"
        >
          <Input
            id="hotpath-config-max-traces"
            data-testid={testIds.appConfig.maxTraces}
            type="number"
            min={1}
            max={MAX_TRACES_LIMIT}
            value={draft.maxTraces}
            onChange={(event) => setDraft({ ...draft, maxTraces: event.currentTarget.value })}
            width={16}
          />
        </Field>
      </FieldSet>
      {failure && (
        <Alert severity="error" title="Settings were not saved">
          {failure}
        </Alert>
      )}
      <Stack direction="row">
        <Button
          type="submit"
          data-testid={testIds.appConfig.submit}
          disabled={maxTraces === undefined || saving}
          icon={saving ? 'spinner' : undefined}
        >
          Save settings
        </Button>
      </Stack>
    </form>
  );
};

export default AppConfig;

const getStyles = (theme: GrafanaTheme2) => ({
  form: css({ maxWidth: theme.breakpoints.values.md }),
});

function describeFailure(err: unknown): string {
  const status = (err as { status?: number } | null)?.status;
  const message =
    (err as { data?: { message?: string } } | null)?.data?.message ??
    (err instanceof Error ? err.message : undefined) ??
    'Grafana did not accept the request.';
  return status ? `${message} (HTTP ${status})` : message;
}

async function updatePlugin(pluginId: string, data: Partial<PluginMeta<AppSettings>>) {
  const response = getBackendSrv().fetch({
    url: `/api/plugins/${pluginId}/settings`,
    method: 'POST',
    data,
  });
  return lastValueFrom(response);
}
