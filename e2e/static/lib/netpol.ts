/**
 * NetworkPolicy analysis on rendered manifests. The flows the bundle needs are derived from the configuration
 * itself (URLs in container environments, Grafana data source URLs, Jaeger's metrics backend, Prometheus scrape
 * targets); the policies must allow each of them on both ends (egress of the client, ingress of the server) and
 * allow nothing else inside the namespace. Traffic to or from outside the namespace (DNS, Ingress controller, load
 * balancer, external stores) must match an explicit list.
 */
import { parseYaml } from './repo';
import { K8sObject, NAMESPACE, Workload, configMapData, containerPort, matches, workloads } from './k8s';

/** An allowed or needed connection inside the namespace: `<from app> -> <to app> <PROTO>/<port>`. */
export type Flow = string;

export const flow = (from: string, to: string, protocol: string, port: number): Flow =>
  `${from} -> ${to} ${protocol}/${port}`;

function serviceByHost(objects: K8sObject[], host: string): K8sObject | undefined {
  const name = host.split('.')[0];
  const ns = host.split('.')[1];
  if (ns && ns !== NAMESPACE) {
    return undefined;
  }
  return objects.find((o) => o.kind === 'Service' && o.metadata.name === name);
}

/**
 * Flows to `host:port` from `from`. Through a ClusterIP Service the port is a Service port (mapped to the target
 * container port); a headless Service resolves to pod IPs, so the port is the container port itself.
 */
function flowsTo(
  objects: K8sObject[],
  from: string,
  host: string,
  port: number,
  problems: string[],
  origin: string
): Flow[] {
  const svc = serviceByHost(objects, host);
  if (!svc) {
    return []; // not in the cluster (e.g. an external store): covered by the external list
  }
  const pods = workloads(objects).filter((w) => matches(svc.spec?.selector, w.labels));
  const headless = svc.spec?.clusterIP === 'None';
  const out: Flow[] = [];
  const ports = (svc.spec?.ports ?? []).filter((p: any) => (headless ? true : p.port === port));
  if (ports.length === 0) {
    problems.push(`${origin}: Service ${svc.metadata.name} has no port ${port}`);
  }
  for (const w of pods) {
    for (const p of ports) {
      const protocol = p.protocol ?? 'TCP';
      const target = headless ? port : (p.targetPort ?? p.port);
      const resolved = containerPort(w.pod, target, protocol);
      if (!resolved) {
        if (!headless) {
          problems.push(`${origin}: ${w.kind}/${w.name} does not expose ${target}/${protocol}`);
        }
        continue;
      }
      out.push(flow(from, w.app, protocol, resolved.number));
    }
  }
  if (headless && out.length === 0) {
    problems.push(`${origin}: no pod behind ${svc.metadata.name} listens on ${port}`);
  }
  return out;
}

