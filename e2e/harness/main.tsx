/**
 * The harness page: sets up @grafana/runtime's services the way Grafana does for a plugin (backend, data
 * sources, config), loads the BUILT plugin (`/dist/module.js`, `/dist/panels/hotspots/module.js`) through the
 * AMD loader of vendor.ts, and renders the panel or an app page for the scenario the test put on `window`.
 * Every HTTP request goes through `window.fetch`, so Playwright's request routing answers (and asserts) them.
 */
import {
  createTheme,
  dateTime,
  EventBusSrv,
  LoadingState,
  PanelData,
  PanelProps,
  dataFrameFromJSON,
  DataFrameJSON,
  AppPlugin,
  PanelPlugin,
  DataSourceInstanceSettings,
  DataSourceJsonData,
  PluginType,
  AppRootProps,
} from '@grafana/data';
import {
  BackendSrv,
  BackendSrvRequest,
  DataSourceSrv,
  FetchResponse,
  locationService,
  setBackendSrv,
  setDataSourceSrv,
} from '@grafana/runtime';
import { ThemeContext } from '@grafana/ui';
import React, { ComponentType } from 'react';
import { createRoot } from 'react-dom/client';
import { unstable_HistoryRouter as HistoryRouter } from 'react-router-dom';
import { from, Observable } from 'rxjs';

export interface HarnessScenario {
  view: 'panel' | 'app';
  /** Panel: the query result handed to the panel (wire-format frames, e.g. a Jaeger search table). */
  series?: DataFrameJSON[];
  options?: Record<string, unknown>;
  timeRange?: { from: number; to: number };
  /** App: the route to open, e.g. /a/hotpath-latency-app/import. */
  path?: string;
  appJsonData?: Record<string, unknown>;
  /** Data sources the instance knows (uid → type and jsonData). */
  datasources?: Array<{ uid: string; type: string; name: string; jsonData?: DataSourceJsonData }>;
  width?: number;
  height?: number;
}

interface HarnessWindow {
  hotpathScenario?: HarnessScenario;
  hotpathHarness: { loadAmd(url: string): Promise<Record<string, unknown>> };
  hotpathReady?: boolean;
  hotpathError?: string;
}
const host = window as unknown as HarnessWindow;

/** A BackendSrv over window.fetch: enough of Grafana's for plugins (fetch/get/post/put/delete). */
function harnessBackendSrv(): BackendSrv {
  const request = <T,>(options: BackendSrvRequest): Observable<FetchResponse<T>> =>
    from(
      (async () => {
        const url = options.params
          ? `${options.url}?${new URLSearchParams(options.params as Record<string, string>)}`
          : options.url;
        const response = await window.fetch(url, {
          method: options.method ?? 'GET',
          headers: { 'Content-Type': 'application/json', ...(options.headers ?? {}) },
          body: options.data === undefined ? undefined : JSON.stringify(options.data),
          signal: options.abortSignal,
        });
        const text = await response.text();
        const data = (text ? JSON.parse(text) : undefined) as T;
        const fetchResponse = {
          data,
          status: response.status,
          statusText: response.statusText,
          ok: response.ok,
          headers: response.headers,
          redirected: response.redirected,
          type: response.type,
          url: response.url,
          config: options,
        } as FetchResponse<T>;
        if (!response.ok) {
          throw {
            ...fetchResponse,
            message: (data as { message?: string } | undefined)?.message ?? response.statusText,
          };
        }
        return fetchResponse;
      })()
    );
  const promise = <T,>(options: BackendSrvRequest) =>
    new Promise<T>((resolve, reject) => request<T>(options).subscribe({ next: (r) => resolve(r.data), error: reject }));
  return {
    fetch: request,
    get: (url: string, params?: Record<string, string>) => promise({ url, params }),
    post: (url: string, data?: unknown) => promise({ url, method: 'POST', data }),
    put: (url: string, data?: unknown) => promise({ url, method: 'PUT', data }),
    patch: (url: string, data?: unknown) => promise({ url, method: 'PATCH', data }),
    delete: (url: string) => promise({ url, method: 'DELETE' }),
    request: promise,
    datasourceRequest: (options: BackendSrvRequest) =>
      new Promise((resolve, reject) => request(options).subscribe({ next: resolve, error: reject })),
  } as unknown as BackendSrv;
}

