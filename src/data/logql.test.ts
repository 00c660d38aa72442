import fc from 'fast-check';

import { fillLogQlTemplate, logqlString, regexLiteral, wellFormed, type TemplateValue } from './logql';
import { parseLogQl, unquoteLoki } from './testing/logqlSyntax';

/** Any UTF-16 text, lone surrogates and control characters included (fixed seed: the same cases on every run). */
const anyText = fc.string({ unit: 'binary', maxLength: 40 });
const RUNS = { seed: 20_260_515, numRuns: 400 };

describe('logqlString', () => {
  it('is one string literal in Grafana’s grammar that Loki decodes back to the text', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const parsed = parseLogQl(`{a=${logqlString(text)}}`);
        expect(parsed.errors).toEqual([]);
        expect(parsed.clauses).toEqual([{ kind: 'matcher', name: 'a', op: '=', value: wellFormed(text) }]);
      }),
      RUNS
    );
  });

  it('writes quotes, backslashes, line breaks, control characters and backticks as escapes', () => {
    expect(logqlString('a"b\\c\nd\re\tf\u0000g\u001bh\u007fi\u0085j`k')).toBe(
      '"a\\"b\\\\c\\nd\\re\\tf\\u0000g\\u001bh\\u007fi\\u0085j\\x60k"'
    );
    expect(unquoteLoki(logqlString('é😀\u2028'))).toBe('é😀\u2028');
    expect(logqlString('x\uD800y\uDC00')).toBe('"x\uFFFDy\uFFFD"');
  });
});

describe('regexLiteral', () => {
  it('matches exactly the text and nothing else, as an anchored RE2 matcher', () => {
    fc.assert(
      fc.property(anyText, (raw) => {
        const text = wellFormed(raw);
        const decoded = unquoteLoki(logqlString(regexLiteral(text)));
        // The escaped set is Go's regexp.QuoteMeta; for these escapes JS (u flag) and RE2 agree.
        const re = new RegExp(`^(?:${decoded})$`, 'su');
        expect(re.test(text)).toBe(true);
        expect(re.test(`${text}x`)).toBe(false);
      }),
      RUNS
    );
  });
});

describe('fillLogQlTemplate', () => {
  const vars = new Map<string, TemplateValue>([
    ['__tags', { logql: 'a="1"' }],
    ['__span.tags.service.name', 'svc'],
  ]);

  it('supports ${x}, $x, [[x]], ${x:format} and bracketed tag paths, and lists what it cannot fill', () => {
    expect(fillLogQlTemplate('{${__tags}} |= "${__span.tags["service.name"]} [[__tags]]" != `$__tags`', vars)).toEqual({
      text: '{a="1"} |= "svc a=\\"1\\"" != `a="1"`',
      missing: [],
      refused: [],
    });
    expect(fillLogQlTemplate('{${__tags:raw}} |= "${__span.spanId}" | x="$other"', vars)).toEqual({
      text: '{a="1"} |= "${__span.spanId}" | x="$other"',
      missing: ['__span.spanId', 'other'],
      refused: [],
    });
  });

  it('reads the operator and the pipeline stage before each string', () => {
    const v = new Map([['v', 'a.b']]);
    const fill = (template: string) => fillLogQlTemplate(template, v).text;
    expect(fill('{x=~"$v", y="$v", z!~"$v"}')).toBe('{x=~"a\\\\.b", y="a.b", z!~"a\\\\.b"}');
    expect(fill('{x="1"} |~ "$v" or "$v" |= "$v" != "$v" | regexp `(?P<n>$v)`')).toBe(
      '{x="1"} |~ "a\\\\.b" or "a\\\\.b" |= "a.b" != "a.b" | regexp `(?P<n>a\\.b)`'
    );
    expect(fill('{x="1"} | json k="$v" | k=~"$v" or k="$v"')).toBe('{x="1"} | json k="a.b" | k=~"a\\\\.b" or k="a.b"');
  });
});
