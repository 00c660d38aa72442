/** @jest-environment node */
import fc from 'fast-check';

import { BytePattern, JsonScanner } from './jsonScanner';

describe('JsonScanner.matches (four bytes at a time)', () => {
  const naive = (bytes: Uint8Array, at: number, word: string) =>
    at >= 0 && at + word.length <= bytes.length && [...word].every((ch, k) => bytes[at + k] === ch.charCodeAt(0));

  it('agrees with a byte-by-byte comparison at every position, up to the last byte and past it', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[ab"{:,]{0,24}$/),
        fc.stringMatching(/^[ab"{:,]{1,13}$/),
        fc.nat({ max: 7 }),
        (text, word, offset) => {
          // The input sits at an offset inside a larger buffer, as Node's pooled and reused buffers do.
          const backing = new Uint8Array(offset + text.length + 8).fill(0x61);
          const bytes = backing.subarray(offset, offset + text.length);
          bytes.set(Array.from(text, (ch) => ch.charCodeAt(0)));
          const scanner = new JsonScanner(bytes);
          const pattern = new BytePattern(word);
          for (let at = -1; at <= text.length + 1; at++) {
            expect(scanner.matches(at, pattern)).toBe(naive(bytes, at, word));
          }
        }
      )
    );
  });

  it('finds a pattern that is the whole input, and not one a byte longer', () => {
    const bytes = new TextEncoder().encode('{"key":"');
    const scanner = new JsonScanner(bytes);
    expect(scanner.matches(0, new BytePattern('{"key":"'))).toBe(true);
    expect(scanner.matches(0, new BytePattern('{"key":"x'))).toBe(false);
    expect(scanner.matches(1, new BytePattern('"key":"'))).toBe(true);
  });
});
