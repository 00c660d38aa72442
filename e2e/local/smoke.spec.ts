import { expect, openHarness, test, unexpectedRequests } from '../support/harness';

test('the built panel module loads the way Grafana loads it and renders', async ({ page, harnessUrl }) => {
  const seen = await openHarness(page, harnessUrl, { view: 'panel', series: [] });
  await expect(page.getByTestId('harness-panel')).toBeVisible();
  await page.screenshot({ path: 'test-results/local/smoke-panel.png' });
  expect(unexpectedRequests(seen)).toEqual([]);
});

test('the built app module loads and renders a page', async ({ page, harnessUrl }) => {
  const seen = await openHarness(page, harnessUrl, { view: 'app', path: '/a/hotpath-latency-app/hotspots' });
  await expect(page.getByTestId('harness-app')).toBeVisible();
  await page.screenshot({ path: 'test-results/local/smoke-app.png' });
  expect(unexpectedRequests(seen)).toEqual([]);
});
