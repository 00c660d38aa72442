import { printable } from './printable';

describe('printable', () => {
  it('leaves ordinary text alone, including non-Latin scripts, emoji and backslashes', () => {
    for (const text of ['GET /api/visits', 'Привет мир', 'שלום', '支付', 'café 😀', 'a\\u0000b', '']) {
      expect(printable(text)).toBe(text);
    }
  });

  it('escapes control characters, bidi controls and lone surrogates', () => {
    expect(printable('a\u0000b')).toBe('a\\u0000b');
    expect(printable('\u001b[2Jcleared')).toBe('\\u001b[2Jcleared');
    expect(printable('line\r\nnext\ttab')).toBe('line\\r\\nnext\\ttab');
    expect(printable('\u0085\u009b\u007f')).toBe('\\u0085\\u009b\\u007f');
    expect(printable('admin\u202e\u2066txt.exe')).toBe('admin\\u202e\\u2066txt.exe');
    expect(printable('\u200f\u200e\u061c')).toBe('\\u200f\\u200e\\u061c');
    expect(printable('x\ud800y\udc00z')).toBe('x\\ud800y\\udc00z');
    expect(printable('pair \ud83d\ude00 ok')).toBe('pair \ud83d\ude00 ok');
  });

  it('is idempotent', () => {
    const hostile = '\u0000\u202e\ud800\n\u001b';
    expect(printable(printable(hostile))).toBe(printable(hostile));
  });
});
