import { config } from '@grafana/runtime';
import { logCountExpr, logsLink, traceLink, type LogsLinkInput } from './links';
import { installDataSources } from './testing/dataSources';
import { parseLogQl, unquoteLoki, unquoteRegexLiteral, type Clause } from './testing/logqlSyntax';
import type { LogsTarget } from './types';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const START = 1_700_000_100_000.5;
const END = 1_700_000_100_250.25;

let saved: { appSubUrl: string; orgId: number };
beforeEach(() => {
  const user = config.bootData.user as { orgId: number };
  saved = { appSubUrl: config.appSubUrl, orgId: user.orgId };
  config.appSubUrl = '/grafana';
  user.orgId = 1;
  installDataSources([
    { uid: 'loki', type: 'loki', name: 'Loki' },
    { uid: 'loki-2', type: 'loki', name: 'Loki 2' },
    { uid: 'es', type: 'elasticsearch', name: 'Elastic' },
  ]);
});
afterEach(() => {
  config.appSubUrl = saved.appSubUrl;
  (config.bootData.user as { orgId: number }).orgId = saved.orgId;
});

/**
 * How Grafana 12/13 reads an Explore URL (public/app/features/explore/hooks/useStateSync/migrators/v1.ts `parse` and
 * `applyDefaults`): what it would drop or replace is dropped or replaced here too, so a link that survives this
 * parse unchanged opens exactly the pane we built.
 */
function parseLikeGrafana(href: string) {
  const url = new URL(href, 'http://grafana.local');
  expect(url.pathname).toBe('/grafana/explore');
  expect(url.searchParams.get('schemaVersion')).toBe('1');
  const raw = JSON.parse(url.searchParams.get('panes') ?? 'null') as Record<string, Record<string, unknown>>;
  const panes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const validKey = key.length === 3 && !/^\d+$/.test(key) && /^[0-9a-z]+$/.test(key);
    const range = value.range as { from?: unknown; to?: unknown } | undefined;
    panes[validKey ? key : 'RANDOM'] = {
      datasource: typeof value.datasource === 'string' ? value.datasource : null,
      queries: Array.isArray(value.queries) ? value.queries : [],
      range:
        range && typeof range.from === 'string' && typeof range.to === 'string'
          ? { from: range.from, to: range.to }
          : { from: 'now-1h', to: 'now' },
      ...(typeof value.panelsState === 'object' && value.panelsState ? { panelsState: value.panelsState } : {}),
    };
  }
  return { panes, raw, orgId: url.searchParams.get('orgId') };
}

describe('traceLink', () => {
  it('builds Explore’s panes URL for the Jaeger trace, with the span selected', () => {
    const link = traceLink({
      jaegerUid: 'jaeger-uid',
      traceId: TRACE,
      spanId: SPAN,
      range: { from: 1_700_000_000_000, to: 1_700_000_600_000 },
    });
    expect(link).toEqual({
      title: 'Open span in Explore',
      href:
        '/grafana/explore?schemaVersion=1&panes=%7B%22hpt%22:%7B%22datasource%22:%22jaeger-uid%22,%22queries%22:%5B%7B' +
        '%22refId%22:%22A%22,%22datasource%22:%7B%22type%22:%22jaeger%22,%22uid%22:%22jaeger-uid%22%7D,%22query%22:' +
        '%224bf92f3577b34da6a3ce929d0e0e4736%22%7D%5D,%22range%22:%7B%22from%22:%221700000000000%22,%22to%22:' +
        '%221700000600000%22%7D,%22panelsState%22:%7B%22trace%22:%7B%22spanId%22:%2200f067aa0ba902b7%22%7D%7D%7D%7D' +
        '&orgId=1',
    });
    const { panes, raw, orgId } = parseLikeGrafana(link.href);
    expect(panes).toEqual(raw);
    expect(orgId).toBe('1');
    expect(panes).toEqual({
      hpt: {
        datasource: 'jaeger-uid',
        queries: [{ refId: 'A', datasource: { type: 'jaeger', uid: 'jaeger-uid' }, query: TRACE }],
        range: { from: '1700000000000', to: '1700000600000' },
        panelsState: { trace: { spanId: SPAN } },
      },
    });
  });

  it('leaves panelsState out without a span, and the sub-path and org out when Grafana has none', () => {
    config.appSubUrl = '';
    (config.bootData.user as { orgId: number }).orgId = 0;
    const link = traceLink({ jaegerUid: 'j', traceId: 'abc', range: { from: 1, to: 2 } });
    expect(link).toEqual({
      title: 'Open trace in Explore',
      href:
        '/explore?schemaVersion=1&panes=%7B%22hpt%22:%7B%22datasource%22:%22j%22,%22queries%22:%5B%7B%22refId%22:%22A%22,' +
        '%22datasource%22:%7B%22type%22:%22jaeger%22,%22uid%22:%22j%22%7D,%22query%22:%22abc%22%7D%5D,%22range%22:%7B' +
        '%22from%22:%221%22,%22to%22:%222%22%7D%7D%7D',
    });
  });
});

