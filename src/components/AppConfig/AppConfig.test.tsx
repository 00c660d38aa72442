import React from 'react';
import { of } from 'rxjs';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { PluginType } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';
import AppConfig, { AppConfigProps } from './AppConfig';
import { testIds } from 'components/testIds';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: jest.fn(),
}));

describe('Components/AppConfig', () => {
  let props: AppConfigProps;

  beforeEach(() => {
    jest.resetAllMocks();

    props = {
      plugin: {
        meta: {
          id: 'hotpath-latency-app',
          name: 'Hotpath',
          type: PluginType.app,
          enabled: true,
          pinned: true,
          jsonData: {},
        },
      },
      query: {},
    } as unknown as AppConfigProps;
  });

  test('renders the "API Settings" fieldset with API key, API url inputs and button', () => {
    const plugin = { meta: { ...props.plugin.meta, enabled: false } };

    // @ts-ignore - We don't need to provide `addConfigPage()` and `setChannelSupport()` for these tests
    render(<AppConfig plugin={plugin} query={props.query} />);

    expect(screen.queryByRole('group', { name: /api settings/i })).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.appConfig.apiKey)).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.appConfig.apiUrl)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /save api settings/i })).toBeInTheDocument();
  });

  test('keeps saving disabled until both the API url and the API key are set', () => {
    render(<AppConfig {...props} />);
    const submit = screen.getByRole('button', { name: /save api settings/i });

    expect(submit).toBeDisabled();
    fireEvent.change(screen.getByTestId(testIds.appConfig.apiUrl), {
      target: { name: 'apiUrl', value: 'http://jaeger:16686' },
    });
    expect(submit).toBeDisabled();
    fireEvent.change(screen.getByTestId(testIds.appConfig.apiKey), { target: { name: 'apiKey', value: 'secret' } });
    expect(submit).toBeEnabled();
  });

  test('posts the settings to the plugin settings API', async () => {
    const fetch = jest.fn().mockReturnValue(of({ status: 200 }));
    jest.mocked(getBackendSrv).mockReturnValue({ fetch } as unknown as ReturnType<typeof getBackendSrv>);
    // After saving, the page reloads; jsdom reports window.location.reload() as "not implemented" via console.error.
    const consoleError = jest.spyOn(console, 'error').mockImplementation(() => {});
    render(<AppConfig {...props} />);

    fireEvent.change(screen.getByTestId(testIds.appConfig.apiUrl), {
      target: { name: 'apiUrl', value: ' http://jaeger:16686 ' },
    });
    fireEvent.change(screen.getByTestId(testIds.appConfig.apiKey), { target: { name: 'apiKey', value: 'secret' } });
    fireEvent.submit(screen.getByRole('button', { name: /save api settings/i }));

    await waitFor(() => expect(fetch).toHaveBeenCalledTimes(1));
    expect(fetch).toHaveBeenCalledWith({
      url: '/api/plugins/hotpath-latency-app/settings',
      method: 'POST',
      data: {
        enabled: true,
        pinned: true,
        jsonData: { apiUrl: 'http://jaeger:16686' },
        secureJsonData: { apiKey: 'secret' },
      },
    });
    // The save succeeded: AppConfig only logs this when the request fails.
    expect(consoleError).not.toHaveBeenCalledWith('Error while updating the plugin', expect.anything());
    consoleError.mockRestore();
  });
});
