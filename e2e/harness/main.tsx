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
  PluginType,
  AppRootProps,
} from '@grafana/data';
import {
  BackendSrv,
  BackendSrvRequest,
  FetchResponse,
  locationService,
  setBackendSrv,
  setDataSourceSrv,
} from '@grafana/runtime';
import { GlobalStyles, Menu, PanelChrome, Tab, TabsBar, Text, ThemeContext, useTheme2 } from '@grafana/ui';
import React, { ComponentType, ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { Route, Routes, useLocation } from 'react-router-dom';
import { Observable } from 'rxjs';

import { testDataSourceSrv, type TestDataSource } from '../../src/components/testing/dataSources';
import { LocationServiceRouter } from '../../src/testing/LocationServiceRouter';

export interface HarnessScenario {
  /** `config`: the app's configuration page, as Grafana shows it under /plugins/<app id>. */
  view: 'panel' | 'app' | 'config';
  /** Panel: the query result handed to the panel (wire-format frames, e.g. a Jaeger search table). */
  series?: DataFrameJSON[];
  /** Panel: the dashboard's queries that produced `series` (`data.request.targets`), e.g. a Jaeger search. */
  targets?: Array<Record<string, unknown>>;
  options?: Record<string, unknown>;
  timeRange?: { from: number; to: number };
  /**
   * App: the route to open, e.g. /a/hotpath-latency-app/import (openHarness navigates the page there, so a reload
   * keeps the URL the app wrote, as in Grafana).
   */
  path?: string;
  appJsonData?: Record<string, unknown>;
  /** Data sources the instance knows (uid → type and jsonData). */
  datasources?: TestDataSource[];
  /** Panel: its size on the dashboard (the frame's outer box), default 1200×700. */
  width?: number;
  height?: number;
  /** Panel: the title in its frame, default "Hotpath hotspots". */
  title?: string;
}

interface HarnessWindow {
  hotpathScenario?: HarnessScenario;
  hotpathHarness: { loadAmd(url: string): Promise<Record<string, unknown>> };
  hotpathReady?: boolean;
  hotpathError?: string;
}
const host = window as unknown as HarnessWindow;

/**
 * A BackendSrv over window.fetch: enough of Grafana's for plugins (fetch/get/post/put/delete). As Grafana's own
 * (public/app/core/services/backend_srv.ts), unsubscribing aborts the HTTP request, and an HTTP error is thrown as
 * `{status, statusText, data}` with the parsed JSON body as `data`.
 */
function harnessBackendSrv(): BackendSrv {
  const request = <T,>(options: BackendSrvRequest): Observable<FetchResponse<T>> =>
    new Observable<FetchResponse<T>>((subscriber) => {
      const controller = new AbortController();
      options.abortSignal?.addEventListener('abort', () => controller.abort(), { once: true });
      const url = options.params
        ? `${options.url}${options.url.includes('?') ? '&' : '?'}${new URLSearchParams(options.params as Record<string, string>)}`
        : options.url;
      (async () => {
        const response = await window.fetch(url, {
          method: options.method ?? 'GET',
          headers: { 'Content-Type': 'application/json', ...(options.headers ?? {}) },
          body: options.data === undefined ? undefined : JSON.stringify(options.data),
          signal: controller.signal,
        });
        const text = await response.text();
        let data: unknown = undefined;
        try {
          data = text ? JSON.parse(text) : undefined;
        } catch {
          data = { message: text };
        }
        const fetchResponse = {
          data: data as T,
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
      })().then(
        (response) => {
          subscriber.next(response);
          subscriber.complete();
        },
        (error: unknown) => {
          if (!controller.signal.aborted) {
            subscriber.error(error);
          }
        }
      );
      return () => controller.abort();
    });
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

const APP_ID = 'hotpath-latency-app';

/** The app's meta as Grafana passes it to the app root and the config page (its plugin settings). */
function appMeta(scenario: HarnessScenario): AppRootProps['meta'] {
  return {
    id: APP_ID,
    name: 'Hotpath',
    type: PluginType.app,
    enabled: true,
    pinned: true,
    jsonData: scenario.appJsonData ?? {},
    info: { logos: { small: '', large: '' } },
    module: '/dist/module.js',
    baseUrl: '/dist',
  } as unknown as AppRootProps['meta'];
}

function PanelView({ plugin, scenario }: { plugin: PanelPlugin; scenario: HarnessScenario }) {
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
    // Only the targets of Grafana's DataQueryRequest: what panels read of it.
    ...(scenario.targets ? { request: { targets: scenario.targets } as unknown as PanelData['request'] } : {}),
  };
  const width = scenario.width ?? 1200;
  const height = scenario.height ?? 700;
  const title = scenario.title ?? 'Hotpath hotspots';
  return (
    // The dashboard around the panel: its canvas colour and the gap Grafana leaves between panels.
    <div data-testid="harness-panel" style={{ padding: 8, width: 'fit-content' }}>
      {/* Grafana's own panel frame (title, menu on hover), which hands the panel the size inside it. */}
      <PanelChrome title={title} width={width} height={height} menu={<DashboardPanelMenu />}>
        {(innerWidth, innerHeight) => (
          <Panel
            id={1}
            data={data}
            timeRange={timeRange}
            timeZone="utc"
            // plugin.defaults would build the options editor, which needs Grafana core's editor registry; the panel
            // applies its own defaults to what the dashboard stored.
            options={scenario.options ?? {}}
            fieldConfig={{ defaults: {}, overrides: [] }}
            width={innerWidth}
            height={innerHeight}
            transparent={false}
            renderCounter={0}
            title={title}
            eventBus={new EventBusSrv()}
            onOptionsChange={() => {}}
            onFieldConfigChange={() => {}}
            replaceVariables={(s: string) => s}
            onChangeTimeRange={() => {}}
          />
        )}
      </PanelChrome>
    </div>
  );
}

/** The items of a dashboard panel's menu (Grafana's own menu lives in core; these only show what it offers). */
function DashboardPanelMenu() {
  return (
    <Menu>
      <Menu.Item label="View" icon="eye" shortcut="v" />
      <Menu.Item label="Edit" icon="edit" shortcut="e" />
      <Menu.Item label="Share" icon="share-alt" />
      <Menu.Item label="Explore" icon="compass" shortcut="p x" />
      <Menu.Item label="Inspect" icon="info-circle" shortcut="i" />
    </Menu>
  );
}

/** The app's pages as the built plugin.json lists them (name, path): Grafana titles each page with its name. */
let appPages: Array<{ name: string; path: string }> = [];

async function loadAppPages(): Promise<void> {
  const pluginJson = (await (await window.fetch('/dist/plugin.json')).json()) as {
    includes?: Array<{ type: string; name: string; path?: string }>;
  };
  appPages = (pluginJson.includes ?? []).flatMap((p) =>
    p.type === 'page' && p.path ? [{ name: p.name, path: p.path }] : []
  );
}

/**
 * A page's heading as Grafana's `Page` shows it above a plugin's content (breadcrumbs, then the title). Grafana's
 * own comes from its core, which the harness does not have; this one only says which page the picture shows.
 */
function PageHeading({ trail, title }: { trail: string[]; title: string }) {
  const theme = useTheme2();
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: theme.spacing(1), marginBottom: theme.spacing(2) }}>
      <Text variant="bodySmall" color="secondary">
        {[...trail, title].join('  ›  ')}
      </Text>
      <Text element="h1" variant="h2">
        {title}
      </Text>
    </div>
  );
}

