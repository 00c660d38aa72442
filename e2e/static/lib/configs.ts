/**
 * Structural checks for the component configs no offline validator covers: Jaeger v2 (an OpenTelemetry Collector
 * distribution) and Loki 3. Also derives the Prometheus metric names the bundle really produces, for the
 * dashboard/alert checks.
 */
import { DEMO_HISTOGRAM } from './contracts';
import { JAEGER_RELEASE } from './versions';

/**
 * Components compiled into the pinned Jaeger (jaegertracing/jaeger v1.75.0 cmd/jaeger/internal/components.go); the
 * real binary's `jaeger components` must list every one (e2e/servers/jaeger-configs.test.ts).
 */
export const JAEGER_COMPONENTS = {
  // No basicauth in 2.12 (later releases add it): the real binary's list said so.
  extensions: [
    'expvar',
    'healthcheckv2',
    'jaeger_query',
    'jaeger_storage',
    'pprof',
    'remote_sampling',
    'remote_storage',
    'sigv4auth',
    'storage_cleaner',
    'zpages',
  ],
  receivers: ['jaeger', 'kafka', 'nop', 'otlp', 'zipkin'],
  processors: ['adaptive_sampling', 'attributes', 'batch', 'filter', 'memory_limiter', 'tail_sampling'],
  exporters: ['debug', 'jaeger_storage_exporter', 'kafka', 'nop', 'otlp', 'otlphttp', 'prometheus'],
  connectors: ['forward', 'spanmetrics'],
};

const typeOf = (id: string) => id.split('/')[0];

/** `0.0.0.0:4318`, `[::]:4318` and `:4318` listen on every interface; a bare default or `localhost:…` does not. */
function endpointBindsAll(endpoint: unknown): boolean {
  return typeof endpoint === 'string' && /^(0\.0\.0\.0|\[::\])?:\d+$/.test(endpoint);
}

