/**
 * The runtimes the layer-1 harness loads the built plugin with (runtimes.json): which folder's node_modules supplies
 * the packages Grafana shares with plugins, and which build of React. build.mjs reads the same file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface HarnessRuntime {
  id: string;
  about: string;
  /** Repository-relative folder whose node_modules holds the shared packages (`.`: the repository's own). */
  packages: string;
  react: 'production' | 'development';
}

const REPO = resolve(__dirname, '..', '..');

export const HARNESS_RUNTIMES: HarnessRuntime[] = (
  JSON.parse(readFileSync(join(REPO, 'e2e', 'harness', 'runtimes.json'), 'utf8')) as { runtimes: HarnessRuntime[] }
).runtimes;

/** The first runtime: the packages the plugin builds against (the bench and a bare `startHarnessServer()` use it). */
export const DEFAULT_RUNTIME = HARNESS_RUNTIMES[0].id;

export function harnessRuntime(id: string): HarnessRuntime {
  const runtime = HARNESS_RUNTIMES.find((r) => r.id === id);
  if (!runtime) {
    throw new Error(
      `unknown harness runtime ${id} (e2e/harness/runtimes.json has ${HARNESS_RUNTIMES.map((r) => r.id)})`
    );
  }
  return runtime;
}

/** Where build.mjs writes a runtime's vendor.js and main.js. */
export function harnessBuildDir(id: string): string {
  return join(REPO, 'e2e', 'harness', 'dist', id);
}

/** A package's folder in the runtime's node_modules, e.g. `@grafana/ui`. */
export function runtimePackageDir(runtime: HarnessRuntime, name: string): string {
  return join(REPO, runtime.packages, 'node_modules', name);
}

/** The installed version of a package in the runtime (undefined when the runtime is not installed). */
export function runtimePackageVersion(runtime: HarnessRuntime, name: string): string | undefined {
  const file = join(runtimePackageDir(runtime, name), 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : undefined;
}
