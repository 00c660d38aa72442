import { parser } from '@grafana/lezer-logql';
import type { SyntaxNode } from '@lezer/common';

/**
 * Test-only: a LogQL query as Grafana's own grammar (@grafana/lezer-logql, the parser behind Grafana's Loki query
 * editor) reads it, reduced to the clauses that decide which lines are selected — so a test can say "exactly these
 * matchers and filters, with exactly these values", whatever characters the values hold.
 */
export interface Clause {
  /** `matcher`: in the stream selector; `label`: a label filter stage; `line`: a line filter (`or` alternatives
   * are separate clauses); `label_format`: a `label_format` assignment; `parser`: `regexp`/`pattern`/`json`… */
  kind: 'matcher' | 'label' | 'line' | 'label_format' | 'parser';
  name?: string;
  op?: string;
  /** The string's value, decoded as Loki decodes it. */
  value: string;
}

export interface ParsedLogQl {
  /** Error nodes in the tree (a query Grafana's editor would mark as broken). */
  errors: string[];
  clauses: Clause[];
}

export function parseLogQl(query: string): ParsedLogQl {
  const errors: string[] = [];
  const clauses: Clause[] = [];
  const text = (node: SyntaxNode) => query.slice(node.from, node.to);
  parser.parse(query).iterate({
    enter(ref) {
      if (ref.type.isError) {
        errors.push(`${ref.from}: ${JSON.stringify(query.slice(ref.from, ref.to + 1))}`);
        return;
      }
      const node = ref.node;
      switch (ref.name) {
        case 'Matcher': {
          const inSelector = hasAncestor(node, 'Selector');
          const [name, op, value] = [node.firstChild, node.firstChild?.nextSibling, node.lastChild];
          if (name && op && value?.name === 'String') {
            clauses.push({
              kind: inSelector ? 'matcher' : 'label',
              name: text(name),
              op: text(op),
              value: unquoteLoki(text(value)),
            });
          }
          return false;
        }
        case 'LineFilter': {
          const op = node.getChild('Filter');
          for (const s of stringsUnder(node)) {
            clauses.push({ kind: 'line', op: op ? text(op) : '?', value: unquoteLoki(text(s)) });
          }
          return false;
        }
        case 'LabelFormatMatcher': {
          const name = node.firstChild;
          const value = node.lastChild;
          if (name && value?.name === 'String') {
            clauses.push({ kind: 'label_format', name: text(name), value: unquoteLoki(text(value)) });
          }
          return false;
        }
        case 'LineFormatExpr':
        case 'LabelParser':
        case 'JsonExpressionParser':
        case 'LogfmtExpressionParser': {
          for (const s of stringsUnder(node)) {
            clauses.push({ kind: 'parser', name: text(node.firstChild ?? node), value: unquoteLoki(text(s)) });
          }
          return false;
        }
        default:
          return undefined;
      }
    },
  });
  return { errors, clauses };
}

function hasAncestor(node: SyntaxNode, name: string): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.name === name) {
      return true;
    }
  }
  return false;
}

function stringsUnder(node: SyntaxNode): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  const cursor = node.cursor();
  while (cursor.next() && cursor.from < node.to) {
    if (cursor.name === 'String') {
      found.push(cursor.node);
    }
  }
  return found;
}

const SIMPLE_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34 };

/**
 * A LogQL string literal's value, by the rules Loki applies (Prometheus `util/strutil.Unquote`, i.e. Go's
 * `strconv.Unquote` for "…" and `…`): `\xHH` and octal escapes are single bytes, the result must be UTF-8. Throws
 * where Loki would answer with a parse error.
 */
export function unquoteLoki(literal: string): string {
  const quote = literal[0];
  if (literal.length < 2 || literal[literal.length - 1] !== quote) {
    throw new Error(`not a closed literal: ${literal}`);
  }
  const body = literal.slice(1, -1);
  if (quote === '`') {
    if (body.includes('`')) {
      throw new Error('backtick inside a raw string');
    }
    return body;
  }
  if (quote !== '"' || body.includes('\n') || body.includes('\u0000')) {
    throw new Error(`not a valid "…" literal: ${JSON.stringify(literal)}`);
  }
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < body.length;) {
    const ch = body[i];
    if (ch === '"') {
      throw new Error('unescaped quote');
    }
    if (ch !== '\\') {
      const cp = body.codePointAt(i) ?? 0;
      const char = String.fromCodePoint(cp);
      bytes.push(...encoder.encode(char));
      i += char.length;
      continue;
    }
    const e = body[i + 1];
    if (e !== undefined && e in SIMPLE_ESCAPES) {
      bytes.push(SIMPLE_ESCAPES[e]);
      i += 2;
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 2, i + 2 + n);
      if (!new RegExp(`^[0-9A-Fa-f]{${n}}$`).test(hex)) {
        throw new Error(`bad \\${e} escape`);
      }
      const v = parseInt(hex, 16);
      if (e === 'x') {
        bytes.push(v);
      } else {
        bytes.push(...encoder.encode(String.fromCodePoint(v)));
      }
      i += 2 + n;
    } else if (e !== undefined && /[0-7]/.test(e)) {
      const oct = body.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(oct) || parseInt(oct, 8) > 255) {
        throw new Error('bad octal escape');
      }
      bytes.push(parseInt(oct, 8));
      i += 4;
    } else {
      throw new Error(`unknown escape \\${e ?? ''}`);
    }
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
}

/**
 * What a Go `regexp.QuoteMeta`-quoted pattern matches literally: the text with each `\<punctuation>` unescaped.
 * Throws if the pattern holds an unescaped metacharacter (then it is not a literal at all).
 */
export function unquoteRegexLiteral(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      out += pattern[++i] ?? '';
    } else if ('.+*?()|[]{}^$'.includes(ch)) {
      throw new Error(`unescaped regex metacharacter ${ch} in ${pattern}`);
    } else {
      out += ch;
    }
  }
  return out;
}
