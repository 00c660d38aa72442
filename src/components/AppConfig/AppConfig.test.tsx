import { PluginType } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import React from 'react';
import { of, throwError } from 'rxjs';

import { installBrowserStubs } from '../testing/browser';
import { installDataSources } from '../testing/dataSources';
import { testIds } from '../testIds';
import AppConfig, { AppConfigProps } from './AppConfig';
import { readAppSettings } from './settings';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: jest.fn(),
}));

function props(jsonData: Record<string, unknown>): AppConfigProps {
  return {
    plugin: {
      meta: { id: 'hotpath-latency-app', name: 'Hotpath', type: PluginType.app, enabled: true, pinned: true, jsonData },
    },
    query: {},
  } as unknown as AppConfigProps;
}

/** Picks a data source by name in the DataSourcePicker with this input id (a react-select). */
function pick(inputId: string, name: string) {
  const input = document.getElementById(inputId) as HTMLInputElement;
  fireEvent.keyDown(input, { key: 'ArrowDown' });
  fireEvent.click(screen.getByText(name));
}

let fetch: jest.Mock;
let consoleError: jest.SpyInstance;

beforeEach(() => {
  installDataSources();
  installBrowserStubs();
  fetch = jest.fn().mockReturnValue(of({ status: 200, data: {} }));
  jest.mocked(getBackendSrv).mockReturnValue({ fetch } as unknown as ReturnType<typeof getBackendSrv>);
  // After saving, the page reloads; jsdom reports window.location.reload() as "not implemented" via console.error.
  consoleError = jest.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(() => consoleError.mockRestore());

describe('AppConfig', () => {
  it('shows the saved settings', () => {
    render(<AppConfig {...props({ jaegerUid: 'jaeger', lokiUid: 'loki', maxTraces: 300 })} />);
    expect(screen.getByText('Jaeger')).toBeInTheDocument();
    expect(screen.getByText('Loki')).toBeInTheDocument();
    expect(screen.getByTestId(testIds.appConfig.maxTraces)).toHaveValue(300);
  });

  it('posts the data sources and the limit as the app’s jsonData', async () => {
    render(<AppConfig {...props({ jaegerUid: 'jaeger', maxTraces: 300 })} />);
    pick('hotpath-config-loki', 'Loki archive');
    pick('hotpath-config-prometheus', 'Prometheus');
    fireEvent.change(screen.getByTestId(testIds.appConfig.maxTraces), { target: { value: '800' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));

    await waitFor(() => expect(fetch).toHaveBeenCalledTimes(1));
    expect(fetch.mock.calls[0][0]).toEqual({
      url: '/api/plugins/hotpath-latency-app/settings',
      method: 'POST',
      data: {
        enabled: true,
        pinned: true,
        jsonData: { jaegerUid: 'jaeger', lokiUid: 'loki-archive', prometheusUid: 'prometheus', maxTraces: 800 },
      },
    });
    // The body on the wire: no keys for data sources that are not set.
    expect(JSON.stringify(fetch.mock.calls[0][0].data)).toBe(
      '{"enabled":true,"pinned":true,"jsonData":{"jaegerUid":"jaeger","lokiUid":"loki-archive","prometheusUid":"prometheus","maxTraces":800}}'
    );
  });

  it('refuses a limit outside 1–1,500', () => {
    render(<AppConfig {...props({})} />);
    expect(screen.getByTestId(testIds.appConfig.maxTraces)).toHaveValue(500);
    fireEvent.change(screen.getByTestId(testIds.appConfig.maxTraces), { target: { value: '2000' } });
    expect(screen.getByText('A whole number from 1 to 1500')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Save settings' })).toBeDisabled();
    fireEvent.submit(screen.getByTestId(testIds.appConfig.form));
    expect(fetch).not.toHaveBeenCalled();
  });

  it('says so when Grafana does not accept the settings', async () => {
    fetch.mockReturnValue(throwError(() => ({ status: 403, data: { message: 'Permission denied' } })));
    render(<AppConfig {...props({ jaegerUid: 'jaeger' })} />);
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(await screen.findByText('Settings were not saved')).toBeInTheDocument();
    expect(screen.getByText('Permission denied (HTTP 403)')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Save settings' })).toBeEnabled();
  });
});

describe('readAppSettings', () => {
  it('reads provisioned jsonData without trusting its types', () => {
    expect(readAppSettings({ jaegerUid: 'jaeger', lokiUid: ' ', prometheusUid: 7, maxTraces: '900' })).toEqual({
      jaegerUid: 'jaeger',
      lokiUid: undefined,
      prometheusUid: undefined,
      maxTraces: 900,
    });
    expect(readAppSettings(undefined).maxTraces).toBe(500);
    expect(readAppSettings({ maxTraces: 99999 }).maxTraces).toBe(1500);
    expect(readAppSettings({ maxTraces: -3 }).maxTraces).toBe(500);
  });
});
