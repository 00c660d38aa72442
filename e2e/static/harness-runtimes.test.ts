/** @jest-environment node */
/**
 * The layer-1 harness runs the built plugin on two runtimes (e2e/harness/runtimes.json): the packages it builds
 * against, and what the Grafana release the bundle ships supplies to plugins (e2e/harness/runtime-13). Checked
 * here without installing anything: the second runtime is on the bundle's Grafana line (tools/versions.json),
 * installed by `npm ci` from its own lockfile by a script `npm run ci` runs, and one runtime uses development React.
 */
import { clone, exists, readJson, readText } from './lib/repo';
import { RuntimeLock, RuntimePackage, VersionSources, minorOf, versionProblems } from './lib/runtimes';
import { VERSIONS } from './lib/versions';

interface HarnessRuntimes {
  runtimes: Array<{ id: string; packages: string; react: string }>;
}

const { runtimes } = readJson<HarnessRuntimes>('e2e/harness/runtimes.json');
const RUNTIME_13 = 'e2e/harness/runtime-13';

function sources(): VersionSources {
  return {
    dockerfile: readText('deploy/grafana/Dockerfile'),
    runtimePackage: readJson<RuntimePackage>(`${RUNTIME_13}/package.json`),
    runtimeLock: readJson<RuntimeLock>(`${RUNTIME_13}/package-lock.json`),
  };
}

describe('the harness runtimes', () => {
  it('are the packages the plugin builds against and a separate folder for Grafana 13, one with development React', () => {
    expect(runtimes.map((runtime) => runtime.packages)).toEqual(['.', RUNTIME_13]);
    expect(new Set(runtimes.map((runtime) => runtime.id)).size).toBe(runtimes.length);
    expect(runtimes.map((runtime) => runtime.react)).toContain('development');
    for (const runtime of runtimes) {
      expect(['production', 'development']).toContain(runtime.react);
    }
  });

  it('differ: the second runs another Grafana line and React 19', () => {
    const own = readJson<RuntimePackage>('package.json').dependencies ?? {};
    const second = readJson<RuntimePackage>(`${RUNTIME_13}/package.json`).dependencies ?? {};
    expect(minorOf(second['@grafana/ui'])).not.toBe(minorOf(own['@grafana/ui']));
    expect(second.react).toMatch(/^19\.\d+\.\d+$/);
    expect(second['react-dom']).toBe(second.react);
  });

  it('each separate runtime has its own lockfile, installed with npm ci by the script npm run ci runs before layer 1', () => {
    const scripts = readJson<{ scripts: Record<string, string> }>('package.json').scripts;
    for (const runtime of runtimes.filter((r) => r.packages !== '.')) {
      expect(exists(`${runtime.packages}/package-lock.json`)).toBe(true);
      expect(scripts['e2e:runtimes']).toContain(`npm ci --prefix ${runtime.packages}`);
    }
    const steps = scripts.ci.split('&&').map((step) => step.trim());
    expect(steps).toContain('npm run e2e:runtimes');
    expect(steps.indexOf('npm run e2e:runtimes')).toBeLessThan(steps.indexOf('npm run e2e:local'));
  });
});

describe("one Grafana line for the bundle's image and the second harness runtime (tools/versions.json)", () => {
  it('holds today', () => {
    expect(versionProblems(sources())).toEqual([]);
  });

  it('fails when the image moves without versions.json, or versions.json leaves the minor line', () => {
    const moved = sources();
    moved.dockerfile = moved.dockerfile.replace(/^ARG GRAFANA_VERSION=\S+$/m, 'ARG GRAFANA_VERSION=13.3.0');
    expect(versionProblems(moved)).toEqual([
      `deploy/grafana/Dockerfile: GRAFANA_VERSION 13.3.0, tools/versions.json says ${VERSIONS.grafana.tag}`,
    ]);
    expect(versionProblems(moved, { ...VERSIONS.grafana, tag: '13.3.0' })).toEqual([
      `tools/versions.json: the image 13.3.0 and the packages ${VERSIONS.grafana.npmVersion} are not one minor line`,
    ]);
  });

  it('fails when a runtime pin differs from versions.json, or floats', () => {
    for (const pin of ['13.1.3', '^13.2.0']) {
      const mixed = sources();
      mixed.runtimePackage = clone(mixed.runtimePackage);
      mixed.runtimePackage.dependencies!['@grafana/ui'] = pin;
      expect(versionProblems(mixed)).toContain(
        `e2e/harness/runtime-13: @grafana/ui ${pin}, tools/versions.json says ${VERSIONS.grafana.npmVersion}`
      );
    }
  });

  it('fails when the lockfile is out of step with the runtime package.json', () => {
    const stale = sources();
    stale.runtimeLock = clone(stale.runtimeLock);
    stale.runtimeLock.packages['node_modules/@grafana/ui'].version = '13.2.0';
    expect(versionProblems(stale)).toEqual([
      `e2e/harness/runtime-13: the lockfile resolves @grafana/ui to 13.2.0, package.json pins ${VERSIONS.grafana.npmVersion}`,
    ]);
    delete stale.runtimeLock.packages['']?.dependencies?.react;
    expect(versionProblems(stale)).toContain(
      'e2e/harness/runtime-13: package-lock.json is out of step with package.json'
    );
  });
});
