/**
 * Kubernetes checks on the output of `kubectl kustomize <overlay>`: schema validation per kind, then the
 * cross-object rules the schemas cannot express (selectors, ports, references, pod security, probes, resources).
 */
import YAML from 'yaml';
import { EXTERNAL_SECRETS, IMAGES, isPinned, parseImage } from './contracts';
import { findExecutable, run } from './repo';
import { kubernetesSchemaFile, schemaValidator } from './schemas';

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: any;
};

export const NAMESPACE = 'hotpath';

export function kubectlPath(): string | undefined {
  return findExecutable('kubectl', process.env.KUBECTL);
}

export interface Render {
  objects: K8sObject[];
  stderr: string;
}

/** `kubectl kustomize <dir>` (kustomize v5 built into kubectl; works offline, no cluster needed). */
export function kustomize(kubectl: string, dir: string): Render {
  const result = run(kubectl, ['kustomize', dir]);
  if (result.status !== 0) {
    throw new Error(`kubectl kustomize ${dir} failed (${result.status}):\n${result.stderr}`);
  }
  const objects = YAML.parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => Boolean(o));
  return { objects, stderr: result.stderr };
}

export const key = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;

/** Every object against its Kubernetes 1.32 strict schema (misspelt or unknown fields fail). */
export function validateSchemas(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    let validate;
    try {
      validate = schemaValidator(kubernetesSchemaFile(o.apiVersion, o.kind));
    } catch (error) {
      problems.push(`${key(o)}: no schema for ${o.apiVersion} ${o.kind} (${(error as Error).message.split('\n')[0]})`);
      continue;
    }
    for (const e of validate(o)) {
      problems.push(`${key(o)}: ${e}`);
    }
  }
  return problems;
}

export interface Workload {
  kind: string;
  name: string;
  app: string;
  labels: Record<string, string>;
  pod: any;
  replicas: number;
  object: K8sObject;
}

const APP = 'app.kubernetes.io/name';

export function workloads(objects: K8sObject[]): Workload[] {
  return objects
    .filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(o.kind))
    .map((o) => {
      const labels = o.spec?.template?.metadata?.labels ?? {};
      return {
        kind: o.kind,
        name: o.metadata.name,
        app: labels[APP] ?? o.metadata.name,
        labels,
        pod: o.spec?.template?.spec ?? {},
        replicas: o.kind === 'Job' ? 1 : (o.spec?.replicas ?? 1),
        object: o,
      };
    });
}

export function matches(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}

export function allContainers(pod: any): any[] {
  return [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
}

/** A container port by number or name, with its protocol. */
export function containerPort(
  pod: any,
  port: number | string,
  protocol = 'TCP'
): { number: number; protocol: string } | undefined {
  for (const c of pod.containers ?? []) {
    for (const p of c.ports ?? []) {
      const proto = p.protocol ?? 'TCP';
      if ((p.name === port || p.containerPort === port) && proto === protocol) {
        return { number: p.containerPort, protocol: proto };
      }
    }
  }
  return undefined;
}

function find(objects: K8sObject[], kind: string, name: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name);
}

/** Services select pods, and their target ports exist on those pods. */
export function checkServices(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const wl = workloads(objects);
  for (const svc of objects.filter((o) => o.kind === 'Service')) {
    const selector = svc.spec?.selector;
    if (!selector || Object.keys(selector).length === 0) {
      problems.push(`${key(svc)}: no selector`);
      continue;
    }
    const selected = wl.filter((w) => matches(selector, w.labels));
    if (selected.length === 0) {
      problems.push(`${key(svc)}: selector ${JSON.stringify(selector)} matches no pod template`);
    }
    for (const port of svc.spec?.ports ?? []) {
      const target = port.targetPort ?? port.port;
      for (const w of selected) {
        if (!containerPort(w.pod, target, port.protocol ?? 'TCP')) {
          problems.push(
            `${key(svc)}: port ${port.name ?? port.port} targets ${target}/${port.protocol ?? 'TCP'}, which ${w.kind}/${w.name} does not expose`
          );
        }
      }
    }
  }
  return problems;
}

