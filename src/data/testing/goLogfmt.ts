/**
 * Test-only: what Grafana's Jaeger data source makes of a search's logfmt `tags` — go-logfmt's decoder
 * (github.com/go-logfmt/logfmt v0.6 `decode.go`: records are lines; keys are runs of bytes above the space other
 * than `=` and `"`; a quoted value ends at the first unescaped `"` and is unquoted by `jsonstring.go` as a JSON
 * string; an unquoted value runs to the next space and may not hold `=` or `"`), each key/value put in a
 * `map[string]string` (a later key wins) and marshalled to JSON (`pkg/tsdb/jaeger/client.go` Search). A syntax
 * error ends the scan, as `ScanKeyval` returning false does there. Returns the JSON Jaeger would receive.
 */
export function jaegerTagsJson(logfmt: string): string {
  const map: Record<string, string> = {};
  for (const line of logfmt.split('\n')) {
    if (!decodeLine(line.replace(/\r$/, ''), map)) {
      break;
    }
  }
  return JSON.stringify(map);
}

function decodeLine(line: string, map: Record<string, string>): boolean {
  let i = 0;
  const isSpace = (ch: string) => ch <= ' ';
  while (i < line.length) {
    while (i < line.length && isSpace(line[i])) {
      i++;
    }
    if (i >= line.length) {
      return true;
    }
    const keyStart = i;
    while (i < line.length && !isSpace(line[i]) && line[i] !== '=' && line[i] !== '"') {
      i++;
    }
    if (i === keyStart || line[i] === '"') {
      return false;
    }
    const key = line.slice(keyStart, i);
    if (i >= line.length || line[i] !== '=') {
      map[key] = '';
      continue;
    }
    i++;
    if (line[i] === '"') {
      let j = i + 1;
      while (j < line.length && line[j] !== '"') {
        j += line[j] === '\\' ? 2 : 1;
      }
      if (j >= line.length) {
        return false;
      }
      map[key] = JSON.parse(line.slice(i, j + 1)) as string;
      i = j + 1;
    } else {
      const valueStart = i;
      while (i < line.length && !isSpace(line[i])) {
        if (line[i] === '=' || line[i] === '"') {
          return false;
        }
        i++;
      }
      map[key] = line.slice(valueStart, i);
    }
  }
  return true;
}
