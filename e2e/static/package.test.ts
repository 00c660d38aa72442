/** @jest-environment node */
/**
 * `npm run package` (scripts/package-plugin.mjs): the zip Grafana's tooling expects, unpacked and checked. The
 * script runs on a small stand-in for dist/ here (Jest runs before the build); `npm run ci` runs it on the real
 * dist/ after the build, where it checks the same layout itself.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { readJson, repoPath } from './lib/repo';

const SCRIPT = repoPath('scripts/package-plugin.mjs');
const VERSION = readJson<{ version: string }>('package.json').version;
const ID = 'hotpath-latency-app';

function standInDist(root: string, version = VERSION): string {
  const dist = join(root, 'dist');
  mkdirSync(join(dist, 'panels/hotspots'), { recursive: true });
  writeFileSync(join(dist, 'plugin.json'), JSON.stringify({ id: ID, info: { version } }));
  writeFileSync(join(dist, 'module.js'), 'define([], function () {});\n');
  writeFileSync(join(dist, 'panels/hotspots/plugin.json'), JSON.stringify({ id: 'hotpath-hotspots-panel' }));
  return dist;
}

function runPackage(dist: string, out: string) {
  return spawnSync(process.execPath, [SCRIPT, '--dist', dist, '--out', out], { encoding: 'utf8' });
}

describe('npm run package', () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'hotpath-package-test-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('writes <id>-<version>.zip with one folder named after the plugin id, and its SHA-1 and SHA-256', () => {
    const out = join(work, 'out');
    const run = runPackage(standInDist(work), out);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const zipName = `${ID}-${VERSION}.zip`;
    expect(readdirSync(out).sort()).toEqual([zipName, `${zipName}.sha1`, `${zipName}.sha256`]);

    const unpacked = join(work, 'unpacked');
    execFileSync('unzip', ['-q', join(out, zipName), '-d', unpacked]);
    expect(readdirSync(unpacked)).toEqual([ID]);
    expect(readdirSync(join(unpacked, ID)).sort()).toEqual(['module.js', 'panels', 'plugin.json']);
    expect(JSON.parse(readFileSync(join(unpacked, ID, 'panels/hotspots/plugin.json'), 'utf8')).id).toBe(
      'hotpath-hotspots-panel'
    );

    const bytes = readFileSync(join(out, zipName));
    for (const algorithm of ['sha1', 'sha256'] as const) {
      const digest = createHash(algorithm).update(bytes).digest('hex');
      expect(readFileSync(join(out, `${zipName}.${algorithm}`), 'utf8')).toBe(`${digest}  ${zipName}\n`);
    }
    // The digest files are what sha1sum/sha256sum -c read.
    expect(() => execFileSync('sha256sum', ['-c', `${zipName}.sha256`], { cwd: out })).not.toThrow();
  });

  it('refuses a dist/ built from another version, and a missing build, with a message', () => {
    const stale = runPackage(standInDist(work, '0.0.1'), join(work, 'out'));
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain(`dist/plugin.json has version 0.0.1, package.json ${VERSION}`);

    const missing = runPackage(join(work, 'nothing'), join(work, 'out'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('run `npm run build` first');
  });
});