/** ConfigMaps, Secrets and PVCs named by pods exist (Secrets created out of band are listed per overlay). */
export function checkReferences(objects: K8sObject[], overlay: string): string[] {
  const problems: string[] = [];
  const external = EXTERNAL_SECRETS[overlay] ?? {};
  const secretKeyOk = (name: string, k: string | undefined, where: string) => {
    const secret = find(objects, 'Secret', name);
    if (secret) {
      if (k !== undefined && !(k in (secret.data ?? {})) && !(k in (secret.stringData ?? {}))) {
        problems.push(`${where}: Secret ${name} has no key ${k}`);
      }
    } else if (!(name in external)) {
      problems.push(`${where}: Secret ${name} is neither defined nor an external Secret of the ${overlay} overlay`);
    } else if (k !== undefined && !external[name].includes(k)) {
      problems.push(`${where}: key ${k} is not a documented key of the external Secret ${name}`);
    }
  };
  const configMapKeyOk = (name: string, k: string | undefined, where: string) => {
    const cm = find(objects, 'ConfigMap', name);
    if (!cm) {
      problems.push(`${where}: ConfigMap ${name} does not exist`);
    } else if (k !== undefined && !(k in (cm.data ?? {}))) {
      problems.push(`${where}: ConfigMap ${name} has no key ${k}`);
    }
  };
  for (const w of workloads(objects)) {
    const where = `${w.kind}/${w.name}`;
    const claimTemplates = new Set((w.object.spec?.volumeClaimTemplates ?? []).map((t: any) => t.metadata?.name));
    const volumes = new Set<string>();
    for (const v of w.pod.volumes ?? []) {
      volumes.add(v.name);
      if (v.configMap) {
        configMapKeyOk(v.configMap.name, undefined, where);
      }
      if (v.secret) {
        secretKeyOk(v.secret.secretName, undefined, where);
      }
      if (v.persistentVolumeClaim && !find(objects, 'PersistentVolumeClaim', v.persistentVolumeClaim.claimName)) {
        problems.push(`${where}: PersistentVolumeClaim ${v.persistentVolumeClaim.claimName} does not exist`);
      }
    }
    for (const c of allContainers(w.pod)) {
      for (const m of c.volumeMounts ?? []) {
        if (!volumes.has(m.name) && !claimTemplates.has(m.name)) {
          problems.push(`${where}: container ${c.name} mounts ${m.name}, which is no volume or claim template`);
        }
      }
      for (const e of c.env ?? []) {
        if (e.valueFrom?.secretKeyRef) {
          secretKeyOk(e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key, `${where} env ${e.name}`);
        }
        if (e.valueFrom?.configMapKeyRef) {
          configMapKeyOk(e.valueFrom.configMapKeyRef.name, e.valueFrom.configMapKeyRef.key, `${where} env ${e.name}`);
        }
      }
      for (const e of c.envFrom ?? []) {
        if (e.secretRef) {
          secretKeyOk(e.secretRef.name, undefined, where);
        }
        if (e.configMapRef) {
          configMapKeyOk(e.configMapRef.name, undefined, where);
        }
      }
    }
    if (w.kind === 'StatefulSet') {
      const governing = find(objects, 'Service', w.object.spec?.serviceName);
      if (!governing) {
        problems.push(`${where}: serviceName ${w.object.spec?.serviceName} names no Service`);
      } else if (governing.spec?.clusterIP !== 'None') {
        problems.push(`${where}: governing Service ${governing.metadata.name} is not headless`);
      }
    }
  }
  for (const ing of objects.filter((o) => o.kind === 'Ingress')) {
    for (const tls of ing.spec?.tls ?? []) {
      secretKeyOk(tls.secretName, undefined, key(ing));
    }
    for (const rule of ing.spec?.rules ?? []) {
      for (const path of rule.http?.paths ?? []) {
        const backend = path.backend?.service;
        const svc = backend && find(objects, 'Service', backend.name);
        if (!svc) {
          problems.push(`${key(ing)}: backend Service ${backend?.name} does not exist`);
        } else if (
          !(svc.spec?.ports ?? []).some((p: any) => p.name === backend.port?.name || p.port === backend.port?.number)
        ) {
          problems.push(`${key(ing)}: Service ${backend.name} has no port ${JSON.stringify(backend.port)}`);
        }
      }
    }
  }
  for (const hpa of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
    const ref = hpa.spec?.scaleTargetRef;
    if (!find(objects, ref?.kind, ref?.name)) {
      problems.push(`${key(hpa)}: scale target ${ref?.kind}/${ref?.name} does not exist`);
    }
  }
  for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
    if (!workloads(objects).some((w) => matches(pdb.spec?.selector?.matchLabels, w.labels))) {
      problems.push(`${key(pdb)}: selector matches no pod template`);
    }
  }
  return problems;
}

