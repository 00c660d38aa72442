/**
 * The contracts the bundle is built on, written down once: plugin ids, data source uids, what each image contains
 * (user id, tools for health checks, writable paths) and the environment the demo services read. The static checks
 * compare every file against these; when a contract changes, change it here and the files together.
 */
import { VERSIONS } from './versions';

/** The app plugin and its nested panel (src/plugin.json, src/panels/hotspots/plugin.json). */
export const APP_ID = 'hotpath-latency-app';
export const PANEL_ID = 'hotpath-hotspots-panel';
export const PLUGIN_IDS = [APP_ID, PANEL_ID];

/** Fixed data source uids, referenced by links, app settings, dashboards and the alert rule. */
export const DATASOURCES = {
  jaeger: { uid: 'jaeger', type: 'jaeger', host: 'jaeger', port: 16686 },
  loki: { uid: 'loki', type: 'loki', host: 'loki', port: 3100 },
  prometheus: { uid: 'prometheus', type: 'prometheus', host: 'prometheus', port: 9090 },
} as const;

/** The app's provisioned settings (provisioning/plugins/apps.yaml). */
export const APP_JSON_DATA = { jaegerUid: 'jaeger', lokiUid: 'loki', prometheusUid: 'prometheus', maxTraces: 500 };

/** The Hotpath panel's options and query on the provisioned dashboard. */
export const HOTSPOTS_PANEL_OPTION_KEYS = [
  'maxTraces',
  'mode',
  'compareSplit',
  'window',
  'asyncBlocking',
  'topN',
  'rollup',
];
export const HOTSPOTS_MODES = ['hotspots', 'compare'];
export const HOTSPOTS_TARGET = {
  refId: 'A',
  datasource: { type: 'jaeger', uid: 'jaeger' },
  queryType: 'search',
  service: 'frontend',
  limit: 500,
};

/** The demo's entry service: the Hotpath panel, the alert rule and the LoadBalancer all point at it. */
export const ENTRY_SERVICE = 'frontend';

/** Only these are published to the host by docker-compose.yml: Grafana, the demo page, the Jaeger UI. */
export const PUBLISHED_PORTS: Record<string, number> = {
  grafana: 3000,
  frontend: 8080,
  jaeger: 16686,
  // Profile `kafka`: the ingester's UI, next to the main Jaeger's.
  'jaeger-ingester': 16687,
};

/** Compose services that run to completion (bounded) instead of serving; they need no healthcheck. */
export const ONE_SHOT_SERVICES = ['loadgen', 'kafka-init'];

/**
 * The Kafka broker's settings besides its addresses and data dir: one KRaft node that is broker and controller,
 * internal topics with one replica, no topic auto-creation (the topic is created explicitly, so a typo cannot
 * create another), no initial rebalance delay (a lone ingester starts at once). The tests' broker
 * (e2e/servers/lib/kafka.ts) runs exactly these; compose's kafka service sets them as KAFKA_* variables.
 */
export const BROKER_SETTINGS: Record<string, string> = {
  'process.roles': 'broker,controller',
  'node.id': '1',
  'controller.listener.names': 'CONTROLLER',
  'inter.broker.listener.name': 'PLAINTEXT',
  'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
  'offsets.topic.replication.factor': '1',
  'transaction.state.log.replication.factor': '1',
  'transaction.state.log.min.isr': '1',
  'share.coordinator.state.topic.replication.factor': '1',
  'share.coordinator.state.topic.min.isr': '1',
  'auto.create.topics.enable': 'false',
  'group.initial.rebalance.delay.ms': '0',
};

/** The apache/kafka image's variable for a broker setting: foo.bar -> KAFKA_FOO_BAR (docker/resources of apache/kafka). */
export const kafkaImageVariable = (setting: string) => `KAFKA_${setting.toUpperCase().replace(/\./g, '_')}`;

