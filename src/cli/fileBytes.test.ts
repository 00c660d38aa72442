/** @jest-environment node */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { FileBytesReader } from './fileBytes';

describe('FileBytesReader', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hotpath-bytes-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, bytes: Uint8Array | string) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };

  it('returns each file exactly, whatever the sizes before it (one buffer reused)', () => {
    const big = new Uint8Array(200_000).map((_, i) => (i * 7) % 251);
    const paths = [
      file('small.json', '{"data":[]}'),
      file('big.bin', big),
      file('empty.json', ''),
      file('middle.json', 'x'.repeat(70_000)),
    ];
    const reader = new FileBytesReader();
    for (const path of [...paths, ...[...paths].reverse()]) {
      expect(Buffer.from(reader.read(path)).equals(readFileSync(path))).toBe(true);
    }
  });

  it('reads files whose size stat does not know', () => {
    // /proc files report size 0 but have content (as do pipes): the reader must read to the end anyway.
    const reader = new FileBytesReader();
    const text = Buffer.from(reader.read('/proc/self/status')).toString('utf8');
    expect(text).toMatch(/^Name:/);
  });

  it('fails like readFile: missing files and directories', () => {
    const reader = new FileBytesReader();
    expect(() => reader.read(join(dir, 'nope.json'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => reader.read(dir)).toThrow(expect.objectContaining({ code: 'EISDIR' }));
  });
});
