/** @jest-environment node */
/**
 * docker-compose.yml, without Docker: the Compose Specification schema (both the draft-07 copy and compose-go's
 * 2020-12 schema that Docker Compose v2 itself uses), then the rules the schema cannot express.
 */
import {
  BIND_ADDRESS_VARIABLE,
  ComposeFile,
  checkBindAddress,
  checkCompose,
  checkHardening,
  checkDemoEnvironment,
  checkServiceUrls,
  checkStateOnVolumes,
  commandOf,
  dockerfileBaseImages,
  dockerfileEnv,
  dockerfileGlobalArgs,
  environmentOf,
  interpolate,
  mountsOf,
  portsOf,
  tmpfsOf,
  variableReferences,
} from './lib/compose';
import { BROKER_SETTINGS, IMAGE_VERSIONS, PLUGIN_IDS, kafkaImageVariable, parseImage } from './lib/contracts';
import { parseStreamCommandLine } from '../../src/cli/stream/args';
import { STREAM_HEALTH } from './lib/kafka';
import { clone, exists, parseYaml, readJson, readText, readYaml } from './lib/repo';
import { schemaValidator, schemaValidator2020 } from './lib/schemas';

const text = readText('docker-compose.yml');
const compose = parseYaml<ComposeFile>(text);
const services = compose.services;

/** Ports each service listens on inside the compose network (for URL checks). */
const LISTENS: Record<string, number[]> = {
  grafana: [3000],
  jaeger: [4317, 4318, 16686, 16685, 13133, 8888, 8889],
  loki: [3100],
  prometheus: [9090],
  redis: [6379],
  frontend: [Number(environmentOf(services.frontend).PORT)],
  backend: [Number(environmentOf(services.backend).PORT)],
};

describe('docker-compose.yml: Compose Specification schema', () => {
  const draft07 = schemaValidator('compose/compose-spec.json');
  const compose2020 = schemaValidator2020('compose/compose-spec.compose-go.json');

  it('validates against compose-spec.json (draft-07) and compose-go (2020-12)', () => {
    expect(draft07(compose)).toEqual([]);
    expect(compose2020(compose)).toEqual([]);
  });

  it('rejects a mutated copy (unknown depends_on condition, misspelt healthcheck key)', () => {
    const bad = clone(compose);
    (bad.services.grafana.depends_on as Record<string, { condition: string }>).jaeger.condition = 'service_ready';
    expect(draft07(bad).length).toBeGreaterThan(0);
    const bad2 = clone(compose);
    (bad2.services.loki.healthcheck as Record<string, unknown>).intervall = '5s';
    expect(compose2020(bad2).length).toBeGreaterThan(0);
  });
});

describe('docker-compose.yml: cross-service rules', () => {
  it('dependencies, healthchecks, mounts, pinned images, memory limits and published ports are consistent', () => {
    expect(checkCompose(compose)).toEqual([]);
  });

  it('fails when a service_healthy target loses its healthcheck, a mount goes missing or a tag floats', () => {
    const bad = clone(compose);
    delete bad.services.redis.healthcheck;
    expect(checkCompose(bad)).toContain(
      'services.backend: depends_on redis with service_healthy, but redis has no healthcheck'
    );

    const bad2 = clone(compose);
    bad2.services.jaeger.volumes = ['./deploy/jaeger/missing.yaml:/etc/jaeger/config.yaml:ro'];
    expect(checkCompose(bad2)).toContain('services.jaeger: mounted path ./deploy/jaeger/missing.yaml does not exist');

    const bad3 = clone(compose);
    bad3.services.prometheus.image = 'prom/prometheus:latest';
    expect(checkCompose(bad3).some((p) => p.includes('prom/prometheus:latest is not pinned'))).toBe(true);

    const bad4 = clone(compose);
    bad4.services.loki.ports = ['3100:3100'];
    expect(checkCompose(bad4).some((p) => p.startsWith('services.loki: publishes 3100:3100'))).toBe(true);

    const bad5 = clone(compose);
    bad5.services.loki.healthcheck = { test: ['CMD', 'wget', '-q', 'http://localhost:3100/ready'] };
    expect(checkCompose(bad5).some((p) => p.includes('runs wget, which image grafana/loki:'))).toBe(true);
  });

  it('pins the component versions the bundle is built for', () => {
    for (const [name, service] of Object.entries(services)) {
      const { repository, tag } = parseImage(service.image ?? '');
      const pattern = IMAGE_VERSIONS[repository];
      if (pattern) {
        expect({ service: name, tag }).toEqual({ service: name, tag: expect.stringMatching(pattern) });
      }
    }
  });

  it('keeps state on named volumes (Grafana data, Loki, Prometheus)', () => {
    expect(
      checkStateOnVolumes(compose, { grafana: '/var/lib/grafana/data', loki: '/loki', prometheus: '/prometheus' })
    ).toEqual([]);
  });

  it('every URL in an environment names a service and a port it listens on', () => {
    expect(checkServiceUrls(compose, LISTENS)).toEqual([]);
    const bad = clone(compose);
    (bad.services.frontend.environment as Record<string, string>).BACKEND_URL = 'http://backend:9999';
    expect(checkServiceUrls(bad, LISTENS)).toEqual([
      'services.frontend: BACKEND_URL=http://backend:9999, but backend listens on 8081',
    ]);
  });
});

