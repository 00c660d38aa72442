import React from 'react';
import { MemoryRouter } from 'react-router-dom';
import { AppRootProps, PluginType } from '@grafana/data';
import { render, screen } from '@testing-library/react';
import App from './App';
import { testIds } from '../testIds';

describe('Components/App', () => {
  let props: AppRootProps;

  beforeEach(() => {
    jest.resetAllMocks();

    props = {
      basename: 'a/hotpath-latency-app',
      meta: {
        id: 'hotpath-latency-app',
        name: 'Hotpath',
        type: PluginType.app,
        enabled: true,
        jsonData: {},
      },
      query: {},
      path: '',
      onNavChanged: jest.fn(),
    } as unknown as AppRootProps;
  });

  const renderAt = (path: string) =>
    render(
      <MemoryRouter initialEntries={[path]}>
        <App {...props} />
      </MemoryRouter>
    );

  test.each(['/hotspots', '/', '/no-such-page'])('route %s shows the Hotspots page', async (path) => {
    renderAt(path);

    // Pages are lazy loaded, so wait for the chunk and the route to render.
    expect(await screen.findByTestId(testIds.hotspots.container, {}, { timeout: 2000 })).toBeInTheDocument();
    expect(screen.getByText(/arrives with the panel\/app issue/i)).toBeInTheDocument();
  });
});
