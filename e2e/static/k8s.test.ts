/** @jest-environment node */
/**
 * Kubernetes manifests, without a cluster: each overlay rendered with `kubectl kustomize` (kustomize v5, offline),
 * every object validated against the Kubernetes 1.32 strict JSON Schemas, then cross-object checks and the network
 * flows. When kubectl is missing the suite fails on CI (CI=true) and is skipped locally.
 */
import { readdirSync } from 'node:fs';

import { EXTERNAL_SECRETS, IMAGE_VERSIONS, parseImage } from './lib/contracts';
import {
  DEPRECATED_KUSTOMIZE_FIELDS,
  K8sObject,
  Render,
  checkKustomizeWarnings,
  checkPodSecurity,
  checkReferences,
  checkResourcesAndProbes,
  checkServices,
  configMapData,
  container,
  kubectlPath,
  kustomize,
  validateSchemas,
  workloads,
} from './lib/k8s';
import {
  JAEGER_ROLES,
  STREAM,
  checkJaegerRoles,
  checkPipelineConfigMap,
  checkScalingAndPolicies,
  checkStreamWorkload,
} from './lib/kafka';
import { analysePolicies, checkNetworkPolicies, neededFlows } from './lib/netpol';
import { VERSIONS } from './lib/versions';
import { ON_CI, clone, missingTool, parseYaml, readText, repoPath, walkFiles } from './lib/repo';

const kubectl = kubectlPath();
const OVERLAYS = ['dev', 'production', 'production-kafka'] as const;

if (!kubectl && ON_CI) {
  test('kubectl is installed (CI must render the overlays)', () => {
    throw new Error(missingTool('kubectl', "CI uses the node image's /usr/bin/kubectl; set KUBECTL=/path/to/kubectl"));
  });
}

const describeWithKubectl = kubectl ? describe : describe.skip;

const renders: Partial<Record<(typeof OVERLAYS)[number], Render>> = {};
function render(overlay: (typeof OVERLAYS)[number]): Render {
  if (!renders[overlay]) {
    renders[overlay] = kustomize(kubectl as string, `k8s/overlays/${overlay}`);
  }
  return renders[overlay] as Render;
}

const find = (objects: K8sObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name) as K8sObject;

/** The port of the bootstrap address in the ConfigMap kafka-pipeline (k8s/components/kafka). */
function brokerPort(objects: K8sObject[]): string {
  return /:(\d+)$/.exec(configMapData(objects, 'kafka-pipeline')?.brokers ?? '')?.[1] ?? 'none';
}

/** Peers outside the namespace each overlay may talk to (DNS for everyone; production: ingress, LB, stores). */
function expectedExternal(overlay: string, objects: K8sObject[]): string[] {
  const dns = workloads(objects).flatMap((w) =>
    ['UDP/53', 'TCP/53'].map(
      (port) => `egress ${w.app} ns{kubernetes.io/metadata.name=kube-system} pods{k8s-app=kube-dns} ${port}`
    )
  );
  if (overlay === 'dev') {
    return dns;
  }
  // The Kafka pipeline (k8s/components/kafka): OTLP from labelled namespaces, every Kafka client to the brokers, on
  // the port of the address in its ConfigMap.
  const kafka =
    overlay === 'production-kafka'
      ? [
          'ingress jaeger-collector ns{hotpath/otlp-client=true} TCP/4317',
          'ingress jaeger-collector ns{hotpath/otlp-client=true} TCP/4318',
          ...['jaeger-collector', 'jaeger-ingester', 'hotpath-stream'].map(
            (app) => `egress ${app} cidr:0.0.0.0/0 TCP/${brokerPort(objects)}`
          ),
        ]
      : [];
  return [
    ...dns,
    ...kafka,
    'ingress grafana ns{kubernetes.io/metadata.name=ingress-nginx} TCP/3000',
    'ingress frontend cidr:0.0.0.0/0 TCP/8080',
    'egress grafana cidr:0.0.0.0/0 TCP/5432',
    'egress jaeger cidr:0.0.0.0/0 TCP/443',
    'egress jaeger cidr:0.0.0.0/0 TCP/9200',
    'egress loki cidr:0.0.0.0/0 TCP/443',
  ];
}

