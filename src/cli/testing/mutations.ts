import fc from 'fast-check';

/**
 * Test-only: hostile variations of recorded trace files for the fuzz suite (src/cli/fuzz.test.ts). A case is a
 * fixture, a layout, a few structural edits of its JSON and a few byte-level edits of the serialised text — the
 * review's method in issue #11 (truncation, flipped bytes, deleted keys, duplicated spans, absurd numbers, deep
 * nesting, long strings, hostile Unicode), made repeatable by fast-check's seed.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Where a node sits: the keys and indexes from the document's root. */
type Path = Array<string | number>;

/** A value put in place of a node, as JSON text (so that NaN, 1e999 and deep nesting can be written at all). */
const HOSTILE_NUMBERS = [
  '1e308',
  '-1e308',
  '1e999',
  '-1e999',
  '-1',
  '0',
  '-0',
  '1e-320',
  '9223372036854775807',
  '18446744073709551616',
  '9'.repeat(400),
  '"NaN"',
  'NaN',
  '"Infinity"',
  '"-5"',
  '"1e308"',
  '"999999999999999999999999999999"',
  'null',
  'true',
  '{}',
  '[]',
];

/** Strings that have broken text handling somewhere: controls, bidi, surrogates, BOM, separators, escapes. */
const HOSTILE_TEXT = [
  '',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\udc00\ud800y',
  '\u202eevil\u202c',
  '\u200f\u061c\u2066',
  '\ufeff',
  '\u2028\u2029',
  '\u001b[2J\u001b[31m',
  'e\u0301\u0301\u0301',
  '😀',
  '__proto__',
  'constructor',
  'toString',
  '\\',
  '"',
  '\n\r\t',
];

/** Byte sequences that are not (or not quite) UTF-8 or JSON. */
const HOSTILE_BYTES: number[][] = [
  [0x00],
  [0xff],
  [0xc0, 0x80], // overlong NUL
  [0xed, 0xa0, 0x80], // a surrogate encoded as UTF-8 (CESU)
  [0xef, 0xbb, 0xbf], // BOM
  [0xe2, 0x80, 0xae], // U+202E RIGHT-TO-LEFT OVERRIDE
  [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
  [0x5c], // a lone backslash
  [0x22], // a quote
  [0x7b],
  [0x5d],
  [0x2c],
  [0x20], // white space: moves a span from Jaeger's compact layout to the general walk
  [0x0a],
];

interface NodeChoice {
  index: number;
  focus: boolean;
}

export type StructuralEdit =
  | { kind: 'delete-key'; node: NodeChoice }
  | { kind: 'duplicate-element'; node: NodeChoice; times: number }
  | { kind: 'replace'; node: NodeChoice; text: string }
  | { kind: 'long-string'; node: NodeChoice; length: number }
  | { kind: 'hostile-text'; node: NodeChoice; text: string; asKey: boolean }
  | { kind: 'deep-nesting'; node: NodeChoice; depth: number; brace: boolean }
  /** The member again, later in the same object, with another value (JSON.parse keeps the last). */
  | { kind: 'duplicate-member'; node: NodeChoice; text: string | null }
  /** The member's key written with `\u` escapes: the same document, spelled differently. */
  | { kind: 'escape-key'; node: NodeChoice }
  /** A whole number written as `<n>.0e0` or `<n>E+0`: the same value, spelled differently. */
  | { kind: 'respell-number'; node: NodeChoice; exponent: boolean };

export type ByteEdit =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'insert'; at: number; bytes: number[] };

export interface Layout {
  /** JSON.stringify's indent: 0 = compact (Jaeger's own), 2 = indented, '\t' = tabs. */
  indent: 0 | 2 | '\t';
  bom: boolean;
}

export interface Mutation {
  layout: Layout;
  structural: StructuralEdit[];
  bytes: ByteEdit[];
}

/**
 * Which node an edit applies to: an index into the document's nodes, taken modulo their number. Half of the time
 * among the nodes the engine reads (`FIELDS`), where an edit changes the analysis rather than a skipped tag.
 */
const node = fc.record({ index: fc.nat(), focus: fc.boolean() });
const codeUnit = fc.nat(0xffff).map((code) => String.fromCharCode(code));

/** Keys whose values (or whose subtrees) the readers use, in every format. */
const FIELDS = new Set([
  'data',
  'spans',
  'traceID',
  'spanID',
  'parentSpanID',
  'operationName',
  'references',
  'refType',
  'startTime',
  'duration',
  'processID',
  'processes',
  'process',
  'serviceName',
  'tags',
  'key',
  'value',
  'resourceSpans',
  'scopeSpans',
  'resource',
  'attributes',
  'traceId',
  'spanId',
  'parentSpanId',
  'links',
  'name',
  'kind',
  'status',
  'code',
  'startTimeUnixNano',
  'endTimeUnixNano',
  'stringValue',
  'intValue',
  'frames',
  'schema',
  'fields',
  'values',
]);

