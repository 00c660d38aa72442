import { screen } from '@testing-library/react';

import { renderApp } from '../../pages/testing';
import { installBrowserStubs } from '../testing/browser';
import { installDataSources } from '../testing/dataSources';
import { testIds } from '../testIds';

describe('App routes', () => {
  beforeEach(() => {
    installDataSources();
    installBrowserStubs();
  });

  test.each([
    ['/a/hotpath-latency-app/hotspots', testIds.hotspots.container],
    ['/a/hotpath-latency-app/compare', testIds.compare.container],
    ['/a/hotpath-latency-app/import', testIds.import.container],
    ['/a/hotpath-latency-app', testIds.hotspots.container],
    ['/a/hotpath-latency-app/no-such-page', testIds.hotspots.container],
  ])('%s shows its page', async (path, container) => {
    renderApp(path);
    // Pages are lazy loaded: wait for the chunk and the route.
    expect(await screen.findByTestId(container, {}, { timeout: 5000 })).toBeInTheDocument();
  });
});
