/** @jest-environment node */
/**
 * A plain `git clone` must pass its own tests: nothing tracked in the repository may read or cite a folder beside it
 * (the team's reference shelf beside it was once read in place).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

import { ROOT, repoPath } from './lib/repo';

/** Built from parts so that this file does not match itself. */
const OUTSIDE_REFERENCES = [
  ['..', 'shared'].join('/'),
  ['shared', 'fixtures'].join('/'),
  ['shared', 'schemas'].join('/'),
  ['shared', 'notes'].join('/'),
  ['work', 'shared'].join('/'),
];

function trackedTextFiles(): string[] {
  const listing = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return listing.split('\0').filter((file) => file !== '' && !file.endsWith('.png') && file !== 'package-lock.json');
}

describe('the repository stands on its own', () => {
  it('no tracked file refers to a folder beside the repository', () => {
    const offenders: string[] = [];
    for (const file of trackedTextFiles()) {
      let text: string;
      try {
        text = readFileSync(repoPath(file), 'utf8');
      } catch {
        continue; // listed but deleted in the work tree
      }
      for (const reference of OUTSIDE_REFERENCES) {
        if (text.includes(reference)) {
          offenders.push(`${file}: ${reference}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
