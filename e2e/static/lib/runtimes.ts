/**
 * The Grafana versions that must move together: the bundle's image (deploy/grafana/Dockerfile `ARG
 * GRAFANA_VERSION`, which docker-compose.yml and the Kubernetes image follow), the layer-1 harness's second runtime
 * (e2e/harness/runtime-13/package.json: what that Grafana supplies to plugins) and CI's stack-test matrix
 * (.github/workflows/ci.yml). The image tag and the npm packages are released together, but a patch may exist on
 * one side first, so the rule is one minor line: same major.minor everywhere, exact pins in each place.
 */
import { dockerfileGlobalArgs } from './compose';

export const SHARED_GRAFANA_PACKAGES = ['@grafana/data', '@grafana/ui', '@grafana/runtime'] as const;

export interface RuntimePackage {
  dependencies?: Record<string, string>;
}

export interface RuntimeLock {
  packages: Record<string, { version?: string; dependencies?: Record<string, string> }>;
}

export interface VersionSources {
  dockerfile: string;
  /** The stack-test matrix of ci.yml (`jobs.e2e-stack.strategy.matrix.grafana`). */
  matrix: string[];
  runtimePackage: RuntimePackage;
  runtimeLock: RuntimeLock;
}

const EXACT = /^(\d+)\.(\d+)\.(\d+)$/;
const minorOf = (version: string) => {
  const m = EXACT.exec(version);
  return m ? `${m[1]}.${m[2]}` : undefined;
};

/** The version the harness runtime pins for all of @grafana/data, ui and runtime (undefined when they differ). */
export function runtimeGrafanaVersion(pkg: RuntimePackage): string | undefined {
  const pins = new Set(SHARED_GRAFANA_PACKAGES.map((name) => pkg.dependencies?.[name]));
  const [only] = [...pins];
  return pins.size === 1 && only && EXACT.test(only) ? only : undefined;
}

/** Why the versions disagree; empty when the image, the harness runtime and the matrix are on one minor line. */
export function versionProblems(sources: VersionSources): string[] {
  const problems: string[] = [];
  const image = dockerfileGlobalArgs(sources.dockerfile).GRAFANA_VERSION ?? '';
  const runtime = runtimeGrafanaVersion(sources.runtimePackage);
  if (!minorOf(image)) {
    problems.push(`the Dockerfile's GRAFANA_VERSION ${JSON.stringify(image)} is not an exact release`);
  }
  if (!runtime) {
    problems.push(`the harness runtime does not pin ${SHARED_GRAFANA_PACKAGES.join(', ')} to one exact release`);
  }
  if (runtime && minorOf(image) && minorOf(runtime) !== minorOf(image)) {
    problems.push(`the harness runtime runs @grafana/* ${runtime}, the bundle's image is Grafana ${image}`);
  }
  // (That the matrix holds the image's exact tag is compose.test.ts's rule.)
  if (runtime && !sources.matrix.some((version) => minorOf(version) === minorOf(runtime))) {
    problems.push(`CI's stack matrix ${JSON.stringify(sources.matrix)} tests no Grafana ${minorOf(runtime)}.x`);
  }
  // The lockfile is what `npm ci` installs: it must be in step with package.json.
  const declared = sources.runtimePackage.dependencies ?? {};
  const locked = sources.runtimeLock.packages[''] ?? {};
  const sorted = (deps: Record<string, string>) => JSON.stringify(Object.entries(deps).sort());
  if (sorted(locked.dependencies ?? {}) !== sorted(declared)) {
    problems.push('the harness runtime package-lock.json is out of step with its package.json');
  }
  for (const [name, version] of Object.entries(declared)) {
    const installed = sources.runtimeLock.packages[`node_modules/${name}`]?.version;
    if (EXACT.test(version) && installed !== version) {
      problems.push(`the harness runtime lock resolves ${name} to ${installed}, package.json pins ${version}`);
    }
  }
  return problems;
}
