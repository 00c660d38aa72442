/**
 * Grafana provisioning checks: one set of data source uids used everywhere, the trace/log/metric links wired as
 * documented, `$$` escaping, the app settings, dashboards (schema, panel types, data sources, queries) and the alert
 * rule.
 */
import {
  APP_ID,
  APP_JSON_DATA,
  CORE_PANEL_TYPES,
  DATASOURCES,
  HOTSPOTS_MODES,
  HOTSPOTS_PANEL_OPTION_KEYS,
  HOTSPOTS_TARGET,
  PANEL_ID,
} from './contracts';
import { promqlMetricNames } from './configs';
import { listFiles, readJson, readYaml } from './repo';
import { STREAM_SERIES, readsStreamMetrics, unknownStreamLabels } from './streamMetrics';

export interface Provisioning {
  datasources: any; // provisioning/datasources/*.yaml (merged)
  apps: any; // provisioning/plugins/*.yaml (merged)
  dashboards: Record<string, any>; // file name -> dashboard JSON
  providers: any; // provisioning/dashboards/*.yaml (merged)
  alerting: any; // provisioning/alerting/*.yaml (merged)
}

/** Grafana expands `$NAME` / `${NAME}` in provisioning files; `$$` is a literal `$`. */
export function unescapedDollars(value: unknown, path = ''): string[] {
  const found: string[] = [];
  if (typeof value === 'string') {
    if (/\$/.test(value.replace(/\$\$/g, ''))) {
      found.push(`${path}: ${JSON.stringify(value)}`);
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      found.push(...unescapedDollars(v, path ? `${path}.${k}` : k));
    }
  }
  return found;
}

/** What Grafana sees after its environment expansion: `$$` -> `$`. */
export const unescape = (s: string) => s.replace(/\$\$/g, '$');

function datasourceUids(p: Provisioning): Map<string, any> {
  return new Map<string, any>((p.datasources?.datasources ?? []).map((d: any) => [d.uid, d]));
}

export function checkDatasources(p: Provisioning): string[] {
  const problems: string[] = [];
  const list: any[] = p.datasources?.datasources ?? [];
  const byUid = datasourceUids(p);
  if (byUid.size !== list.length) {
    problems.push('data source uids are not unique');
  }
  for (const [name, expected] of Object.entries(DATASOURCES)) {
    const d = byUid.get(expected.uid);
    if (!d) {
      problems.push(`data source ${name}: uid ${expected.uid} is not provisioned`);
      continue;
    }
    if (d.type !== expected.type) {
      problems.push(`data source ${expected.uid}: type ${d.type}, expected ${expected.type}`);
    }
    const url = new URL(d.url);
    if (url.hostname !== expected.host || Number(url.port) !== expected.port) {
      problems.push(`data source ${expected.uid}: url ${d.url}, expected http://${expected.host}:${expected.port}`);
    }
  }
  for (const problem of unescapedDollars(p.datasources)) {
    problems.push(`datasources: unescaped $ (write $$): ${problem}`);
  }

  const jaeger = byUid.get(DATASOURCES.jaeger.uid)?.jsonData ?? {};
  // Trace -> logs: Loki, scoped to the trace through the trace_id structured metadata.
  const t2l = jaeger.tracesToLogsV2;
  if (!t2l) {
    problems.push('jaeger: tracesToLogsV2 missing');
  } else {
    if (t2l.datasourceUid !== DATASOURCES.loki.uid) {
      problems.push(`jaeger: tracesToLogsV2.datasourceUid ${t2l.datasourceUid} is not the Loki uid`);
    }
    const query = unescape(String(t2l.query ?? ''));
    if (t2l.customQuery !== true || !/\|\s*trace_id\s*=\s*"\$\{__(span|trace)\.traceId\}"/.test(query)) {
      problems.push(
        `jaeger: tracesToLogsV2 must use a custom query filtering | trace_id="\${__span.traceId}" (got ${JSON.stringify(query)})`
      );
    }
    const tags: any[] = t2l.tags ?? [];
    if (
      !/\{\$\{__tags\}\}|service_name=/.test(query) ||
      !tags.some((t) => t.key === 'service.name' && t.value === 'service_name')
    ) {
      problems.push('jaeger: tracesToLogsV2 must select the stream by service_name (tag service.name -> service_name)');
    }
  }
  // Trace -> metrics: Prometheus.
  const t2m = jaeger.tracesToMetrics;
  if (!t2m || t2m.datasourceUid !== DATASOURCES.prometheus.uid || !(t2m.queries ?? []).length) {
    problems.push('jaeger: tracesToMetrics must point at the Prometheus uid with at least one query');
  }
  // Log -> trace: a derived field on trace_id linking to Jaeger.
  const loki = byUid.get(DATASOURCES.loki.uid)?.jsonData ?? {};
  const derived = (loki.derivedFields ?? []).find(
    (f: any) => f.matcherType === 'label' && f.matcherRegex === 'trace_id'
  );
  if (!derived) {
    problems.push('loki: no derived field with matcherType label and matcherRegex trace_id');
  } else {
    if (derived.datasourceUid !== DATASOURCES.jaeger.uid) {
      problems.push(`loki: derived field trace_id links to ${derived.datasourceUid}, not the Jaeger uid`);
    }
    if (unescape(String(derived.url ?? '')) !== '${__value.raw}') {
      problems.push('loki: derived field url must be $${__value.raw} (the trace id as the Jaeger query)');
    }
  }
  for (const f of loki.derivedFields ?? []) {
    if (f.datasourceUid && !byUid.has(f.datasourceUid)) {
      problems.push(`loki: derived field ${f.name} links to unknown uid ${f.datasourceUid}`);
    }
  }
  // Metric -> trace: exemplars' trace_id label links to Jaeger.
  const prom = byUid.get(DATASOURCES.prometheus.uid)?.jsonData ?? {};
  const ex = (prom.exemplarTraceIdDestinations ?? []).find((e: any) => e.name === 'trace_id');
  if (!ex || ex.datasourceUid !== DATASOURCES.jaeger.uid) {
    problems.push('prometheus: exemplarTraceIdDestinations needs {name: trace_id, datasourceUid: jaeger}');
  }
  return problems;
}