function hostPort(value: string): { host: string; port: number } | undefined {
  const url = /^([a-z][a-z0-9+.-]*):\/\/([^/:?#]+)(?::(\d+))?/i.exec(value);
  if (url) {
    const defaults: Record<string, number> = { http: 80, https: 443, redis: 6379, grpc: 4317 };
    return { host: url[2], port: url[3] ? Number(url[3]) : (defaults[url[1].toLowerCase()] ?? 0) };
  }
  const plain = /^([a-z0-9][a-z0-9.-]*):(\d+)$/.exec(value);
  return plain ? { host: plain[1], port: Number(plain[2]) } : undefined;
}

/** The file a container's args point at inside a mounted ConfigMap directory (e.g. --config /etc/jaeger/x.yaml). */
function configFileFromArgs(w: Workload, mountPath: string): string | undefined {
  const args: string[] = (w.pod.containers?.[0]?.args ?? []).map(String);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[i + 1];
    if (/^-{1,2}(config|config\.file)(=|$)/.test(a) && value?.startsWith(`${mountPath}/`)) {
      return value.slice(mountPath.length + 1);
    }
  }
  return undefined;
}

/** Every connection the bundle makes inside the namespace, from its own configuration. */
export function neededFlows(objects: K8sObject[]): { flows: Set<Flow>; problems: string[] } {
  const problems: string[] = [];
  const flows = new Set<Flow>();
  const add = (list: Flow[]) => list.forEach((f) => flows.add(f));
  const wl = workloads(objects);

  // 1. URLs and host:port values in container environments (demo services, Grafana HA peers, ...).
  for (const w of wl) {
    for (const c of [...(w.pod.initContainers ?? []), ...(w.pod.containers ?? [])]) {
      for (const e of c.env ?? []) {
        const hp = typeof e.value === 'string' ? hostPort(e.value) : undefined;
        if (hp) {
          add(flowsTo(objects, w.app, hp.host, hp.port, problems, `${w.kind}/${w.name} env ${e.name}`));
        }
      }
    }
  }

  // 2. Grafana data sources.
  const ds = configMapData(objects, 'grafana-datasources');
  for (const text of Object.values(ds ?? {})) {
    for (const d of parseYaml<any>(text)?.datasources ?? []) {
      const hp = d.url && hostPort(d.url);
      if (hp) {
        add(flowsTo(objects, 'grafana', hp.host, hp.port, problems, `data source ${d.name}`));
      }
    }
  }

  // 3. Jaeger: its metrics backend (SPM) and any other endpoint it calls, from the config file it runs.
  const jaeger = wl.find((w) => w.app === 'jaeger');
  const jaegerCm = configMapData(objects, 'jaeger-config');
  const jaegerFile = jaeger && configFileFromArgs(jaeger, '/etc/jaeger');
  if (jaeger && jaegerCm && jaegerFile && jaegerCm[jaegerFile]) {
    const cfg = parseYaml<any>(jaegerCm[jaegerFile]);
    for (const backend of Object.values<any>(cfg?.extensions?.jaeger_storage?.metric_backends ?? {})) {
      const hp = backend?.prometheus?.endpoint && hostPort(backend.prometheus.endpoint);
      if (hp) {
        add(flowsTo(objects, 'jaeger', hp.host, hp.port, problems, 'jaeger metric backend'));
      }
    }
  } else if (jaeger) {
    problems.push('jaeger: cannot find the config file named by its args in the jaeger-config ConfigMap');
  }

  // 4. Prometheus scrape targets (DNS discovery and static targets).
  const promCm = configMapData(objects, 'prometheus-config');
  const prom = promCm && parseYaml<any>(promCm['prometheus.yml']);
  for (const job of prom?.scrape_configs ?? []) {
    for (const sd of job.dns_sd_configs ?? []) {
      for (const name of sd.names ?? []) {
        add(flowsTo(objects, 'prometheus', name, sd.port, problems, `scrape job ${job.job_name}`));
      }
    }
    for (const sc of job.static_configs ?? []) {
      for (const target of sc.targets ?? []) {
        const hp = hostPort(String(target));
        if (hp && hp.host !== 'localhost' && hp.host !== '127.0.0.1') {
          add(flowsTo(objects, 'prometheus', hp.host, hp.port, problems, `scrape job ${job.job_name}`));
        }
      }
    }
  }
  return { flows, problems };
}

interface Peer {
  pods?: Workload[]; // in-namespace pods
  external?: string; // description of a peer outside the namespace
}

function peersOf(entries: any[] | undefined, wl: Workload[]): Peer[] {
  if (entries === undefined || entries.length === 0) {
    return [{ external: 'any' }];
  }
  return entries.map((e) => {
    if (e.ipBlock) {
      return {
        external: `cidr:${e.ipBlock.cidr}${(e.ipBlock.except ?? []).length ? ` except ${e.ipBlock.except.join(',')}` : ''}`,
      };
    }
    const podSel = e.podSelector?.matchLabels;
    if (e.namespaceSelector) {
      const nsLabels = e.namespaceSelector.matchLabels ?? {};
      const ours = matches(nsLabels, { 'kubernetes.io/metadata.name': NAMESPACE });
      if (!ours) {
        const pods = podSel
          ? ` pods{${Object.entries(podSel)
              .map(([k, v]) => `${k}=${v}`)
              .join(',')}}`
          : '';
        return {
          external: `ns{${Object.entries(nsLabels)
            .map(([k, v]) => `${k}=${v}`)
            .join(',')}}${pods}`,
        };
      }
      return { external: 'all namespaces' }; // a selector that includes our own namespace and others
    }
    return { pods: wl.filter((w) => matches(podSel, w.labels)) };
  });
}

function portsOfRule(rule: any, dest: Workload | undefined): Array<{ protocol: string; port: number | '*' }> {
  if (!rule.ports || rule.ports.length === 0) {
    return [{ protocol: '*', port: '*' }];
  }
  return rule.ports.map((p: any) => {
    const protocol = p.protocol ?? 'TCP';
    if (p.port === undefined) {
      return { protocol, port: '*' };
    }
    if (typeof p.port === 'string') {
      const resolved = dest && containerPort(dest.pod, p.port, protocol);
      return { protocol, port: resolved ? resolved.number : '*' };
    }
    return { protocol, port: p.port };
  });
}

export interface PolicyAnalysis {
  /** In-namespace flows allowed by an ingress rule (on the server) and by an egress rule (on the client). */
  ingress: Set<Flow>;
  egress: Set<Flow>;
  /** Pods with no policy isolating them in a direction. */
  unisolated: string[];
  /** Allowances that involve peers outside the namespace: `<ingress|egress> <app> <peer> <PROTO>/<port>`. */
  external: Set<string>;
}

export function analysePolicies(objects: K8sObject[]): PolicyAnalysis {
  const wl = workloads(objects);
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const ingress = new Set<Flow>();
  const egress = new Set<Flow>();
  const external = new Set<string>();
  const unisolated: string[] = [];
  for (const w of wl) {
    const applicable = policies.filter(
      (p) => matches(p.spec?.podSelector?.matchLabels, w.labels) && !p.spec?.podSelector?.matchExpressions
    );
    for (const direction of ['Ingress', 'Egress'] as const) {
      const isolating = applicable.filter((p) => (p.spec?.policyTypes ?? ['Ingress']).includes(direction));
      if (isolating.length === 0) {
        unisolated.push(`${w.app} ${direction.toLowerCase()}`);
        continue;
      }
      for (const p of isolating) {
        const rules = direction === 'Ingress' ? (p.spec?.ingress ?? []) : (p.spec?.egress ?? []);
        for (const rule of rules) {
          const peers = peersOf(direction === 'Ingress' ? rule.from : rule.to, wl);
          for (const peer of peers) {
            if (peer.external) {
              for (const port of portsOfRule(rule, direction === 'Ingress' ? w : undefined)) {
                external.add(`${direction.toLowerCase()} ${w.app} ${peer.external} ${port.protocol}/${port.port}`);
              }
              continue;
            }
            for (const other of peer.pods ?? []) {
              const [from, to] = direction === 'Ingress' ? [other, w] : [w, other];
              for (const port of portsOfRule(rule, to)) {
                const f = `${from.app} -> ${to.app} ${port.protocol}/${port.port}`;
                (direction === 'Ingress' ? ingress : egress).add(f);
              }
            }
          }
        }
      }
    }
  }
  return { ingress, egress, unisolated, external };
}

/**
 * Problems: a needed flow one end does not allow; an allowance on either end that no needed flow explains; external
 * allowances that differ from the expected list; a pod left without default-deny in some direction.
 */
export function checkNetworkPolicies(objects: K8sObject[], expectedExternal: string[]): string[] {
  const problems: string[] = [];
  const { flows, problems: derivation } = neededFlows(objects);
  problems.push(...derivation);
  const analysis = analysePolicies(objects);
  for (const u of analysis.unisolated) {
    problems.push(`no NetworkPolicy isolates ${u} (default deny missing)`);
  }
  for (const f of flows) {
    if (!analysis.egress.has(f)) {
      problems.push(`needed flow ${f} is not allowed by an egress rule of the client`);
    }
    if (!analysis.ingress.has(f)) {
      problems.push(`needed flow ${f} is not allowed by an ingress rule of the server`);
    }
  }
  for (const f of analysis.ingress) {
    if (!flows.has(f)) {
      problems.push(`ingress rule allows ${f}, which no component needs`);
    }
  }
  for (const f of analysis.egress) {
    if (!flows.has(f)) {
      problems.push(`egress rule allows ${f}, which no component needs`);
    }
  }
  const expected = new Set(expectedExternal);
  for (const e of analysis.external) {
    if (!expected.has(e)) {
      problems.push(`unexpected allowance with a peer outside the namespace: ${e}`);
    }
  }
  for (const e of expected) {
    if (!analysis.external.has(e)) {
      problems.push(`missing allowance with a peer outside the namespace: ${e}`);
    }
  }
  return problems;
}
