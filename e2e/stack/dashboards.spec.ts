import { expect, test } from '@grafana/plugin-e2e';

import { testIds } from '../../src/components/testIds';
import { DASHBOARD_FILES, PANEL_ID, readDashboardJson, showPanel, shownTitle } from './support';

/**
 * Every dashboard in provisioning/dashboards opens from Grafana's provisioned copy: each of its panels is there (so
 * a missing dashboard or a panel that failed to load cannot pass as "no errors"), no panel reports an error once
 * the queries are done, and the Hotpath panels finish their analysis without their own error state.
 */

// hotpath-every-trace.json opens too without the compose profile `kafka`: its panels then say "No data", not an error.
test('provisioning/dashboards holds (at least) the four dashboards of the bundle', () => {
  expect(DASHBOARD_FILES).toEqual(
    expect.arrayContaining(['demo-logs.json', 'hotpath-every-trace.json', 'hotpath-hotspots.json', 'service-red.json'])
  );
});

for (const fileName of DASHBOARD_FILES) {
  const json = readDashboardJson(fileName);

  test(`${fileName}: "${json.title}" opens with all ${json.panels.length} panels and no panel errors`, async ({
    gotoDashboardPage,
    readProvisionedDashboard,
    page,
  }) => {
    const dashboard = await readProvisionedDashboard({ fileName });
    expect(dashboard.uid).toBe(json.uid);
    const dashboardPage = await gotoDashboardPage(dashboard);

    // Top to bottom, as a user scrolls.
    for (const panel of [...json.panels].sort((a, b) => a.gridPos.y - b.gridPos.y)) {
      await showPanel(dashboardPage, shownTitle(json, panel.title));
    }
    // Queries started by panels further down run once they are scrolled into view.
    await dashboardPage.waitForPanelsQueriesToComplete({ scrollAll: true, timeout: 60_000 });

    const hotpathPanels = json.panels.filter((panel) => panel.type === PANEL_ID);
    for (const panel of hotpathPanels) {
      const view = (await showPanel(dashboardPage, shownTitle(json, panel.title))).locator.getByTestId(
        testIds.view.root
      );
      await expect(view).toHaveAttribute('data-phase', 'done', { timeout: 60_000 });
      await expect(view.getByTestId(testIds.view.error)).toHaveCount(0);
    }

    await expect(dashboardPage).not.toHavePanelErrors();
    await expect(page.getByText('Dashboard not found')).toHaveCount(0);
  });
}
