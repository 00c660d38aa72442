/** @jest-environment node */
/**
 * Grafana provisioning (provisioning/): the same data source uids everywhere, the trace <-> logs <-> metrics links,
 * `$$` escaping, the app settings, dashboards (Foundation SDK dashboard schema, panel types, data sources, queries
 * that name metrics the bundle really produces) and the alert rule.
 */
import { checkSpanMetrics, producedMetrics, promqlMetricNames } from './lib/configs';
import { APP_ID, DATASOURCES } from './lib/contracts';
import {
  Provisioning,
  checkAlerting,
  checkApps,
  checkDashboardProviders,
  checkDatasources,
  checkDashboards,
  loadProvisioning,
  unescapedDollars,
} from './lib/provisioning';
import { clone, listFiles, readJson, readYaml } from './lib/repo';
import { schemaValidator } from './lib/schemas';
import { STREAM_SERIES } from './lib/streamMetrics';

const provisioning = loadProvisioning();
const spanMetrics = checkSpanMetrics(readYaml<any>('deploy/jaeger/config.yaml')).names!;
// What the bundle's Prometheus holds: Jaeger's spanmetrics, the demo's histogram, and `hotpath stream`'s series.
const produced = new Set([...producedMetrics(spanMetrics), ...STREAM_SERIES.keys()]);
const REQUIRED_DASHBOARDS = ['Hotpath — latency hotspots', 'Service RED', 'Demo logs', 'Hotpath — every trace'];
const pluginId = readJson<{ id: string }>('src/plugin.json').id;

describe('data sources', () => {
  it('provision Jaeger, Loki and Prometheus with fixed uids and the links between them', () => {
    expect(checkDatasources(provisioning)).toEqual([]);
  });

  it('scope trace -> logs to the trace through the trace_id structured metadata', () => {
    const jaeger = provisioning.datasources.datasources.find((d: any) => d.uid === DATASOURCES.jaeger.uid);
    expect(jaeger.jsonData.tracesToLogsV2.query).toBe('{$${__tags}} | trace_id="$${__span.traceId}"');
  });

  it('give exemplars a url destination that opens a plain Jaeger trace-ID query in Explore (grafana#111448)', () => {
    const prom = provisioning.datasources.datasources.find((d: any) => d.uid === DATASOURCES.prometheus.uid);
    const byUrl = prom.jsonData.exemplarTraceIdDestinations.find((e: any) => e.name === 'trace_id' && e.url);
    // Grafana interpolates ${__value.raw} (written $$ in provisioning YAML) into the url before opening it.
    const url = new URL(String(byUrl.url).replace('$${__value.raw}', '0af7651916cd43dd8448eb211c80319c'), 'http://g');
    expect(url.pathname).toBe('/explore');
    const panes = JSON.parse(url.searchParams.get('panes') ?? '{}');
    const [pane] = Object.values(panes) as any[];
    expect(pane.datasource).toBe(DATASOURCES.jaeger.uid);
    expect(pane.queries).toEqual([
      {
        refId: 'A',
        datasource: { type: 'jaeger', uid: DATASOURCES.jaeger.uid },
        query: '0af7651916cd43dd8448eb211c80319c',
      },
    ]);
  });

  it('fail on a mutated copy: wrong uid in a link, a label selector on trace_id, an unescaped $', () => {
    const bad: Provisioning = clone(provisioning);
    const [jaeger, loki, prom] = ['jaeger', 'loki', 'prometheus'].map((uid) =>
      bad.datasources.datasources.find((d: any) => d.uid === uid)
    );
    loki.jsonData.derivedFields[0].datasourceUid = 'jaeger2';
    prom.jsonData.exemplarTraceIdDestinations[0].datasourceUid = 'tempo';
    jaeger.jsonData.tracesToLogsV2.query = '{trace_id="${__span.traceId}"}';
    expect(checkDatasources(bad)).toEqual([
      'datasources: unescaped $ (write $$): datasources.0.jsonData.tracesToLogsV2.query: "{trace_id=\\"${__span.traceId}\\"}"',
      'jaeger: tracesToLogsV2 must use a custom query filtering | trace_id="${__span.traceId}" (got "{trace_id=\\"${__span.traceId}\\"}")',
      'jaeger: tracesToLogsV2 must select the stream by service_name (tag service.name -> service_name)',
      'loki: derived field trace_id links to jaeger2, not the Jaeger uid',
      'loki: derived field TraceID links to unknown uid jaeger2',
      'prometheus: exemplarTraceIdDestinations needs {name: trace_id, datasourceUid: jaeger}',
    ]);
  });
});

describe('app plugin settings', () => {
  it('enable the app and name the provisioned data sources', () => {
    expect(checkApps(provisioning, pluginId)).toEqual([]);
  });

  it('fail on a mutated copy (disabled app, unknown uid)', () => {
    const bad: Provisioning = clone(provisioning);
    bad.apps.apps[0].disabled = true;
    bad.apps.apps[0].jsonData.lokiUid = 'logs';
    expect(checkApps(bad, pluginId)).toEqual([
      'plugins: the app must be provisioned with disabled: false (its nested panel only loads then)',
      'plugins: jsonData.lokiUid is "logs", expected "loki"',
      'plugins: jsonData.lokiUid logs is not a provisioned data source',
    ]);
    expect(checkApps(provisioning, 'hotpath-other-app')).toContain(
      `src/plugin.json id hotpath-other-app is not ${APP_ID}`
    );
  });
});

