/**
 * A span tag as a filter of the Jaeger search: the search's `tags` is logfmt (`key=value key2="a b"`), which
 * Grafana's Jaeger data source decodes with go-logfmt and sends to Jaeger as a JSON object (grafana/grafana
 * `pkg/tsdb/jaeger/client.go` Search: `logfmt.NewDecoder` → `map[string]string` → `json.Marshal`). Tag values come
 * from traces, so they are hostile text: each one is written as a quoted logfmt value that decodes to exactly
 * itself, and the JSON object is built by the data source from the decoded map (never by pasting text).
 *
 * go-logfmt's rules (github.com/go-logfmt/logfmt `decode.go`, `jsonstring.go`): a record is one line, so a value
 * may not hold a raw line break; a key is a run of bytes above the space other than `=` and `"`; a quoted value
 * ends at the first unescaped `"` and is unquoted as a JSON string (`\"`, `\\`, `\n`, `\uXXXX`, …). So a value is
 * written as its JSON string literal (JSON.stringify escapes `"`, `\` and every control character), and a key that
 * go-logfmt cannot read as one key is refused.
 */

/** A key go-logfmt reads as one key: no whitespace or control characters, no `=`, no `"`. */
const LOGFMT_KEY = /^[^\s\u0000-\u001f\u007f-\u009f="]+$/;

/** A UTF-16 surrogate without its pair: go-logfmt would decode it as U+FFFD, not as itself. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * `key="value"` that go-logfmt decodes to exactly (key, value); undefined when `key` cannot be a logfmt key or
 * the value holds a lone surrogate (no UTF-8 text equals it).
 */
export function logfmtTag(key: string, value: string): string | undefined {
  if (!canFilterOnTag(key) || LONE_SURROGATE.test(value)) {
    return undefined;
  }
  return `${key}=${JSON.stringify(value)}`;
}

/**
 * The search's `tags` with `key=value` added (last, so it wins over an earlier value of the same key: the data
 * source keeps the last one it decodes). Undefined when the key cannot be written (the filter is not offered).
 */
export function withTagFilter(tags: string, key: string, value: string): string | undefined {
  const tag = logfmtTag(key, value);
  if (tag === undefined) {
    return undefined;
  }
  const current = tags.trim();
  return current ? `${current} ${tag}` : tag;
}

/** Whether the filter action can be offered for this key. */
export function canFilterOnTag(key: string): boolean {
  return LOGFMT_KEY.test(key) && !LONE_SURROGATE.test(key);
}

/**
 * Whether "Filter to this" can be offered for an attribute of a row of `rowService`: Jaeger matches a search's tags
 * on spans of the searched service only, so only that service's attributes (with a writable key) can narrow it.
 */
export function canFilterRow(searchedService: string | undefined, rowService: string, key: string): boolean {
  return rowService === searchedService && canFilterOnTag(key);
}
