import { defineConfig } from '@playwright/test';

import { chromiumLaunchOptions } from './support/chromium';

/**
 * Layer 1 of the end-to-end suite: runs here and in CI, in Debian's Chromium (never a downloaded browser), against
 * the BUILT plugin loaded by the harness (e2e/harness). Run: `npm run e2e:local` (builds what it needs first).
 */
export default defineConfig({
  testDir: './local',
  outputDir: '../test-results/local',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    viewport: { width: 1400, height: 900 },
    launchOptions: chromiumLaunchOptions(),
  },
});
