import { dateTime, rangeUtil, toURLRange, urlUtil, type ExploreUrlState } from '@grafana/data';
import { config, getDataSourceSrv } from '@grafana/runtime';
import { fillLogQlTemplate, logqlString, type TemplateValue } from './logql';
import type { ExploreLink, LogsLinkResult, LogsTarget, TimeRangeMs } from './types';

/**
 * Links into Explore, and the LogQL for a trace's logs.
 *
 * Explore URL (Grafana ≥ 10, unchanged in 12/13): `/explore?schemaVersion=1&panes=<JSON>&orgId=<n>`, `panes` being
 * `{<paneId>: ExploreUrlState}` (@grafana/data `types/explore.ts`). Grafana's v1 URL parser
 * (public/app/features/explore/hooks/useStateSync/migrators/v1.ts) keeps `datasource` only if it is a string (the
 * uid), `range` only if `from` and `to` are both strings, `queries` only if an array, `panelsState` only if an
 * object — and replaces a pane id that is not exactly 3 characters of `[0-9a-z]` (not all digits) by a random one.
 * So: 3-letter pane ids, the uid as `datasource`, ranges as epoch-ms strings via `toURLRange` — the way Traces
 * Drilldown and explore-profiles build theirs with `urlUtil.renderUrl` — and `config.appSubUrl` in front, because
 * these hrefs are rendered as plain anchors.
 */
export const TRACE_PANE_ID = 'hpt';
export const LOGS_PANE_ID = 'hpl';

export function exploreHref(paneId: string, pane: ExploreUrlState): string {
  const orgId = config.bootData?.user?.orgId;
  const params: Record<string, string | number> = { schemaVersion: 1, panes: JSON.stringify({ [paneId]: pane }) };
  if (typeof orgId === 'number' && orgId > 0) {
    params.orgId = orgId;
  }
  return `${config.appSubUrl ?? ''}${urlUtil.renderUrl('/explore', params)}`;
}

function urlRange(range: TimeRangeMs) {
  return toURLRange({ from: dateTime(range.from), to: dateTime(range.to) });
}

/**
 * The trace in Explore with the Jaeger data source: a trace-by-ID query (no `queryType`), the span selected through
 * `panelsState.trace.spanId` (`ExploreTracePanelState`) when given.
 */
export function traceLink(input: {
  jaegerUid: string;
  traceId: string;
  spanId?: string;
  range: TimeRangeMs;
}): ExploreLink {
  const { jaegerUid, traceId, spanId, range } = input;
  const pane: ExploreUrlState = {
    datasource: jaegerUid,
    queries: [{ refId: 'A', datasource: { type: 'jaeger', uid: jaegerUid }, query: traceId }],
    range: urlRange(range),
    ...(spanId ? { panelsState: { trace: { spanId } } } : {}),
  };
  return { title: spanId ? 'Open span in Explore' : 'Open trace in Explore', href: exploreHref(TRACE_PANE_ID, pane) };
}

/** `TraceToLogsOptionsV2` (@grafana/o11y-ds-frontend `TraceToLogs/TraceToLogsSettings.tsx`). */
export interface TraceToLogsTag {
  key: string;
  value?: string;
}
export interface TraceToLogsOptionsV2 {
  name?: string;
  datasourceUid?: string;
  tags?: TraceToLogsTag[];
  spanStartTimeShift?: string;
  spanEndTimeShift?: string;
  filterByTraceID?: boolean;
  filterBySpanID?: boolean;
  query?: string;
  customQuery?: boolean;
}
/** The parts of a Jaeger data source's `jsonData` that shape trace-to-logs links. */
export interface JaegerLinkSettings {
  tracesToLogs?: {
    datasourceUid?: string;
    tags?: string[];
    mappedTags?: TraceToLogsTag[];
    mapTagNamesEnabled?: boolean;
    spanStartTimeShift?: string;
    spanEndTimeShift?: string;
    filterByTraceID?: boolean;
    filterBySpanID?: boolean;
  };
  tracesToLogsV2?: TraceToLogsOptionsV2;
  tracesToLogsV3?: TraceToLogsOptionsV2[];
}

