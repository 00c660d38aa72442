/**
 * Checks of the Kafka option on rendered manifests (k8s/components/kafka, used by k8s/overlays/production-kafka):
 * the Jaeger roles run the shipped configs with every address they expand, probe the health extension those configs
 * define, and read the brokers from the one ConfigMap; `hotpath stream` gets flags its own parser accepts, from the
 * same ConfigMap, and is probed on the endpoints it serves; each new workload has its NetworkPolicy, HPA and PDB.
 * Each function returns problems (empty: fine), so tests can feed mutated copies.
 */
import { parseStreamCommandLine } from '../../../src/cli/stream/args';
import { K8sObject, Workload, configMapData, containerPort, matches, workloads } from './k8s';
import { parseYaml, readText } from './repo';

/** The two Jaeger roles of the pipeline and the shipped config each runs (deploy/jaeger/). */
export const JAEGER_ROLES: Record<string, { file: string; kafka: 'exporters' | 'receivers' }> = {
  'jaeger-collector': { file: 'config-kafka-collector.yaml', kafka: 'exporters' },
  'jaeger-ingester': { file: 'config-kafka-ingester.yaml', kafka: 'receivers' },
};

export const STREAM = 'hotpath-stream';
export const PIPELINE_CONFIGMAP = 'kafka-pipeline';

/** Where `hotpath stream` answers (src/cli/stream/run.ts): liveness and readiness. */
export const STREAM_HEALTH = { liveness: '/healthz', readiness: '/readyz' };

/** healthcheckv2's HTTP path (its default; the configs set only the endpoint). */
const JAEGER_HEALTH_PATH = '/status';

const workload = (objects: K8sObject[], name: string): Workload | undefined =>
  workloads(objects).find((w) => w.name === name);

/** `${env:NAME}` placeholders of a config text, each once. */
export function envPlaceholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{env:([A-Z_][A-Z0-9_]*)\}/g)].map((m) => m[1]))];
}

/** The ConfigMap key a container's env var reads (`configMapKeyRef`), e.g. { name: 'kafka-pipeline-x', key }. */
function configMapRef(c: any, variable: string): { name: string; key: string } | undefined {
  return (c.env ?? []).find((e: any) => e.name === variable)?.valueFrom?.configMapKeyRef;
}

const fromPipeline = (ref: { name: string } | undefined) =>
  ref !== undefined && (ref.name === PIPELINE_CONFIGMAP || ref.name.startsWith(`${PIPELINE_CONFIGMAP}-`));

/** Port number an httpGet probe targets (by name or number), or undefined. */
function probePort(pod: any, probe: any): number | undefined {
  return probe?.httpGet ? containerPort(pod, probe.httpGet.port)?.number : undefined;
}

/** The Jaeger roles: shipped config, byte for byte; every placeholder set; brokers from the ConfigMap; probes. */
export function checkJaegerRoles(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const configs = configMapData(objects, 'jaeger-config') ?? {};
  for (const [name, role] of Object.entries(JAEGER_ROLES)) {
    const w = workload(objects, name);
    if (!w) {
      problems.push(`${name}: no such workload`);
      continue;
    }
    const c = w.pod.containers[0];
    const path = `/etc/jaeger/${role.file}`;
    if (JSON.stringify(c.args) !== JSON.stringify(['--config', path])) {
      problems.push(`${name}: args ${JSON.stringify(c.args)} do not run ${path}`);
    }
    const mount = (c.volumeMounts ?? []).find((m: any) => m.mountPath === '/etc/jaeger');
    const volume = (w.pod.volumes ?? []).find((v: any) => v.name === mount?.name);
    if (!volume?.configMap?.name?.startsWith('jaeger-config')) {
      problems.push(`${name}: ConfigMap jaeger-config is not mounted at /etc/jaeger`);
    }
    const shipped = readText(`deploy/jaeger/${role.file}`);
    if (configs[role.file] !== shipped) {
      problems.push(`${name}: ConfigMap jaeger-config key ${role.file} is not deploy/jaeger/${role.file}`);
    }
    const set = new Set((c.env ?? []).map((e: any) => e.name));
    for (const variable of envPlaceholders(shipped)) {
      if (!set.has(variable)) {
        problems.push(`${name}: ${role.file} expands \${env:${variable}}, which the container does not set`);
      }
    }
    const brokers = configMapRef(c, 'KAFKA_BROKERS');
    if (!fromPipeline(brokers) || brokers?.key !== 'brokers') {
      problems.push(`${name}: KAFKA_BROKERS must come from ConfigMap ${PIPELINE_CONFIGMAP} key brokers`);
    }
    const health = (c.env ?? []).find((e: any) => e.name === 'JAEGER_HEALTH_ENDPOINT')?.value ?? '';
    const healthPort = Number(/:(\d+)$/.exec(health)?.[1]);
    for (const kind of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      const probe = c[kind];
      if (probe?.httpGet?.path !== JAEGER_HEALTH_PATH || probePort(w.pod, probe) !== healthPort) {
        problems.push(
          `${name}: ${kind} must GET ${JAEGER_HEALTH_PATH} on the health extension's port ${healthPort} (JAEGER_HEALTH_ENDPOINT)`
        );
      }
    }
  }
  return problems;
}