/** Pinned image versions of the bundle, by repository; compose and every overlay must use exactly these. */
export const IMAGE_VERSIONS: Record<string, RegExp> = {
  // The release the real-server tests run (tools/versions.json), exactly.
  [VERSIONS.jaeger.image]: new RegExp(`^${VERSIONS.jaeger.tag.replace(/\./g, '\\.')}$`),
  // The broker release the real-server tests run (profile `kafka`).
  [VERSIONS.kafka.image]: new RegExp(`^${VERSIONS.kafka.tag.replace(/\./g, '\\.')}$`),
  'grafana/loki': /^3\.7\.\d+$/,
  'prom/prometheus': /^v3\.\d+\.\d+$/,
  'grafana/grafana': /^13\.2\.\d+$/,
  redis: /^\d+\.\d+\.\d+(-alpine)?$/,
};

/** What is inside each image: its user, the tools a healthcheck may call, whether it has a shell, writable paths. */
export interface ImageFacts {
  uid: number;
  tools: string[];
  shell: boolean;
  writable: string[];
  /** Starts as root and switches to `uid` itself (which needs the setuid/setgid capabilities). */
  startsAsRoot?: boolean;
}

/**
 * Sources: jaegertracing/jaeger cmd/jaeger/Dockerfile (alpine base, USER 10001, VOLUME /tmp); grafana/loki
 * cmd/loki/Dockerfile (distroless, USER 10001, /loki, `loki -health` since 3.7); prom/prometheus (busybox, nobody);
 * grafana/grafana (Alpine: curl, UID 472); redis alpine (redis 999:1000, redis-cli; runs as root and drops to redis
 * in its entrypoint, redis/docker-library-redis alpine/docker-entrypoint.sh); the demo images are built on
 * the official node images (user `node`, 1000) per the demo contract; apache/kafka docker/jvm/Dockerfile (Alpine
 * with a shell, user appuser 1000, Kafka's scripts under /opt/kafka/bin, data volume /var/lib/kafka/data).
 */
export const IMAGES: Record<string, ImageFacts> = {
  'hotpath/grafana': { uid: 472, tools: ['curl', 'wget'], shell: true, writable: ['/var/lib/grafana/data', '/tmp'] },
  'jaegertracing/jaeger': { uid: 10001, tools: ['wget'], shell: true, writable: ['/tmp'] },
  'apache/kafka': {
    uid: 1000,
    tools: ['/opt/kafka/bin/kafka-broker-api-versions.sh', '/opt/kafka/bin/kafka-topics.sh'],
    shell: true,
    writable: ['/var/lib/kafka/data', '/tmp'],
  },
  'grafana/loki': { uid: 10001, tools: ['/usr/bin/loki'], shell: false, writable: ['/loki', '/tmp'] },
  'prom/prometheus': { uid: 65534, tools: ['wget'], shell: true, writable: ['/prometheus'] },
  redis: { uid: 999, tools: ['redis-cli'], shell: true, writable: ['/data'], startsAsRoot: true },
  'hotpath/demo-frontend': { uid: 1000, tools: ['node'], shell: true, writable: ['/tmp'] },
  'hotpath/demo-backend': { uid: 1000, tools: ['node'], shell: true, writable: ['/tmp'] },
  'hotpath/demo-loadgen': { uid: 1000, tools: ['node'], shell: true, writable: ['/tmp'] },
  // deploy/cli/Dockerfile: the CLI bundle on the same node image, USER node.
  'hotpath/cli': { uid: 1000, tools: ['node'], shell: true, writable: ['/tmp'] },
};

/** `registry.example.com/hotpath/grafana:1.0.0` -> { repository: 'hotpath/grafana', tag: '1.0.0' }. */
export function parseImage(image: string): { repository: string; tag?: string; digest?: string; registry?: string } {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parts = rest.split('/');
  let registry: string | undefined;
  if (parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost')) {
    registry = parts.shift();
  }
  let repository = parts.join('/');
  if (repository.startsWith('library/')) {
    repository = repository.slice('library/'.length);
  }
  return { repository, tag, digest, registry };
}

