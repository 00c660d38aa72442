/**
 * LogQL literals, and filling trace-to-logs query templates so that a value from a trace (service name, tag, span
 * name, trace ID) can never change the shape of the query — only ever the text of one string.
 *
 * How Loki reads a string (grafana/loki `pkg/logql/syntax/lex.go` @014a277e, `query_scanner.go` @11c9b7ef; Prometheus
 * `util/strutil/quote.go` @07aa8db2): its copy of Go's
 * text/scanner ends a "…" literal at a raw newline ("literal not terminated") and rejects a raw NUL anywhere; the
 * token must be valid UTF-8; then Prometheus' `util/strutil.Unquote` (Go's `strconv.Unquote`, single quotes aside)
 * decodes `\a \b \f \n \r \t \v \\ \"`, octal `\NNN`, `\xHH` (one byte), `\uHHHH` and `\UHHHHHHHH`; any other escape
 * is a syntax error. A `…` raw literal is taken verbatim and cannot contain a backtick at all.
 */

/** Lone UTF-16 surrogates: they have no UTF-8 form (`encodeURIComponent` throws on them, Loki rejects them). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The value as Unicode text: lone surrogates (possible in JSON-decoded span data) become U+FFFD. */
export function wellFormed(value: string): string {
  return value.replace(LONE_SURROGATE, '\uFFFD');
}

const NAMED_ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * A LogQL double-quoted string literal that decodes to exactly `value`. Control characters (C0, DEL, C1) are
 * escaped, and so is the backtick (`\x60`), so that the literal can also stand inside a raw string as a Go
 * template's string argument — Grafana's trace-ID filter puts one in `label_format …=\`{{ contains "<id>" … }}\``.
 */
