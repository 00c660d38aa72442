import type { TimeZone } from '@grafana/schema';
import { DataSourcePicker, PluginPage } from '@grafana/runtime';
import { Button, Field, Input, Stack } from '@grafana/ui';
import React, { useMemo, useState } from 'react';

import { EveryTraceView } from '../components/hotspots/EveryTraceView';
import { RankingSourceSwitch } from '../components/hotspots/RankingSourceSwitch';
import { IdleState } from '../components/hotspots/StatusStates';
import { ControlsBox } from '../components/search/ControlsBox';
import { RawRange, resolveRange } from '../components/search/timeRange';
import { TimeRangeControl } from '../components/search/TimeRangeControl';
import { testIds } from '../components/testIds';
import { createTraceLinks, usePrometheusRanking } from '../data';
import { PageProps, useDraft } from './pageState';
import type { HotspotsUrlState } from './urlState';

export interface EveryTraceHotspotsProps extends PageProps {
  url: HotspotsUrlState;
  setUrl: (next: HotspotsUrlState, options?: { replace?: boolean }) => void;
}

/**
 * The Hotspots page ranking from every trace (`source=prometheus`): `hotpath stream`'s metrics in Prometheus for
 * the time range, optionally one service's operations. Only what applies here is shown: the Prometheus data source,
 * the service, the time range; the Jaeger search fields, trace limit and analysis options belong to the sample
 * (the stream analyses with its own). The Jaeger data source still opens the example traces.
 */
export function EveryTraceHotspots({ settings, url, setUrl }: EveryTraceHotspotsProps) {
  const [service, setService] = useDraft(url.search.service);
  const [timeZone, setTimeZone] = useState<TimeZone>('browser');
  // Bumped by "Run": relative ranges ("now-1h") are resolved again, so the ranking is asked again.
  const [runs, setRuns] = useState(0);
  const timeRange = useMemo(
    () => resolveRange(url.range, timeZone),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [url.range.from, url.range.to, timeZone, runs]
  );
  const prometheusUid = url.promDs ?? settings.prometheusUid;
  const jaegerUid = url.ds ?? settings.jaegerUid ?? '';
  const state = usePrometheusRanking({ prometheusUid, timeRange, service: url.search.service });
  const links = useMemo(
    () => (jaegerUid ? createTraceLinks({ jaegerUid, defaultLokiUid: settings.lokiUid }) : undefined),
    [jaegerUid, settings.lokiUid]
  );

  const run = () => {
    setUrl({ ...url, search: { ...url.search, service: service.trim() } });
    setRuns(runs + 1);
  };
  return (
    <PluginPage>
      <div data-testid={testIds.hotspots.container}>
        <ControlsBox>
          <Stack direction="row" gap={2} wrap="wrap" alignItems="flex-end" justifyContent="space-between">
            <Stack direction="row" gap={2} wrap="wrap" alignItems="flex-end">
              <RankingSourceSwitch value="prometheus" onChange={(source) => setUrl({ ...url, source })} />
              <Field label="Prometheus data source" htmlFor="hotpath-prometheus" noMargin>
                <DataSourcePicker
                  inputId="hotpath-prometheus"
                  type="prometheus"
                  current={prometheusUid || null}
                  noDefault
                  width={28}
                  onChange={(ds) => setUrl({ ...url, promDs: ds.uid })}
                />
              </Field>
              <Field
                label="Service"
                description="Optional: only its operations"
                htmlFor="hotpath-every-service"
                noMargin
              >
                <Input
                  id="hotpath-every-service"
                  value={service}
                  placeholder="all services"
                  onChange={(event) => setService(event.currentTarget.value)}
                  onKeyDown={(event) => event.key === 'Enter' && run()}
                  width={24}
                />
              </Field>
            </Stack>
            <Stack direction="row" gap={1} alignItems="center">
              <TimeRangeControl
                value={timeRange}
                onChange={(range: RawRange) => setUrl({ ...url, range })}
                timeZone={timeZone}
                onChangeTimeZone={setTimeZone}
              />
              <Button icon="sync" onClick={run} disabled={!prometheusUid}>
                Run
              </Button>
            </Stack>
          </Stack>
        </ControlsBox>
        <div data-testid={testIds.hotspots.everyTrace}>
          {!prometheusUid ? (
            <IdleState title="Choose a Prometheus data source">
              Pick the Prometheus that scrapes hotpath stream above, or set a default one on the app&apos;s
              Configuration page.
            </IdleState>
          ) : (
            <EveryTraceView
              state={state}
              topN={url.topN}
              rollup={url.rollup}
              links={links}
              onRollupChange={(rollup) => setUrl({ ...url, rollup }, { replace: true })}
            />
          )}
        </div>
      </div>
    </PluginPage>
  );
}
