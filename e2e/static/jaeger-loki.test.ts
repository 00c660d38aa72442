/** @jest-environment node */
/**
 * Jaeger v2 and Loki 3 configs. Neither has an offline validator, so their structure is checked: every pipeline
 * component defined and compiled into the pinned Jaeger (tools/versions.json), storage names that agree, endpoints bound to 0.0.0.0, the
 * spanmetrics unit pinned and matching what the dashboards query; Loki on TSDB/v13 with every path on its volume.
 */
import { ComposeFile, environmentOf, mountsOf } from './lib/compose';
import {
  checkJaegerConfig,
  checkLokiConfig,
  checkSpanMetrics,
  envReferences,
  expandEnv,
  jaegerVariableKind,
  literalSecrets,
  producedMetrics,
  valueEnvReferences,
} from './lib/configs';
import { DEMO_HISTOGRAM } from './lib/contracts';
import { clone, exists, listFiles, parseYaml, readText, readYaml } from './lib/repo';
import { JAEGER_RELEASE } from './lib/versions';

/** Every shipped Jaeger config: the bundle's, production's, and the Kafka pipeline's two roles. */
const JAEGER_FILES = listFiles('deploy/jaeger')
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => `deploy/jaeger/${name}`);
const LOKI_FILES = ['deploy/loki/config.yaml', 'deploy/loki/config.production.yaml'];

const compose = readYaml<ComposeFile>('docker-compose.yml');

/**
 * The environment of the compose service that runs a config (it mounts the file); the production config runs in
 * Kubernetes only, with the main Jaeger's addresses (k8s/base/jaeger sets the same as compose: drift.test.ts).
 */
function runtimeEnv(file: string): Record<string, string> {
  const runner = Object.values(compose.services).find((service) =>
    mountsOf(service).some((m) => m.source === `./${file}`)
  );
  return environmentOf(runner ?? compose.services.jaeger);
}

/** A Jaeger config as the container sees it: its `${env:…}` addresses filled in from its runtime's environment. */
function readJaeger(file: string): any {
  return parseYaml(expandEnv(readText(file), runtimeEnv(file)));
}

const variablesOf = (file: string) => valueEnvReferences(readYaml(file));

describe.each(JAEGER_FILES)('Jaeger %s', (file) => {
  const cfg = readJaeger(file);
  const env = runtimeEnv(file);

  it('reads only addresses and credentials from the environment, every address set by its compose service', () => {
    const variables = variablesOf(file);
    expect(variables.filter((v) => !jaegerVariableKind(v))).toEqual([]);
    const addresses = variables.filter((v) => jaegerVariableKind(v) !== 'credential' && !v.startsWith('OPENSEARCH_'));
    expect(addresses.filter((v) => !(v in env))).toEqual([]);
    // Listen addresses bind every interface in the containers; the servers tests put them on loopback ports.
    for (const v of addresses.filter((name) => jaegerVariableKind(name)?.startsWith('listen'))) {
      expect({ [v]: env[v] }).toEqual({ [v]: expect.stringMatching(/^(0\.0\.0\.0(:\d+)?|\d+)$/) });
    }
    // ...and the service sets nothing else of that kind (a stale variable would hide a renamed placeholder).
    const stale = Object.keys(env).filter((v) => jaegerVariableKind(v) && !variables.includes(v));
    expect(stale).toEqual([]);
  });

  it(`defines every component its pipelines and extensions use, all built into ${JAEGER_RELEASE}, storage names agreeing`, () => {
    expect(checkJaegerConfig(cfg)).toEqual([]);
  });

  const spm = cfg.connectors?.spanmetrics ? it : it.skip;
  spm(
    'wires SPM: spanmetrics (unit pinned, exemplars) -> prometheus exporter (OpenMetrics, :8889), read back by jaeger_query',
    () => {
      const { problems, names } = checkSpanMetrics(cfg);
      expect(problems).toEqual([]);
      expect(names).toEqual({
        prefix: 'traces_span_metrics',
        unit: 'ms',
        calls: 'traces_span_metrics_calls_total',
        duration: 'traces_span_metrics_duration_milliseconds',
      });
    }
  );

  it('keeps credentials out of the file', () => {
    expect(literalSecrets(cfg)).toEqual([]);
  });
});