/** Folders directly inside a repository folder, sorted. */
const subfolders = (dir: string) =>
  readdirSync(repoPath(dir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();

describe('kustomization sources', () => {
  it('every overlay is rendered by these checks, and every component is used by an overlay', () => {
    expect(subfolders('k8s/overlays')).toEqual([...OVERLAYS].sort());
    const used = OVERLAYS.flatMap(
      (overlay) =>
        parseYaml<{ components?: string[] }>(readText(`k8s/overlays/${overlay}/kustomization.yaml`)).components ?? []
    );
    for (const component of subfolders('k8s/components')) {
      expect({ component, used: used.includes(`../../components/${component}`) }).toEqual({ component, used: true });
    }
  });

  const files = walkFiles('k8s', (p) => p.endsWith('kustomization.yaml')).concat([
    'provisioning/kustomization.yaml',
    'deploy/kustomization.yaml',
  ]);

  it('use Kustomize 5 idioms only (labels, patches, images, resources)', () => {
    expect(files.length).toBeGreaterThanOrEqual(14);
    for (const file of files) {
      const doc = parseYaml<Record<string, unknown>>(readText(file));
      expect({ file, deprecated: DEPRECATED_KUSTOMIZE_FIELDS.filter((f) => f in doc) }).toEqual({
        file,
        deprecated: [],
      });
      // k8s/components/*: kustomize components (opt-in pieces an overlay lists under `components:`).
      const component = file.startsWith('k8s/components/');
      expect({ file, kind: doc.kind, apiVersion: doc.apiVersion }).toEqual({
        file,
        kind: component ? 'Component' : 'Kustomization',
        apiVersion: component ? 'kustomize.config.k8s.io/v1alpha1' : 'kustomize.config.k8s.io/v1beta1',
      });
    }
  });
});

describeWithKubectl.each(OVERLAYS)('overlay %s', (overlay) => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = render(overlay).objects;
  });

  it('renders with kubectl kustomize, without deprecation warnings', () => {
    expect(objects.length).toBeGreaterThan(30);
    expect(checkKustomizeWarnings(render(overlay).stderr)).toEqual([]);
  });

  it('validates every object against the Kubernetes 1.32 strict schemas', () => {
    expect(validateSchemas(objects)).toEqual([]);
  });

  it('rejects a mutated copy (misspelt field, unknown kind)', () => {
    const bad = clone(objects);
    const deployment = find(bad, 'Deployment', 'grafana');
    deployment.spec.replica = deployment.spec.replicas;
    delete deployment.spec.replicas;
    deployment.spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem = true;
    const problems = validateSchemas(bad);
    expect(problems.some((p) => p.includes('Deployment/grafana') && p.includes('(replica)'))).toBe(true);
    expect(problems.some((p) => p.includes('(readOnlyRootFileSystem)'))).toBe(true);
    expect(validateSchemas([{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'x' } }])).toHaveLength(
      1
    );
  });

  it('Services select pod templates and target ports those pods expose', () => {
    expect(checkServices(objects)).toEqual([]);
    const bad = clone(objects);
    find(bad, 'Service', 'backend').spec.selector['app.kubernetes.io/name'] = 'backnd';
    find(bad, 'Service', 'loki').spec.ports[0].targetPort = 'htp';
    expect(checkServices(bad)).toEqual([
      'Service/backend: selector {"app.kubernetes.io/name":"backnd"} matches no pod template',
      'Service/loki: port http targets htp/TCP, which StatefulSet/loki does not expose',
    ]);
  });

  it('every referenced ConfigMap, Secret, volume and scale target exists (Secrets: or is a documented external one)', () => {
    expect(checkReferences(objects, overlay)).toEqual([]);
    const bad = clone(objects);
    const grafana = find(bad, 'Deployment', 'grafana').spec.template.spec;
    grafana.volumes.find((v: { name: string }) => v.name === 'datasources').configMap.name = 'grafana-datasourcez';
    grafana.containers[0].env.find(
      (e: { name: string }) => e.name === 'GF_SECURITY_ADMIN_PASSWORD'
    ).valueFrom.secretKeyRef.name = 'grafana-admin-x';
    const problems = checkReferences(bad, overlay);
    expect(problems).toContain('Deployment/grafana: ConfigMap grafana-datasourcez does not exist');
    expect(problems).toContain(
      `Deployment/grafana env GF_SECURITY_ADMIN_PASSWORD: Secret grafana-admin-x is neither defined nor an external Secret of the ${overlay} overlay`
    );
  });

  it('meets Pod Security "restricted" with each image\'s own user, read-only roots and writable volumes', () => {
    expect(checkPodSecurity(objects)).toEqual([]);
    const bad = clone(objects);
    const jaeger = find(bad, 'Deployment', 'jaeger').spec.template.spec;
    delete jaeger.securityContext.seccompProfile;
    jaeger.containers[0].securityContext.capabilities.drop = [];
    jaeger.automountServiceAccountToken = true;
    jaeger.containers[0].volumeMounts = jaeger.containers[0].volumeMounts.filter(
      (m: { mountPath: string }) => m.mountPath !== '/tmp'
    );
    find(bad, 'Namespace', 'hotpath').metadata.labels!['pod-security.kubernetes.io/enforce'] = 'baseline';
    expect(checkPodSecurity(bad)).toEqual([
      'Deployment/jaeger: automountServiceAccountToken must be false (no pod here talks to the API server)',
      'Deployment/jaeger container jaeger: seccompProfile must be RuntimeDefault',
      'Deployment/jaeger container jaeger: capabilities.drop must include ALL',
      'Deployment/jaeger container jaeger: /tmp must be a writable volume (the root file system is read-only)',
      'Namespace/hotpath: label pod-security.kubernetes.io/enforce must be "restricted"',
    ]);
  });

  it('has requests and memory limits everywhere, and liveness, readiness and startup probes on every server', () => {
    expect(checkResourcesAndProbes(objects)).toEqual([]);
    const bad = clone(objects);
    const loki = find(bad, 'StatefulSet', 'loki').spec.template.spec.containers[0];
    delete loki.startupProbe;
    delete loki.resources.limits;
    loki.readinessProbe.httpGet.port = 3101;
    expect(checkResourcesAndProbes(bad)).toEqual([
      'StatefulSet/loki container loki: memory limit required',
      'StatefulSet/loki container loki: readinessProbe targets a port the container does not expose',
      'StatefulSet/loki container loki: startupProbe missing',
    ]);
  });

  it("pins the bundle's image versions", () => {
    for (const w of workloads(objects)) {
      for (const c of w.pod.containers) {
        const { repository, tag } = parseImage(c.image);
        const pattern = IMAGE_VERSIONS[repository];
        if (pattern) {
          expect({ image: c.image, tag }).toEqual({ image: c.image, tag: expect.stringMatching(pattern) });
        }
      }
    }
  });

  it('NetworkPolicies allow every flow the bundle needs, on both ends, and nothing else', () => {
    const { flows } = neededFlows(objects);
    expect(flows.size).toBeGreaterThanOrEqual(14);
    expect(checkNetworkPolicies(objects, expectedExternal(overlay, objects))).toEqual([]);
  });

  it('NetworkPolicy check fails on a missing rule, an extra allowance and a new undeclared connection', () => {
    const missing = clone(objects);
    const redisPolicy = find(missing, 'NetworkPolicy', 'redis');
    redisPolicy.spec.ingress = [];
    expect(checkNetworkPolicies(missing, expectedExternal(overlay, missing))).toEqual([
      'needed flow backend -> redis TCP/6379 is not allowed by an ingress rule of the server',
    ]);

    const extra = clone(objects);
    find(extra, 'NetworkPolicy', 'loki').spec.ingress[0].from.push({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'loadgen' } },
    });
    expect(checkNetworkPolicies(extra, expectedExternal(overlay, extra)).sort()).toEqual(
      ['ingress rule allows loadgen -> loki TCP/3100, which no component needs'].sort()
    );

    const wide = clone(objects);
    find(wide, 'NetworkPolicy', 'redis').spec.ingress.push({});
    expect(checkNetworkPolicies(wide, expectedExternal(overlay, wide))).toContain(
      'unexpected allowance with a peer outside the namespace: ingress redis any */*'
    );

    const newFlow = clone(objects);
    container(newFlow, 'frontend').env.push({ name: 'CACHE_URL', value: 'redis://redis:6379' });
    expect(checkNetworkPolicies(newFlow, expectedExternal(overlay, newFlow))).toEqual([
      'needed flow frontend -> redis TCP/6379 is not allowed by an egress rule of the client',
      'needed flow frontend -> redis TCP/6379 is not allowed by an ingress rule of the server',
    ]);
  });

  it('isolates every pod in both directions (default deny)', () => {
    expect(analysePolicies(objects).unisolated).toEqual([]);
    const policy = find(objects, 'NetworkPolicy', 'default-deny-all');
    expect(policy.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });
});