/** The ConfigMap's topic and encoding are what both Jaeger configs write and read; `brokers` is one host:port. */
export function checkPipelineConfigMap(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const data = configMapData(objects, PIPELINE_CONFIGMAP);
  if (!data) {
    return [`ConfigMap ${PIPELINE_CONFIGMAP} missing`];
  }
  for (const [name, role] of Object.entries(JAEGER_ROLES)) {
    const kafka = parseYaml<any>(readText(`deploy/jaeger/${role.file}`))[role.kafka].kafka;
    for (const key of ['topic', 'encoding'] as const) {
      if (data[key] !== kafka.traces[key]) {
        problems.push(
          `ConfigMap ${PIPELINE_CONFIGMAP}: ${key} "${data[key]}" is not ${name}'s "${kafka.traces[key]}" (deploy/jaeger/${role.file})`
        );
      }
    }
  }
  // The Jaeger configs take `brokers: ['${env:KAFKA_BROKERS}']`: one entry, so one bootstrap address.
  if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?:\d{1,5}$/.test(data.brokers ?? '')) {
    problems.push(`ConfigMap ${PIPELINE_CONFIGMAP}: brokers "${data.brokers}" must be one host:port`);
  }
  return problems;
}

/** `$(VAR)` in container args, expanded from the env's values and ConfigMap references as the kubelet does. */
export function expandArgs(objects: K8sObject[], c: any): string[] {
  const values = new Map<string, string>();
  for (const e of c.env ?? []) {
    const ref = e.valueFrom?.configMapKeyRef;
    const cm = ref && objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === ref.name);
    const value = ref ? cm?.data?.[ref.key] : e.value;
    if (value !== undefined) {
      values.set(e.name, String(value));
    }
  }
  return (c.args ?? []).map((a: unknown) =>
    String(a).replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, v: string) => values.get(v) ?? whole)
  );
}

/** hotpath-stream: flags `hotpath stream` parses, Kafka settings from the ConfigMap, probes on its endpoints. */
export function checkStreamWorkload(objects: K8sObject[]): string[] {
  const w = workload(objects, STREAM);
  if (!w) {
    return [`${STREAM}: no such workload`];
  }
  const problems: string[] = [];
  const c = w.pod.containers[0];
  const args = expandArgs(objects, c);
  if (args[0] !== 'stream') {
    return [`${STREAM}: args must start with the command "stream", not ${JSON.stringify(args[0])}`];
  }
  let command;
  try {
    command = parseStreamCommandLine(args.slice(1));
  } catch (error) {
    return [`${STREAM}: hotpath stream rejects its args: ${(error as Error).message}`];
  }
  const data = configMapData(objects, PIPELINE_CONFIGMAP) ?? {};
  const taken: Record<string, string> = {
    brokers: command.brokers.join(','),
    topic: command.topic,
    encoding: command.encoding,
    'hotpath-stream-group': command.group,
  };
  for (const [key, value] of Object.entries(taken)) {
    if (data[key] === undefined || data[key] !== value) {
      problems.push(`${STREAM}: its ${key} "${value}" does not come from ConfigMap ${PIPELINE_CONFIGMAP} key ${key}`);
    }
  }
  const metrics = containerPort(w.pod, 'metrics')?.number;
  if (metrics !== command.listen.port) {
    problems.push(`${STREAM}: --listen port ${command.listen.port} is not the container port "metrics" (${metrics})`);
  }
  const expected: Record<string, string> = {
    startupProbe: STREAM_HEALTH.liveness,
    livenessProbe: STREAM_HEALTH.liveness,
    readinessProbe: STREAM_HEALTH.readiness,
  };
  for (const [kind, path] of Object.entries(expected)) {
    if (c[kind]?.httpGet?.path !== path || probePort(w.pod, c[kind]) !== command.listen.port) {
      problems.push(`${STREAM}: ${kind} must GET ${path} on the --listen port ${command.listen.port}`);
    }
  }
  return problems;
}

/**
 * Each new workload is selected by a NetworkPolicy of its own (beyond the default deny); the HPA scales
 * hotpath-stream on CPU; PDBs cover the replicated workloads; the Badger ingester is one pod, replaced, never two.
 */
export function checkScalingAndPolicies(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  for (const name of [...Object.keys(JAEGER_ROLES), STREAM]) {
    const w = workload(objects, name);
    const own = policies.filter(
      (p) =>
        Object.keys(p.spec?.podSelector?.matchLabels ?? {}).length > 0 &&
        w !== undefined &&
        matches(p.spec.podSelector.matchLabels, w.labels)
    );
    if (own.length === 0) {
      problems.push(`${name}: no NetworkPolicy selects it (only the default deny)`);
    }
  }
  const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === STREAM);
  const target = hpa?.spec?.scaleTargetRef;
  if (target?.kind !== 'Deployment' || target?.name !== STREAM || !workload(objects, STREAM)) {
    problems.push(`HorizontalPodAutoscaler/${STREAM} must scale Deployment/${STREAM}`);
  } else if (!(hpa?.spec?.metrics ?? []).some((m: any) => m.type === 'Resource' && m.resource?.name === 'cpu')) {
    problems.push(`HorizontalPodAutoscaler/${STREAM}: no CPU metric`);
  }
  for (const name of ['jaeger-collector', STREAM]) {
    const w = workload(objects, name);
    const pdb = objects.find(
      (o) => o.kind === 'PodDisruptionBudget' && w !== undefined && matches(o.spec?.selector?.matchLabels, w.labels)
    );
    if (!pdb) {
      problems.push(`${name}: no PodDisruptionBudget selects it`);
    }
  }
  const ingester = workload(objects, 'jaeger-ingester');
  if (ingester?.replicas !== 1 || ingester.object.spec?.strategy?.type !== 'Recreate') {
    problems.push('jaeger-ingester: Badger is single-process: exactly 1 replica, strategy Recreate');
  }
  return problems;
}