describe('dashboards', () => {
  const validate = schemaValidator('grafana/dashboard.jsonschema.json');

  it('are the four the bundle promises, each valid against the Foundation SDK dashboard schema', () => {
    expect(Object.keys(provisioning.dashboards).sort()).toEqual([
      'demo-logs.json',
      'hotpath-every-trace.json',
      'hotpath-hotspots.json',
      'service-red.json',
    ]);
    for (const [file, dashboard] of Object.entries(provisioning.dashboards)) {
      expect({ file, errors: validate(dashboard) }).toEqual({ file, errors: [] });
    }
  });

  it('use existing panel types and data sources, follow the Hotpath panel contract, and query produced metrics', () => {
    expect(checkDashboards(provisioning, produced, REQUIRED_DASHBOARDS)).toEqual([]);
  });

  it('fail on a mutated copy: unknown panel type, unknown uid, metric typo, panel contract drift', () => {
    const bad: Provisioning = clone(provisioning);
    const red = bad.dashboards['service-red.json'];
    red.panels[0].type = 'graph-old';
    red.panels[1].datasource.uid = 'prom';
    red.panels[2].targets[0].expr = red.panels[2].targets[0].expr.replace(
      'duration_milliseconds_bucket',
      'latency_bucket'
    );
    const hot = bad.dashboards['hotpath-hotspots.json'].panels.find((p: any) => p.type === 'hotpath-hotspots-panel');
    hot.targets[0].service = 'backend';
    hot.options.mode = 'flamegraph';
    const problems = checkDashboards(bad, produced, REQUIRED_DASHBOARDS);
    expect(problems).toEqual(
      expect.arrayContaining([
        'service-red.json panel 1 "Request rate by operation — $service": panel type graph-old is neither a core panel nor hotpath-hotspots-panel',
        'service-red.json panel 2 "Error ratio by operation — $service": data source uid prom is not provisioned',
        expect.stringMatching(
          /^service-red\.json panel 3 A: metric traces_span_metrics_latency_bucket is not produced by the bundle/
        ),
        expect.stringMatching(/^hotpath-hotspots\.json panel 2 .*: mode flamegraph is not one of hotspots, compare$/),
        expect.stringMatching(/^hotpath-hotspots\.json panel 2 .*: target .* differs from the contract/),
      ])
    );
  });

  it('fail when the spanmetrics unit changes under them (the names are derived from the Jaeger config)', () => {
    const seconds = producedMetrics({ ...spanMetrics, unit: 's', duration: 'traces_span_metrics_duration_seconds' });
    expect(checkDashboards(provisioning, seconds, REQUIRED_DASHBOARDS).length).toBeGreaterThan(0);
  });

  it('are loaded by a file provider from the folder they are mounted in', () => {
    expect(checkDashboardProviders(provisioning, '/etc/grafana/provisioning/dashboards')).toEqual([]);
    expect(listFiles('provisioning/dashboards').filter((f) => !/\.(json|ya?ml)$/.test(f))).toEqual([]);
  });

  it('link exemplars: the spanmetrics and demo latency panels ask for exemplars', () => {
    const red = provisioning.dashboards['service-red.json'];
    const withExemplars = red.panels.filter((p: any) => p.targets?.some((t: any) => t.exemplar === true));
    expect(withExemplars.map((p: any) => p.id)).toEqual([3, 4, 5]);
  });
});