describeWithKubectl('overlay dev', () => {
  it('runs one replica of everything, in-memory Jaeger, PVC-backed Loki and Prometheus, no Ingress', () => {
    const { objects } = render('dev');
    for (const w of workloads(objects)) {
      expect({ workload: w.name, replicas: w.replicas }).toEqual({ workload: w.name, replicas: 1 });
    }
    expect(container(objects, 'jaeger').args).toEqual(['--config', '/etc/jaeger/config.yaml']);
    for (const name of ['loki', 'prometheus']) {
      expect(find(objects, 'StatefulSet', name).spec.volumeClaimTemplates[0].spec.accessModes).toEqual([
        'ReadWriteOnce',
      ]);
    }
    expect(
      objects.filter((o) => ['Ingress', 'HorizontalPodAutoscaler', 'PodDisruptionBudget'].includes(o.kind))
    ).toEqual([]);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]); // created out of band, see the overlay's comments
    expect(Object.keys(EXTERNAL_SECRETS.dev)).toEqual(['grafana-admin', 'demo-admin']);
  });
});

describeWithKubectl('overlay production', () => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = render('production').objects;
  });
  const STATELESS = ['grafana', 'jaeger', 'frontend', 'backend'];

  it('runs the stateless parts with 2+ replicas, each covered by a PodDisruptionBudget', () => {
    for (const name of STATELESS) {
      expect({ name, replicas: find(objects, 'Deployment', name).spec.replicas }).toEqual({
        name,
        replicas: expect.any(Number),
      });
      expect(find(objects, 'Deployment', name).spec.replicas).toBeGreaterThanOrEqual(2);
      const pdb = find(objects, 'PodDisruptionBudget', name);
      expect(pdb.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': name });
    }
  });

  it('autoscales the demo services and exposes Grafana by Ingress and the demo entry point by LoadBalancer', () => {
    for (const name of ['frontend', 'backend']) {
      const hpa = find(objects, 'HorizontalPodAutoscaler', name);
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    }
    const ingress = find(objects, 'Ingress', 'grafana');
    expect(ingress.spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'grafana', port: { name: 'http' } });
    expect(ingress.spec.tls[0].secretName).toBe('grafana-tls');
    const lb = find(objects, 'Service', 'frontend-public');
    expect(lb.spec.type).toBe('LoadBalancer');
    expect(lb.spec.selector).toEqual({ 'app.kubernetes.io/name': 'frontend' });
  });

  it('runs Jaeger on OpenSearch and Loki on object storage, with credentials only from Secrets', () => {
    const jaeger = container(objects, 'jaeger');
    expect(jaeger.args).toEqual(['--config', '/etc/jaeger/config.production.yaml']);
    const fromSecret = (
      c: { env: Array<{ name: string; valueFrom?: { secretKeyRef?: { name: string } } }> },
      secret: string
    ) => c.env.filter((e) => e.valueFrom?.secretKeyRef?.name === secret).map((e) => e.name);
    expect(fromSecret(jaeger, 'jaeger-opensearch')).toEqual([
      'OPENSEARCH_URL',
      'OPENSEARCH_USERNAME',
      'OPENSEARCH_PASSWORD',
    ]);
    const loki = container(objects, 'loki');
    expect(loki.args).toEqual(['-config.file=/etc/loki/config.production.yaml', '-config.expand-env=true']);
    expect(fromSecret(loki, 'loki-object-storage')).toHaveLength(5);
    const grafana = container(objects, 'grafana');
    expect(fromSecret(grafana, 'grafana-database')).toEqual(['GF_DATABASE_URL']);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('sets every environment variable the production configs expand without a default', () => {
    const required = (file: string) =>
      [...readText(file).matchAll(/\$\{(?:env:)?([A-Z_][A-Z0-9_]*)\}/g)]
        .map((m) => m[1])
        .filter((v, i, all) => all.indexOf(v) === i);
    for (const [workload, file] of [
      ['jaeger', 'deploy/jaeger/config.production.yaml'],
      ['loki', 'deploy/loki/config.production.yaml'],
    ]) {
      const names = container(objects, workload).env.map((e: { name: string }) => e.name);
      expect({ workload, missing: required(file).filter((v) => !names.includes(v)) }).toEqual({
        workload,
        missing: [],
      });
    }
  });

  it('pulls the hotpath images from the registry set in the overlay, with the same tags', () => {
    for (const w of workloads(objects)) {
      for (const c of w.pod.containers) {
        if (parseImage(c.image).repository.startsWith('hotpath/')) {
          expect(parseImage(c.image).registry).toBe('registry.example.com');
        }
      }
    }
  });
});

