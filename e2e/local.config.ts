import { defineConfig } from '@playwright/test';

import { HARNESS_RUNTIMES } from './harness/runtimes';
import { chromiumLaunchOptions } from './support/chromium';
import type { HarnessOptions } from './support/harness';

/**
 * Layer 1 of the end-to-end suite: runs here and in CI, in Debian's Chromium (never a downloaded browser), against
 * the BUILT plugin loaded by the harness (e2e/harness). Run: `npm run e2e:local` (builds what it needs first).
 * The whole suite runs once per harness runtime (e2e/harness/runtimes.json: the packages the plugin builds against,
 * and what Grafana 13.2 supplies), one Playwright project each, with the same dist/; `--project grafana-13` picks one.
 */
export default defineConfig<HarnessOptions>({
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
  projects: HARNESS_RUNTIMES.map((runtime) => ({ name: runtime.id, use: { harnessRuntime: runtime.id } })),
});
