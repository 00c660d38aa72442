import type { PluginOptions } from '@grafana/plugin-e2e';
import { defineConfig, devices } from '@playwright/test';
import { dirname } from 'node:path';

import { chromiumLaunchOptions, systemChromium } from './e2e/support/chromium';

/**
 * Layer 2 of the end-to-end suite: @grafana/plugin-e2e against the real stack (`docker compose up`: Grafana with
 * the plugin, Jaeger, Loki, Prometheus, the demo services). Run it with `npm run e2e:stack` (scripts/e2e-stack.sh
 * starts the stack, switches a fault on and drives load first); `npm run e2e:stack:list` only lists the tests and
 * needs no Docker. Layer 1 (no Grafana needed) has its own config: e2e/local.config.ts.
 *
 * Shaped like the config @grafana/create-plugin generates (.config/playwright.config.ts in its templates): an `auth`
 * setup project running plugin-e2e's own login, then the tests with its storage state.
 */

/** Compose's dev defaults (.env.example, docker-compose.yml); plugin-e2e reads the same variable names. */
const admin = {
  user: process.env.GRAFANA_ADMIN_USER || 'admin',
  password: process.env.GRAFANA_ADMIN_PASSWORD || 'hotpath',
};

/**
 * Our machines have Debian's Chromium and no route to Playwright's browser CDN; GitHub runners install Playwright's
 * own Chromium (`npx playwright install --with-deps chromium`) and have no /usr/bin/chromium.
 */
const chromiumPath = systemChromium();
const launchOptions = chromiumPath ? chromiumLaunchOptions(chromiumPath) : {};

export default defineConfig<PluginOptions>({
  testDir: './e2e/stack',
  outputDir: './test-results/stack',
  // One worker: the tests share one Grafana, and the config-page test changes (then restores) the app's settings.
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    baseURL: process.env.GRAFANA_URL || 'http://localhost:3000',
    // plugin-e2e's login fixture (used by its auth setup) and API client both take these.
    user: admin,
    grafanaAPICredentials: admin,
    provisioningRootDir: `${__dirname}/provisioning`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions,
  },
  projects: [
    {
      // plugin-e2e's setup test: POST /login, then the session is saved as playwright/.auth/<user>.json.
      name: 'auth',
      testDir: `${dirname(require.resolve('@grafana/plugin-e2e'))}/auth`,
      testMatch: [/.*\.js/],
    },
    {
      name: 'stack',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions,
        // Tall enough that every panel of the provisioned dashboards is in view: Grafana 12/13 mount a panel's
        // content only once it scrolls into the viewport.
        viewport: { width: 1600, height: 2000 },
        storageState: `playwright/.auth/${admin.user}.json`,
      },
      dependencies: ['auth'],
    },
  ],
});