describeWithKubectl('component kafka (overlay production-kafka)', () => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = render('production-kafka').objects;
  });
  const deployment = (list: K8sObject[], name: string) => find(list, 'Deployment', name).spec.template.spec;

  it('is opt-in: the production overlay has none of it, and production-kafka is production plus the component', () => {
    const production = render('production').objects;
    const added = [...Object.keys(JAEGER_ROLES), STREAM];
    expect(workloads(production).filter((w) => added.includes(w.name))).toEqual([]);
    expect(production.some((o) => o.metadata.name.startsWith('kafka-pipeline'))).toBe(false);
    // Every production object is in production-kafka unchanged.
    const changed = production
      .filter((o) => JSON.stringify(find(objects, o.kind, o.metadata.name)) !== JSON.stringify(o))
      .map((o) => `${o.kind}/${o.metadata.name}`);
    expect(changed).toEqual([]);
    expect(workloads(objects).map((w) => w.name)).toEqual(expect.arrayContaining(added));
  });

  it('runs the two Jaeger roles with the shipped configs, every address they expand, probes on their health port', () => {
    expect(checkJaegerRoles(objects)).toEqual([]);
    for (const name of Object.keys(JAEGER_ROLES)) {
      expect(container(objects, name).image).toBe(`${VERSIONS.jaeger.image}:${VERSIONS.jaeger.tag}`);
    }
  });

  it('fails for a Jaeger role on another config, a missing address, brokers not from the ConfigMap, a wrong probe', () => {
    const bad = clone(objects);
    container(bad, 'jaeger-collector').args = ['--config', '/etc/jaeger/config.yaml'];
    const ingester = container(bad, 'jaeger-ingester');
    ingester.env = ingester.env.filter((e: { name: string }) => e.name !== 'PROMETHEUS_URL');
    ingester.env.find((e: { name: string }) => e.name === 'KAFKA_BROKERS').valueFrom = undefined;
    ingester.env.find((e: { name: string }) => e.name === 'KAFKA_BROKERS').value = 'kafka:9092';
    ingester.readinessProbe.httpGet.port = 'metrics';
    expect(checkJaegerRoles(bad)).toEqual([
      'jaeger-collector: args ["--config","/etc/jaeger/config.yaml"] do not run /etc/jaeger/config-kafka-collector.yaml',
      'jaeger-ingester: config-kafka-ingester.yaml expands ${env:PROMETHEUS_URL}, which the container does not set',
      'jaeger-ingester: KAFKA_BROKERS must come from ConfigMap kafka-pipeline key brokers',
      "jaeger-ingester: readinessProbe must GET /status on the health extension's port 13133 (JAEGER_HEALTH_ENDPOINT)",
    ]);
    const stale = clone(objects);
    const cm = stale.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('jaeger-config-')) as K8sObject;
    delete cm.data['config-kafka-ingester.yaml'];
    expect(checkJaegerRoles(stale)).toEqual([
      'jaeger-ingester: ConfigMap jaeger-config key config-kafka-ingester.yaml is not deploy/jaeger/config-kafka-ingester.yaml',
    ]);
  });

  it("keeps the brokers, topic and encoding in one ConfigMap that matches the Jaeger configs' topic and encoding", () => {
    expect(checkPipelineConfigMap(objects)).toEqual([]);
    const bad = clone(objects);
    const cm = bad.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('kafka-pipeline-')) as K8sObject;
    cm.data.topic = 'spans';
    cm.data.brokers = 'a:9092,b:9092';
    expect(checkPipelineConfigMap(bad)).toEqual([
      'ConfigMap kafka-pipeline: topic "spans" is not jaeger-collector\'s "jaeger-spans" (deploy/jaeger/config-kafka-collector.yaml)',
      'ConfigMap kafka-pipeline: topic "spans" is not jaeger-ingester\'s "jaeger-spans" (deploy/jaeger/config-kafka-ingester.yaml)',
      'ConfigMap kafka-pipeline: brokers "a:9092,b:9092" must be one host:port',
    ]);
  });

  it('runs hotpath stream with flags it parses, Kafka settings from the ConfigMap, probes on /healthz and /readyz', () => {
    expect(checkStreamWorkload(objects)).toEqual([]);
    // The endpoints are the ones the command serves.
    const run = readText('src/cli/stream/run.ts');
    expect(run).toContain("url === '/healthz'");
    expect(run).toContain("url === '/readyz'");
    // From the production registry, as the overlay's other hotpath/* images.
    expect(parseImage(container(objects, STREAM).image)).toMatchObject({
      repository: 'hotpath/cli',
      registry: 'registry.example.com',
    });
  });

  it('fails for hotpath-stream on a flag the command rejects, a literal group, a probe elsewhere', () => {
    const typo = clone(objects);
    container(typo, STREAM).args = container(typo, STREAM).args.map((a: string) => (a === '--group' ? '--groupid' : a));
    expect(checkStreamWorkload(typo)).toEqual([
      expect.stringMatching(/^hotpath-stream: hotpath stream rejects its args: .*Unknown option '--groupid'/),
    ]);
    const bad = clone(objects);
    const c = container(bad, STREAM);
    c.args = c.args.map((a: string) => (a === '$(HOTPATH_STREAM_GROUP)' ? 'hotpath' : a === ':9464' ? ':9465' : a));
    const cm = bad.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('kafka-pipeline-')) as K8sObject;
    cm.data['hotpath-stream-group'] = 'hotpath-prod';
    c.readinessProbe.httpGet.path = '/healthz';
    expect(checkStreamWorkload(bad)).toEqual([
      'hotpath-stream: its hotpath-stream-group "hotpath" does not come from ConfigMap kafka-pipeline key hotpath-stream-group',
      'hotpath-stream: --listen port 9465 is not the container port "metrics" (9464)',
      'hotpath-stream: startupProbe must GET /healthz on the --listen port 9465',
      'hotpath-stream: livenessProbe must GET /healthz on the --listen port 9465',
      'hotpath-stream: readinessProbe must GET /readyz on the --listen port 9465',
    ]);
  });

  it('gives every new workload its NetworkPolicy, hotpath-stream a CPU HPA and PDBs, the ingester one Recreate pod', () => {
    expect(checkScalingAndPolicies(objects)).toEqual([]);
    const bad = clone(objects);
    const without = (kind: string, name: string) => {
      const i = bad.findIndex((o) => o.kind === kind && o.metadata.name === name);
      bad.splice(i, 1);
    };
    without('NetworkPolicy', 'jaeger-ingester');
    without('PodDisruptionBudget', 'jaeger-collector');
    find(bad, 'HorizontalPodAutoscaler', STREAM).spec.scaleTargetRef.name = 'hotpath-streams';
    find(bad, 'Deployment', 'jaeger-ingester').spec.replicas = 2;
    expect(checkScalingAndPolicies(bad)).toEqual([
      'jaeger-ingester: no NetworkPolicy selects it (only the default deny)',
      'HorizontalPodAutoscaler/hotpath-stream must scale Deployment/hotpath-stream',
      'jaeger-collector: no PodDisruptionBudget selects it',
      'jaeger-ingester: Badger is single-process: exactly 1 replica, strategy Recreate',
    ]);
    const memory = clone(objects);
    find(memory, 'HorizontalPodAutoscaler', STREAM).spec.metrics[0].resource.name = 'memory';
    expect(checkScalingAndPolicies(memory)).toEqual(['HorizontalPodAutoscaler/hotpath-stream: no CPU metric']);
  });

  it('reaches the brokers on the port of their address and takes OTLP only from labelled namespaces', () => {
    const external = [...analysePolicies(objects).external].filter((e) => !e.includes('kube-dns'));
    const kafkaClients = [...Object.keys(JAEGER_ROLES), STREAM];
    expect(external.filter((e) => kafkaClients.some((app) => e.split(' ')[1] === app)).sort()).toEqual(
      [
        'egress hotpath-stream cidr:0.0.0.0/0 TCP/9092',
        'egress jaeger-collector cidr:0.0.0.0/0 TCP/9092',
        'egress jaeger-ingester cidr:0.0.0.0/0 TCP/9092',
        'ingress jaeger-collector ns{hotpath/otlp-client=true} TCP/4317',
        'ingress jaeger-collector ns{hotpath/otlp-client=true} TCP/4318',
      ].sort()
    );
    expect(deployment(objects, STREAM).containers[0].ports).toEqual([{ name: 'metrics', containerPort: 9464 }]);
  });
});
