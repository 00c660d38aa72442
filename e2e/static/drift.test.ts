/** @jest-environment node */
/**
 * Compose and Kubernetes must not drift apart: the same images and tags, the same Grafana provisioning and
 * component configs (byte for byte), the same commands, environment and health endpoints. Compared against the
 * rendered dev overlay (and, for images and provisioning, the production overlay too).
 */
import { ComposeFile, commandOf, defaultServices, environmentOf, mountsOf, portsOf } from './lib/compose';
import { parseImage } from './lib/contracts';
import { K8sObject, allContainers, configMapData, container, kubectlPath, kustomize, workloads } from './lib/k8s';
import { parseStreamCommandLine } from '../../src/cli/stream/args';
import { JAEGER_ROLES, STREAM, expandArgs } from './lib/kafka';
import { ON_CI, clone, listFiles, missingTool, readJson, readText, readYaml } from './lib/repo';

const kubectl = kubectlPath();
if (!kubectl && ON_CI) {
  test('kubectl is installed (CI must render the overlays)', () => {
    throw new Error(missingTool('kubectl', 'set KUBECTL=/path/to/kubectl'));
  });
}
const describeWithKubectl = kubectl ? describe : describe.skip;

/** The default services (the profile `kafka` is compared with k8s/components/kafka at the end). */
const full = readYaml<ComposeFile>('docker-compose.yml');
const compose = { ...full };
compose.services = defaultServices(compose);
const version = readJson<{ version: string }>('package.json').version;

/** Compose service -> the workload of the same name. Every compose service has one. */
function imagesDrift(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const wl = workloads(objects);
  for (const [name, service] of Object.entries(compose.services)) {
    const w = wl.find((x) => x.name === name);
    if (!w) {
      problems.push(`${name}: no Kubernetes workload of that name`);
      continue;
    }
    const want = parseImage(service.image ?? '');
    for (const c of allContainers(w.pod)) {
      const got = parseImage(c.image);
      if (got.repository !== want.repository || got.tag !== want.tag || got.digest !== want.digest) {
        problems.push(`${name}: compose runs ${service.image}, Kubernetes ${c.image} (container ${c.name})`);
      }
    }
  }
  for (const w of wl) {
    if (!(w.name in compose.services)) {
      problems.push(`${w.kind}/${w.name}: not in docker-compose.yml`);
    }
  }
  return problems;
}

/** Every file of a provisioning subfolder is in its ConfigMap, unchanged, and nothing else is. */
function provisioningDrift(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const folders: Record<string, string> = {
    datasources: 'grafana-datasources',
    plugins: 'grafana-plugins',
    dashboards: 'grafana-dashboards',
    alerting: 'grafana-alerting',
  };
  const grafana = container(objects, 'grafana');
  const mounts = new Map<string, string>((grafana?.volumeMounts ?? []).map((m: any) => [m.name, m.mountPath]));
  const volumes = workloads(objects).find((w) => w.name === 'grafana')?.pod.volumes ?? [];
  for (const [folder, cmName] of Object.entries(folders)) {
    const data = configMapData(objects, cmName);
    if (!data) {
      problems.push(`${folder}: ConfigMap ${cmName} missing`);
      continue;
    }
    const files = listFiles(`provisioning/${folder}`);
    for (const file of files) {
      if (data[file] === undefined) {
        problems.push(
          `provisioning/${folder}/${file} is not in ConfigMap ${cmName} (add it to provisioning/kustomization.yaml)`
        );
      } else if (data[file] !== readText(`provisioning/${folder}/${file}`)) {
        problems.push(`provisioning/${folder}/${file} differs from ConfigMap ${cmName}`);
      }
    }
    for (const k of Object.keys(data)) {
      if (!files.includes(k)) {
        problems.push(`ConfigMap ${cmName} has ${k}, which is not in provisioning/${folder}`);
      }
    }
    const volume = volumes.find(
      (v: any) => v.configMap?.name?.startsWith(`${cmName}-`) || v.configMap?.name === cmName
    );
    if (!volume || mounts.get(volume.name) !== `/etc/grafana/provisioning/${folder}`) {
      problems.push(`ConfigMap ${cmName} must be mounted at /etc/grafana/provisioning/${folder}`);
    }
  }
  const composeMount = mountsOf(compose.services.grafana).find((m) => m.source === './provisioning');
  if (composeMount?.target !== '/etc/grafana/provisioning' || !composeMount.readOnly) {
    problems.push('compose must mount ./provisioning read-only at /etc/grafana/provisioning');
  }
  return problems;
}