describe('docker-compose.yml: the demo services', () => {
  it('sets the demo contract environment, and every variable the demo code reads is set or knowingly defaulted', () => {
    expect(checkDemoEnvironment(compose)).toEqual([]);
  });

  it('fails when the code reads a variable nobody set', () => {
    const reads = () => new Map([['NEW_KNOB', 'demo/backend/x.ts']]);
    expect(checkDemoEnvironment(compose, reads)).toContain(
      'services.frontend: demo/backend/x.ts reads NEW_KNOB, which the bundle neither sets nor lists as defaulted'
    );
  });

  it('sends traces to Jaeger over OTLP/HTTP and logs to Loki, with the service names Grafana queries', () => {
    for (const name of ['frontend', 'backend']) {
      const env = environmentOf(services[name]);
      expect(env).toMatchObject({
        OTEL_SERVICE_NAME: name,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318',
        OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://loki:3100/otlp/v1/logs',
      });
    }
  });

  it('runs the load generator bounded (DURATION at most 24h) and never restarts it', () => {
    const env = environmentOf(services.loadgen);
    const m = /^(\d+)(s|m|h)$/.exec(env.DURATION);
    expect(m).not.toBeNull();
    const hours = Number(m![1]) / { s: 3600, m: 60, h: 1 }[m![2] as 's' | 'm' | 'h'];
    expect(hours).toBeGreaterThan(0);
    expect(hours).toBeLessThanOrEqual(24);
    expect(services.loadgen.restart).toBe('no');
  });

  it('builds the demo images from the repository root, one target each of demo/Dockerfile (node, non-root, HEALTHCHECK)', () => {
    for (const name of ['frontend', 'backend', 'loadgen']) {
      const build = services[name].build as { context: string; dockerfile: string; target: string };
      expect(build).toEqual({ context: '.', dockerfile: 'demo/Dockerfile', target: name });
      expect(readText(build.dockerfile)).toMatch(new RegExp(`^FROM \\S+ AS ${name}$`, 'm'));
      expect(exists(build.dockerfile)).toBe(true);
      const dockerfile = readText(build.dockerfile);
      const final = dockerfileBaseImages(dockerfile).pop() ?? '';
      expect(parseImage(final).repository).toMatch(/^node$/);
      expect(dockerfile).toMatch(/^\s*USER\s+(node|1000)\b/m);
      expect(dockerfile).toMatch(/^\s*HEALTHCHECK\b[\s\S]*\bnode\s+-e\b/m);
    }
  });
});

