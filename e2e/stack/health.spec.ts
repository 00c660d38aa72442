import { expect, test } from '@grafana/plugin-e2e';

import { APP_ID, PANEL_ID, api, provisionedApp, provisionedDataSources } from './support';

/**
 * The installed stack before any page opens: Grafana up, the plugin loaded and enabled as provisioned, every data
 * source reachable, and Grafana 13's bundled data source plugins still there with the image's
 * GF_PLUGINS_PREINSTALL_DISABLED=true (so an offline start cannot replace or lose them, grafana/grafana#130921).
 * The stack here can reach the internet, so this shows the plugins load from the image, not an offline start.
 * `request` carries the admin session saved by the auth project.
 */

test('Grafana is healthy, with its database, and runs the release under test', async ({ request }) => {
  const response = await request.get(api.health);
  expect(response.status()).toBe(200);
  const health = (await response.json()) as { database?: string; version?: string };
  expect(health.database).toBe('ok');
  expect(health.version).toMatch(/^\d+\.\d+\.\d+/);
  // scripts/e2e-stack.sh builds the image with GRAFANA_VERSION (CI's matrix); the running Grafana must be that one.
  if (process.env.GRAFANA_VERSION) {
    expect(health.version?.startsWith(process.env.GRAFANA_VERSION)).toBe(true);
  }
});

test(`the app ${APP_ID} is enabled with its provisioned settings, and its nested panel is loaded`, async ({
  request,
}) => {
  const response = await request.get(api.pluginSettings(APP_ID));
  expect(response.status()).toBe(200);
  const settings = (await response.json()) as {
    id: string;
    type: string;
    enabled: boolean;
    jsonData?: Record<string, unknown>;
    includes?: Array<{ type: string; path?: string }>;
  };
  const provisioned = provisionedApp();
  expect(provisioned.disabled).toBe(false);
  expect(settings).toMatchObject({ id: APP_ID, type: 'app', enabled: true });
  expect(settings.jsonData).toMatchObject(provisioned.jsonData);

  // Grafana loads the nested panel as a child plugin of the app (only while the app is enabled).
  const panel = await request.get(api.pluginSettings(PANEL_ID));
  expect(panel.status()).toBe(200);
  expect(await panel.json()).toMatchObject({ id: PANEL_ID, type: 'panel' });
});

test('the Jaeger, Loki and Prometheus data sources pass their health checks', async ({ request }) => {
  const dataSources = provisionedDataSources();
  expect(dataSources.map((ds) => ds.type).sort()).toEqual(['jaeger', 'loki', 'prometheus']);
  for (const ds of dataSources) {
    const response = await request.get(api.dataSourceHealth(ds.uid));
    const body = (await response.json()) as { status?: string; message?: string };
    expect({ dataSource: ds.name, status: response.status(), health: body.status }, body.message).toEqual({
      dataSource: ds.name,
      status: 200,
      health: 'OK',
    });
  }
});

test('the bundled data source plugins are there with preinstall disabled: /api/plugins/jaeger/settings (and Loki, Prometheus)', async ({
  request,
}) => {
  for (const type of ['jaeger', 'loki', 'prometheus']) {
    const response = await request.get(api.pluginSettings(type));
    expect({ plugin: type, status: response.status() }).toEqual({ plugin: type, status: 200 });
    expect(await response.json()).toMatchObject({ id: type, type: 'datasource' });
  }
});
