/** @jest-environment node */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { REPO_ROOT, SMARTTHINGS } from './testing/fixtures';

const BIN = path.join(REPO_ROOT, 'bin/hotpath.js');

function spawnHotpath(bin: string, args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
}

describe('bin/hotpath.js (the built bundle, as a process)', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts/build-cli.mjs')], { cwd: REPO_ROOT });
  }, 60_000);

  it('analyzes a file; a missing file exits 2 without a stack trace', () => {
    const ok = spawnHotpath(BIN, ['analyze', path.relative(REPO_ROOT, SMARTTHINGS)]);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/\n 1 {2}coreSrv {2}get \/login\/tokenauth {2,}8\.376 /);
    expect(ok.stdout).toContain('!! Coverage: 0.1 % of span time lies inside the analysed root windows');

    const missing = spawnHotpath(BIN, ['analyze', 'no-such-file.json']);
    expect(missing.status).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toBe('hotpath: cannot read no-such-file.json: no such file\n');
  });

  it('says how to build it when the bundle is missing', () => {
    const copy = mkdtempSync(path.join(tmpdir(), 'hotpath-bin-'));
    try {
      mkdirSync(path.join(copy, 'bin'));
      copyFileSync(BIN, path.join(copy, 'bin/hotpath.js'));
      const run = spawnHotpath(path.join(copy, 'bin/hotpath.js'), ['--help']);
      expect(run.status).toBe(1);
      expect(run.stderr).toBe('hotpath is not built: run `npm run build:cli`\n');
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