export function checkApps(p: Provisioning, pluginJsonId: string): string[] {
  const problems: string[] = [];
  const apps: any[] = p.apps?.apps ?? [];
  const app = apps.find((a) => a.type === APP_ID);
  if (pluginJsonId !== APP_ID) {
    problems.push(`src/plugin.json id ${pluginJsonId} is not ${APP_ID}`);
  }
  if (!app) {
    return [...problems, `plugins: app ${APP_ID} is not provisioned`];
  }
  if (app.disabled !== false) {
    problems.push('plugins: the app must be provisioned with disabled: false (its nested panel only loads then)');
  }
  const byUid = datasourceUids(p);
  for (const [k, v] of Object.entries(APP_JSON_DATA)) {
    if (app.jsonData?.[k] !== v) {
      problems.push(`plugins: jsonData.${k} is ${JSON.stringify(app.jsonData?.[k])}, expected ${JSON.stringify(v)}`);
    }
    if (k.endsWith('Uid') && !byUid.has(app.jsonData?.[k])) {
      problems.push(`plugins: jsonData.${k} ${app.jsonData?.[k]} is not a provisioned data source`);
    }
  }
  for (const problem of unescapedDollars(p.apps)) {
    problems.push(`plugins: unescaped $: ${problem}`);
  }
  return problems;
}

function panelsOf(dashboard: any): any[] {
  return (dashboard.panels ?? []).flatMap((panel: any) => [panel, ...(panel.panels ?? [])]);
}

export interface Query {
  origin: string;
  datasourceUid: string;
  expr: string;
}