const structuralEdit: fc.Arbitrary<StructuralEdit> = fc.oneof(
  fc.record({ kind: fc.constant('delete-key' as const), node }),
  fc.record({ kind: fc.constant('duplicate-element' as const), node, times: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('replace' as const), node, text: fc.constantFrom(...HOSTILE_NUMBERS) }),
  fc.record({ kind: fc.constant('long-string' as const), node, length: fc.integer({ min: 1000, max: 200_000 }) }),
  fc.record({
    kind: fc.constant('hostile-text' as const),
    node,
    // Any UTF-16 code units, lone surrogates included.
    text: fc.oneof(fc.constantFrom(...HOSTILE_TEXT), fc.string({ unit: codeUnit, maxLength: 12 })),
    asKey: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('duplicate-member' as const),
    node,
    text: fc.option(fc.constantFrom(...HOSTILE_NUMBERS, '"other"')),
  }),
  fc.record({ kind: fc.constant('escape-key' as const), node }),
  fc.record({ kind: fc.constant('respell-number' as const), node, exponent: fc.boolean() }),
  fc.record({
    kind: fc.constant('deep-nesting' as const),
    node,
    depth: fc.integer({ min: 100, max: 20_000 }),
    brace: fc.boolean(),
  })
);

/** Positions are fractions of the text's length (uniform, not biased to the ends), so one case fits any fixture. */
const position = fc.noBias(fc.integer({ min: 0, max: 999_999 })).map((n) => n / 1_000_000);

const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({ kind: fc.constant('flip' as const), at: position, mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.constantFrom(...HOSTILE_BYTES) })
);

export const mutation: fc.Arbitrary<Mutation> = fc.record({
  layout: fc.record({ indent: fc.constantFrom(0 as const, 2 as const, '\t' as const), bom: fc.boolean() }),
  structural: fc.array(structuralEdit, { maxLength: 3 }),
  // Mostly well-formed JSON (the engine's own rules get exercised); sometimes broken bytes.
  bytes: fc.oneof(
    { weight: 3, arbitrary: fc.constant<ByteEdit[]>([]) },
    { weight: 2, arbitrary: fc.array(byteEdit, { minLength: 1, maxLength: 3 }) }
  ),
});

/** Stands for text put in after serialising (the n-th entry of `textual`), as a value or as a key. */
const placeholder = (n: number) => `\u0000hotpath-fuzz-${n}\u0000`;

/**
 * Applies `m` to the parsed fixture `document`; returns the bytes a user would feed `hotpath analyze`. `lines`:
 * the document is an array of JSON-lines documents, written back one (compact) line each.
 */
export function mutate(document: Json, m: Mutation, lines = false): Uint8Array {
  let root = structuredClone(document);
  // Replacements that cannot be a JSON value (NaN, 1e999, deep nesting) go in as text after serialising.
  const textual: string[] = [];
  for (const edit of m.structural) {
    root = applyStructural(root, edit, textual);
  }
  const indent = m.layout.indent === 0 ? undefined : m.layout.indent;
  let text =
    lines && Array.isArray(root)
      ? root.map((line) => JSON.stringify(line)).join('\n')
      : JSON.stringify(root, null, indent);
  textual.forEach((replacement, n) => {
    text = text.replace(JSON.stringify(placeholder(n)), () => replacement);
  });
  let bytes: Uint8Array = new TextEncoder().encode((m.layout.bom ? '\ufeff' : '') + text);
  for (const edit of m.bytes) {
    bytes = applyBytes(bytes, edit);
  }
  return bytes;
}

