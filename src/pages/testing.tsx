/**
 * Test-only: renders the app root at a URL the way Grafana does — inside a router driven by `locationService`'s
 * history — so pages read and write the same URL a user would share.
 */
import { AppRootProps, PluginType } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import { render } from '@testing-library/react';
import React, { ReactNode, useLayoutEffect, useState } from 'react';
import { NavigationType, Route, Router, Routes } from 'react-router-dom';

import App from '../components/App/App';

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

/**
 * A react-router v6 router over `locationService`'s history (history v4, whose `listen` passes `(location, action)`
 * — which is why v6's `HistoryRouter`, written for history v5, cannot take it). Grafana bridges the two the same way
 * (its v5 `Router` plus `CompatRouter`).
 */
function LocationServiceRouter({ children }: { children: ReactNode }) {
  const history = locationService.getHistory();
  const [state, setState] = useState({ location: history.location, action: history.action });
  useLayoutEffect(
    () =>
      history.listen((location: typeof history.location, action: typeof history.action) =>
        setState({ location, action })
      ),
    [history]
  );
  return (
    <Router location={state.location} navigationType={state.action as NavigationType} navigator={history}>
      {children}
    </Router>
  );
}

/** The current URL's search params, as an object. */
export function urlParams(): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(locationService.getLocation().search));
}