describe('docker-compose.yml: Grafana', () => {
  const dockerfile = readText('deploy/grafana/Dockerfile');
  const env = dockerfileEnv(dockerfile);

  it('is built in compose by the multi-stage Dockerfile: npm ci && npm run build, then pinned Grafana 13.2', () => {
    expect(services.grafana.build).toEqual({
      context: '.',
      dockerfile: 'deploy/grafana/Dockerfile',
      args: { GRAFANA_VERSION: '${GRAFANA_VERSION:-13.2.2}' },
    });
    expect(dockerfile).toMatch(/^FROM node:\S+ AS build$/m);
    expect(dockerfile).toMatch(/^RUN npm ci && npm run build$/m);
    const bases = dockerfileBaseImages(dockerfile);
    expect(bases.map((b) => parseImage(b).repository)).toEqual(['node', 'grafana/grafana']);
    expect(parseImage(bases[1]).tag).toMatch(IMAGE_VERSIONS['grafana/grafana']);
    expect(dockerfile).toMatch(
      /^COPY --from=build (--chown=\S+ )?\/src\/dist \/var\/lib\/grafana\/plugins\/hotpath-latency-app$/m
    );
    expect(env.GF_PATHS_PLUGINS).toBe('/var/lib/grafana/plugins');
  });

  it('takes the Grafana release as a build arg whose compose default is the Dockerfile default (no drift)', () => {
    // The runtime stage is FROM grafana/grafana:${GRAFANA_VERSION}; CI's e2e-stack matrix overrides the arg.
    expect(dockerfile).toMatch(/^FROM grafana\/grafana:\$\{GRAFANA_VERSION\}$/m);
    const dockerDefault = dockerfileGlobalArgs(dockerfile).GRAFANA_VERSION;
    expect(dockerDefault).toMatch(IMAGE_VERSIONS['grafana/grafana']);
    const build = services.grafana.build as { args?: Record<string, string> };
    expect(interpolate(build.args?.GRAFANA_VERSION ?? '')).toBe(dockerDefault);
    // What the base image resolves to without the arg is exactly the pinned default.
    expect(dockerfileBaseImages(dockerfile)[1]).toBe(`grafana/grafana:${dockerDefault}`);
    // An arg without a default (or one used in FROM but declared after it) leaves the base unpinned: caught.
    const broken = dockerfile.replace(/^ARG GRAFANA_VERSION=\S+$/m, 'ARG GRAFANA_VERSION');
    expect(dockerfileBaseImages(broken)[1]).toBe('grafana/grafana:${GRAFANA_VERSION}');
    const late = dockerfile
      .replace(/^ARG GRAFANA_VERSION=(\S+)$/m, '')
      .replace(/^(FROM node:.*)$/m, '$1\nARG GRAFANA_VERSION=13.2.2');
    expect(dockerfileBaseImages(late)[1]).toBe('grafana/grafana:${GRAFANA_VERSION}');
    expect(checkCompose(compose)).toEqual([]);
  });

  it("CI's e2e-stack job builds the image for the pinned release and for the oldest supported Grafana line", () => {
    const workflow = parseYaml<{
      jobs: Record<
        string,
        {
          strategy?: { matrix?: { grafana?: string[] } };
          steps?: Array<{ run?: string; env?: Record<string, string> }>;
        }
      >;
    }>(readText('.github/workflows/ci.yml'));
    const job = workflow.jobs['e2e-stack'];
    const versions = job?.strategy?.matrix?.grafana ?? [];
    // Every entry is a full release (an image tag that exists, not a moving "12.3" or "latest").
    expect(versions.length).toBeGreaterThanOrEqual(2);
    for (const version of versions) {
      expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    }
    expect(versions).toContain(dockerfileGlobalArgs(dockerfile).GRAFANA_VERSION);
    // plugin.json's grafanaDependency (">=12.3.0"): its minor line is tested too.
    const minimum = /^>=\s*(\d+)\.(\d+)\./.exec(
      readJson<{ dependencies: { grafanaDependency: string } }>('src/plugin.json').dependencies.grafanaDependency
    );
    expect(minimum).not.toBeNull();
    expect(versions.some((v) => v.startsWith(`${minimum?.[1]}.${minimum?.[2]}.`))).toBe(true);
    // The matrix value reaches the build arg (through the environment docker compose interpolates).
    const run = job?.steps?.find((step) => step.run?.includes('npm run e2e:stack'));
    expect(run?.env?.GRAFANA_VERSION).toBe('${{ matrix.grafana }}');
  });

  it('allows unsigned loading for exactly the app and its nested panel, with preinstall, analytics and update checks off', () => {
    const pluginIds = [
      readJson<{ id: string }>('src/plugin.json').id,
      readJson<{ id: string }>('src/panels/hotspots/plugin.json').id,
    ];
    expect(pluginIds).toEqual(PLUGIN_IDS);
    expect(env.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS.split(',').sort()).toEqual([...pluginIds].sort());
    expect(env).toMatchObject({
      GF_PLUGINS_PREINSTALL_DISABLED: 'true',
      GF_ANALYTICS_REPORTING_ENABLED: 'false',
      GF_ANALYTICS_CHECK_FOR_UPDATES: 'false',
      GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES: 'false',
    });
    expect(env.GF_DEFAULT_APP_MODE).toBeUndefined(); // development mode would load any unsigned plugin
    // Nothing in compose may override the image's plugin settings.
    expect(
      Object.keys(environmentOf(services.grafana)).filter(
        (k) => k.startsWith('GF_PLUGINS') || k.startsWith('GF_ANALYTICS')
      )
    ).toEqual([]);
  });

  it('mounts provisioning read-only and keeps data off the plugin folder', () => {
    const mounts = mountsOf(services.grafana);
    expect(mounts).toContainEqual({
      type: 'bind',
      source: './provisioning',
      target: '/etc/grafana/provisioning',
      readOnly: true,
    });
    expect(env.GF_PATHS_DATA).toBe('/var/lib/grafana/data');
    expect(mounts.some((m) => m.target === '/var/lib/grafana' || m.target.startsWith('/var/lib/grafana/plugins'))).toBe(
      false
    );
  });

  it('takes the admin password from the env file, with the dev default documented in .env.example', () => {
    const raw = (services.grafana.environment as Record<string, string>).GF_SECURITY_ADMIN_PASSWORD;
    expect(raw).toMatch(/^\$\{GRAFANA_ADMIN_PASSWORD:-[^}]+\}$/);
  });
});