function applyStructural(root: Json, edit: StructuralEdit, textual: string[]): Json {
  const all = nodePaths(root);
  const paths = edit.node.focus ? all.filter((p) => FIELDS.has(String(p[p.length - 1]))) : all;
  const pick = <T>(from: T[]): T | undefined => (from.length > 0 ? from[edit.node.index % from.length] : undefined);
  const path = pick(paths) ?? [];
  const target = get(root, path);
  switch (edit.kind) {
    case 'delete-key': {
      // A focused edit deletes a field the readers use; otherwise any key of any object.
      const owner = edit.node.focus ? path.slice(0, -1) : pick(all.filter((p) => isObject(get(root, p))));
      const object = owner !== undefined ? get(root, owner) : undefined;
      if (isObject(object)) {
        const key = edit.node.focus ? String(path[path.length - 1]) : pick(Object.keys(object));
        if (key !== undefined) {
          delete object[key];
        }
      }
      return root;
    }
    case 'duplicate-element': {
      const arrays = (edit.node.focus ? paths : all).filter((p) => {
        const value = get(root, p);
        return Array.isArray(value) && value.length > 0;
      });
      const arrayPath = pick(arrays);
      if (arrayPath !== undefined) {
        const array = get(root, arrayPath) as Json[];
        const k = edit.node.index % array.length;
        array.splice(k, 0, ...Array.from({ length: edit.times }, () => structuredClone(array[k])));
      }
      return root;
    }
    case 'replace':
      return set(root, path, later(textual, edit.text));
    case 'long-string':
      return set(root, path, 'x'.repeat(edit.length));
    case 'hostile-text':
      if (edit.asKey && isObject(target)) {
        const key = pick(Object.keys(target));
        if (key !== undefined) {
          const value = target[key];
          delete target[key];
          // defineProperty: `target['__proto__'] = …` would set the prototype instead of a key.
          Object.defineProperty(target, edit.text, { value, enumerable: true, writable: true, configurable: true });
        }
        return root;
      }
      return set(root, path, typeof target === 'string' ? target + edit.text : edit.text);
    case 'deep-nesting': {
      const [open, close] = edit.brace ? ['{"a":', '}'] : ['[', ']'];
      return set(
        root,
        path,
        later(textual, open.repeat(edit.depth) + JSON.stringify(target ?? null) + close.repeat(edit.depth))
      );
    }
    case 'duplicate-member':
    case 'escape-key': {
      const ownerPath = path.slice(0, -1);
      const owner = get(root, ownerPath);
      const key = path[path.length - 1];
      if (!isObject(owner) || typeof key !== 'string') {
        return root;
      }
      const escaped = JSON.stringify(key).replace(
        /[A-Za-z]/,
        (letter) => `\\u${letter.charCodeAt(0).toString(16).padStart(4, '0')}`
      );
      if (edit.kind === 'escape-key') {
        // Same position, same value: only the key's spelling changes.
        const entries = Object.entries(owner).map(([k, v]) => [k === key ? later(textual, escaped) : k, v] as const);
        return set(root, ownerPath, Object.fromEntries(entries));
      }
      const value = edit.text === null ? structuredClone(owner[key]) : later(textual, edit.text);
      Object.defineProperty(owner, later(textual, JSON.stringify(key)), {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      return root;
    }
    case 'respell-number':
      // Whole numbers only: their decimal text is exact, so both spellings mean the same value.
      if (typeof target !== 'number' || !Number.isSafeInteger(target)) {
        return root;
      }
      return set(root, path, later(textual, edit.exponent ? `${target}E+0` : `${target}.0e0`));
  }
}

/** A placeholder for `text`, which replaces it (quotes included) once the document is serialised. */
function later(textual: string[], text: string): string {
  textual.push(text);
  return placeholder(textual.length - 1);
}

function applyBytes(bytes: Uint8Array, edit: ByteEdit): Uint8Array {
  const at = Math.floor(edit.at * bytes.length);
  switch (edit.kind) {
    case 'truncate':
      return bytes.subarray(0, at);
    case 'flip': {
      const copy = bytes.slice();
      if (at < copy.length) {
        copy[at] ^= edit.mask;
      }
      return copy;
    }
    case 'insert': {
      const out = new Uint8Array(bytes.length + edit.bytes.length);
      out.set(bytes.subarray(0, at));
      out.set(edit.bytes, at);
      out.set(bytes.subarray(at), at + edit.bytes.length);
      return out;
    }
  }
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every node's path, the root first, in document order. */
function nodePaths(root: Json): Path[] {
  const paths: Path[] = [];
  const stack: Array<{ value: Json; path: Path }> = [{ value: root, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    paths.push(path);
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        stack.push({ value: value[i], path: [...path, i] });
      }
    } else if (isObject(value)) {
      for (const key of Object.keys(value).reverse()) {
        stack.push({ value: value[key], path: [...path, key] });
      }
    }
  }
  return paths;
}

function get(root: Json, path: Path): Json | undefined {
  let value: Json | undefined = root;
  for (const key of path) {
    value = (value as Record<string | number, Json> | undefined)?.[key];
  }
  return value;
}

function set(root: Json, path: Path, value: Json): Json {
  if (path.length === 0) {
    return value;
  }
  const owner = get(root, path.slice(0, -1)) as Record<string | number, Json>;
  // defineProperty: plain assignment to a key named `__proto__` would replace the prototype instead.
  Object.defineProperty(owner, path[path.length - 1], { value, enumerable: true, writable: true, configurable: true });
  return root;
}

export type { Json };
