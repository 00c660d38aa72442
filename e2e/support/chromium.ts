import { existsSync } from 'node:fs';

/**
 * How every Chromium we drive is launched: the layer-1 and layer-2 Playwright configs, the browser bench and the
 * demo's browser test. Plain TypeScript on Node's API only, so the demo workspace (playwright-core, no Grafana) can
 * import it too.
 */

/** Debian's Chromium: our machines have it and no route to Playwright's browser CDN. */
export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/**
 * --no-sandbox: CI runs as root, where Chromium refuses to start sandboxed. The rest keeps Chromium off the network
 * (no update checks, sync or first-run fetches) except for the pages under test.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** `CHROMIUM_PATH`, else Debian's Chromium when it is installed; undefined: let Playwright use its own browser. */
export function systemChromium(): string | undefined {
  return process.env.CHROMIUM_PATH || (existsSync(DEBIAN_CHROMIUM) ? DEBIAN_CHROMIUM : undefined);
}

/** Launch options for `chromium.launch` / a config's `use.launchOptions`. */
export function chromiumLaunchOptions(executablePath = process.env.CHROMIUM_PATH || DEBIAN_CHROMIUM) {
  return { executablePath, args: [...CHROMIUM_ARGS] };
}
