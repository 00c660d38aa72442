/**
 * Test-only (jest page tests and the e2e harness): a react-router v6 router over `locationService`'s history
 * (history v4, whose `listen` passes `(location, action)` — which is why v6's `HistoryRouter`, written for history
 * v5, cannot take it). Grafana bridges the two the same way (its v5 `Router` plus `CompatRouter`).
 */
import { locationService } from '@grafana/runtime';
import React, { ReactNode, useLayoutEffect, useState } from 'react';
import { NavigationType, Router } from 'react-router-dom';

export function LocationServiceRouter({ children }: { children: ReactNode }) {
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