export function logqlString(value: string): string {
  const body = wellFormed(value).replace(/[\\"\u0000-\u001f`\u007f-\u009f]/g, (ch) => {
    const named = NAMED_ESCAPES[ch];
    if (named) {
      return named;
    }
    return ch === '`' ? '\\x60' : `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return `"${body}"`;
}

/**
 * `value` as an RE2 pattern matching exactly that text: Go's `regexp.QuoteMeta` set (`\.+*?()|[]{}^$`). Loki's
 * `=~`/`!~` matchers and `|~` filters compile RE2; the result still needs `logqlString` around it.
 */
export function regexLiteral(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/** A pre-built, already escaped piece of LogQL (e.g. the `${__tags}` matchers) that goes in as it is. */
export interface LogQlFragment {
  logql: string;
}
export type TemplateValue = string | LogQlFragment;

/** Where a variable stands in the template, which decides how its value is written. */
type Slot =
  | { in: 'bare' | 'comment' }
  /** `literal`: `=`, `!=`, `|=`, JSON paths…; `regex`: `=~ !~ |~`, `regexp`; `pattern`: `|> !>`, `pattern`;
   * `template`: `line_format`/`label_format` (Go templates). */
  | { in: 'string'; quote: '"' | '`'; role: 'literal' | 'regex' | 'pattern' | 'template' };

/** `$name`, `[[name]]`, `[[name:format]]`, `${name}`, `${name.path}`, `${name:format}` (Grafana's `variableRegex`). */
const VARIABLE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;

export interface FilledTemplate {
  text: string;
  /** Variables the template uses that have no value (written as they were). */
  missing: string[];
  /** Variables whose value cannot stand where the template puts it without changing the query. */
  refused: string[];
}

/**
 * Grafana's variable syntax (`$name`, `${name}`, `${name.path}`, `${name:format}`, `[[name]]`, as its template
 * service's `variableRegex`), for the scoped variables of a trace-to-logs query. `$$` is read as an escaped `$`, as
 * Grafana's provisioning does, so a query saved with the YAML escaping yields LogQL without a stray `$`.
 *
 * Unlike Grafana, which inserts values raw, each value is written for the place it stands in: inside "…" as string
 * text (regex-escaped first after `=~`, `!~`, `|~` or in `regexp`); inside `…` verbatim unless it holds a backtick;
 * outside any string only a plain word or number (`[A-Za-z0-9_.]+`); in a `line_format`/`label_format` template or
 * a `pattern`, only text free of the characters those languages give meaning to. A value that cannot be written
 * safely is listed in `refused` (the caller then offers no link, as for a missing variable). Formats are ignored.
 */
export function fillLogQlTemplate(template: string, vars: ReadonlyMap<string, TemplateValue>): FilledTemplate {
  const source = template.replace(/\$\$/g, '$');
  const found = [...source.matchAll(VARIABLE)];
  const slots = slotsOf(source, found);
  const missing: string[] = [];
  const refused: string[] = [];
  let text = '';
  let copied = 0;
  for (const match of found) {
    const [written, plain, bracketed, , braced, path] = match;
    const at = match.index ?? 0;
    const name = plain ?? bracketed ?? braced ?? '';
    const shown = path ? `${name}.${path}` : name;
    const value = vars.get(path ? `${name}.${normalisePath(path)}` : name);
    const out = value === undefined ? undefined : writeValue(value, slots.get(at) ?? { in: 'bare' });
    if (value === undefined) {
      missing.push(shown);
    } else if (out === undefined) {
      refused.push(shown);
    }
    text += source.slice(copied, at) + (out ?? written);
    copied = at + written.length;
  }
  text += source.slice(copied);
  return { text, missing, refused };
}

/** `tags["service.name"]` and `tags['x']` → `tags.service.name`, `tags.x`. */
function normalisePath(path: string): string {
  return path.replace(/\[\s*(["'])(.*?)\1\s*\]/g, '.$2').replace(/^\./, '');
}

const PLAIN_WORD = /^[A-Za-z0-9_.]+$/;
/** Go-template delimiters, quotes and escapes, and control characters: what a template value must not hold. */
const TEMPLATE_UNSAFE = /[{}"`\\\u0000-\u001f\u007f]/;

function writeValue(value: TemplateValue, slot: Slot): string | undefined {
  if (typeof value !== 'string') {
    return slot.in === 'bare' ? value.logql : writeValue(value.logql, slot);
  }
  const text = wellFormed(value);
  switch (slot.in) {
    case 'bare':
      return PLAIN_WORD.test(text) ? text : undefined;
    case 'comment':
      // A comment runs to the end of the line; a value must not end it.
      return /[\n\r]/.test(text) ? undefined : text;
    case 'string': {
      if (slot.role === 'template' && TEMPLATE_UNSAFE.test(text)) {
        return undefined;
      }
      if (slot.role === 'pattern' && /[<>]/.test(text)) {
        return undefined;
      }
      const content = slot.role === 'regex' ? regexLiteral(text) : text;
      if (slot.quote === '"') {
        return logqlString(content).slice(1, -1);
      }
      return /[`\u0000]/.test(content) ? undefined : content;
    }
  }
}

const TWO_CHAR_OPERATORS = new Set(['|=', '|~', '|>', '!=', '!~', '!>', '=~', '==', '>=', '<=']);
const REGEX_OPERATORS = new Set(['=~', '!~', '|~']);
const PATTERN_OPERATORS = new Set(['|>', '!>']);
const TEMPLATE_STAGES = new Set(['line_format', 'label_format']);

/**
 * For each variable in `source` (by its start offset), where it stands: a small LogQL lexer that knows strings,
 * comments, operators and pipeline stages — enough to tell which kind of literal a value lands in. Variables are
 * read as single tokens, so the quotes in `${__span.tags["k8s.pod.name"]}` do not open a string.
 */
function slotsOf(source: string, found: readonly RegExpMatchArray[]): Map<number, Slot> {
  const variables = new Map(found.map((m) => [m.index ?? 0, m[0].length]));
  const slots = new Map<number, Slot>();
  let state: Slot = { in: 'bare' };
  let stage = 'selector';
  let lastOperator = '';
  let afterPipe = false;
  let i = 0;
  while (i < source.length) {
    const variableLength = variables.get(i);
    if (variableLength !== undefined) {
      slots.set(i, state);
      i += variableLength;
      continue;
    }
    const ch = source[i];
    if (state.in === 'string') {
      if (state.quote === '"' && ch === '\\') {
        i += 2;
        continue;
      }
      if (ch === state.quote) {
        state = { in: 'bare' };
      }
      i++;
      continue;
    }
    if (state.in === 'comment') {
      if (ch === '\n') {
        state = { in: 'bare' };
      }
      i++;
      continue;
    }
    if (ch === '"' || ch === '`') {
      state = { in: 'string', quote: ch, role: stringRole(lastOperator, stage) };
      i++;
      continue;
    }
    if (ch === '#') {
      state = { in: 'comment' };
      i++;
      continue;
    }
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const two = source.slice(i, i + 2);
    if (TWO_CHAR_OPERATORS.has(two)) {
      lastOperator = two;
      afterPipe = false;
      i += 2;
      continue;
    }
    const word = /^[A-Za-z_]\w*/.exec(source.slice(i))?.[0];
    if (word) {
      const lower = word.toLowerCase();
      if (afterPipe) {
        stage = lower;
      }
      // `|= "a" or "b"`: the second string is still the line filter's operand.
      if (lower !== 'or' && lower !== 'and') {
        lastOperator = lower;
      }
      afterPipe = false;
      i += word.length;
      continue;
    }
    if (ch === '|') {
      afterPipe = true;
      stage = 'filter';
    } else if (ch === '{') {
      stage = 'selector';
    }
    lastOperator = ch;
    i++;
  }
  return slots;
}

function stringRole(lastOperator: string, stage: string): 'literal' | 'regex' | 'pattern' | 'template' {
  if (TEMPLATE_STAGES.has(stage)) {
    return 'template';
  }
  if (REGEX_OPERATORS.has(lastOperator) || stage === 'regexp') {
    return 'regex';
  }
  if (PATTERN_OPERATORS.has(lastOperator) || stage === 'pattern') {
    return 'pattern';
  }
  return 'literal';
}
