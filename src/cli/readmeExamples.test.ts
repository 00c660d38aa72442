/** @jest-environment node */
/**
 * The README's CLI examples run as written on a plain clone: each `hotpath …` line of the CLI section's code block
 * (except the one that needs a live Jaeger) runs against the built bundle and succeeds.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { REPO_ROOT } from './testing/fixtures';

const BIN = path.join(REPO_ROOT, 'bin/hotpath.js');

/** Splits a shell line into words: plain words and double-quoted strings, up to a `#` comment. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  const pattern = /"([^"]*)"|(#.*$)|(\S+)/g;
  for (const match of line.matchAll(pattern)) {
    if (match[2] !== undefined) {
      break;
    }
    words.push(match[1] ?? match[3]);
  }
  return words;
}

function readmeCliExamples(): string[][] {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## The CLI'));
  const block = /```bash\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .split('\n')
    .filter((line) => line.startsWith('hotpath '))
    .map(shellWords);
}

describe("the README's CLI examples", () => {
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts/build-cli.mjs')], { cwd: REPO_ROOT });
  }, 60_000);

  const examples = readmeCliExamples();

  it('are found (the CLI section has its code block)', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
  });

  it.each(examples.map((words) => [words.join(' '), words]))('%s', (_line, words) => {
    const run = spawnSync(process.execPath, [BIN, ...words.slice(1)], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    // stderr may carry warnings (coverage), never an error or a stack trace.
    expect(run.stderr).not.toMatch(/^hotpath: (?!warning:)|\n\s+at /m);
    expect(run.status).toBe(0);
    expect(run.stdout.length).toBeGreaterThan(0);
  });
});