/** Every query (PromQL/LogQL/Jaeger) in dashboards, the alert rules and the data source links. */
export function queries(p: Provisioning): Query[] {
  const out: Query[] = [];
  for (const [file, dashboard] of Object.entries(p.dashboards)) {
    for (const panel of panelsOf(dashboard)) {
      for (const target of panel.targets ?? []) {
        const uid = target.datasource?.uid ?? panel.datasource?.uid;
        if (typeof target.expr === 'string') {
          out.push({ origin: `${file} panel ${panel.id} ${target.refId}`, datasourceUid: uid, expr: target.expr });
        }
      }
    }
    for (const v of dashboard.templating?.list ?? []) {
      if (v.type === 'query' && typeof v.query === 'string') {
        out.push({ origin: `${file} variable ${v.name}`, datasourceUid: v.datasource?.uid, expr: v.query });
      }
    }
  }
  for (const group of p.alerting?.groups ?? []) {
    for (const rule of group.rules ?? []) {
      for (const d of rule.data ?? []) {
        if (typeof d.model?.expr === 'string') {
          out.push({ origin: `alert ${rule.uid} ${d.refId}`, datasourceUid: d.datasourceUid, expr: d.model.expr });
        }
      }
    }
  }
  const jaeger = datasourceUids(p).get(DATASOURCES.jaeger.uid)?.jsonData ?? {};
  for (const q of jaeger.tracesToMetrics?.queries ?? []) {
    out.push({
      origin: `jaeger tracesToMetrics "${q.name}"`,
      datasourceUid: jaeger.tracesToMetrics.datasourceUid,
      expr: unescape(q.query),
    });
  }
  if (jaeger.tracesToLogsV2?.query) {
    out.push({
      origin: 'jaeger tracesToLogsV2',
      datasourceUid: jaeger.tracesToLogsV2.datasourceUid,
      expr: unescape(jaeger.tracesToLogsV2.query),
    });
  }
  return out;
}

/** Grafana variables and link macros replaced by plausible values, so promtool can parse the PromQL. */
export function concretePromql(expr: string): string {
  return expr
    .replace(/\$__rate_interval|\$__interval|\$__range|\$__auto/g, '5m')
    .replace(/\{\$__tags,\s*/g, '{service_name="frontend", ')
    .replace(/\$__tags/g, 'service_name="frontend"')
    .replace(/\$\{__span\.name\}/g, 'GET /')
    .replace(/\$\{?service\}?/g, 'frontend');
}

/** Dashboards: panel types exist, data source uids exist, Hotpath panels follow the contract, metrics are produced. */
export function checkDashboards(p: Provisioning, produced: Set<string>, requiredTitles: string[]): string[] {
  const problems: string[] = [];
  const byUid = datasourceUids(p);
  const uids = new Set<string>();
  const titles = new Set<string>();
  const panelTypes = new Set([...CORE_PANEL_TYPES, PANEL_ID]);
  for (const [file, d] of Object.entries(p.dashboards)) {
    if (!d.uid || uids.has(d.uid)) {
      problems.push(`${file}: missing or duplicate uid ${d.uid}`);
    }
    uids.add(d.uid);
    titles.add(d.title);
    const ids = new Set<number>();
    for (const panel of panelsOf(d)) {
      const where = `${file} panel ${panel.id} "${panel.title}"`;
      if (ids.has(panel.id)) {
        problems.push(`${where}: duplicate panel id`);
      }
      ids.add(panel.id);
      if (panel.type !== 'row' && !panelTypes.has(panel.type)) {
        problems.push(`${where}: panel type ${panel.type} is neither a core panel nor ${PANEL_ID}`);
      }
      const refs = [panel.datasource, ...(panel.targets ?? []).map((t: any) => t.datasource)].filter(Boolean);
      for (const ref of refs) {
        const ds = byUid.get(ref.uid);
        if (!ds) {
          problems.push(`${where}: data source uid ${ref.uid} is not provisioned`);
        } else if (ref.type && ref.type !== ds.type) {
          problems.push(`${where}: data source ${ref.uid} has type ${ds.type}, panel says ${ref.type}`);
        }
      }
      if ((panel.targets ?? []).length && !panel.datasource) {
        problems.push(`${where}: queries without a panel data source`);
      }
      if (panel.type === PANEL_ID) {
        const keys = Object.keys(panel.options ?? {}).sort();
        if (JSON.stringify(keys) !== JSON.stringify([...HOTSPOTS_PANEL_OPTION_KEYS].sort())) {
          problems.push(
            `${where}: options ${keys.join(', ')} differ from the panel contract (${HOTSPOTS_PANEL_OPTION_KEYS.join(', ')})`
          );
        }
        if (!HOTSPOTS_MODES.includes(panel.options?.mode)) {
          problems.push(`${where}: mode ${panel.options?.mode} is not one of ${HOTSPOTS_MODES.join(', ')}`);
        }
        for (const t of panel.targets ?? []) {
          if (JSON.stringify(t) !== JSON.stringify(HOTSPOTS_TARGET)) {
            problems.push(
              `${where}: target ${JSON.stringify(t)} differs from the contract ${JSON.stringify(HOTSPOTS_TARGET)}`
            );
          }
        }
        if (panel.datasource?.uid !== DATASOURCES.jaeger.uid) {
          problems.push(`${where}: the Hotpath panel queries Jaeger`);
        }
      }
    }
    for (const v of d.templating?.list ?? []) {
      if (v.datasource && !byUid.has(v.datasource.uid)) {
        problems.push(`${file} variable ${v.name}: data source uid ${v.datasource.uid} is not provisioned`);
      }
    }
  }
  for (const title of requiredTitles) {
    if (!titles.has(title)) {
      problems.push(`dashboard "${title}" is missing`);
    }
  }
  const hotpath = Object.values(p.dashboards)
    .flatMap(panelsOf)
    .filter((panel: any) => panel.type === PANEL_ID);
  if (!hotpath.some((panel: any) => panel.options?.mode === 'compare')) {
    problems.push('no Hotpath panel in slow-vs-baseline (compare) mode');
  }
  for (const q of queries(p)) {
    const ds = byUid.get(q.datasourceUid);
    if (ds?.type === 'prometheus') {
      const names = promqlMetricNames(q.expr);
      if (names.length === 0 && !q.origin.includes('variable')) {
        problems.push(`${q.origin}: no metric selector found in ${q.expr}`);
      }
      const varNames = q.origin.includes('variable')
        ? [...q.expr.matchAll(/label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)/g)].map((m) => m[1])
        : names;
      for (const name of varNames) {
        if (!produced.has(name)) {
          problems.push(`${q.origin}: metric ${name} is not produced by the bundle (${[...produced].join(', ')})`);
        }
      }
      problems.push(...streamQueryProblems(q));
    } else if (ds?.type === 'loki') {
      // Streams are selected by service_name, directly or through the trace link's tag mapping (${__tags}).
      if (!/service_name|\$\{__tags\}/.test(q.expr)) {
        problems.push(`${q.origin}: Loki queries select streams by service_name (the OTLP index label)`);
      }
      if (/\{[^}]*trace_id\s*=/.test(q.expr)) {
        problems.push(`${q.origin}: trace_id is structured metadata, not a stream label; filter with | trace_id="…"`);
      }
    } else if (!ds) {
      problems.push(`${q.origin}: data source uid ${q.datasourceUid} is not provisioned`);
    }
  }
  return problems;
}

