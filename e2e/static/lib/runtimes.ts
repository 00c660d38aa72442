/**
 * The Grafana versions that must move together, from their one place (tools/versions.json `grafana`): the bundle's
 * image (deploy/grafana/Dockerfile `ARG GRAFANA_VERSION`; docker-compose.yml's default and CI's stack matrix follow
 * the Dockerfile, compose.test.ts) and the layer-1 harness's second runtime (e2e/harness/runtime-13/package.json:
 * what that Grafana supplies to plugins). The image tag and the npm packages are released together, but a patch may
 * reach one side first, so the rule between them is one minor line; each copy pins exactly what versions.json says.
 */
import { dockerfileGlobalArgs } from './compose';
import { ServerVersions, VERSIONS } from './versions';

export interface RuntimePackage {
  dependencies?: Record<string, string>;
}

export interface RuntimeLock {
  packages: Record<string, { version?: string; dependencies?: Record<string, string> }>;
}

export interface VersionSources {
  dockerfile: string;
  runtimePackage: RuntimePackage;
  runtimeLock: RuntimeLock;
}

const EXACT = /^(\d+)\.(\d+)\.(\d+)$/;
export const minorOf = (version: string | undefined) => {
  const m = EXACT.exec(version ?? '');
  return m ? `${m[1]}.${m[2]}` : undefined;
};

/** Why the copies disagree with tools/versions.json (or the image and the runtime leave one minor line). */
export function versionProblems(
  sources: VersionSources,
  pinned: ServerVersions['grafana'] = VERSIONS.grafana
): string[] {
  const problems: string[] = [];
  const { tag, npmVersion, npmPackages } = pinned;
  if (!minorOf(tag) || minorOf(tag) !== minorOf(npmVersion)) {
    problems.push(`tools/versions.json: the image ${tag} and the packages ${npmVersion} are not one minor line`);
  }
  const image = dockerfileGlobalArgs(sources.dockerfile).GRAFANA_VERSION;
  if (image !== tag) {
    problems.push(`deploy/grafana/Dockerfile: GRAFANA_VERSION ${image}, tools/versions.json says ${tag}`);
  }
  const declared = sources.runtimePackage.dependencies ?? {};
  for (const name of npmPackages) {
    if (declared[name] !== npmVersion) {
      problems.push(`e2e/harness/runtime-13: ${name} ${declared[name]}, tools/versions.json says ${npmVersion}`);
    }
  }
  // The lockfile is what `npm ci` installs: it must be in step with package.json.
  const locked = sources.runtimeLock.packages[''] ?? {};
  const sorted = (deps: Record<string, string>) => JSON.stringify(Object.entries(deps).sort());
  if (sorted(locked.dependencies ?? {}) !== sorted(declared)) {
    problems.push('e2e/harness/runtime-13: package-lock.json is out of step with package.json');
  }
  for (const [name, version] of Object.entries(declared)) {
    const installed = sources.runtimeLock.packages[`node_modules/${name}`]?.version;
    if (EXACT.test(version) && installed !== version) {
      problems.push(
        `e2e/harness/runtime-13: the lockfile resolves ${name} to ${installed}, package.json pins ${version}`
      );
    }
  }
  return problems;
}