const base: LogsLinkInput = {
  lokiUid: 'loki',
  service: 'frontend',
  traceId: TRACE,
  spanStartMs: START,
  spanEndMs: END,
  jaegerSettings: null,
};

function logs(input: Partial<LogsLinkInput>): LogsTarget {
  const result = logsLink({ ...base, ...input });
  if (result.kind !== 'logs') {
    throw new Error(`expected a logs link, got: ${result.reason}`);
  }
  return result;
}

function paneOf(target: LogsTarget) {
  return parseLikeGrafana(target.link.href).panes.hpl;
}

describe('logsLink without trace-to-logs settings (the app default)', () => {
  it('queries the service’s streams for the trace ID, one minute either side of the span', () => {
    const target = logs({});
    expect(target.expr).toBe('{service_name="frontend"} | trace_id="4bf92f3577b34da6a3ce929d0e0e4736"');
    expect(target.range).toEqual({ from: 1_700_000_040_000, to: 1_700_000_160_250 });
    expect(target.from).toBe('app default');
    expect(target.link.href).toBe(
      '/grafana/explore?schemaVersion=1&panes=%7B%22hpl%22:%7B%22datasource%22:%22loki%22,%22queries%22:%5B%7B%22refId' +
        '%22:%22A%22,%22datasource%22:%7B%22type%22:%22loki%22,%22uid%22:%22loki%22%7D,%22expr%22:%22%7Bservice_name%3D' +
        '%5C%22frontend%5C%22%7D%20%7C%20trace_id%3D%5C%224bf92f3577b34da6a3ce929d0e0e4736%5C%22%22,%22queryType%22:' +
        '%22range%22%7D%5D,%22range%22:%7B%22from%22:%221700000040000%22,%22to%22:%221700000160250%22%7D%7D%7D&orgId=1'
    );
    expect(paneOf(target)).toEqual({
      datasource: 'loki',
      queries: [
        {
          refId: 'A',
          datasource: { type: 'loki', uid: 'loki' },
          expr: '{service_name="frontend"} | trace_id="4bf92f3577b34da6a3ce929d0e0e4736"',
          queryType: 'range',
        },
      ],
      range: { from: '1700000040000', to: '1700000160250' },
    });
  });

  it('escapes quotes and backslashes in label values', () => {
    expect(logs({ service: 'we"ird\\svc' }).expr).toBe(
      '{service_name="we\\"ird\\\\svc"} | trace_id="4bf92f3577b34da6a3ce929d0e0e4736"'
    );
  });

  it('is unavailable without any Loki data source, or when the target is not Loki', () => {
    expect(logsLink({ ...base, lokiUid: undefined })).toEqual({
      kind: 'unavailable',
      reason: 'No Loki data source: choose one in the options, or set trace to logs on the Jaeger data source.',
    });
    expect(logsLink({ ...base, lokiUid: 'es' })).toEqual({
      kind: 'unavailable',
      reason:
        'Logs are configured in “Elastic”, a data source of type elasticsearch; Hotpath builds log links for Loki only.',
    });
    expect(logs({ lokiUid: undefined, defaultLokiUid: 'loki-2' }).lokiUid).toBe('loki-2');
  });
});