/** The app page's heading, titled with the plugin.json page the URL is on (it follows the app's navigation). */
function AppPageHeading() {
  const { pathname } = useLocation();
  const title = appPages.find((p) => pathname.startsWith(p.path))?.name ?? 'Hotpath';
  return <PageHeading trail={['Home', 'Apps', 'Hotpath']} title={title} />;
}

async function main() {
  const scenario = host.hotpathScenario;
  if (!scenario) {
    throw new Error('no scenario on window.hotpathScenario');
  }
  setBackendSrv(harnessBackendSrv());
  setDataSourceSrv(testDataSourceSrv(scenario.datasources ?? []));
  const theme = createTheme({ colors: { mode: 'dark' } });
  const root = createRoot(document.getElementById('root')!);
  const render = (content: ReactNode) =>
    root.render(
      <ThemeContext.Provider value={theme}>
        {/* Grafana's page-wide styles (body, forms, tables), which the plugin's @grafana/ui components expect. */}
        <GlobalStyles />
        {content}
      </ThemeContext.Provider>
    );
  if (scenario.view === 'panel') {
    const module = await host.hotpathHarness.loadAmd('/dist/panels/hotspots/module.js');
    render(<PanelView plugin={module.plugin as PanelPlugin} scenario={scenario} />);
  } else {
    const module = await host.hotpathHarness.loadAmd('/dist/module.js');
    await loadAppPages();
    const app = module.plugin as AppPlugin;
    const meta = appMeta(scenario);
    // What Grafana does after importing an app plugin (public/app/features/plugins/pluginLoader / importAppPlugin).
    app.meta = meta;
    app.init(meta);
    const fallback = scenario.view === 'config' ? `/plugins/${APP_ID}` : `/a/${APP_ID}`;
    if (window.location.pathname === '/' || window.location.pathname === '/index.html') {
      locationService.push(scenario.path ?? fallback);
    }
    if (scenario.view === 'config') {
      // Grafana's plugin page renders the config page's `body` with the plugin (meta set) and the URL query.
      const page = app.configPages?.[0];
      if (!page) {
        throw new Error('the app module registers no configuration page');
      }
      const Body = page.body as ComponentType<{ plugin: AppPlugin; query: Record<string, unknown> }>;
      render(
        <div data-testid="harness-config" style={{ padding: 16 }}>
          {/* Grafana's plugin details page: the plugin's name, then its tabs, Configuration open. */}
          <PageHeading trail={['Home', 'Administration', 'Plugins and data', 'Plugins']} title="Hotpath" />
          <TabsBar>
            <Tab label="Overview" />
            <Tab label="Configuration" icon="cog" active />
          </TabsBar>
          <div style={{ paddingTop: 16 }}>
            <Body plugin={app} query={{}} />
          </div>
        </div>
      );
    } else {
      const Root = app.root as ComponentType<AppRootProps>;
      render(
        // Grafana renders app pages inside a router driven by locationService's history, under the route
        // `/a/:pluginId/*` (public/app/routes/routes.tsx), so the app's relative routes match what follows.
        <LocationServiceRouter>
          <div data-testid="harness-app" style={{ padding: 16 }}>
            <AppPageHeading />
            <Routes>
              <Route
                path="/a/:pluginId/*"
                element={
                  <Root
                    meta={meta}
                    basename={`/a/${APP_ID}`}
                    query={{}}
                    path={scenario.path ?? ''}
                    onNavChanged={() => {}}
                  />
                }
              />
            </Routes>
          </div>
        </LocationServiceRouter>
      );
    }
  }
  host.hotpathReady = true;
}

main().catch((error: unknown) => {
  host.hotpathError = error instanceof Error ? `${error.message}\n${error.stack}` : String(error);
  document.body.setAttribute('data-harness-error', host.hotpathError);
});