function podSecurityProblems(w: Workload): string[] {
  const problems: string[] = [];
  const where = `${w.kind}/${w.name}`;
  const pod = w.pod;
  const podSc = pod.securityContext ?? {};
  if (pod.automountServiceAccountToken !== false) {
    problems.push(`${where}: automountServiceAccountToken must be false (no pod here talks to the API server)`);
  }
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (pod[field]) {
      problems.push(`${where}: ${field} is not allowed`);
    }
  }
  for (const v of pod.volumes ?? []) {
    if (v.hostPath) {
      problems.push(`${where}: hostPath volume ${v.name} is not allowed`);
    }
  }
  for (const c of allContainers(pod)) {
    const at = `${where} container ${c.name}`;
    const sc = c.securityContext ?? {};
    const runAsNonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
    const runAsUser = sc.runAsUser ?? podSc.runAsUser;
    const seccomp = (sc.seccompProfile ?? podSc.seccompProfile)?.type;
    if (runAsNonRoot !== true) {
      problems.push(`${at}: runAsNonRoot must be true`);
    }
    if (runAsUser === 0) {
      problems.push(`${at}: runs as root`);
    }
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') {
      problems.push(`${at}: seccompProfile must be RuntimeDefault`);
    }
    if (sc.allowPrivilegeEscalation !== false) {
      problems.push(`${at}: allowPrivilegeEscalation must be false`);
    }
    if (sc.privileged) {
      problems.push(`${at}: privileged`);
    }
    const drop: string[] = sc.capabilities?.drop ?? [];
    if (!drop.includes('ALL')) {
      problems.push(`${at}: capabilities.drop must include ALL`);
    }
    const add: string[] = sc.capabilities?.add ?? [];
    if (add.some((cap) => cap !== 'NET_BIND_SERVICE')) {
      problems.push(`${at}: adds capabilities ${add.join(', ')}`);
    }
    if (sc.readOnlyRootFilesystem !== true) {
      problems.push(`${at}: readOnlyRootFilesystem must be true`);
    }
    // The image's own user, and a volume at every path the image writes to.
    const facts = IMAGES[parseImage(c.image ?? '').repository];
    if (!facts) {
      problems.push(`${at}: image ${c.image} is not described in contracts.IMAGES`);
    } else {
      if (runAsUser !== facts.uid) {
        problems.push(`${at}: runAsUser ${runAsUser} is not the image's user ${facts.uid}`);
      }
      const mounted = (c.volumeMounts ?? []).filter((m: any) => !m.readOnly).map((m: any) => m.mountPath);
      const isInit = (pod.initContainers ?? []).includes(c);
      for (const path of isInit ? [] : facts.writable) {
        if (!mounted.includes(path)) {
          problems.push(`${at}: ${path} must be a writable volume (the root file system is read-only)`);
        }
      }
    }
    if (!isPinned(c.image ?? '')) {
      problems.push(`${at}: image ${c.image} is not pinned to a full version`);
    }
  }
  return problems;
}

