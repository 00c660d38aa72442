/** Replaced by scripts/build-cli.mjs with package.json's version when the CLI is bundled. */
declare const HOTPATH_VERSION: string | undefined;

/**
 * The version `hotpath --version` prints: package.json's, written into the bundle at build time (so the installed
 * command needs no package.json beside it). Sources run unbundled, as in the unit tests, say `unbuilt`.
 */
export const VERSION: string = typeof HOTPATH_VERSION === 'string' ? HOTPATH_VERSION : 'unbuilt';