describe('logsLink honouring the Jaeger data source’s tracesToLogsV2', () => {
  const provisioned = {
    tracesToLogsV2: {
      datasourceUid: 'loki-2',
      spanStartTimeShift: '-5m',
      spanEndTimeShift: '5m',
      tags: [
        { key: 'service.name', value: 'service_name' },
        { key: 'k8s.pod.name', value: 'pod' },
      ],
      filterByTraceID: false,
      filterBySpanID: false,
      customQuery: true,
      query: '{${__tags}} | trace_id="${__trace.traceId}"',
    },
  };
  const podTags = { 'k8s.pod.name': 'frontend-7d9c', 'http.method': 'GET' };

  it('interpolates a custom query: mapped tags, the trace ID, the time shifts and its Loki', () => {
    const target = logs({ lokiUid: undefined, jaegerSettings: provisioned, tags: podTags });
    expect(target.expr).toBe(
      '{service_name="frontend", pod="frontend-7d9c"} | trace_id="4bf92f3577b34da6a3ce929d0e0e4736"'
    );
    expect(target.lokiUid).toBe('loki-2');
    expect(target.range).toEqual({ from: 1_699_999_800_000, to: 1_700_000_400_250 });
    expect(target.from).toBe('custom query');
  });

  it('reads the settings from the Jaeger data source itself', () => {
    installDataSources([
      { uid: 'jaeger', type: 'jaeger', jsonData: provisioned },
      { uid: 'loki-2', type: 'loki' },
    ]);
    const target = logs({ lokiUid: undefined, jaegerSettings: undefined, jaegerUid: 'jaeger', tags: podTags });
    expect(target.expr).toBe(
      '{service_name="frontend", pod="frontend-7d9c"} | trace_id="4bf92f3577b34da6a3ce929d0e0e4736"'
    );
  });

  it('reads a query saved with the provisioning `$$` escaping the same way, leaving no `$` behind', () => {
    const escaped = {
      tracesToLogsV2: { ...provisioned.tracesToLogsV2, query: '{$${__tags}} | trace_id="$${__span.traceId}"' },
    };
    const target = logs({ jaegerSettings: escaped, tags: podTags });
    expect(target.expr).toBe(
      '{service_name="frontend", pod="frontend-7d9c"} | trace_id="4bf92f3577b34da6a3ce929d0e0e4736"'
    );
    expect(target.expr).not.toContain('$');
  });

  it('fills span variables, tags by bracket or dot path, and the span ID', () => {
    const settings = {
      tracesToLogsV2: {
        customQuery: true,
        query:
          '{pod="${__span.tags["k8s.pod.name"]}", app="${__span.tags.app}"} |= "${__span.spanId}" | name="${__span.name}"',
      },
    };
    const target = logs({
      jaegerSettings: settings,
      tags: { ...podTags, app: 'shop' },
      spanId: SPAN,
      spanName: 'GET /cart',
    });
    expect(target.expr).toBe('{pod="frontend-7d9c", app="shop"} |= "00f067aa0ba902b7" | name="GET /cart"');
  });

  it('offers no link when a variable of the custom query cannot be filled (as Grafana hides it)', () => {
    const settings = {
      tracesToLogsV2: { customQuery: true, query: '{namespace="${__span.tags.namespace}"} |= "${__span.spanId}"' },
    };
    expect(logsLink({ ...base, jaegerSettings: settings })).toEqual({
      kind: 'unavailable',
      reason:
        "The Jaeger data source's trace-to-logs query uses ${__span.tags.namespace}, ${__span.spanId}, which Hotpath cannot fill for this span.",
    });
  });

  it('builds Grafana’s legacy query from the tag mapping, with its exact trace and span ID filters', () => {
    const settings = {
      tracesToLogsV2: {
        customQuery: false,
        filterByTraceID: true,
        filterBySpanID: true,
        tags: [{ key: 'service.name', value: 'service_name' }, { key: 'k8s.namespace.name' }],
      },
    };
    const target = logs({ jaegerSettings: settings, tags: { 'k8s.namespace.name': 'shop' }, spanId: SPAN });
    expect(target.expr).toBe(
      '{service_name="frontend", k8s_namespace_name="shop"}' +
        ' | label_format log_line_contains_trace_id=`{{ contains "4bf92f3577b34da6a3ce929d0e0e4736" __line__  }}`' +
        ' | log_line_contains_trace_id="true" or trace_id="4bf92f3577b34da6a3ce929d0e0e4736"' +
        ' | label_format log_line_contains_span_id=`{{ contains "00f067aa0ba902b7" __line__  }}`' +
        ' | log_line_contains_span_id="true" or span_id="00f067aa0ba902b7"'
    );
    expect(target.from).toBe('tag mapping');
    // No shifts configured: exactly the span, floored to ms.
    expect(target.range).toEqual({ from: 1_700_000_100_000, to: 1_700_000_100_250 });
  });

  it('without a span ID filters by trace only; without filters it is the tag selector alone', () => {
    const byTrace = { tracesToLogsV2: { customQuery: false, filterByTraceID: true, filterBySpanID: true } };
    expect(logs({ jaegerSettings: byTrace }).expr).toBe(
      '{service_name="frontend"} | label_format log_line_contains_trace_id=`{{ contains "4bf92f3577b34da6a3ce929d0e0e4736" __line__  }}`' +
        ' | log_line_contains_trace_id="true" or trace_id="4bf92f3577b34da6a3ce929d0e0e4736"'
    );
    // Grafana's default tags (cluster, hostname, namespace, pod, service.name, service.namespace) when none are set.
    expect(
      logs({ jaegerSettings: { tracesToLogsV2: { customQuery: false } }, tags: { pod: 'p-1', ip: '10.0.0.1' } }).expr
    ).toBe('{service_name="frontend", pod="p-1"}');
  });

  it('offers no link when none of the mapped tags is on the span', () => {
    const settings = { tracesToLogsV2: { customQuery: false, tags: [{ key: 'cluster' }] } };
    expect(logsLink({ ...base, jaegerSettings: settings })).toEqual({
      kind: 'unavailable',
      reason: 'None of the trace-to-logs tags (cluster) is known for this span.',
    });
  });

  it('prefers tracesToLogsV3[0], and migrates the legacy tracesToLogs', () => {
    const v3 = {
      tracesToLogsV3: [{ customQuery: true, query: '{app="v3"} | trace_id="${__trace.traceId}"' }],
      tracesToLogsV2: { customQuery: true, query: '{app="v2"}' },
    };
    expect(logs({ jaegerSettings: v3 }).expr).toBe('{app="v3"} | trace_id="4bf92f3577b34da6a3ce929d0e0e4736"');
    const legacy = { tracesToLogs: { datasourceUid: 'loki-2', tags: ['service.name'], spanStartTimeShift: '-1h' } };
    const target = logs({ lokiUid: undefined, jaegerSettings: legacy });
    expect(target.expr).toBe('{service_name="frontend"}');
    expect(target.lokiUid).toBe('loki-2');
    expect(target.range.from).toBe(1_700_000_100_000 - 3_600_000);
  });

  it('an explicit Loki override wins over the data source’s own target', () => {
    expect(logs({ lokiUid: 'loki', jaegerSettings: provisioned, tags: podTags }).lokiUid).toBe('loki');
  });

  it('keeps the range at least 1 ms long', () => {
    expect(
      logs({ spanStartMs: 5000.2, spanEndMs: 5000.7, jaegerSettings: { tracesToLogsV2: { customQuery: false } } }).range
    ).toEqual({
      from: 5000,
      to: 5001,
    });
  });
});

