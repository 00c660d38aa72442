/**
 * Test-only: renders the app root at a URL the way Grafana does — inside a router driven by `locationService`'s
 * history — so pages read and write the same URL a user would share.
 */
import { AppRootProps, PluginType } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import { render } from '@testing-library/react';
import React from 'react';
import { Route, Routes } from 'react-router-dom';

import App from '../components/App/App';
import { LocationServiceRouter } from '../testing/LocationServiceRouter';

export const APP_SETTINGS = { jaegerUid: 'jaeger', lokiUid: 'loki', prometheusUid: 'prometheus', maxTraces: 500 };

export function renderApp(path: string, jsonData: Record<string, unknown> = APP_SETTINGS) {
  locationService.push(path);
  const meta = {
    id: 'hotpath-latency-app',
    name: 'Hotpath',
    type: PluginType.app,
    enabled: true,
    jsonData,
  } as unknown as AppRootProps['meta'];
  // (query, path and onNavChanged are deprecated but still part of AppRootProps.)
  const props = {
    meta,
    basename: '/a/hotpath-latency-app',
    query: {},
    path,
    onNavChanged: () => {},
  } as unknown as AppRootProps;
  return render(
    <LocationServiceRouter>
      {/* Grafana mounts an app's root under the route `/a/:pluginId/*` (public/app/routes/routes.tsx), so the app's
          own relative routes match what follows. */}
      <Routes>
        <Route path="/a/:pluginId/*" element={<App {...props} />} />
      </Routes>
    </LocationServiceRouter>
  );
}

/** The current URL's search params, as an object. */
export function urlParams(): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(locationService.getLocation().search));
}