/** A variable's `label_values(metric{…}, label)` read as the selector `metric{…, label=""}`; other queries as they are. */
function asPromql(expr: string): string {
  const variable = /^label_values\(\s*([\w:]+)(?:\{([^}]*)\})?\s*,\s*(\w+)\s*\)$/.exec(expr);
  return variable ? `${variable[1]}{${variable[2] ? `${variable[2]}, ` : ''}${variable[3]}=""}` : expr;
}

/**
 * Whether a provisioned query (panel, variable or alert) reads `hotpath stream`'s metrics: those need the stream
 * running (e2e/servers/hotpath-stream-dashboard.test.ts), the others Jaeger's spanmetrics (journey.test.ts).
 */
export function isStreamQuery(q: Query): boolean {
  return readsStreamMetrics(asPromql(q.expr));
}

/** A query over `hotpath stream`'s metrics reads only those (so one real test covers it), with labels they have. */
function streamQueryProblems(q: Query): string[] {
  if (!isStreamQuery(q)) {
    return [];
  }
  const expr = asPromql(q.expr);
  const problems: string[] = [];
  const others = promqlMetricNames(expr).filter((name) => !STREAM_SERIES.has(name));
  if (others.length > 0) {
    problems.push(`${q.origin}: mixes hotpath stream metrics with ${others.join(', ')}`);
  }
  for (const label of unknownStreamLabels(expr)) {
    problems.push(`${q.origin}: label ${label} is on no hotpath stream series`);
  }
  return problems;
}