/** The Jaeger data source's own settings, as Grafana's boot data lists them. */
export function jaegerLinkSettings(jaegerUid: string | undefined): JaegerLinkSettings | undefined {
  if (!jaegerUid) {
    return undefined;
  }
  try {
    return getDataSourceSrv()?.getInstanceSettings(jaegerUid)?.jsonData as JaegerLinkSettings | undefined;
  } catch {
    return undefined;
  }
}

/**
 * Which trace-to-logs configuration applies, as Grafana's `getTraceToLogsOptions` (@grafana/o11y-ds-frontend)
 * decides: the first of `tracesToLogsV3`, else `tracesToLogsV2`, else the legacy `tracesToLogs` migrated.
 */
export function traceToLogsOptions(settings: JaegerLinkSettings | undefined): TraceToLogsOptionsV2 | undefined {
  if (settings?.tracesToLogsV3?.length) {
    return settings.tracesToLogsV3[0];
  }
  if (settings?.tracesToLogsV2) {
    return settings.tracesToLogsV2;
  }
  const legacy = settings?.tracesToLogs;
  if (!legacy) {
    return undefined;
  }
  return {
    customQuery: false,
    datasourceUid: legacy.datasourceUid,
    tags: legacy.mapTagNamesEnabled ? legacy.mappedTags : legacy.tags?.map((key) => ({ key })),
    filterByTraceID: legacy.filterByTraceID,
    filterBySpanID: legacy.filterBySpanID,
    spanStartTimeShift: legacy.spanStartTimeShift,
    spanEndTimeShift: legacy.spanEndTimeShift,
  };
}

export interface LogsLinkInput {
  /** Panel/page override; wins over the Jaeger data source's own trace-to-logs target. */
  lokiUid?: string;
  /** The app's configured default, used when neither the override nor the Jaeger settings name one. */
  defaultLokiUid?: string;
  /** Where to read `tracesToLogsV2` from when `jaegerSettings` is not given. */
  jaegerUid?: string;
  /** The Jaeger data source's `jsonData`; `null` means "ignore it, use the app's default query". */
  jaegerSettings?: JaegerLinkSettings | null;
  service: string;
  traceId: string;
  spanId?: string;
  spanName?: string;
  spanStartMs: number;
  spanEndMs: number;
  /** Span and resource tags, when the view has them (`service.name` is always the `service` above). */
  tags?: Readonly<Record<string, string | number | boolean>>;
}

/** The app's query when the Jaeger data source configures no trace-to-logs: ±1 min around the span. */
export const DEFAULT_LOGS_SHIFT_MS = 60_000;
/** Grafana's default tags when trace-to-logs lists none (public/app/features/explore/TraceView/crossSignalConfig.ts). */
export const DEFAULT_LOGS_TAGS = ['cluster', 'hostname', 'namespace', 'pod', 'service.name', 'service.namespace'];

/**
 * The logs of a trace (and service) in Loki, following the Jaeger data source's trace-to-logs settings as Grafana's
 * trace view does (public/app/features/explore/TraceView/components/logsLink.ts, its legacy path — the default
 * while the `GrafanaDynamicTraceToLogs` flag is off; the dynamic path probes several queries, which a link cannot):
 * - `customQuery`: the configured query, its variables filled (`fillLogQlTemplate`); if one cannot be filled, or its
 *   value cannot be written where the query puts it without changing the query, the link is not offered
 *   (Grafana hides it too);
 * - otherwise `{${__tags}}` from the configured (or default) tags found on the span — names with `.` turned into `_`
 *   for Loki — plus, with `filterByTraceID`/`filterBySpanID`, Grafana's exact `label_format … or trace_id=` filter;
 * - time range: span start + `spanStartTimeShift` to span end + `spanEndTimeShift`, floored to ms, at least 1 ms.
 * With no trace-to-logs configuration: `{service_name="<service>"} | trace_id="<trace id>"`, ±1 min.
 * Hotpath differs from Grafana in two deliberate ways: `service.name` always counts as a span tag (Jaeger keeps the
 * service apart from the process tags, and our views know the service), and every value from the trace is written
 * as LogQL text for the place it lands in (`logql.ts`), never spliced in raw — a service named
 * `a", service_name=~".+` stays one label value instead of selecting every service's logs.
 */
