/** @jest-environment node */
/**
 * The layer-1 harness runs the built plugin on two runtimes (e2e/harness/runtimes.json): the packages it builds
 * against, and what the Grafana release the bundle ships supplies to plugins (e2e/harness/runtime-13). Checked
 * here without installing anything: the second runtime is on the bundle's Grafana line, installed by `npm ci` from
 * its own lockfile by a script `npm run ci` runs, and React's development build is used by one of the two.
 */
import { clone, exists, readJson, readText, readYaml } from './lib/repo';
import {
  RuntimeLock,
  RuntimePackage,
  runtimeGrafanaVersion,
  SHARED_GRAFANA_PACKAGES,
  VersionSources,
  versionProblems,
} from './lib/runtimes';

interface HarnessRuntimes {
  runtimes: Array<{ id: string; packages: string; react: string }>;
}

const { runtimes } = readJson<HarnessRuntimes>('e2e/harness/runtimes.json');
const separate = runtimes.filter((runtime) => runtime.packages !== '.');
const RUNTIME_13 = 'e2e/harness/runtime-13';

function sources(): VersionSources {
  const workflow = readYaml<{ jobs: Record<string, { strategy?: { matrix?: { grafana?: string[] } } }> }>(
    '.github/workflows/ci.yml'
  );
  return {
    dockerfile: readText('deploy/grafana/Dockerfile'),
    matrix: workflow.jobs['e2e-stack']?.strategy?.matrix?.grafana ?? [],
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
    const own = readJson<RuntimePackage>('package.json');
    const second = readJson<RuntimePackage>(`${RUNTIME_13}/package.json`);
    const minor = (v: string | undefined) => /(\d+\.\d+)\./.exec(v ?? '')?.[1];
    expect(minor(runtimeGrafanaVersion(second))).not.toBe(minor(own.dependencies?.['@grafana/ui']));
    expect(second.dependencies?.react).toMatch(/^19\.\d+\.\d+$/);
    expect(second.dependencies?.['react-dom']).toBe(second.dependencies?.react);
  });

  it('each separate runtime has its own lockfile, installed with npm ci by the script npm run ci runs before layer 1', () => {
    const scripts = readJson<{ scripts: Record<string, string> }>('package.json').scripts;
    for (const runtime of separate) {
      expect(exists(`${runtime.packages}/package-lock.json`)).toBe(true);
      expect(scripts['e2e:runtimes']).toContain(`npm ci --prefix ${runtime.packages}`);
    }
    const steps = scripts.ci.split('&&').map((step) => step.trim());
    expect(steps).toContain('npm run e2e:runtimes');
    expect(steps.indexOf('npm run e2e:runtimes')).toBeLessThan(steps.indexOf('npm run e2e:local'));
  });
});

describe("one Grafana line for the bundle's image, the second harness runtime and CI's stack matrix", () => {
  it('holds today', () => {
    expect(versionProblems(sources())).toEqual([]);
    // Exact pins, one release for all three packages.
    expect(runtimeGrafanaVersion(sources().runtimePackage)).toMatch(/^13\.\d+\.\d+$/);
  });

  it('fails when the image moves to another minor line without the runtime', () => {
    const moved = sources();
    moved.dockerfile = moved.dockerfile.replace(/^ARG GRAFANA_VERSION=\S+$/m, 'ARG GRAFANA_VERSION=13.3.0');
    moved.matrix = ['12.3.10', '13.3.0'];
    expect(versionProblems(moved)).toEqual([
      `the harness runtime runs @grafana/* ${runtimeGrafanaVersion(moved.runtimePackage)}, the bundle's image is Grafana 13.3.0`,
      `CI's stack matrix ["12.3.10","13.3.0"] tests no Grafana 13.2.x`,
    ]);
  });

  it('fails when the runtime pins differ between the @grafana packages, or float', () => {
    for (const pin of ['13.1.3', '^13.2.0']) {
      const mixed = sources();
      mixed.runtimePackage = clone(mixed.runtimePackage);
      mixed.runtimePackage.dependencies![SHARED_GRAFANA_PACKAGES[1]] = pin;
      expect(versionProblems(mixed)).toContain(
        'the harness runtime does not pin @grafana/data, @grafana/ui, @grafana/runtime to one exact release'
      );
    }
  });

  it('fails when the lockfile is out of step with the runtime package.json', () => {
    const stale = sources();
    stale.runtimeLock = clone(stale.runtimeLock);
    const version = runtimeGrafanaVersion(stale.runtimePackage);
    stale.runtimeLock.packages['node_modules/@grafana/ui'].version = '13.2.0';
    expect(versionProblems(stale)).toEqual([
      `the harness runtime lock resolves @grafana/ui to 13.2.0, package.json pins ${version}`,
    ]);
    delete stale.runtimeLock.packages['']?.dependencies?.react;
    expect(versionProblems(stale)).toContain(
      'the harness runtime package-lock.json is out of step with its package.json'
    );
  });
});
