/** @jest-environment node */
import fc from 'fast-check';

import { compactJson, looksIndented } from './compactJson';

const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array | null) => (bytes === null ? null : new TextDecoder().decode(bytes));

describe('compactJson', () => {
  it('gives exactly JSON.stringify without indentation for any indented document', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(1, 2, '\t', ' \r\n '), (value, indent) => {
        const pretty = JSON.stringify(value, null, indent);
        expect(decode(compactJson(encode(pretty)))).toBe(JSON.stringify(value));
      })
    );
  });

  it('keeps white space, quotes and backslashes inside strings', () => {
    const text = '{ "a b" : "x \\" y \\\\" , "c":[ "\\\\", 1 ] }';
    expect(decode(compactJson(encode(text)))).toBe('{"a b":"x \\" y \\\\","c":["\\\\",1]}');
    expect(JSON.parse(decode(compactJson(encode(text))) ?? '')).toEqual(JSON.parse(text));
  });

  it('gives up where dropping white space would merge two bare tokens (and so hide invalid JSON)', () => {
    for (const invalid of ['[1 2]', '[tr ue]', '[- 1]', '[1 .5]', '{"a": nu ll}', '[1\n2]']) {
      expect(compactJson(encode(invalid))).toBeNull();
    }
    expect(decode(compactJson(encode('[1 , 2]')))).toBe('[1,2]');
  });

  it('is asked only for documents that start indented', () => {
    expect(looksIndented(encode('{\n "data": []}'))).toBe(true);
    expect(looksIndented(encode('  [ 1]'))).toBe(true);
    expect(looksIndented(encode('{"data": []}'))).toBe(false);
    expect(looksIndented(encode(''))).toBe(false);
  });
});