/** Jaeger v2 config: every referenced component defined and compiled in, storage names agree, endpoints bind all. */
export function checkJaegerConfig(cfg: any): string[] {
  const problems: string[] = [];
  const section = (name: keyof typeof JAEGER_COMPONENTS): Record<string, any> => cfg?.[name] ?? {};
  for (const kind of Object.keys(JAEGER_COMPONENTS) as Array<keyof typeof JAEGER_COMPONENTS>) {
    for (const id of Object.keys(section(kind))) {
      if (!JAEGER_COMPONENTS[kind].includes(typeOf(id))) {
        problems.push(`${kind}.${id}: component type ${typeOf(id)} is not built into ${JAEGER_RELEASE}`);
      }
    }
  }
  const service = cfg?.service ?? {};
  for (const ext of service.extensions ?? []) {
    if (!(ext in section('extensions'))) {
      problems.push(`service.extensions: ${ext} is not defined under extensions`);
    }
  }
  const connectorsAsExporter = new Set<string>();
  const connectorsAsReceiver = new Set<string>();
  for (const [name, pipeline] of Object.entries<any>(service.pipelines ?? {})) {
    for (const r of pipeline.receivers ?? []) {
      if (r in section('connectors')) {
        connectorsAsReceiver.add(r);
      } else if (!(r in section('receivers'))) {
        problems.push(`pipeline ${name}: receiver ${r} is not defined`);
      }
    }
    for (const p of pipeline.processors ?? []) {
      if (!(p in section('processors'))) {
        problems.push(`pipeline ${name}: processor ${p} is not defined`);
      }
    }
    for (const e of pipeline.exporters ?? []) {
      if (e in section('connectors')) {
        connectorsAsExporter.add(e);
      } else if (!(e in section('exporters'))) {
        problems.push(`pipeline ${name}: exporter ${e} is not defined`);
      }
    }
    if (!(pipeline.receivers ?? []).length || !(pipeline.exporters ?? []).length) {
      problems.push(`pipeline ${name}: needs receivers and exporters`);
    }
  }
  for (const c of Object.keys(section('connectors'))) {
    if (!connectorsAsExporter.has(c) || !connectorsAsReceiver.has(c)) {
      problems.push(`connector ${c} must be an exporter of one pipeline and a receiver of another`);
    }
  }
  for (const kind of ['receivers', 'processors', 'exporters'] as const) {
    for (const id of Object.keys(section(kind))) {
      const used = Object.values<any>(service.pipelines ?? {}).some((p) => (p[kind] ?? []).includes(id));
      if (!used) {
        problems.push(`${kind}.${id} is defined but used by no pipeline`);
      }
    }
  }

  // Storage names agree between jaeger_storage, jaeger_query and the storage exporter.
  const storage = section('extensions').jaeger_storage ?? {};
  const backends = Object.keys(storage.backends ?? {});
  const metricBackends = Object.keys(storage.metric_backends ?? {});
  const query = section('extensions').jaeger_query?.storage ?? {};
  // A config without jaeger_query (the Kafka collector) stores and serves nothing.
  const serves = section('extensions').jaeger_query !== undefined;
  if (serves && !backends.includes(query.traces)) {
    problems.push(
      `jaeger_query.storage.traces ${query.traces} is not a jaeger_storage backend (${backends.join(', ')})`
    );
  }
  if (query.traces_archive !== undefined && !backends.includes(query.traces_archive)) {
    problems.push(`jaeger_query.storage.traces_archive ${query.traces_archive} is not a jaeger_storage backend`);
  }
  if (query.metrics !== undefined && !metricBackends.includes(query.metrics)) {
    problems.push(`jaeger_query.storage.metrics ${query.metrics} is not a jaeger_storage metric backend`);
  }
  for (const [id, exp] of Object.entries<any>(section('exporters'))) {
    if (typeOf(id) === 'jaeger_storage_exporter' && !backends.includes(exp?.trace_storage)) {
      problems.push(`exporters.${id}.trace_storage ${exp?.trace_storage} is not a jaeger_storage backend`);
    }
  }

  // Endpoints reachable from other containers/pods (the bare collector defaults bind localhost).
  // Every receiving config takes OTLP over both protocols (the Kafka ingester receives from Kafka only).
  const otlp = section('receivers').otlp?.protocols ?? {};
  for (const proto of section('receivers').otlp ? ['grpc', 'http'] : []) {
    if (!otlp[proto] || !endpointBindsAll(otlp[proto].endpoint)) {
      problems.push(`receivers.otlp.protocols.${proto}.endpoint must bind 0.0.0.0 (got ${otlp[proto]?.endpoint})`);
    }
  }
  const health = section('extensions').healthcheckv2;
  if (!health || !endpointBindsAll(health.http?.endpoint) || !(service.extensions ?? []).includes('healthcheckv2')) {
    problems.push('extensions.healthcheckv2.http.endpoint must bind 0.0.0.0:13133 and be enabled');
  } else if (!String(health.http.endpoint).endsWith(':13133')) {
    problems.push('extensions.healthcheckv2.http.endpoint must be on port 13133 (probes and healthchecks use it)');
  }
  if (section('extensions').jaeger_query && section('extensions').jaeger_query.enable_tracing !== false) {
    // Default true in 2.x: the query API's own spans go to localhost:4317 (see deploy/jaeger/config.yaml).
    problems.push('extensions.jaeger_query.enable_tracing must be false (self-traces mix into the demo data)');
  }
  // The UI/API port: 16686 is published by compose and exposed by the Services (16687 for the Kafka profile's
  // ingester, published beside it); the gRPC API stays on 16685.
  const queryServer = section('extensions').jaeger_query ?? {};
  for (const [proto, ports] of serves
    ? ([
        ['http', [16686, 16687]],
        ['grpc', [16685]],
      ] as const)
    : []) {
    const endpoint = queryServer[proto]?.endpoint;
    if (!endpointBindsAll(endpoint) || !ports.some((port) => String(endpoint).endsWith(`:${port}`))) {
      problems.push(
        `extensions.jaeger_query.${proto}.endpoint must bind 0.0.0.0:${ports.join(' or ')} (got ${endpoint})`
      );
    }
  }
  for (const [id, exp] of Object.entries<any>(section('exporters'))) {
    if (typeOf(id) === 'prometheus' && !endpointBindsAll(exp?.endpoint)) {
      problems.push(`exporters.${id}.endpoint must bind 0.0.0.0 (got ${exp?.endpoint})`);
    }
  }
  for (const reader of service.telemetry?.metrics?.readers ?? []) {
    const host = reader?.pull?.exporter?.prometheus?.host;
    if (host !== undefined && host !== '0.0.0.0') {
      problems.push(`service.telemetry.metrics prometheus host must be 0.0.0.0 (got ${host})`);
    }
  }
  return problems;
}

