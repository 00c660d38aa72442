import { testIds } from '../../src/components/testIds';
import { expect, openHarness, test, unexpectedRequests } from '../support/harness';

// The built modules load the way Grafana loads them (AMD, externals from the host) and render; the other specs
// check what they show.
test('the built panel module loads and renders', async ({ page, harnessUrl }) => {
  const seen = await openHarness(page, harnessUrl, { view: 'panel', series: [] });
  await expect(page.getByTestId('harness-panel').getByTestId(testIds.view.root)).toBeVisible();
  expect(unexpectedRequests(seen)).toEqual([]);
});

for (const [page_, testId] of [
  ['hotspots', testIds.hotspots.container],
  ['compare', testIds.compare.container],
  ['import', testIds.import.container],
] as const) {
  test(`the built app module renders its ${page_} page`, async ({ page, harnessUrl }) => {
    const seen = await openHarness(page, harnessUrl, { view: 'app', path: `/a/hotpath-latency-app/${page_}` });
    await expect(page.getByTestId(testId)).toBeVisible();
    expect(unexpectedRequests(seen)).toEqual([]);
  });
}

test('the built app module renders its configuration page', async ({ page, harnessUrl }) => {
  const seen = await openHarness(page, harnessUrl, { view: 'config', path: '/plugins/hotpath-latency-app' });
  await expect(page.getByTestId(testIds.appConfig.form)).toBeVisible();
  expect(unexpectedRequests(seen)).toEqual([]);
});