describe('docker-compose.yml: hardening (as the Kubernetes pods)', () => {
  it('every service drops all capabilities, cannot gain privileges, and runs read-only with tmpfs or volumes where it writes', () => {
    expect(checkHardening(compose)).toEqual([]);
    // Where each image writes (contracts.IMAGES), as mounted here.
    expect(
      Object.fromEntries(Object.entries(services).map(([name, service]) => [name, tmpfsOf(service).sort()]))
    ).toEqual({
      grafana: ['/tmp'],
      jaeger: ['/tmp'],
      loki: ['/tmp'],
      prometheus: [],
      redis: ['/data'],
      backend: ['/tmp'],
      frontend: ['/tmp'],
      loadgen: ['/tmp'],
      // profile kafka (the ingester writes Badger's files to its named volume, its working directory)
      kafka: ['/tmp'],
      'kafka-init': ['/tmp', '/var/lib/kafka/data'],
      'jaeger-collector': ['/tmp'],
      'jaeger-ingester': [],
      'hotpath-stream-1': ['/tmp'],
      'hotpath-stream-2': ['/tmp'],
    });
  });

  it.each(Object.keys(services))('fails for %s when any of it is removed', (name) => {
    const without = (change: (service: ComposeFile['services'][string]) => void) => {
      const bad = clone(compose);
      change(bad.services[name]);
      return checkHardening(bad);
    };
    expect(without((s) => delete s.cap_drop)).toContain(
      `services.${name}: must drop all capabilities (cap_drop: [ALL])`
    );
    expect(without((s) => (s.cap_drop = ['NET_RAW']))).toContain(
      `services.${name}: must drop all capabilities (cap_drop: [ALL])`
    );
    expect(without((s) => (s.cap_add = ['NET_BIND_SERVICE']))).toContain(
      `services.${name}: adds capabilities NET_BIND_SERVICE`
    );
    expect(without((s) => delete s.security_opt)).toContain(
      `services.${name}: must set security_opt no-new-privileges:true`
    );
    expect(without((s) => (s.security_opt = ['no-new-privileges:false']))).toContain(
      `services.${name}: must set security_opt no-new-privileges:true`
    );
    expect(without((s) => delete s.read_only)).toContain(
      `services.${name}: must run with a read-only root file system (read_only: true)`
    );
    expect(without((s) => (s.privileged = true))).toContain(`services.${name}: runs privileged`);
    for (const path of tmpfsOf(services[name])) {
      expect(without((s) => delete s.tmpfs)).toContain(
        `services.${name}: ${path} must be a tmpfs or a writable named volume (the root file system is read-only)`
      );
    }
    for (const mount of mountsOf(services[name]).filter((m) => m.type === 'volume')) {
      expect(without((s) => (s.volumes = (s.volumes ?? []).map((v) => `${String(v)}:ro`)))).toContain(
        `services.${name}: ${mount.target} must be a tmpfs or a writable named volume (the root file system is read-only)`
      );
    }
  });

  it("runs Redis as the image's own user (its entrypoint cannot switch without capabilities)", () => {
    expect(services.redis.user).toBe('999:1000');
    const bad = clone(compose);
    delete bad.services.redis.user;
    expect(checkHardening(bad)).toContain(
      'services.redis: image redis:8.8.0-alpine starts as root; set user to its own user 999 (with every capability dropped it cannot switch by itself)'
    );
    bad.services.redis.user = '0';
    expect(
      checkHardening(bad).some((p) => p.startsWith('services.redis: image redis:8.8.0-alpine starts as root'))
    ).toBe(true);
    const other = clone(compose);
    other.services.frontend.user = '0:0';
    expect(checkHardening(other)).toContain("services.frontend: user 0:0 is not the image's user 1000");
  });

  it(`publishes Grafana, the Jaeger UIs and the demo on 127.0.0.1 unless ${BIND_ADDRESS_VARIABLE} widens it`, () => {
    expect(checkBindAddress(compose)).toEqual([]);
    const published = (env: Record<string, string>) =>
      Object.entries(services).flatMap(([name, service]) =>
        portsOf(service, env).map((p) => `${name} ${p.hostIp}:${p.host}`)
      );
    expect(published({}).sort()).toEqual([
      'frontend 127.0.0.1:8080',
      'grafana 127.0.0.1:3000',
      'jaeger 127.0.0.1:16686',
      'jaeger-ingester 127.0.0.1:16687',
    ]);
    expect(published({ [BIND_ADDRESS_VARIABLE]: '0.0.0.0' }).sort()).toEqual([
      'frontend 0.0.0.0:8080',
      'grafana 0.0.0.0:3000',
      'jaeger 0.0.0.0:16686',
      'jaeger-ingester 0.0.0.0:16687',
    ]);
  });

  it('fails when a port binds every interface, a fixed address, or ignores the variable', () => {
    const withPort = (name: string, port: string) => {
      const bad = clone(compose);
      bad.services[name].ports = [port];
      return checkBindAddress(bad);
    };
    expect(withPort('grafana', '3000:3000')).toContain(
      'services.grafana: port 3000 is published on every interface by default; bind it to 127.0.0.1'
    );
    expect(withPort('jaeger', '0.0.0.0:16686:16686')).toContain(
      'services.jaeger: port 16686 is published on 0.0.0.0 by default; bind it to 127.0.0.1'
    );
    expect(withPort('frontend', '127.0.0.1:8080:8080')).toContain(
      `services.frontend: port 8080 does not follow ${BIND_ADDRESS_VARIABLE} (use \${${BIND_ADDRESS_VARIABLE}:-127.0.0.1})`
    );
    expect(withPort('frontend', `\${${BIND_ADDRESS_VARIABLE}:-0.0.0.0}:8080:8080`)).toContain(
      'services.frontend: port 8080 is published on 0.0.0.0 by default; bind it to 127.0.0.1'
    );
    expect(withPort('frontend', '[::1]:8080:8080')).toContain(
      'services.frontend: port 8080 is published on ::1 by default; bind it to 127.0.0.1'
    );
  });
});