/** Pod Security "restricted", plus the bundle's own rules (image user, writable volumes, pinned images). */
export function checkPodSecurity(objects: K8sObject[]): string[] {
  const problems = workloads(objects).flatMap(podSecurityProblems);
  const namespaces = objects.filter((o) => o.kind === 'Namespace');
  if (namespaces.length !== 1 || namespaces[0].metadata.name !== NAMESPACE) {
    problems.push(`exactly one Namespace "${NAMESPACE}" expected, found ${namespaces.map(key).join(', ') || 'none'}`);
  } else if (namespaces[0].metadata.labels?.['pod-security.kubernetes.io/enforce'] !== 'restricted') {
    problems.push(`Namespace/${NAMESPACE}: label pod-security.kubernetes.io/enforce must be "restricted"`);
  }
  for (const o of objects) {
    if (o.kind !== 'Namespace' && o.metadata.namespace !== NAMESPACE) {
      problems.push(`${key(o)}: namespace is ${o.metadata.namespace ?? 'unset'}, expected ${NAMESPACE}`);
    }
  }
  return problems;
}

function probeTargetOk(pod: any, probe: any): boolean {
  const port = probe.httpGet?.port ?? probe.tcpSocket?.port ?? probe.grpc?.port;
  if (probe.exec) {
    return Array.isArray(probe.exec.command) && probe.exec.command.length > 0;
  }
  return port !== undefined && containerPort(pod, port) !== undefined;
}

/** Requests and a memory limit on every container; liveness, readiness and startup probes on every server. */
export function checkResourcesAndProbes(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const w of workloads(objects)) {
    const where = `${w.kind}/${w.name}`;
    for (const c of allContainers(w.pod)) {
      const r = c.resources ?? {};
      if (!r.requests?.cpu || !r.requests?.memory) {
        problems.push(`${where} container ${c.name}: cpu and memory requests required`);
      }
      if (!r.limits?.memory) {
        problems.push(`${where} container ${c.name}: memory limit required`);
      }
    }
    if (w.kind === 'Job') {
      continue; // runs to completion: no Service, nothing to probe
    }
    for (const c of w.pod.containers ?? []) {
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (!c[probe]) {
          problems.push(`${where} container ${c.name}: ${probe} missing`);
        } else if (!probeTargetOk(w.pod, c[probe])) {
          problems.push(`${where} container ${c.name}: ${probe} targets a port the container does not expose`);
        }
      }
    }
  }
  return problems;
}

/** Kustomize 5 idioms: no deprecated fields, and kustomize printed no deprecation warning. */
export function checkKustomizeWarnings(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => /deprecat|warning/i.test(line))
    .map((line) => `kustomize: ${line.trim()}`);
}

export const DEPRECATED_KUSTOMIZE_FIELDS = [
  'commonLabels',
  'patchesStrategicMerge',
  'patchesJson6902',
  'bases',
  'vars',
  'imageTags',
];

/** The container of a workload, by workload name (first container when unnamed). */
export function container(objects: K8sObject[], workload: string, name?: string): any {
  const w = workloads(objects).find((x) => x.name === workload);
  return (w?.pod.containers ?? []).find((c: any) => !name || c.name === name);
}

/** ConfigMap data by (generated) name prefix, e.g. `jaeger-config` finds `jaeger-config-6d5mg4c5m2`. */
export function configMapData(objects: K8sObject[], base: string): Record<string, string> | undefined {
  const cm = objects.find(
    (o) =>
      o.kind === 'ConfigMap' && (o.metadata.name === base || new RegExp(`^${base}-[a-z0-9]{10}$`).test(o.metadata.name))
  );
  return cm?.data;
}

/** The ConfigMap mounted by a workload at a path, and the file the container's args name inside it. */
export function mountedConfigMap(
  objects: K8sObject[],
  workload: string,
  mountPath: string
): Record<string, string> | undefined {
  const w = workloads(objects).find((x) => x.name === workload);
  const c = w?.pod.containers?.[0];
  const mount = (c?.volumeMounts ?? []).find((m: any) => m.mountPath === mountPath);
  const volume = (w?.pod.volumes ?? []).find((v: any) => v.name === mount?.name);
  const cm = volume?.configMap && find(objects, 'ConfigMap', volume.configMap.name);
  return cm?.data;
}

export { findExecutable };