export function logsLink(input: LogsLinkInput): LogsLinkResult {
  const settings =
    input.jaegerSettings === null ? undefined : (input.jaegerSettings ?? jaegerLinkSettings(input.jaegerUid));
  const options = traceToLogsOptions(settings);
  const lokiUid = input.lokiUid || options?.datasourceUid || input.defaultLokiUid;
  if (!lokiUid) {
    return {
      kind: 'unavailable',
      reason: 'No Loki data source: choose one in the options, or set trace to logs on the Jaeger data source.',
    };
  }
  const lokiProblem = checkLoki(lokiUid);
  if (lokiProblem) {
    return { kind: 'unavailable', reason: lokiProblem };
  }
  const built = options ? configuredQuery(input, options) : defaultQuery(input);
  if ('reason' in built) {
    return { kind: 'unavailable', reason: built.reason };
  }
  const range = options
    ? spanRange(input, shiftMs(options.spanStartTimeShift), shiftMs(options.spanEndTimeShift))
    : spanRange(input, -DEFAULT_LOGS_SHIFT_MS, DEFAULT_LOGS_SHIFT_MS);
  if (!range) {
    return { kind: 'unavailable', reason: 'The span has no valid start and end time.' };
  }
  const pane: ExploreUrlState = {
    datasource: lokiUid,
    queries: [{ refId: 'A', datasource: { type: 'loki', uid: lokiUid }, expr: built.expr, queryType: 'range' }],
    range: urlRange(range),
  };
  return {
    kind: 'logs',
    lokiUid,
    expr: built.expr,
    range,
    link: { title: 'Logs in Explore', href: exploreHref(LOGS_PANE_ID, pane) },
    from: built.from,
  };
}

function checkLoki(lokiUid: string): string | undefined {
  let settings: { type: string; name: string } | undefined;
  try {
    settings = getDataSourceSrv()?.getInstanceSettings(lokiUid);
  } catch {
    return undefined;
  }
  if (settings && settings.type !== 'loki') {
    return `Logs are configured in “${settings.name}”, a data source of type ${settings.type}; Hotpath builds log links for Loki only.`;
  }
  return undefined;
}

type Built = { expr: string; from: LogsTarget['from'] } | { reason: string };

function defaultQuery(input: LogsLinkInput): Built {
  return {
    expr: `{service_name=${logqlString(input.service)}} | trace_id=${logqlString(input.traceId)}`,
    from: 'app default',
  };
}

function configuredQuery(input: LogsLinkInput, options: TraceToLogsOptionsV2): Built {
  const tags = spanTags(input);
  const tagsToUse: TraceToLogsTag[] = options.tags?.length ? options.tags : DEFAULT_LOGS_TAGS.map((key) => ({ key }));
  const matchers = tags
    .map(([key, value]) => {
      const wanted = tagsToUse.find((tag) => tag.key === key);
      const label = wanted ? toLokiLabelName(wanted.value || wanted.key) : '';
      return label ? `${label}=${logqlString(value)}` : undefined;
    })
    .filter((m): m is string => m !== undefined);
  if (options.customQuery && options.query) {
    const { text, missing, refused } = fillLogQlTemplate(options.query, variables(input, matchers.join(', ')));
    if (missing.length > 0) {
      return {
        reason: `The Jaeger data source's trace-to-logs query uses ${listVariables(missing)}, which Hotpath cannot fill for this span.`,
      };
    }
    if (refused.length > 0) {
      return {
        reason: `The Jaeger data source's trace-to-logs query puts ${listVariables(refused)} where this span's value would change the query itself; Hotpath offers no link rather than a different query.`,
      };
    }
    return { expr: text, from: 'custom query' };
  }
  if (matchers.length === 0) {
    const wanted = tagsToUse.map((t) => t.key).join(', ');
    return { reason: `None of the trace-to-logs tags (${wanted}) is known for this span.` };
  }
  // Grafana's legacy Loki query (two spaces before `}}` included), each ID written as one escaped literal — the
  // same literal in the Go template's `contains` as in the label filter (logqlString escapes the backtick).
  let expr = `{${matchers.join(', ')}}`;
  if (options.filterByTraceID && input.traceId) {
    expr += idFilter('trace', logqlString(input.traceId));
  }
  if (options.filterBySpanID && input.spanId) {
    expr += idFilter('span', logqlString(input.spanId));
  }
  return { expr, from: 'tag mapping' };
}