describe('Jaeger config checks fail on mutated copies', () => {
  const cfg = readJaeger('deploy/jaeger/config.yaml');

  it('an undefined or unknown component, a storage name mismatch, a localhost bind', () => {
    const bad = clone(cfg);
    bad.service.pipelines.traces.processors.push('tail_sampling');
    bad.service.pipelines.traces.exporters.push('prometheusremotewrite');
    bad.extensions.jaeger_query.storage.traces = 'some_store';
    bad.receivers.otlp.protocols.http.endpoint = 'localhost:4318';
    delete bad.extensions.healthcheckv2.http.endpoint;
    delete bad.extensions.jaeger_query.enable_tracing;
    expect(checkJaegerConfig(bad)).toEqual([
      'pipeline traces: processor tail_sampling is not defined',
      'pipeline traces: exporter prometheusremotewrite is not defined',
      'jaeger_query.storage.traces some_store is not a jaeger_storage backend (traces_store)',
      'receivers.otlp.protocols.http.endpoint must bind 0.0.0.0 (got localhost:4318)',
      'extensions.healthcheckv2.http.endpoint must bind 0.0.0.0:13133 and be enabled',
      'extensions.jaeger_query.enable_tracing must be false (self-traces mix into the demo data)',
    ]);
    const bad2 = clone(cfg);
    bad2.exporters.prometheusremotewrite = { endpoint: 'http://prometheus:9090/api/v1/write' };
    bad2.service.pipelines['metrics/spanmetrics'].exporters = ['prometheusremotewrite'];
    expect(checkJaegerConfig(bad2)).toContain(
      `exporters.prometheusremotewrite: component type prometheusremotewrite is not built into ${JAEGER_RELEASE}`
    );
  });

  it('an unpinned unit, exemplars off, or query and connector disagreeing on names', () => {
    const bad = clone(cfg);
    delete bad.connectors.spanmetrics.histogram.unit;
    bad.connectors.spanmetrics.exemplars.enabled = false;
    bad.exporters.prometheus.enable_open_metrics = false;
    expect(checkSpanMetrics(bad).problems).toEqual([
      'connectors.spanmetrics.histogram.unit must be pinned to ms or s (got undefined); the upstream default is changing',
      'connectors.spanmetrics.exemplars.enabled must be true (exemplars link metrics to traces)',
      'exporters.prometheus.enable_open_metrics must be true (exemplars are only exposed in OpenMetrics)',
      "metric backend latency_unit ms does not match the connector's undefined",
    ]);
    const seconds = clone(cfg);
    seconds.connectors.spanmetrics.histogram.unit = 's';
    const result = checkSpanMetrics(seconds);
    expect(result.problems).toEqual(["metric backend latency_unit ms does not match the connector's s"]);
    // ...and the dashboards' _milliseconds_ queries would no longer name a produced series (provisioning.test.ts).
    expect(producedMetrics(result.names!).has('traces_span_metrics_duration_milliseconds_bucket')).toBe(false);
  });
});

describe('Jaeger production config', () => {
  const cfg = readJaeger('deploy/jaeger/config.production.yaml');

  it('stores traces in OpenSearch whose address and credentials come from the environment', () => {
    const backend = cfg.extensions.jaeger_storage.backends[cfg.extensions.jaeger_query.storage.traces];
    expect(Object.keys(backend)).toEqual(['opensearch']);
    const own = variablesOf('deploy/jaeger/config.production.yaml').filter(
      (v) => !variablesOf('deploy/jaeger/config.yaml').includes(v)
    );
    expect(own).toEqual(['OPENSEARCH_PASSWORD', 'OPENSEARCH_URL', 'OPENSEARCH_USERNAME']);
  });

  it('differs from the dev config only in the trace storage and CORS', () => {
    const dev = readJaeger('deploy/jaeger/config.yaml');
    const strip = (c: any) => {
      const copy = clone(c);
      delete copy.extensions.jaeger_storage.backends;
      delete copy.receivers.otlp.protocols.http.cors;
      return copy;
    };
    expect(strip(cfg)).toEqual(strip(dev));
  });
});

describe.each(LOKI_FILES)('Loki %s', (file) => {
  const cfg = readYaml<any>(file);

  it('uses TSDB with schema v13, keeps every path on the /loki volume, allows structured metadata, reports nothing', () => {
    expect(checkLokiConfig(cfg)).toEqual([]);
  });

  it('keeps credentials out of the file', () => {
    expect(literalSecrets(cfg)).toEqual([]);
  });
});

describe('Loki config checks fail on mutated copies', () => {
  it('schema v12/boltdb, a path off the volume, structured metadata off, usage reporting on', () => {
    const bad = clone(readYaml<any>('deploy/loki/config.yaml'));
    bad.schema_config.configs[0].schema = 'v12';
    bad.schema_config.configs[0].store = 'boltdb-shipper';
    bad.compactor.working_directory = '/tmp/compactor';
    bad.limits_config.allow_structured_metadata = false;
    delete bad.analytics;
    expect(checkLokiConfig(bad)).toEqual([
      'schema_config: the current period must use store tsdb (got boltdb-shipper)',
      'schema_config: the current period must use schema v13 (got v12); structured metadata needs it',
      'limits_config.allow_structured_metadata must not be false (OTLP trace_id lives there)',
      'analytics.reporting_enabled must be false',
      'compactor.working_directory /tmp/compactor is not on the /loki volume',
    ]);
  });
});

describe('Loki production config', () => {
  it('keeps chunks and index in S3, configured from environment variables (-config.expand-env)', () => {
    const cfg = readYaml<any>('deploy/loki/config.production.yaml');
    expect(cfg.schema_config.configs.at(-1).object_store).toBe('s3');
    expect(envReferences(readText('deploy/loki/config.production.yaml')).sort()).toEqual([
      'LOKI_S3_ACCESS_KEY_ID',
      'LOKI_S3_BUCKET',
      'LOKI_S3_ENDPOINT',
      'LOKI_S3_FORCE_PATH_STYLE',
      'LOKI_S3_REGION',
      'LOKI_S3_SECRET_ACCESS_KEY',
    ]);
    expect(cfg.ingester.wal.dir).toBe('/loki/wal');
  });
});

describe('metrics the demo services expose', () => {
  it('the demo histogram named in the dashboards is the one demo/lib/metrics.ts registers', () => {
    // Cross-team contract: a rename in the demo code must fail here, not silently empty the Service RED dashboard.
    expect(exists('demo/lib/metrics.ts')).toBe(true);
    expect(readText('demo/lib/metrics.ts')).toContain(`'${DEMO_HISTOGRAM}'`);
    expect(readText('demo/lib/metrics.ts')).toMatch(/trace_id/);
  });
});
