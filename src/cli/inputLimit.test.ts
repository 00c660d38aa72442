/** @jest-environment node */
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { FileBytesReader } from './fileBytes';
import { INPUT_LIMIT_TEST_ENV, inputByteLimit, InputTooLargeError, MAX_INPUT_BYTES, readChunks } from './inputLimit';

const CHUNK = Buffer.alloc(64 * 1024 * 1024);

/** Yields the same 64 MiB chunk `count` times (no gigabytes allocated) and records how far it was read. */
function repeatedChunks(count: number) {
  const seen = { pulled: 0, closed: false };
  async function* chunks() {
    try {
      for (; seen.pulled < count;) {
        seen.pulled++;
        yield CHUNK;
      }
    } finally {
      seen.closed = true;
    }
  }
  return { seen, stream: chunks() };
}

describe('the input cap', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hotpath-limit-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is 2 GiB − 1 for files and stdin alike; the test override only lowers it', () => {
    expect(MAX_INPUT_BYTES).toBe(2 ** 31 - 1);
    expect(inputByteLimit({})).toBe(MAX_INPUT_BYTES);
    expect(new FileBytesReader().limit).toBe(inputByteLimit());
    expect(inputByteLimit({ [INPUT_LIMIT_TEST_ENV]: '1000' })).toBe(1000);
    expect(inputByteLimit({ [INPUT_LIMIT_TEST_ENV]: String(2 ** 40) })).toBe(MAX_INPUT_BYTES);
    expect(inputByteLimit({ [INPUT_LIMIT_TEST_ENV]: '-5' })).toBe(MAX_INPUT_BYTES);
    expect(inputByteLimit({ [INPUT_LIMIT_TEST_ENV]: '1e3' })).toBe(MAX_INPUT_BYTES);
  });

  it('stops reading stdin as soon as it passes the real cap, with the same message as a file over it', async () => {
    // 32 × 64 MiB = 2 GiB: one byte over the cap. Buffers are only referenced, never copied, until the end.
    const { seen, stream } = repeatedChunks(1000);
    const stdinError = await readChunks(stream).catch((error: unknown) => error);
    expect(stdinError).toBeInstanceOf(InputTooLargeError);
    expect(seen.pulled).toBe(32);
    expect(seen.closed).toBe(true);

    // A sparse file of the same size costs no disk; the size check refuses it before reading.
    const path = join(dir, 'huge.json');
    const fd = openSync(path, 'w');
    ftruncateSync(fd, 2 ** 31);
    closeSync(fd);
    let fileError: unknown;
    try {
      new FileBytesReader().read(path);
    } catch (error) {
      fileError = error;
    }
    expect(fileError).toBeInstanceOf(InputTooLargeError);
    expect((fileError as Error).message).toBe((stdinError as Error).message);
    expect((stdinError as Error).message).toBe(
      'the input is too large to read at once (over 2 GB); split it into several files'
    );
  });

  it('reads an input of exactly the cap, and refuses one byte more (stdin and files)', async () => {
    const text = 'x'.repeat(100);
    await expect(readChunks(toAsync([text.slice(0, 60), text.slice(60)]), 100)).resolves.toHaveLength(100);
    await expect(readChunks(toAsync([text, '!']), 100)).rejects.toThrow('(over 100 bytes)');
    const exact = join(dir, 'exact.json');
    writeFileSync(exact, text);
    expect(new FileBytesReader(100).read(exact)).toHaveLength(100);
    writeFileSync(exact, text + '!');
    expect(() => new FileBytesReader(100).read(exact)).toThrow(new InputTooLargeError(100).message);
  });

  it('caps files whose size stat does not know (read to the end, never past the cap)', () => {
    // /proc files report size 0, as pipes do; this one is longer than 64 bytes.
    expect(() => new FileBytesReader(64).read('/proc/self/status')).toThrow(InputTooLargeError);
  });
});

async function* toAsync(chunks: string[]) {
  yield* chunks;
}