function idFilter(kind: 'trace' | 'span', id: string): string {
  const label = `log_line_contains_${kind}_id`;
  return ` | label_format ${label}=\`{{ contains ${id} __line__  }}\` | ${label}="true" or ${kind}_id=${id}`;
}

function listVariables(names: string[]): string {
  return names.map((m) => `\${${m}}`).join(', ');
}

/** Tags in Grafana's order (resource, then span), with `service.name` added when the view did not pass it. */
function spanTags(input: LogsLinkInput): Array<[string, string]> {
  const tags = Object.entries(input.tags ?? {}).map(([k, v]): [string, string] => [k, String(v)]);
  if (!tags.some(([k]) => k === 'service.name')) {
    tags.unshift(['service.name', input.service]);
  }
  return tags;
}

/**
 * Loki label names cannot contain dots (crossSignalConfig.ts `toLokiLabelName`); nor anything but `[A-Za-z0-9_]`,
 * not starting with a digit (Prometheus' label name rule, which Loki follows) — so a mapped name from the settings
 * is made valid rather than written into the selector as it is.
 */
export function toLokiLabelName(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=\d)/, '_');
}

/** The scoped variables Grafana offers to trace-to-logs queries (createSpanLink.tsx `scopedVarsFromSpan/Trace`). */
function variables(input: LogsLinkInput, tags: string): Map<string, TemplateValue> {
  const vars = new Map<string, TemplateValue>([
    ['__tags', { logql: tags }],
    ['__span.traceId', input.traceId],
    ['__trace.traceId', input.traceId],
    ['__span.duration', String(Math.round((input.spanEndMs - input.spanStartMs) * 1000))],
  ]);
  if (input.spanId) {
    vars.set('__span.spanId', input.spanId);
  }
  if (input.spanName) {
    vars.set('__span.name', input.spanName);
  }
  for (const [key, value] of spanTags(input)) {
    vars.set(`__span.tags.${key}`, value);
  }
  return vars;
}

function shiftMs(shift: string | undefined): number {
  if (!shift) {
    return 0;
  }
  try {
    const ms = rangeUtil.intervalToMs(shift.trim());
    return Number.isFinite(ms) ? ms : 0;
  } catch {
    return 0;
  }
}

/** createSpanLink.tsx `getTimeRangeFromSpan`: floor both ends; the end at least 1 ms after the start. */
function spanRange(input: LogsLinkInput, startShiftMs: number, endShiftMs: number): TimeRangeMs | undefined {
  if (!Number.isFinite(input.spanStartMs) || !Number.isFinite(input.spanEndMs)) {
    return undefined;
  }
  const from = Math.floor(input.spanStartMs + startShiftMs);
  let to = Math.floor(input.spanEndMs + endShiftMs);
  if (to <= from) {
    to = from + 1;
  }
  return { from, to };
}

/**
 * The count behind "N log lines": an instant `sum(count_over_time(<the link's LogQL> [<its range>]))`, evaluated at
 * the range's end, i.e. exactly the lines the link would show. We prefer it to Loki's volume API
 * (`/loki/api/v1/index/volume`) because that API takes only a stream selector — it cannot apply the
 * `| trace_id="…"` filter, so it would count the whole service's logs — and answers from the index in bytes per
 * stream, not matching lines. The instant query returns one number and reads only the streams of the selector.
 */
export function logCountExpr(target: Pick<LogsTarget, 'expr' | 'range'>): string {
  const rangeMs = Math.max(1, target.range.to - target.range.from);
  return `sum(count_over_time(${target.expr} [${rangeMs}ms]))`;
}