function harnessDataSourceSrv(scenario: HarnessScenario): DataSourceSrv {
  const settings = (scenario.datasources ?? []).map(
    (ds) =>
      ({
        id: 0,
        uid: ds.uid,
        type: ds.type,
        name: ds.name,
        jsonData: ds.jsonData ?? {},
        access: 'proxy',
        readOnly: false,
        meta: { id: ds.type, name: ds.type, type: PluginType.datasource, info: {}, module: '', baseUrl: '' },
      }) as unknown as DataSourceInstanceSettings
  );
  const find = (ref: unknown) => {
    const key = typeof ref === 'string' ? ref : (ref as { uid?: string } | null)?.uid;
    return settings.find((s) => s.uid === key || s.name === key);
  };
  return {
    get: async (ref: unknown) => {
      const found = find(ref);
      if (!found) {
        throw new Error(`Data source ${String(ref)} was not found`);
      }
      return { ...found, getRef: () => ({ uid: found.uid, type: found.type }) };
    },
    getList: (filters?: { type?: string }) => settings.filter((s) => !filters?.type || s.type === filters.type),
    getInstanceSettings: (ref: unknown) => find(ref),
    reload: async () => {},
    registerRuntimeDataSource: () => {},
  } as unknown as DataSourceSrv;
}

async function main() {
  const scenario = host.hotpathScenario;
  if (!scenario) {
    throw new Error('no scenario on window.hotpathScenario');
  }
  setBackendSrv(harnessBackendSrv());
  setDataSourceSrv(harnessDataSourceSrv(scenario));
  const theme = createTheme({ colors: { mode: 'dark' } });
  const root = createRoot(document.getElementById('root')!);
  if (scenario.view === 'panel') {
    const module = await host.hotpathHarness.loadAmd('/dist/panels/hotspots/module.js');
    const plugin = module.plugin as PanelPlugin;
    const Panel = plugin.panel as ComponentType<PanelProps>;
    const range = scenario.timeRange ?? { from: Date.now() - 3600_000, to: Date.now() };
    const timeRange = {
      from: dateTime(range.from),
      to: dateTime(range.to),
      raw: { from: dateTime(range.from), to: dateTime(range.to) },
    };
    const data: PanelData = {
      series: (scenario.series ?? []).map((frame) => dataFrameFromJSON(frame)),
      state: LoadingState.Done,
      timeRange,
    };
    root.render(
      <ThemeContext.Provider value={theme}>
        <div style={{ width: scenario.width ?? 1200, height: scenario.height ?? 700 }} data-testid="harness-panel">
          <Panel
            id={1}
            data={data}
            timeRange={timeRange}
            timeZone="utc"
            // plugin.defaults would build the options editor, which needs Grafana core's editor registry; the panel
            // applies its own defaults to what the dashboard stored.
            options={scenario.options ?? {}}
            fieldConfig={{ defaults: {}, overrides: [] }}
            width={scenario.width ?? 1200}
            height={scenario.height ?? 700}
            transparent={false}
            renderCounter={0}
            title="Hotpath hotspots"
            eventBus={new EventBusSrv()}
            onOptionsChange={() => {}}
            onFieldConfigChange={() => {}}
            replaceVariables={(s: string) => s}
            onChangeTimeRange={() => {}}
          />
        </div>
      </ThemeContext.Provider>
    );
  } else {
    const module = await host.hotpathHarness.loadAmd('/dist/module.js');
    const app = module.plugin as AppPlugin;
    const Root = app.root as ComponentType<AppRootProps>;
    locationService.push(scenario.path ?? '/a/hotpath-latency-app');
    const meta = {
      id: 'hotpath-latency-app',
      name: 'Hotpath',
      type: PluginType.app,
      enabled: true,
      jsonData: scenario.appJsonData ?? {},
      info: {},
      module: '/dist/module.js',
      baseUrl: '/dist',
    } as unknown as AppRootProps['meta'];
    root.render(
      <ThemeContext.Provider value={theme}>
        {/* Grafana renders app pages inside a router driven by locationService's history; so does the harness. */}
        <HistoryRouter
          history={locationService.getHistory() as unknown as Parameters<typeof HistoryRouter>[0]['history']}
        >
          <div data-testid="harness-app">
            <Root
              meta={meta}
              basename="/a/hotpath-latency-app"
              query={{}}
              path={scenario.path ?? ''}
              onNavChanged={() => {}}
            />
          </div>
        </HistoryRouter>
      </ThemeContext.Provider>
    );
  }
  host.hotpathReady = true;
}

main().catch((error: unknown) => {
  host.hotpathError = error instanceof Error ? `${error.message}\n${error.stack}` : String(error);
  document.body.setAttribute('data-harness-error', host.hotpathError);
});