export function checkDashboardProviders(p: Provisioning, mountPath: string): string[] {
  const problems: string[] = [];
  const providers: any[] = p.providers?.providers ?? [];
  if (providers.length === 0) {
    problems.push('dashboards: no provider');
  }
  for (const provider of providers) {
    if (provider.type !== 'file' || provider.options?.path !== mountPath) {
      problems.push(`dashboards: provider ${provider.name} must be type file with options.path ${mountPath}`);
    }
  }
  return problems;
}

/** Alert rules: known data sources, a condition that exists, a threshold on a query, links to real dashboards. */
export function checkAlerting(p: Provisioning, produced: Set<string>): string[] {
  const problems: string[] = [];
  const byUid = datasourceUids(p);
  const rules = (p.alerting?.groups ?? []).flatMap((g: any) =>
    (g.rules ?? []).map((r: any) => ({ group: g, rule: r }))
  );
  if (rules.length === 0) {
    problems.push('alerting: no rule provisioned');
  }
  for (const { group, rule } of rules) {
    const where = `alert ${rule.uid}`;
    if (!group.folder || !group.interval) {
      problems.push(`${where}: group needs folder and interval`);
    }
    const refIds = new Set((rule.data ?? []).map((d: any) => d.refId));
    if (!refIds.has(rule.condition)) {
      problems.push(`${where}: condition ${rule.condition} is not a refId of its data`);
    }
    for (const d of rule.data ?? []) {
      if (d.datasourceUid === '__expr__') {
        if (d.model?.expression && !refIds.has(d.model.expression)) {
          problems.push(`${where}: expression ${d.refId} reads ${d.model.expression}, which is not a refId`);
        }
        continue;
      }
      const ds = byUid.get(d.datasourceUid);
      if (!ds) {
        problems.push(`${where}: data ${d.refId} uses unknown data source ${d.datasourceUid}`);
        continue;
      }
      if (ds.type === 'prometheus') {
        const expr: string = d.model?.expr ?? '';
        for (const name of promqlMetricNames(expr)) {
          if (!produced.has(name)) {
            problems.push(`${where}: metric ${name} is not produced by the bundle`);
          }
        }
        const query = { origin: where, datasourceUid: d.datasourceUid, expr };
        if (isStreamQuery(query)) {
          problems.push(...streamQueryProblems(query));
        } else if (!/service_name="frontend"/.test(expr)) {
          // A spanmetrics rule watches what users feel: the entry service.
          problems.push(`${where}: the rule watches the entry service (service_name="frontend")`);
        }
      }
    }
    const dash = rule.annotations?.__dashboardUid__;
    if (dash) {
      const d = Object.values(p.dashboards).find((x: any) => x.uid === dash);
      if (!d) {
        problems.push(`${where}: __dashboardUid__ ${dash} is not a provisioned dashboard`);
      } else if (
        rule.annotations.__panelId__ &&
        !panelsOf(d).some((panel: any) => String(panel.id) === String(rule.annotations.__panelId__))
      ) {
        problems.push(`${where}: __panelId__ ${rule.annotations.__panelId__} is not a panel of ${dash}`);
      }
    }
  }
  for (const problem of unescapedDollars(p.alerting)) {
    problems.push(`alerting: unescaped $ (alert templates need $$values): ${problem}`);
  }
  return problems;
}

/** Reads provisioning/ the way Grafana does: every YAML file of a subfolder, every JSON dashboard. */
export function loadProvisioning(): Provisioning {
  const merge = (dir: string, listKey: string) => {
    const out: any = { apiVersion: 1, [listKey]: [] };
    for (const file of listFiles(dir).filter((f) => /\.ya?ml$/.test(f))) {
      const doc = readYaml<any>(`${dir}/${file}`) ?? {};
      out[listKey].push(...(doc[listKey] ?? []));
    }
    return out;
  };
  const dashboards: Record<string, any> = {};
  for (const file of listFiles('provisioning/dashboards').filter((f) => f.endsWith('.json'))) {
    dashboards[file] = readJson(`provisioning/dashboards/${file}`);
  }
  return {
    datasources: merge('provisioning/datasources', 'datasources'),
    apps: merge('provisioning/plugins', 'apps'),
    providers: merge('provisioning/dashboards', 'providers'),
    alerting: merge('provisioning/alerting', 'groups'),
    dashboards,
  };
}