describe('"Hotpath — every trace" (hotpath stream\'s metrics)', () => {
  const FILE = 'hotpath-every-trace.json';
  const dashboard = provisioning.dashboards[FILE];
  const exprs = (d: any): string[] =>
    d.panels.flatMap((panel: any) => (panel.targets ?? []).map((t: any) => String(t.expr)));

  it('sums replicas per (service, operation) for the share, and shows every series family the stream exports', () => {
    const share = dashboard.panels.find((p: any) => p.id === 3);
    expect(share.targets[0].expr).toMatch(
      /sum by \(service, operation\) \(rate\(hotpath_critical_path_seconds_total\[\$__rate_interval\]\)\)/
    );
    expect(share.fieldConfig.defaults.unit).toBe('percentunit');
    const read = new Set(exprs(dashboard).flatMap(promqlMetricNames));
    const families = new Set([...STREAM_SERIES.keys()].map((name) => name.replace(/_(bucket|sum|count)$/, '')));
    const shown = [...families].filter((family) => [...read].some((name) => name.startsWith(family)));
    expect(shown.sort()).toEqual([...families].sort());
  });

  it('asks for exemplars on the per-operation p95, whose trace_id label the Prometheus data source links to Jaeger', () => {
    const withExemplars = dashboard.panels.filter((p: any) => p.targets?.some((t: any) => t.exemplar === true));
    expect(withExemplars.map((p: any) => p.targets[0].expr)).toEqual([
      'histogram_quantile(0.95, sum by (le, service, operation) (rate(hotpath_trace_critical_path_seconds_bucket{service="$service"}[$__rate_interval])))',
    ]);
    const prom = provisioning.datasources.datasources.find((d: any) => d.uid === DATASOURCES.prometheus.uid);
    expect(prom.jsonData.exemplarTraceIdDestinations.map((e: any) => e.name)).toEqual(['trace_id', 'trace_id']);
  });

  it('fails on a mutated copy: misspelt metric, misspelt label, a query mixing in spanmetrics', () => {
    const bad: Provisioning = clone(provisioning);
    const panels = bad.dashboards[FILE].panels;
    const target = (id: number) => panels.find((p: any) => p.id === id).targets[0];
    target(3).expr = target(3).expr.replace('hotpath_critical_path_seconds_total[', 'hotpath_critical_path_total[');
    target(8).expr = target(8).expr.replace('by (root_service)', 'by (service_root)');
    target(10).expr = `${target(10).expr} / sum(traces_span_metrics_calls_total{})`;
    bad.dashboards[FILE].templating.list[0].query = 'label_values(hotpath_critical_path_seconds_total, servce)';
    expect(checkDashboards(bad, produced, REQUIRED_DASHBOARDS)).toEqual([
      expect.stringMatching(/^hotpath-every-trace\.json panel 3 A: metric hotpath_critical_path_total is not produced/),
      'hotpath-every-trace.json panel 3 A: mixes hotpath stream metrics with hotpath_critical_path_total',
      'hotpath-every-trace.json panel 8 A: label service_root is on no hotpath stream series',
      'hotpath-every-trace.json panel 10 A: mixes hotpath stream metrics with traces_span_metrics_calls_total',
      'hotpath-every-trace.json variable service: label servce is on no hotpath stream series',
    ]);
  });
});

describe('alerting', () => {
  it("provisions a rule on the entry service's spanmetrics p95 against its baseline, linked to the RED dashboard", () => {
    expect(checkAlerting(provisioning, produced)).toEqual([]);
    const rule = provisioning.alerting.groups[0].rules[0];
    expect(rule.data[0].model.expr).toMatch(/offset 5m/);
    expect(rule.data.find((d: any) => d.refId === rule.condition).model).toMatchObject({
      type: 'threshold',
      expression: 'A',
    });
  });

  it("provisions a rule on one operation's critical-path share against its own baseline, linked to the share panel", () => {
    const rule = provisioning.alerting.groups
      .flatMap((g: any) => g.rules)
      .find((r: any) => r.uid === 'hotpath-critical-path-share-jump');
    expect(rule.annotations).toMatchObject({ __dashboardUid__: 'hotpath-every-trace', __panelId__: '3' });
    expect(rule.data[0].model.expr).toMatch(/\[6h\] offset 10m/);
    expect(rule.data.find((d: any) => d.refId === rule.condition).model).toMatchObject({
      type: 'threshold',
      expression: 'A',
      conditions: [{ evaluator: { type: 'gt', params: [2] } }],
    });
    const bad: Provisioning = clone(provisioning);
    const badRule = bad.alerting.groups[1].rules[0];
    badRule.data[0].model.expr = badRule.data[0].model.expr.replace('on (service, operation)', 'on (service, op)');
    expect(checkAlerting(bad, produced)).toEqual([
      'alert hotpath-critical-path-share-jump: label op is on no hotpath stream series',
    ]);
  });

  it('fails on a mutated copy: missing condition, unknown dashboard, unescaped template, unknown metric', () => {
    const bad: Provisioning = clone(provisioning);
    const rule = bad.alerting.groups[0].rules[0];
    rule.condition = 'B';
    rule.annotations.__dashboardUid__ = 'nope';
    rule.annotations.summary = 'p95 is {{ $values.A.Value }}';
    rule.data[0].model.expr = rule.data[0].model.expr.replace(
      /traces_span_metrics_duration_milliseconds_bucket/g,
      'duration_bucket'
    );
    expect(checkAlerting(bad, produced)).toEqual([
      'alert hotpath-frontend-p95-regression: condition B is not a refId of its data',
      'alert hotpath-frontend-p95-regression: metric duration_bucket is not produced by the bundle',
      'alert hotpath-frontend-p95-regression: __dashboardUid__ nope is not a provisioned dashboard',
      'alerting: unescaped $ (alert templates need $$values): groups.0.rules.0.annotations.summary: "p95 is {{ $values.A.Value }}"',
    ]);
  });
});

describe('$$ escaping helper', () => {
  it('accepts $$ and rejects a lone $', () => {
    expect(unescapedDollars({ a: '$${__value.raw}', b: ['x $$y'] })).toEqual([]);
    expect(unescapedDollars({ a: '${__value.raw}' })).toEqual(['a: "${__value.raw}"']);
  });
});
