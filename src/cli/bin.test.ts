/** @jest-environment node */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { INPUT_LIMIT_TEST_ENV } from './inputLimit';
import { REPO_ROOT, SMARTTHINGS } from './testing/fixtures';

const BIN = path.join(REPO_ROOT, 'bin/hotpath.js');

function spawnHotpath(bin: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(process.execPath, [bin, ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000, env });
}

/**
 * Runs the bundle with `args`, writing `chunk` to its stdin up to `maxChunks` times or until it stops reading.
 * Resolves with the exit status, stderr, and how many chunks it took.
 */
function feedHotpath(args: string[], env: NodeJS.ProcessEnv, chunk: Buffer, maxChunks: number) {
  return new Promise<{ status: number | null; stderr: string; written: number }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env });
    let stderr = '';
    let written = 0;
    let exited = false;
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString('utf8')));
    child.stdin.on('error', () => undefined); // EPIPE once the child stops reading: expected
    const writeMore = () => {
      while (!exited && written < maxChunks) {
        written++;
        if (!child.stdin.write(chunk)) {
          child.stdin.once('drain', writeMore);
          return;
        }
      }
      if (written >= maxChunks) {
        child.stdin.end();
      }
    };
    child.on('close', (status) => {
      exited = true;
      resolve({ status, stderr, written });
    });
    writeMore();
  });
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

  it('--version prints the version from package.json, written into the bundle at build time', () => {
    const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    const run = spawnHotpath(BIN, ['--version']);
    expect(run).toMatchObject({ status: 0, stdout: `hotpath ${version}\n`, stderr: '' });
  });

  it('fits the table to COLUMNS; piped without it, every column', () => {
    const args = ['analyze', path.relative(REPO_ROOT, SMARTTHINGS), '--top', '5'];
    const narrow = spawnHotpath(BIN, args, { ...process.env, COLUMNS: '80' });
    expect(narrow.status).toBe(0);
    expect(narrow.stdout.split('\n').filter((line) => line.length > 80)).toEqual([]);
    expect(narrow.stdout).toContain('(Hidden to fit 80 columns: ');
    const env = { ...process.env };
    delete env.COLUMNS;
    const piped = spawnHotpath(BIN, args, env);
    expect(Math.max(...piped.stdout.split('\n').map((line) => line.length))).toBeGreaterThan(150);
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

  it('stdin over the input cap: stops reading, exits 2 with the same message as a file over it', async () => {
    // The real cap is 2 GiB; the test lowers it (64 KiB) rather than feed gigabytes. Without the cap the child
    // would read all 64 MiB offered and report the NUL bytes as bad JSON.
    const limit = 64 * 1024;
    const env = { ...process.env, [INPUT_LIMIT_TEST_ENV]: String(limit) };
    const reason = 'the input is too large to read at once (over 65536 bytes); split it into several files';
    const nul = Buffer.alloc(16 * 1024);
    const fed = await feedHotpath(['analyze', '-'], env, nul, 4096);
    expect(fed.stderr).toBe(`hotpath: cannot read stdin: ${reason}\n`);
    expect(fed.status).toBe(2);
    expect(fed.written).toBeLessThan(4096);

    const dir = mkdtempSync(path.join(tmpdir(), 'hotpath-cap-'));
    try {
      const file = path.join(dir, 'nul.json');
      writeFileSync(file, Buffer.alloc(limit + 1));
      const run = spawnHotpath(BIN, ['analyze', file], env);
      expect(run.stderr).toBe(`hotpath: cannot read ${file}: ${reason}\n`);
      expect(run.status).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