/** deploy/<component>/* files are in their ConfigMaps unchanged and mounted where both runtimes read them. */
function configDrift(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const components: Array<{ name: string; cm: string; dir: string; mountPath: string; files: Record<string, string> }> =
    [
      {
        name: 'jaeger',
        cm: 'jaeger-config',
        dir: '/etc/jaeger',
        mountPath: '/etc/jaeger',
        files: {
          'config.yaml': 'deploy/jaeger/config.yaml',
          'config.production.yaml': 'deploy/jaeger/config.production.yaml',
        },
      },
      {
        name: 'loki',
        cm: 'loki-config',
        dir: '/etc/loki',
        mountPath: '/etc/loki',
        files: {
          'config.yaml': 'deploy/loki/config.yaml',
          'config.production.yaml': 'deploy/loki/config.production.yaml',
        },
      },
      {
        name: 'prometheus',
        cm: 'prometheus-config',
        dir: '/etc/prometheus',
        mountPath: '/etc/prometheus',
        files: { 'prometheus.yml': 'deploy/prometheus/prometheus.yml' },
      },
    ];
  for (const c of components) {
    const data = configMapData(objects, c.cm) ?? {};
    for (const [key, file] of Object.entries(c.files)) {
      if (data[key] !== readText(file)) {
        problems.push(`${file} differs from (or is missing in) ConfigMap ${c.cm} key ${key}`);
      }
    }
    const k8sMount = (container(objects, c.name)?.volumeMounts ?? []).find((m: any) => m.mountPath === c.mountPath);
    if (!k8sMount) {
      problems.push(`${c.name}: ConfigMap ${c.cm} is not mounted at ${c.mountPath}`);
    }
    // compose mounts the dev file at <dir>/<key>, the path the shared command line names.
    const devKey = Object.keys(c.files)[0];
    const composeMount = mountsOf(compose.services[c.name]).find((m) => m.source === `./${c.files[devKey]}`);
    if (composeMount?.target !== `${c.dir}/${devKey}`) {
      problems.push(`${c.name}: compose must mount ./${c.files[devKey]} at ${c.dir}/${devKey}`);
    }
  }
  return problems;
}

/** Environment: same names; literal values equal compose's resolved defaults; secrets only where compose has one. */
function envDrift(objects: K8sObject[], services: string[]): string[] {
  const problems: string[] = [];
  const secretVars = ['DEMO_ADMIN_TOKEN', 'GF_SECURITY_ADMIN_USER', 'GF_SECURITY_ADMIN_PASSWORD'];
  for (const name of services) {
    const want = environmentOf(compose.services[name]);
    const c = container(objects, name);
    const got = new Map<string, any>((c?.env ?? []).map((e: any) => [e.name, e]));
    for (const [k, v] of Object.entries(want)) {
      const e = got.get(k);
      if (!e) {
        problems.push(`${name}: ${k} is set in compose but not in Kubernetes`);
      } else if (e.valueFrom) {
        if (!secretVars.includes(k)) {
          problems.push(`${name}: ${k} comes from ${JSON.stringify(e.valueFrom)} in Kubernetes, a literal in compose`);
        }
      } else if (String(e.value ?? '') !== v && k !== 'GF_SERVER_ROOT_URL') {
        problems.push(`${name}: ${k} is ${JSON.stringify(v)} in compose, ${JSON.stringify(e.value)} in Kubernetes`);
      }
    }
    for (const k of got.keys()) {
      if (!(k in want)) {
        problems.push(`${name}: ${k} is set in Kubernetes but not in compose`);
      }
    }
  }
  return problems;
}

/** Compose `command` and the container args agree (dev overlay). */
function commandDrift(objects: K8sObject[], services: string[]): string[] {
  const problems: string[] = [];
  for (const name of services) {
    const want = commandOf(compose.services[name]);
    const got = (container(objects, name)?.args ?? []).map(String);
    if (JSON.stringify(want) !== JSON.stringify(got)) {
      problems.push(`${name}: compose command ${JSON.stringify(want)} != Kubernetes args ${JSON.stringify(got)}`);
    }
  }
  return problems;
}