export interface SpanMetricsNames {
  prefix: string;
  unit: 'ms' | 's';
  calls: string;
  duration: string;
}

/**
 * SPM wiring: spanmetrics connector with a pinned unit and exemplars, a prometheus exporter with OpenMetrics on
 * 8889 in a pipeline fed by the connector, and jaeger_query reading the same names back from Prometheus.
 * Returns the Prometheus metric names the pipeline produces (the dashboards and the alert must use these).
 */
export function checkSpanMetrics(cfg: any): { problems: string[]; names?: SpanMetricsNames } {
  const problems: string[] = [];
  const connector = cfg?.connectors?.spanmetrics;
  if (!connector) {
    return { problems: ['connectors.spanmetrics is not defined'] };
  }
  const unit = connector.histogram?.unit;
  if (unit !== 'ms' && unit !== 's') {
    problems.push(
      `connectors.spanmetrics.histogram.unit must be pinned to ms or s (got ${unit}); the upstream default is changing`
    );
  }
  if (connector.exemplars?.enabled !== true) {
    problems.push('connectors.spanmetrics.exemplars.enabled must be true (exemplars link metrics to traces)');
  }
  const namespace: string = connector.namespace ?? 'traces.span.metrics';
  const prefix = namespace.replace(/[^A-Za-z0-9_]/g, '_');
  const pipelines = Object.values<any>(cfg?.service?.pipelines ?? {});
  const traces = pipelines.filter((p) => (p.exporters ?? []).includes('spanmetrics'));
  if (traces.length === 0) {
    problems.push('no traces pipeline exports to spanmetrics');
  }
  const metrics = pipelines.filter((p) => (p.receivers ?? []).includes('spanmetrics'));
  const promExporters = metrics.flatMap((p) => (p.exporters ?? []).filter((e: string) => typeOf(e) === 'prometheus'));
  if (promExporters.length === 0) {
    problems.push('the spanmetrics pipeline does not export to a prometheus exporter');
  }
  for (const id of promExporters) {
    const exp = cfg?.exporters?.[id] ?? {};
    if (exp.enable_open_metrics !== true) {
      problems.push(`exporters.${id}.enable_open_metrics must be true (exemplars are only exposed in OpenMetrics)`);
    }
    if (!String(exp.endpoint ?? '').endsWith(':8889')) {
      problems.push(`exporters.${id}.endpoint must be on 8889 (Prometheus scrapes it there)`);
    }
    if (exp.namespace) {
      problems.push(
        `exporters.${id}.namespace would change the metric names; set connectors.spanmetrics.namespace instead`
      );
    }
    if (
      exp.add_metric_suffixes === false ||
      (exp.translation_strategy && exp.translation_strategy !== 'UnderscoreEscapingWithSuffixes')
    ) {
      problems.push(`exporters.${id}: metric suffixes must stay on (_total, _milliseconds)`);
    }
  }
  const names: SpanMetricsNames | undefined =
    unit === 'ms' || unit === 's'
      ? {
          prefix,
          unit,
          calls: `${prefix}_calls_total`,
          duration: `${prefix}_duration_${unit === 'ms' ? 'milliseconds' : 'seconds'}`,
        }
      : undefined;

  // jaeger_query reads the metrics back: the names it builds must be the ones produced.
  const metricsStore = cfg?.extensions?.jaeger_query?.storage?.metrics;
  const backend = cfg?.extensions?.jaeger_storage?.metric_backends?.[metricsStore]?.prometheus;
  if (!backend) {
    problems.push('jaeger_query.storage.metrics must name a prometheus metric backend (the Monitor tab)');
  } else {
    if ((backend.metric_namespace ?? 'traces_span_metrics') !== prefix) {
      problems.push(
        `metric backend metric_namespace ${backend.metric_namespace} does not match the connector's ${prefix}`
      );
    }
    if ((backend.latency_unit ?? 'ms') !== unit) {
      problems.push(
        `metric backend latency_unit ${backend.latency_unit ?? 'ms (default)'} does not match the connector's ${unit}`
      );
    }
    if (backend.normalize_calls !== true || backend.normalize_duration !== true) {
      problems.push(
        'metric backend normalize_calls and normalize_duration must be true (the exporter adds the suffixes)'
      );
    }
  }
  return { problems, names };
}

