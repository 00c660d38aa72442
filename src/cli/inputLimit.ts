/**
 * How many bytes one input (a file, or standard input) may have: the same cap, and the same message, whichever
 * way the bytes arrive.
 *
 * Why 2 GiB − 1: it is the most `fs.readFile` reads (Node's kIoMaxLength), and past 2^31 bytes V8 stops coping:
 * `TextDecoder` returns an empty string for larger buffers (so 2.5 GB of NUL bytes read as "the input is empty"),
 * and unbounded stdin aborted the process with `Check failed: i::kMaxInt >= len` (issue #11).
 */
export const MAX_INPUT_BYTES = 2 ** 31 - 1;

/**
 * A lower cap for tests, which cannot feed a child process gigabytes. Read only as an override that lowers the
 * cap: it can never raise it above `MAX_INPUT_BYTES`. Not documented for users.
 */
export const INPUT_LIMIT_TEST_ENV = 'HOTPATH_TEST_MAX_INPUT_BYTES';

/** The cap in force: `MAX_INPUT_BYTES`, or the test override when it is a smaller whole number. */
export function inputByteLimit(env: Record<string, string | undefined> = process.env): number {
  const override = env[INPUT_LIMIT_TEST_ENV];
  if (override === undefined || !/^\d+$/.test(override)) {
    return MAX_INPUT_BYTES;
  }
  return Math.min(Number(override), MAX_INPUT_BYTES);
}

/** One input holds more than `limit` bytes; reading stopped there. */
export class InputTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the input is too large to read at once (over ${sizeText(limit)}); split it into several files`);
    this.name = 'InputTooLargeError';
  }
}

function sizeText(bytes: number): string {
  const gib = 2 ** 30;
  return bytes >= gib ? `${Math.round(bytes / gib)} GB` : `${bytes} bytes`;
}

/** What stdin looks like to us: Node's `process.stdin`, or any stream of chunks in tests. */
export type ChunkSource = AsyncIterable<string | Uint8Array>;

/**
 * All of `stream` as one buffer, counting bytes as they arrive: past `limit` it stops reading (the stream is
 * closed) and throws `InputTooLargeError`, so an endless or huge stdin costs at most `limit` bytes of memory.
 */
export async function readChunks(stream: ChunkSource, limit: number = inputByteLimit()): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of stream) {
    // Kept as they are (no copy): Node hands each chunk over for good.
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    length += bytes.length;
    if (length > limit) {
      throw new InputTooLargeError(limit); // leaving the loop closes the stream
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, length);
}