/** Pinned: a digest, or a tag with a full x.y.z version (never `latest`, never a bare major or minor). */
export function isPinned(image: string): boolean {
  const { tag, digest } = parseImage(image);
  if (digest && /^sha256:[0-9a-f]{64}$/.test(digest)) {
    return true;
  }
  return tag !== undefined && tag !== 'latest' && /^v?\d+\.\d+\.\d+([-.][0-9A-Za-z.-]+)?$/.test(tag);
}

export function imageFacts(image: string): ImageFacts | undefined {
  return IMAGES[parseImage(image).repository];
}

/**
 * OpenTelemetry SDK settings the demo code reads and the bundle leaves at their defaults: traces on, metrics off
 * (prom-client serves /metrics), the traces endpoint derived from OTEL_EXPORTER_OTLP_ENDPOINT (+ /v1/traces).
 * OTEL_EXPORTER_OTLP_PROTOCOL is set explicitly (http/protobuf: Jaeger's :4318 and Loki's /otlp/v1/logs are HTTP).
 */
const OTEL_DEFAULTED = [
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
  'OTEL_TRACES_EXPORTER',
  'OTEL_METRICS_EXPORTER',
  'LOG_LEVEL',
];

/**
 * The environment each demo service reads (the demo contract). `required` are set by the bundle in compose and
 * Kubernetes; `defaulted` are read by the code but deliberately left at the code's default by the bundle
 * (found by scanning demo/<service> and demo/lib; a new variable must be added to one of the two lists).
 */
export const DEMO_ENV: Record<string, { required: string[]; defaulted: string[] }> = {
  frontend: {
    required: [
      'PORT',
      'BACKEND_URL',
      'OTEL_SERVICE_NAME',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT',
    ],
    defaulted: [...OTEL_DEFAULTED, 'PUBLIC_DIR'],
  },
  backend: {
    required: [
      'PORT',
      'REDIS_URL',
      'OTEL_SERVICE_NAME',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT',
      'DEMO_FAULTS',
      'DEMO_ADMIN_TOKEN',
    ],
    defaulted: OTEL_DEFAULTED,
  },
  loadgen: {
    required: ['TARGET_URL', 'RATE', 'CONCURRENCY', 'DURATION', 'FAULT', 'ADMIN_URL', 'DEMO_ADMIN_TOKEN'],
    defaulted: [...OTEL_DEFAULTED, 'TIMEOUT', 'MIX', 'TIERS', 'OUTPUT'],
  },
};

/** The histogram every demo service exposes on /metrics (label `service`, exemplar label `trace_id`). */
export const DEMO_HISTOGRAM = 'demo_http_request_duration_seconds';

const PRODUCTION_SECRETS: Record<string, string[]> = {
  'grafana-admin': ['admin-user', 'admin-password'],
  'demo-admin': ['token'],
  'grafana-database': ['url'],
  'grafana-tls': [],
  'jaeger-opensearch': ['url', 'username', 'password'],
  'loki-object-storage': ['endpoint', 'region', 'bucket', 'access-key-id', 'secret-access-key'],
};

/** Secrets that are created out of band (never committed); a manifest may reference them without defining them. */
export const EXTERNAL_SECRETS: Record<string, Record<string, string[]>> = {
  dev: { 'grafana-admin': ['admin-user', 'admin-password'], 'demo-admin': ['token'] },
  production: PRODUCTION_SECRETS,
  // The Kafka option adds none (k8s/components/kafka: the Jaeger configs read no SASL/TLS settings).
  'production-kafka': PRODUCTION_SECRETS,
};

/** Grafana's built-in panel types the dashboards may use (besides the Hotpath panel). */
export const CORE_PANEL_TYPES = [
  'timeseries',
  'logs',
  'text',
  'stat',
  'table',
  'barchart',
  'bargauge',
  'gauge',
  'traces',
  'nodeGraph',
];