describe('docker-compose.yml: .env.example', () => {
  const example = Object.fromEntries(
    readText('.env.example')
      .split('\n')
      .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
  );

  it('documents every variable docker-compose.yml reads, with the same default', () => {
    const refs = variableReferences(text);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect({ variable: ref.name, documented: ref.name in example }).toEqual({ variable: ref.name, documented: true });
      expect({ variable: ref.name, default: ref.fallback ?? '' }).toEqual({
        variable: ref.name,
        default: example[ref.name],
      });
    }
  });

  /** The comment that introduces `NAME=` in .env.example (the `#` lines above it and its group), as one line of text. */
  const commentAbove = (name: string): string => {
    const lines = readText('.env.example').split('\n');
    let i = lines.findIndex((line) => line.startsWith(`${name}=`)) - 1;
    while (i >= 0 && /^[A-Z_][A-Z0-9_]*=/.test(lines[i])) {
      i--;
    }
    const comment: string[] = [];
    for (; i >= 0 && lines[i].startsWith('#'); i--) {
      comment.unshift(lines[i].replace(/^#\s?/, ''));
    }
    return comment.join(' ');
  };

  it('names the Grafana password and the demo admin token as dev-only defaults to change, and documents the bind address', () => {
    for (const name of ['GRAFANA_ADMIN_PASSWORD', 'DEMO_ADMIN_TOKEN']) {
      expect({ name, comment: commentAbove(name) }).toEqual({
        name,
        comment: expect.stringMatching(/dev-only default.*change it/i),
      });
    }
    expect(example[BIND_ADDRESS_VARIABLE]).toBe('127.0.0.1');
    expect(commentAbove(BIND_ADDRESS_VARIABLE)).toMatch(/this machine only/);
    expect(commentAbove(BIND_ADDRESS_VARIABLE)).toMatch(/SECURITY\.md/);
  });

  it('the README names the same dev-only defaults and the bind address variable, and points to SECURITY.md', () => {
    const readme = readText('README.md');
    const paragraph = readme.split(/\n\s*\n/).find((p) => p.includes('dev-only')) ?? '';
    for (const needle of [
      `\`${example.GRAFANA_ADMIN_PASSWORD}\``,
      `\`${example.DEMO_ADMIN_TOKEN}\``,
      'GRAFANA_ADMIN_PASSWORD',
      'DEMO_ADMIN_TOKEN',
      BIND_ADDRESS_VARIABLE,
      '`127.0.0.1`',
      'SECURITY.md',
    ]) {
      expect({ needle, found: paragraph.includes(needle) }).toEqual({ needle, found: true });
    }
  });

  it('SECURITY.md names each dev-only default, the bind address, the open Jaeger UI and the unsigned plugin ids', () => {
    const security = readText('SECURITY.md');
    const unsigned = dockerfileEnv(readText('deploy/grafana/Dockerfile')).GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS;
    for (const needle of [
      `\`${example.GRAFANA_ADMIN_PASSWORD}\``,
      `\`${example.DEMO_ADMIN_TOKEN}\``,
      'GRAFANA_ADMIN_PASSWORD',
      'DEMO_ADMIN_TOKEN',
      BIND_ADDRESS_VARIABLE,
      `\`${example[BIND_ADDRESS_VARIABLE]}\``,
      'Jaeger UI',
      'GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS',
      ...unsigned.split(',').map((id) => `\`${id}\``),
      '## Before you expose the bundle',
      '## Reporting a vulnerability',
    ]) {
      expect({ needle, found: security.includes(needle) }).toEqual({ needle, found: true });
    }
  });

  it('resolves to the same configuration with or without a .env copied from it', () => {
    for (const service of Object.values(services)) {
      const withDefaults = environmentOf(service);
      const withExample = environmentOf(service, example);
      expect(withExample).toEqual(withDefaults);
    }
    expect(interpolate('${A:-x}-$${B}', {})).toBe('x-${B}');
  });
});

describe('docker-compose.yml: component commands use the mounted configs', () => {
  it('Jaeger, Loki and Prometheus read the files mounted from deploy/, Prometheus keeps exemplars', () => {
    const target = (service: string, source: string) =>
      mountsOf(services[service]).find((m) => m.source === source)?.target;
    expect(commandOf(services.jaeger)).toEqual(['--config', target('jaeger', './deploy/jaeger/config.yaml')]);
    expect(commandOf(services.loki)).toEqual([`-config.file=${target('loki', './deploy/loki/config.yaml')}`]);
    expect(commandOf(services.prometheus)).toContain(
      `--config.file=${target('prometheus', './deploy/prometheus/prometheus.yml')}`
    );
    expect(commandOf(services.prometheus)).toContain('--enable-feature=exemplar-storage');
  });
});

describe('docker-compose.yml: profile kafka', () => {
  const kafka = environmentOf(services.kafka);

  it("runs the broker with the settings of the tests' broker (besides addresses), as KAFKA_* variables", () => {
    const addresses = [
      'KAFKA_LISTENERS',
      'KAFKA_ADVERTISED_LISTENERS',
      'KAFKA_CONTROLLER_QUORUM_VOTERS',
      'KAFKA_LOG_DIRS',
    ];
    const expected = Object.fromEntries(
      Object.entries(BROKER_SETTINGS).map(([key, value]) => [kafkaImageVariable(key), value])
    );
    const settings = Object.fromEntries(
      Object.entries(kafka).filter(([k]) => k.startsWith('KAFKA_') && !addresses.includes(k) && k !== 'KAFKA_HEAP_OPTS')
    );
    expect(settings).toEqual(expected);
    // A KRaft cluster ID is 16 bytes, base64url without padding.
    expect(Buffer.from(kafka.CLUSTER_ID, 'base64url')).toHaveLength(16);
    expect(kafka.KAFKA_LOG_DIRS).toBe(mountsOf(services.kafka).find((m) => m.type === 'volume')?.target);
  });

  it('creates the topic both Jaeger configs name before either starts', () => {
    const topic = (file: string, key: 'exporters' | 'receivers') =>
      readYaml<any>(file)[key].kafka.traces.topic as string;
    const command = commandOf(services['kafka-init']);
    const created = command[command.indexOf('--topic') + 1];
    expect(created).toBe(topic('deploy/jaeger/config-kafka-collector.yaml', 'exporters'));
    expect(created).toBe(topic('deploy/jaeger/config-kafka-ingester.yaml', 'receivers'));
    for (const name of ['jaeger-collector', 'jaeger-ingester']) {
      expect(services[name].depends_on).toEqual({ 'kafka-init': { condition: 'service_completed_successfully' } });
      expect(environmentOf(services[name]).KAFKA_BROKERS).toBe(
        new URL(environmentOf(services.kafka).KAFKA_ADVERTISED_LISTENERS.replace('PLAINTEXT://', 'kafka://')).host
      );
    }
  });
});

describe('docker-compose.yml: profile kafka, hotpath stream', () => {
  const REPLICAS = ['hotpath-stream-1', 'hotpath-stream-2'];
  const collector = readYaml<any>('deploy/jaeger/config-kafka-collector.yaml').exporters.kafka;
  const parsed = (name: string) => {
    const [command, ...flags] = commandOf(services[name]);
    expect(command).toBe('stream');
    return parseStreamCommandLine(flags);
  };

  it('runs two replicas of one consumer group on what the collector writes, scraped through one alias', () => {
    const advertised = new URL(
      environmentOf(services.kafka).KAFKA_ADVERTISED_LISTENERS.replace('PLAINTEXT://', 'kafka://')
    );
    const settings = REPLICAS.map((name) => {
      const stream = parsed(name);
      expect(services[name].profiles).toEqual(['kafka']);
      expect(services[name].depends_on).toEqual({ 'kafka-init': { condition: 'service_completed_successfully' } });
      // Prometheus's job hotpath-stream discovers both replicas under this name (dns_sd_configs).
      expect((services[name].networks as Record<string, { aliases: string[] }>).default.aliases).toEqual([
        'hotpath-stream-headless',
      ]);
      expect(portsOf(services[name])).toEqual([]);
      return { brokers: stream.brokers, topic: stream.topic, encoding: stream.encoding, group: stream.group };
    });
    expect(settings[1]).toEqual(settings[0]);
    expect(settings[0]).toEqual({
      brokers: [advertised.host],
      topic: collector.traces.topic,
      encoding: collector.traces.encoding,
      group: expect.any(String),
    });
  });

  it('is healthy once /readyz on its --listen port answers', () => {
    for (const name of REPLICAS) {
      const port = parsed(name).listen.port;
      const test = (services[name].healthcheck?.test as string[]).join(' ');
      expect(test).toContain(`http://localhost:${port}${STREAM_HEALTH.readiness}`);
    }
  });

  it('is built by deploy/cli/Dockerfile: the CLI bundle on node, as the non-root user, context limited to its sources', () => {
    const dockerfile = readText('deploy/cli/Dockerfile');
    for (const name of REPLICAS) {
      expect(services[name].build).toEqual({ context: '.', dockerfile: 'deploy/cli/Dockerfile' });
      expect(parseImage(services[name].image ?? '').repository).toBe('hotpath/cli');
    }
    const bases = dockerfileBaseImages(dockerfile);
    expect(bases.map((b) => parseImage(b).repository)).toEqual(['node', 'node']);
    expect(bases[1]).toBe(dockerfileBaseImages(readText('demo/Dockerfile')).pop());
    expect(dockerfile).toMatch(/^RUN node scripts\/build-cli\.mjs\b/m);
    expect(dockerfile).toMatch(/^\s*USER\s+(node|1000)\b/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "\/app\/hotpath\.js"\]$/m);
    // Every file the build stage copies from the context is let through by its .dockerignore.
    const ignore = readText('deploy/cli/Dockerfile.dockerignore');
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1].split(' '));
    expect(copied.length).toBeGreaterThan(4);
    for (const source of copied) {
      const path = source.replace(/\/$/, '');
      expect({ path, allowed: ignore.split('\n').includes(`!${path}`) }).toEqual({ path, allowed: true });
    }
  });
});