describe('logCountExpr', () => {
  it('counts the link’s own lines over its own range, as one instant query', () => {
    expect(logCountExpr(logs({}))).toBe(
      'sum(count_over_time({service_name="frontend"} | trace_id="4bf92f3577b34da6a3ce929d0e0e4736" [120250ms]))'
    );
  });
});

/**
 * Values from traces are attacker-controlled (any client can send spans with any service name or tag). Whatever
 * they hold, the query a link opens — and the count query sent without a click — must select exactly what the
 * template says, with the value as the text of one string: checked by parsing with Grafana's own LogQL grammar
 * and decoding each string as Loki does.
 */
describe('hostile values stay one string literal (read with Grafana’s LogQL grammar)', () => {
  const HOSTILE = [
    'a", service_name=~".+',
    'svc"} or {service_name=~".+',
    'line\nbreak',
    'cr\rlf\r\n',
    'back\\slash\\" tail\\',
    'tick` | line_format `x',
    'ctl\u0000\u0007\u001b[31m\u007f\u0085\u2028',
    '{{ .foo }} ${__trace.traceId} $__tags [[__tags]]',
    're.+|(a)*[b]{2}^$?\\d',
    'é 😀 日本 \uFFFD',
    'lone \uD800 surrogate',
    '# not a comment',
  ];
  /** What Loki stores for a span's text: valid Unicode (a lone surrogate has no UTF-8 form). */
  const asLoki = (v: string) => v.replace(/\uD800/g, '\uFFFD');

  function clausesOf(expr: string): Clause[] {
    const parsed = parseLogQl(expr);
    expect(parsed.errors).toEqual([]);
    // A regex operand is compared by the text it matches literally.
    return parsed.clauses.map((c) =>
      c.op === '=~' || c.op === '|~' ? { ...c, value: unquoteRegexLiteral(c.value) } : c
    );
  }
  const matcher = (name: string, op: string, value: string): Clause => ({ kind: 'matcher', name, op, value });
  const label = (name: string, value: string): Clause => ({ kind: 'label', name, op: '=', value });
  const line = (op: string, value: string): Clause => ({ kind: 'line', op, value });

  it.each(HOSTILE)('the app default query, its count and its link: %j', (v) => {
    const target = logs({ service: v, traceId: v });
    const expected = [matcher('service_name', '=', asLoki(v)), label('trace_id', asLoki(v))];
    expect(clausesOf(target.expr)).toEqual(expected);
    expect(clausesOf(logCountExpr(target))).toEqual(expected);
    expect(paneOf(target)).toMatchObject({ queries: [{ expr: target.expr }] });
  });

  it.each(HOSTILE)('the tag mapping with Grafana’s trace and span ID filters: %j', (v) => {
    const settings = {
      tracesToLogsV2: {
        customQuery: false,
        filterByTraceID: true,
        filterBySpanID: true,
        tags: [{ key: 'service.name', value: 'service_name' }, { key: 'k8s.pod.name' }],
      },
    };
    const target = logs({ jaegerSettings: settings, service: v, traceId: v, spanId: v, tags: { 'k8s.pod.name': v } });
    const clauses = clausesOf(target.expr);
    const w = asLoki(v);
    expect(clauses).toEqual([
      matcher('service_name', '=', w),
      matcher('k8s_pod_name', '=', w),
      { kind: 'label_format', name: 'log_line_contains_trace_id', value: expect.any(String) },
      label('log_line_contains_trace_id', 'true'),
      label('trace_id', w),
      { kind: 'label_format', name: 'log_line_contains_span_id', value: expect.any(String) },
      label('log_line_contains_span_id', 'true'),
      label('span_id', w),
    ]);
    // The Go template inside the raw string: its one string argument is the ID (Go's strconv rules, as Loki's).
    for (const c of clauses.filter((c) => c.kind === 'label_format')) {
      const argument = /^\{\{ contains (".*") __line__ {2}\}\}$/s.exec(c.value)?.[1];
      expect(argument && unquoteLoki(argument)).toBe(w);
    }
    expect(clausesOf(logCountExpr(target))).toEqual(clauses);
  });

  it.each(HOSTILE)('a custom query: values in "…" of every operator, and the ${__tags} matchers: %j', (v) => {
    const query =
      '{service_name="${__span.tags["service.name"]}", pod=~"${__span.tags.pod}"} |= "${__span.name}"' +
      ' |~ "${__span.tags.pod}" | trace_id="${__trace.traceId}" or span_id="${__span.spanId}"';
    const w = asLoki(v);
    const target = logs({
      jaegerSettings: { tracesToLogsV2: { customQuery: true, query } },
      service: v,
      spanName: v,
      spanId: v,
      traceId: v,
      tags: { pod: v },
    });
    expect(clausesOf(target.expr)).toEqual([
      matcher('service_name', '=', w),
      matcher('pod', '=~', w),
      line('|=', w),
      line('|~', w),
      label('trace_id', w),
      label('span_id', w),
    ]);
    expect(clausesOf(logCountExpr(target))).toEqual(clausesOf(target.expr));

    const byTags = logs({
      jaegerSettings: { tracesToLogsV2: { customQuery: true, query: '{${__tags}} |= `${__trace.traceId}`' } },
      service: v,
      traceId: 'abc',
      tags: { pod: v },
    });
    expect(clausesOf(byTags.expr)).toEqual([
      matcher('service_name', '=', w),
      matcher('pod', '=', w),
      line('|=', 'abc'),
    ]);
  });

  function customLink(query: string, spanName: string) {
    return logsLink({ ...base, spanName, jaegerSettings: { tracesToLogsV2: { customQuery: true, query } } });
  }
  const refusal = {
    kind: 'unavailable',
    reason:
      "The Jaeger data source's trace-to-logs query puts ${__span.name} where this span's value would change the query itself; Hotpath offers no link rather than a different query.",
  };

  it('writes a value verbatim inside `…`, and offers no link when it holds a backtick', () => {
    const target = customLink('{app="shop"} |= `${__span.name}`', 'C:\\path "quoted"');
    expect(target.kind === 'logs' && clausesOf(target.expr)).toEqual([
      matcher('app', '=', 'shop'),
      line('|=', 'C:\\path "quoted"'),
    ]);
    expect(customLink('{app="shop"} |= `${__span.name}`', 'x` or "y')).toEqual(refusal);
  });

  it('outside a string takes only a plain word or number', () => {
    const query = '{app="shop"} | logfmt | attempt > ${__span.name}';
    const target = customLink(query, '3');
    expect(target.kind === 'logs' && target.expr).toBe('{app="shop"} | logfmt | attempt > 3');
    expect(customLink(query, '3 or app=~".+"')).toEqual(refusal);
    expect(customLink('{app=${__span.name}}', '"a"')).toEqual(refusal);
  });

  it('keeps Go template syntax, pattern captures and line breaks out of templates, patterns and comments', () => {
    const format = '{app="shop"} | line_format "{{.msg}} (${__span.name})"';
    const target = customLink(format, 'GET /cart');
    expect(target.kind === 'logs' && target.expr).toBe('{app="shop"} | line_format "{{.msg}} (GET /cart)"');
    expect(customLink(format, '{{ .password }}')).toEqual(refusal);
    expect(customLink(format, 'a"b')).toEqual(refusal);
    expect(customLink('{app="shop"} |> "<_> ${__span.name} <_>"', '<secret>')).toEqual(refusal);
    expect(customLink('{app="shop"} # ${__span.name}', 'x\n| drop app')).toEqual(refusal);
    const comment = customLink('{app="shop"} # ${__span.name}', 'x | drop app');
    expect(comment.kind === 'logs' && clausesOf(comment.expr)).toEqual([matcher('app', '=', 'shop')]);
  });

  it('makes a mapped label name valid instead of writing it into the selector as it is', () => {
    const settings = { tracesToLogsV2: { customQuery: false, tags: [{ key: 'service.name', value: '1 a"b' }] } };
    expect(clausesOf(logs({ jaegerSettings: settings }).expr)).toEqual([matcher('_1_a_b', '=', 'frontend')]);
  });
});
