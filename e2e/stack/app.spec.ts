import { expect, test } from '@grafana/plugin-e2e';

import { testIds } from '../../src/components/testIds';
import appPluginJson from '../../src/plugin.json';
import { analysedTopRow, APP_ID, expectFaultRow, FAULT, FAULT_SPEC, api, provisionedApp } from './support';

/**
 * The app's pages inside the real Grafana (plugin-e2e's gotoAppPage / gotoAppConfigPage): every page plugin.json
 * puts in the navigation opens, the Hotspots page ranks the running demo's fault first, and the configuration page
 * saves through Grafana's plugin settings API.
 */

/** What each page shows once it has loaded (src/components/testIds.ts). */
const PAGE_CONTAINERS: Record<string, string> = {
  hotspots: testIds.hotspots.container,
  compare: testIds.compare.container,
  import: testIds.import.container,
};

/** The app pages of plugin.json `includes` (`/a/%PLUGIN_ID%/<path>`), i.e. what the navigation links to. */
const APP_PAGES = appPluginJson.includes
  .filter((include) => include.type === 'page' && include.path.startsWith('/a/%PLUGIN_ID%/'))
  .map((include) => include.path.slice('/a/%PLUGIN_ID%/'.length));

test('plugin.json lists the Hotspots, Compare and Import pages, each with a check below', () => {
  expect(APP_PAGES).toEqual(['hotspots', 'compare', 'import']);
  expect(Object.keys(PAGE_CONTAINERS).sort()).toEqual([...APP_PAGES].sort());
});

for (const path of APP_PAGES) {
  test(`the ${path} page opens in Grafana`, async ({ gotoAppPage, page }) => {
    await gotoAppPage({ pluginId: APP_ID, path });
    await expect(page.getByTestId(PAGE_CONTAINERS[path])).toBeVisible();
    await expect(page).toHaveURL(new RegExp(`/a/${APP_ID}/${path}`));
  });
}

test(`the Hotspots page, searching the demo's frontend traces, ranks ${FAULT.operation} first (${FAULT_SPEC})`, async ({
  gotoAppPage,
  page,
}) => {
  const appPage = await gotoAppPage({ pluginId: APP_ID, path: 'hotspots' });
  // The page keeps its search in the URL (src/pages/urlState.ts); the app's settings name the Jaeger data source.
  await appPage.goto({
    path: 'hotspots',
    queryParams: new URLSearchParams({ service: 'frontend', from: 'now-30m', to: 'now' }),
  });
  await expectFaultRow(await analysedTopRow(page.getByTestId(testIds.view.root)));
});

test('the configuration page saves the app settings (and the change reaches Grafana)', async ({
  gotoAppConfigPage,
  page,
  request,
}) => {
  const provisioned = Number(provisionedApp().jsonData.maxTraces);
  expect(Number.isInteger(provisioned)).toBe(true);
  const changed = provisioned === 100 ? 99 : 100;

  async function save(value: number) {
    const configPage = await gotoAppConfigPage({ pluginId: APP_ID });
    const input = page.getByTestId(testIds.appConfig.maxTraces);
    // Visible = the page has loaded the plugin's settings, so the response awaited below is the save's.
    await expect(input).toBeVisible();
    await input.fill(String(value));
    const saved = configPage.waitForSettingsResponse();
    await page.getByTestId(testIds.appConfig.submit).click();
    await expect(saved).toBeOK();
    const settings = (await (await request.get(api.pluginSettings(APP_ID))).json()) as {
      enabled: boolean;
      jsonData?: Record<string, unknown>;
    };
    expect(settings.enabled).toBe(true);
    expect(settings.jsonData).toMatchObject({ ...provisionedApp().jsonData, maxTraces: value });
  }

  try {
    await save(changed);
    // The page reloads after saving (Grafana keeps plugin settings in its boot data): it shows the saved value.
    await expect(page.getByTestId(testIds.appConfig.maxTraces)).toHaveValue(String(changed));
  } finally {
    // Leave the stack as provisioned for the other tests (and for a KEEP_STACK=1 session).
    await save(provisioned);
  }
});