/** The endpoint compose's healthcheck calls is the one the Kubernetes readiness probe calls. */
function healthDrift(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const builtIn: Record<string, string> = { '/usr/bin/loki -health': 'GET :3100/ready' }; // loki -health does GET /ready
  for (const [name, service] of Object.entries(compose.services)) {
    const test = service.healthcheck?.test;
    if (!Array.isArray(test)) {
      continue;
    }
    const joined = test.slice(1).join(' ');
    const url = /https?:\/\/localhost:(\d+)(\/[^\s'"`)]*)/.exec(joined);
    const composeEndpoint = url ? `GET :${url[1]}${url[2]}` : (builtIn[joined] ?? `exec ${joined}`);
    const probe = container(objects, name)?.readinessProbe;
    let k8sEndpoint = 'none';
    if (probe?.httpGet) {
      const c = container(objects, name);
      const port =
        typeof probe.httpGet.port === 'number'
          ? probe.httpGet.port
          : c.ports.find((p: any) => p.name === probe.httpGet.port)?.containerPort;
      k8sEndpoint = `GET :${port}${probe.httpGet.path}`;
    } else if (probe?.exec) {
      k8sEndpoint = `exec ${probe.exec.command.join(' ')}`;
    }
    if (composeEndpoint !== k8sEndpoint) {
      problems.push(`${name}: compose healthcheck ${composeEndpoint}, Kubernetes readiness ${k8sEndpoint}`);
    }
  }
  return problems;
}

describeWithKubectl('compose <-> Kubernetes drift', () => {
  let dev: K8sObject[];
  let production: K8sObject[];
  beforeAll(() => {
    dev = kustomize(kubectl as string, 'k8s/overlays/dev').objects;
    production = kustomize(kubectl as string, 'k8s/overlays/production').objects;
  });

  it('same images and tags in compose, dev and production (production only changes the registry)', () => {
    expect(imagesDrift(dev)).toEqual([]);
    expect(imagesDrift(production)).toEqual([]);
    const bad = clone(dev);
    container(bad, 'loki').image = 'grafana/loki:3.7.5';
    expect(imagesDrift(bad)).toEqual([
      'loki: compose runs grafana/loki:3.7.6, Kubernetes grafana/loki:3.7.5 (container loki)',
    ]);
  });

  it('the hotpath images are tagged with the package version (profile kafka included)', () => {
    for (const service of Object.values(full.services)) {
      const { repository, tag } = parseImage(service.image ?? '');
      if (repository.startsWith('hotpath/')) {
        expect({ repository, tag }).toEqual({ repository, tag: version });
      }
    }
  });

  it('same Grafana provisioning: every file in its ConfigMap unchanged, mounted where compose mounts the folder', () => {
    expect(provisioningDrift(dev)).toEqual([]);
    expect(provisioningDrift(production)).toEqual([]);
    const bad = clone(dev);
    const cm = bad.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('grafana-dashboards-')
    ) as K8sObject;
    delete cm.data['demo-logs.json'];
    cm.data['service-red.json'] = cm.data['service-red.json'].replace('Service RED', 'Service RED (old)');
    expect(provisioningDrift(bad)).toEqual([
      'provisioning/dashboards/demo-logs.json is not in ConfigMap grafana-dashboards (add it to provisioning/kustomization.yaml)',
      'provisioning/dashboards/service-red.json differs from ConfigMap grafana-dashboards',
    ]);
  });

  it('same component configs (deploy/), byte for byte', () => {
    expect(configDrift(dev)).toEqual([]);
    expect(configDrift(production)).toEqual([]);
  });

  it('same command lines for Jaeger, Loki, Prometheus and Redis', () => {
    expect(commandDrift(dev, ['jaeger', 'loki', 'prometheus', 'redis'])).toEqual([]);
  });

  it('same environment for Jaeger, the demo services and Grafana (secrets where compose uses the env file)', () => {
    expect(envDrift(dev, ['jaeger', 'frontend', 'backend', 'loadgen', 'grafana'])).toEqual([]);
    const bad = clone(dev);
    container(bad, 'backend').env.find((e: any) => e.name === 'REDIS_URL').value = 'redis://redis:6380';
    expect(envDrift(bad, ['backend'])).toEqual([
      'backend: REDIS_URL is "redis://redis:6379" in compose, "redis://redis:6380" in Kubernetes',
    ]);
  });

  it('the same health endpoints (compose healthcheck = Kubernetes readiness probe)', () => {
    expect(healthDrift(dev)).toEqual([]);
  });

  it('the published compose ports are the ports of the Services the README port-forwards', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const p of portsOf(service)) {
        const svc = dev.find((o) => o.kind === 'Service' && o.metadata.name === name) as K8sObject;
        expect({ name, ports: svc.spec.ports.map((x: any) => x.port) }).toEqual({
          name,
          ports: expect.arrayContaining([p.host]),
        });
      }
    }
  });
});