/** Prometheus series the bundle produces: spanmetrics (from the Jaeger config) and the demo histogram. */
export function producedMetrics(names: SpanMetricsNames): Set<string> {
  return new Set([
    names.calls,
    `${names.duration}_bucket`,
    `${names.duration}_sum`,
    `${names.duration}_count`,
    `${DEMO_HISTOGRAM}_bucket`,
    `${DEMO_HISTOGRAM}_sum`,
    `${DEMO_HISTOGRAM}_count`,
  ]);
}

/** Metric names selected in a PromQL expression (`name{...}` or `name[...]`), string literals ignored. */
export function promqlMetricNames(expr: string): string[] {
  const stripped = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  const names = new Set<string>();
  for (const m of stripped.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)\s*(?=\{|\[)/g)) {
    names.add(m[1]);
  }
  return [...names];
}

/** Loki config: TSDB + schema v13, every path on the /loki volume, structured metadata on, no phoning home. */
export function checkLokiConfig(cfg: any, volume = '/loki'): string[] {
  const problems: string[] = [];
  const configs: any[] = cfg?.schema_config?.configs ?? [];
  const latest = [...configs].sort((a, b) => String(a.from).localeCompare(String(b.from))).pop();
  if (!latest) {
    problems.push('schema_config.configs is empty');
  } else {
    if (latest.store !== 'tsdb') {
      problems.push(`schema_config: the current period must use store tsdb (got ${latest.store})`);
    }
    if (latest.schema !== 'v13') {
      problems.push(
        `schema_config: the current period must use schema v13 (got ${latest.schema}); structured metadata needs it`
      );
    }
    if (latest.index?.period !== '24h') {
      problems.push('schema_config: TSDB needs index.period 24h');
    }
  }
  if (cfg?.limits_config?.allow_structured_metadata === false) {
    problems.push('limits_config.allow_structured_metadata must not be false (OTLP trace_id lives there)');
  }
  if (cfg?.analytics?.reporting_enabled !== false) {
    problems.push('analytics.reporting_enabled must be false');
  }
  if ((cfg?.server?.http_listen_port ?? 3100) !== 3100) {
    problems.push('server.http_listen_port must be 3100 (OTLP endpoint, probes, Grafana)');
  }
  if (cfg?.auth_enabled !== false) {
    problems.push('auth_enabled must be false (single tenant: OTLP pushes carry no X-Scope-OrgID)');
  }
  const paths: Array<[string, unknown]> = [
    ['common.path_prefix', cfg?.common?.path_prefix],
    ['common.storage.filesystem.chunks_directory', cfg?.common?.storage?.filesystem?.chunks_directory],
    ['common.storage.filesystem.rules_directory', cfg?.common?.storage?.filesystem?.rules_directory],
    ['storage_config.tsdb_shipper.active_index_directory', cfg?.storage_config?.tsdb_shipper?.active_index_directory],
    ['storage_config.tsdb_shipper.cache_location', cfg?.storage_config?.tsdb_shipper?.cache_location],
    ['compactor.working_directory', cfg?.compactor?.working_directory],
    ['ingester.wal.dir', cfg?.ingester?.wal?.dir],
  ];
  if (!cfg?.common?.path_prefix) {
    problems.push('common.path_prefix must be set (on the data volume)');
  }
  for (const [where, path] of paths) {
    if (path !== undefined && !(path === volume || String(path).startsWith(`${volume}/`))) {
      problems.push(`${where} ${path} is not on the ${volume} volume`);
    }
  }
  const store = latest?.object_store;
  if (store === 'filesystem' && !cfg?.common?.storage?.filesystem) {
    problems.push('object_store filesystem without common.storage.filesystem');
  }
  if (store === 's3' && !cfg?.common?.storage?.s3 && !cfg?.storage_config?.aws) {
    problems.push('object_store s3 without an s3 storage block');
  }
  return problems;
}