/**
 * The profile `kafka` and k8s/components/kafka (overlay production-kafka): the same images, the same environment for
 * the Jaeger roles (Kubernetes reads KAFKA_BROKERS from its ConfigMap, compose names its own broker), the same
 * `hotpath stream` flags besides the brokers, the same readiness endpoint.
 */
function kafkaDrift(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const k8sImage = (name: string) => {
    const { repository, tag } = parseImage(container(objects, name)?.image ?? '');
    return `${repository}:${tag}`;
  };
  const composeImage = (name: string) => {
    const { repository, tag } = parseImage(full.services[name]?.image ?? '');
    return `${repository}:${tag}`;
  };
  for (const [k8sName, composeName] of [
    ['jaeger-collector', 'jaeger-collector'],
    ['jaeger-ingester', 'jaeger-ingester'],
    [STREAM, 'hotpath-stream-1'],
  ]) {
    if (k8sImage(k8sName) !== composeImage(composeName)) {
      problems.push(`${k8sName}: compose runs ${composeImage(composeName)}, Kubernetes ${k8sImage(k8sName)}`);
    }
  }
  for (const name of Object.keys(JAEGER_ROLES)) {
    const want = environmentOf(full.services[name]);
    const got = new Map<string, any>((container(objects, name)?.env ?? []).map((e: any) => [e.name, e]));
    for (const variable of new Set([...Object.keys(want), ...got.keys()])) {
      const e = got.get(variable);
      if (variable === 'KAFKA_BROKERS' ? !e?.valueFrom?.configMapKeyRef : e?.value !== want[variable]) {
        problems.push(
          `${name}: ${variable} is ${JSON.stringify(want[variable])} in compose, ${JSON.stringify(e)} in Kubernetes`
        );
      }
    }
  }
  const flags = (args: string[]) => {
    const { brokers, ...rest } = parseStreamCommandLine(args.slice(1));
    return { rest, brokers };
  };
  const composeStream = flags(commandOf(full.services['hotpath-stream-1']));
  const k8sStream = flags(expandArgs(objects, container(objects, STREAM)));
  if (JSON.stringify(composeStream.rest) !== JSON.stringify(k8sStream.rest)) {
    problems.push(
      `${STREAM}: compose runs ${JSON.stringify(composeStream.rest)}, Kubernetes ${JSON.stringify(k8sStream.rest)}`
    );
  }
  const composeHealth = /localhost:(\d+)(\/\w+)/.exec(
    JSON.stringify(full.services['hotpath-stream-1'].healthcheck?.test)
  );
  const probe = container(objects, STREAM)?.readinessProbe?.httpGet;
  if (composeHealth?.[2] !== probe?.path) {
    problems.push(`${STREAM}: compose healthcheck ${composeHealth?.[2]}, Kubernetes readiness ${probe?.path}`);
  }
  return problems;
}

describeWithKubectl('profile kafka <-> component kafka', () => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = kustomize(kubectl as string, 'k8s/overlays/production-kafka').objects;
  });

  it('same images, Jaeger environment, hotpath stream flags (besides the brokers) and readiness endpoint', () => {
    expect(kafkaDrift(objects)).toEqual([]);
  });

  it('fails on a drifted copy', () => {
    const bad = clone(objects);
    container(bad, 'jaeger-ingester').env.find((e: any) => e.name === 'JAEGER_QUERY_HTTP_ENDPOINT').value =
      '0.0.0.0:16686';
    const stream = container(bad, STREAM);
    stream.args = stream.args.map((a: string) => (a === '20s' ? '5s' : a));
    stream.readinessProbe.httpGet.path = '/healthz';
    container(bad, 'jaeger-collector').image = 'jaegertracing/jaeger:2.11.0';
    const problems = kafkaDrift(bad);
    expect(problems).toHaveLength(4);
    expect(problems[0]).toBe(
      'jaeger-collector: compose runs jaegertracing/jaeger:2.12.0, Kubernetes jaegertracing/jaeger:2.11.0'
    );
    expect(problems[1]).toMatch(/^jaeger-ingester: JAEGER_QUERY_HTTP_ENDPOINT is "0.0.0.0:16687" in compose/);
    expect(problems[2]).toMatch(/^hotpath-stream: compose runs .*"lingerMs":20000.*Kubernetes .*"lingerMs":5000/);
    expect(problems[3]).toBe('hotpath-stream: compose healthcheck /readyz, Kubernetes readiness /healthz');
  });
});