/** Values that look like credentials must be environment references, never literals. */
export function literalSecrets(obj: unknown, path = ''): string[] {
  const found: string[] = [];
  if (obj && typeof obj === 'object') {
    for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
      const here = path ? `${path}.${k}` : k;
      if (
        typeof v === 'string' &&
        /(password|secret|access_key|token|username)/i.test(k) &&
        !/^\$\{(env:)?[A-Z_][A-Z0-9_]*(:-[^}]*)?\}$/.test(v)
      ) {
        found.push(here);
      } else {
        found.push(...literalSecrets(v, here));
      }
    }
  }
  return found;
}

/** Environment variables a config expands (`${env:NAME}` for Jaeger, `${NAME}` for Loki with -config.expand-env). */
export function envReferences(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{(?:env:)?([A-Z_][A-Z0-9_]*)(?::-[^}]*)?\}/g)].map((m) => m[1]))];
}

/**
 * Every address in the shipped Jaeger configs comes from an environment variable, so that compose, Kubernetes and
 * the real-server tests (e2e/servers, on free loopback ports) run the very same files. The name says what the
 * address is: `*_ENDPOINT` a host:port Jaeger listens on, `*_HOST` and `*_PORT` one split in two (the schema of the
 * telemetry reader), `*_URL` and `*_BROKERS` a server Jaeger connects to. Credentials are the only other variables.
 */
export type JaegerVariableKind = 'listen' | 'listen-host' | 'listen-port' | 'upstream' | 'credential';

export function jaegerVariableKind(name: string): JaegerVariableKind | undefined {
  if (/_ENDPOINT$/.test(name)) {
    return 'listen';
  }
  if (/_HOST$/.test(name)) {
    return 'listen-host';
  }
  if (/_PORT$/.test(name)) {
    return 'listen-port';
  }
  if (/_(URL|BROKERS)$/.test(name)) {
    return 'upstream';
  }
  if (/_(USERNAME|PASSWORD)$/.test(name)) {
    return 'credential';
  }
  return undefined;
}

/**
 * Replaces `${env:NAME}` (and `${env:NAME:-default}`) with `env[NAME]` where it is set, as the collector's env
 * provider does before parsing; references to unset names stay as they are.
 */
export function expandEnv(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{env:([A-Z_][A-Z0-9_]*)(?::-([^}]*))?\}/g, (match, name: string, fallback?: string) =>
    Object.prototype.hasOwnProperty.call(env, name) ? env[name] : (fallback ?? match)
  );
}

/** The variables a parsed config reads: `${env:…}` references in its values (comments may mention others). */
export function valueEnvReferences(cfg: unknown): string[] {
  const values: string[] = [];
  const visit = (node: unknown) => {
    if (typeof node === 'string') {
      values.push(node);
    } else if (node && typeof node === 'object') {
      Object.values(node).forEach(visit);
    }
  };
  visit(cfg);
  return envReferences(values.join('\n')).sort();
}
