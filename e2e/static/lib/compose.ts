/**
 * docker-compose.yml checks beyond the Compose Specification schema: what `docker compose config` cannot tell
 * without Docker, and what the schema does not check at all (dependency targets and their healthchecks, mounted
 * files, pinned images, ports, environment).
 */
import { DEMO_ENV, IMAGES, ONE_SHOT_SERVICES, PUBLISHED_PORTS, imageFacts, isPinned, parseImage } from './contracts';
import { exists, readText, walkFiles } from './repo';

export interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string; args?: Record<string, string> | string[] };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | { target?: number; published?: string | number }>;
  volumes?: Array<string | { type?: string; source?: string; target?: string; read_only?: boolean }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  depends_on?: string[] | Record<string, { condition?: string }>;
  deploy?: { resources?: { limits?: { memory?: string } } };
  mem_limit?: string;
  restart?: string;
  networks?: string[] | Record<string, { aliases?: string[] } | null>;
  cap_add?: string[];
  cap_drop?: string[];
  security_opt?: string[];
  read_only?: boolean;
  privileged?: boolean;
  tmpfs?: string | string[];
  user?: string;
  [key: string]: unknown;
}

export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Values of ${VAR:-default} / ${VAR-default} / ${VAR} / $VAR, resolved from `env` (compose's .env); `$$` is `$`. */
export function interpolate(value: string, env: Record<string, string> = {}): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, name, op, arg, bare) => {
      if (match === '$$') {
        return '$';
      }
      const key = (name ?? bare) as string;
      const set = Object.prototype.hasOwnProperty.call(env, key);
      const val = set ? env[key] : undefined;
      if (op === ':-') {
        return val ? val : (arg as string);
      }
      if (op === '-') {
        return set ? (val as string) : (arg as string);
      }
      return val ?? '';
    }
  );
}

/** Every ${VAR...} reference in a text, with its default when it has one. */
export function variableReferences(text: string): Array<{ name: string; fallback?: string }> {
  const refs: Array<{ name: string; fallback?: string }> = [];
  for (const m of text.replace(/\$\$/g, '').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g)) {
    refs.push({ name: m[1], fallback: m[2] });
  }
  return refs;
}

/** Services `docker compose up` starts; those of a profile (e.g. `kafka`) only run when it is asked for. */
export function defaultServices(compose: ComposeFile): Record<string, ComposeService> {
  return Object.fromEntries(
    Object.entries(compose.services).filter(
      ([, service]) => !(Array.isArray(service.profiles) && service.profiles.length)
    )
  );
}

export function environmentOf(service: ComposeService, env: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = service.environment ?? {};
  if (Array.isArray(raw)) {
    for (const item of raw) {
      const eq = item.indexOf('=');
      out[eq < 0 ? item : item.slice(0, eq)] = eq < 0 ? '' : interpolate(item.slice(eq + 1), env);
    }
  } else {
    for (const [key, value] of Object.entries(raw)) {
      out[key] = value === null ? '' : interpolate(String(value), env);
    }
  }
  return out;
}

export function commandOf(service: ComposeService): string[] {
  const { command } = service;
  if (command === undefined) {
    return [];
  }
  return Array.isArray(command) ? command.map(String) : command.split(/\s+/).filter(Boolean);
}

export function dependsOn(service: ComposeService): Record<string, string> {
  const deps = service.depends_on ?? {};
  if (Array.isArray(deps)) {
    return Object.fromEntries(deps.map((name) => [name, 'service_started']));
  }
  return Object.fromEntries(Object.entries(deps).map(([name, d]) => [name, d?.condition ?? 'service_started']));
}

export interface Mount {
  type: 'bind' | 'volume' | 'tmpfs';
  source: string;
  target: string;
  readOnly: boolean;
}

export function mountsOf(service: ComposeService): Mount[] {
  return (service.volumes ?? []).map((v) => {
    if (typeof v === 'string') {
      const [source, target, mode] = v.split(':');
      const bind = source.startsWith('.') || source.startsWith('/') || source.startsWith('~');
      return { type: bind ? 'bind' : 'volume', source, target, readOnly: (mode ?? '').split(',').includes('ro') };
    }
    return {
      type: (v.type ?? 'volume') as Mount['type'],
      source: v.source ?? '',
      target: v.target ?? '',
      readOnly: Boolean(v.read_only),
    };
  });
}

export interface PortMapping {
  host: number;
  container: number;
  /** The host address it is published on; undefined = every interface (Docker's default). */
  hostIp?: string;
}

/**
 * Published ports, with `${VAR:-default}` resolved from `env` first (as `docker compose` does with .env):
 * `[IP:]HOST:CONTAINER[/proto]` (an IPv6 address in brackets) or the long syntax.
 */
export function portsOf(service: ComposeService, env: Record<string, string> = {}): PortMapping[] {
  return (service.ports ?? []).map((p) => {
    if (typeof p === 'string') {
      const spec = interpolate(p, env).split('/')[0];
      const bracketed = /^\[([^\]]*)\]:(.*)$/.exec(spec);
      const parts = bracketed ? bracketed[2].split(':') : spec.split(':');
      const hostIp = bracketed ? bracketed[1] : parts.length === 3 ? parts.shift() : undefined;
      const [host, container] = parts.length === 2 ? parts : [undefined, parts[0]];
      return { host: host ? Number(host) : NaN, container: Number(container), hostIp: hostIp || undefined };
    }
    const long = p as { target?: number; published?: string | number; host_ip?: string };
    return { host: Number(long.published), container: Number(long.target), hostIp: long.host_ip || undefined };
  });
}

/** tmpfs mounts of a service (the `tmpfs` key and `type: tmpfs` volumes), as container paths. */
export function tmpfsOf(service: ComposeService): string[] {
  const short = service.tmpfs == null ? [] : Array.isArray(service.tmpfs) ? service.tmpfs : [service.tmpfs];
  return [
    ...short.map((entry) => entry.split(':')[0]),
    ...mountsOf(service)
      .filter((m) => m.type === 'tmpfs')
      .map((m) => m.target),
  ];
}

export function aliasesOf(service: ComposeService): string[] {
  const networks = service.networks;
  if (!networks || Array.isArray(networks)) {
    return [];
  }
  return Object.values(networks).flatMap((n) => n?.aliases ?? []);
}

export function buildOf(service: ComposeService): { context: string; dockerfile: string } | undefined {
  if (!service.build) {
    return undefined;
  }
  if (typeof service.build === 'string') {
    return { context: service.build, dockerfile: 'Dockerfile' };
  }
  return { context: service.build.context ?? '.', dockerfile: service.build.dockerfile ?? 'Dockerfile' };
}

function relative(path: string): string {
  return path.replace(/^\.\//, '').replace(/\/$/, '') || '.';
}

/**
 * Defaults of the `ARG NAME=value` lines before the first `FROM`: the only build args a `FROM` line can use
 * (Dockerfile reference, "Understand how ARG and FROM interact"). An ARG without a default maps to ''.
 */
export function dockerfileGlobalArgs(text: string): Record<string, string> {
  const args: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (/^\s*FROM\s/i.test(line)) {
      break;
    }
    const m = /^\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)(?:=("[^"]*"|\S*))?\s*$/i.exec(line);
    if (m) {
      args[m[1]] = (m[2] ?? '').replace(/^"|"$/g, '');
    }
  }
  return args;
}

/**
 * `FROM` images of a Dockerfile (stage references excluded), with `${ARG}` / `$ARG` replaced by the global ARG's
 * default — the image a plain `docker build` uses. An ARG with no default stays unresolved (`${ARG}`), so the
 * pinned-image check fails for it.
 */
export function dockerfileBaseImages(text: string): string[] {
  const args = dockerfileGlobalArgs(text);
  const resolve = (image: string) =>
    image.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (ref, braced, bare) => {
      const value = args[(braced ?? bare) as string];
      return value ? value : ref;
    });
  const stages = new Set<string>();
  const images: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (m) {
      if (!stages.has(m[1])) {
        images.push(resolve(m[1]));
      }
      if (m[2]) {
        stages.add(m[2]);
      }
    }
  }
  return images;
}

/** `ENV` key/values of a Dockerfile (both `ENV K=V K2=V2` and `ENV K V`), with line continuations joined. */
export function dockerfileEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  const joined = text.replace(/\\\r?\n/g, ' ');
  for (const line of joined.split('\n')) {
    const m = /^\s*ENV\s+(.*)$/i.exec(line);
    if (!m) {
      continue;
    }
    const body = m[1].trim();
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(body)) {
      for (const pair of body.match(/[A-Za-z_][A-Za-z0-9_]*=("[^"]*"|\S*)/g) ?? []) {
        const eq = pair.indexOf('=');
        env[pair.slice(0, eq)] = pair.slice(eq + 1).replace(/^"|"$/g, '');
      }
    } else {
      const [key, ...rest] = body.split(/\s+/);
      env[key] = rest.join(' ').replace(/^"|"$/g, '');
    }
  }
  return env;
}

/** The repository an image of a compose service is known by in contracts.IMAGES. */
function factsFor(service: ComposeService) {
  return service.image ? imageFacts(service.image) : undefined;
}

/**
 * Cross-checks of a parsed compose file. Returns human-readable problems; an empty list means the file passes.
 * `fileExists` is injectable so mutation tests can check the "mounted file exists" rule on a copy.
 */
export function checkCompose(compose: ComposeFile, fileExists: (path: string) => boolean = exists): string[] {
  const problems: string[] = [];
  const services = compose.services ?? {};
  const declaredVolumes = new Set(Object.keys(compose.volumes ?? {}));
  const usedVolumes = new Set<string>();
  const hostPorts = new Map<number, string>();

  for (const [name, service] of Object.entries(services)) {
    const where = `services.${name}`;
    // Images: every service names a pinned image (built ones are tagged with it), every Dockerfile base is pinned.
    if (!service.image) {
      problems.push(`${where}: no image (built services must also name the pinned tag they produce)`);
    } else if (!isPinned(service.image)) {
      problems.push(`${where}: image ${service.image} is not pinned to a full version`);
    } else if (!IMAGES[parseImage(service.image).repository]) {
      problems.push(`${where}: image ${service.image} is not described in contracts.IMAGES`);
    }
    const build = buildOf(service);
    if (build) {
      const dockerfile = relative(`${relative(build.context)}/${build.dockerfile}`);
      if (!fileExists(relative(build.context))) {
        problems.push(`${where}: build context ${build.context} does not exist`);
      }
      if (!fileExists(dockerfile)) {
        problems.push(`${where}: Dockerfile ${dockerfile} does not exist`);
      } else {
        for (const base of dockerfileBaseImages(readText(dockerfile))) {
          if (!isPinned(base)) {
            problems.push(`${where}: ${dockerfile} FROM ${base} is not pinned to a full version`);
          }
        }
      }
    }

    // Healthchecks: every long-running service has one, using a tool its image really has.
    const oneShot = ONE_SHOT_SERVICES.includes(name);
    const hc = service.healthcheck;
    if (!oneShot && (!hc || hc.disable || !hc.test)) {
      problems.push(`${where}: long-running service without a healthcheck`);
    }
    if (hc?.test) {
      const facts = factsFor(service);
      const test = typeof hc.test === 'string' ? ['CMD-SHELL', hc.test] : hc.test;
      if (test[0] === 'CMD') {
        if (facts && !facts.tools.includes(test[1])) {
          problems.push(
            `${where}: healthcheck runs ${test[1]}, which image ${service.image} does not have (${facts.tools.join(', ')})`
          );
        }
      } else if (test[0] === 'CMD-SHELL') {
        if (facts && !facts.shell) {
          problems.push(`${where}: CMD-SHELL healthcheck, but image ${service.image} has no shell`);
        }
        const tool = String(test[1] ?? '')
          .trim()
          .split(/\s+/)[0];
        if (facts && !facts.tools.includes(tool)) {
          problems.push(`${where}: healthcheck runs ${tool}, which image ${service.image} does not have`);
        }
      } else {
        problems.push(`${where}: healthcheck test must start with CMD or CMD-SHELL`);
      }
    }

    // depends_on: targets exist; service_healthy targets have a healthcheck.
    for (const [target, condition] of Object.entries(dependsOn(service))) {
      const dep = services[target];
      if (!dep) {
        problems.push(`${where}: depends_on ${target}, which is not a service`);
        continue;
      }
      if (condition === 'service_healthy' && (!dep.healthcheck?.test || dep.healthcheck.disable)) {
        problems.push(`${where}: depends_on ${target} with service_healthy, but ${target} has no healthcheck`);
      }
      if (condition === 'service_completed_successfully' && !ONE_SHOT_SERVICES.includes(target)) {
        problems.push(`${where}: waits for ${target} to complete, but ${target} is a long-running service`);
      }
    }

    // Mounts: bind sources exist; named volumes are declared.
    for (const mount of mountsOf(service)) {
      if (mount.type === 'bind') {
        if (!fileExists(relative(mount.source))) {
          problems.push(`${where}: mounted path ${mount.source} does not exist`);
        }
      } else if (mount.type === 'volume') {
        usedVolumes.add(mount.source);
        if (!declaredVolumes.has(mount.source)) {
          problems.push(`${where}: volume ${mount.source} is not declared under top-level volumes`);
        }
      }
    }

    // Memory limits everywhere.
    if (!service.deploy?.resources?.limits?.memory && !service.mem_limit) {
      problems.push(`${where}: no memory limit`);
    }

    // Published ports: unique, and only the three the bundle exposes.
    for (const port of portsOf(service)) {
      if (!Number.isInteger(port.host)) {
        problems.push(`${where}: port ${port.container} is published on a random host port`);
        continue;
      }
      const other = hostPorts.get(port.host);
      if (other) {
        problems.push(`${where}: host port ${port.host} is already published by ${other}`);
      }
      hostPorts.set(port.host, name);
      if (PUBLISHED_PORTS[name] !== port.host || port.container !== port.host) {
        problems.push(
          `${where}: publishes ${port.host}:${port.container}; only ${JSON.stringify(PUBLISHED_PORTS)} may be published`
        );
      }
    }
  }
  for (const [name, port] of Object.entries(PUBLISHED_PORTS)) {
    if (!portsOf(services[name] ?? {}).some((p) => p.host === port)) {
      problems.push(`services.${name}: must publish ${port}:${port}`);
    }
  }
  for (const volume of declaredVolumes) {
    if (!usedVolumes.has(volume)) {
      problems.push(`volumes.${volume}: declared but not used`);
    }
  }
  return problems;
}

/** Writable paths of each long-running service are volumes (not the container layer): data survives a recreate. */
export function checkStateOnVolumes(compose: ComposeFile, stateful: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [name, path] of Object.entries(stateful)) {
    const mount = mountsOf(compose.services[name] ?? {}).find((m) => m.target === path);
    if (!mount || mount.type !== 'volume') {
      problems.push(`services.${name}: ${path} must be a named volume`);
    }
  }
  return problems;
}

/**
 * Each service as locked down as its Kubernetes pod (Pod Security "restricted" plus a read-only root): all
 * capabilities dropped and none added, no privilege gain, not privileged, a read-only root file system with every
 * path its image writes (contracts.IMAGES) on a writable named volume or a tmpfs, and the image's own non-root user
 * where the image would otherwise start as root.
 */
export function checkHardening(compose: ComposeFile): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(compose.services ?? {})) {
    const where = `services.${name}`;
    if (!(service.cap_drop ?? []).some((cap) => cap.toUpperCase() === 'ALL')) {
      problems.push(`${where}: must drop all capabilities (cap_drop: [ALL])`);
    }
    if ((service.cap_add ?? []).length > 0) {
      problems.push(`${where}: adds capabilities ${(service.cap_add ?? []).join(', ')}`);
    }
    if (!(service.security_opt ?? []).some((opt) => /^no-new-privileges(:true)?$/.test(opt))) {
      problems.push(`${where}: must set security_opt no-new-privileges:true`);
    }
    if (service.privileged === true) {
      problems.push(`${where}: runs privileged`);
    }
    if (service.read_only !== true) {
      problems.push(`${where}: must run with a read-only root file system (read_only: true)`);
    }
    const facts = factsFor(service);
    if (!facts) {
      continue; // checkCompose reports images missing from contracts.IMAGES
    }
    const writable = new Set([
      ...tmpfsOf(service),
      ...mountsOf(service)
        .filter((m) => m.type === 'volume' && !m.readOnly)
        .map((m) => m.target),
    ]);
    for (const path of facts.writable) {
      if (!writable.has(path)) {
        problems.push(
          `${where}: ${path} must be a tmpfs or a writable named volume (the root file system is read-only)`
        );
      }
    }
    const uid = service.user === undefined ? undefined : Number(String(service.user).split(':')[0]);
    if (facts.startsAsRoot && uid !== facts.uid) {
      problems.push(
        `${where}: image ${service.image} starts as root; set user to its own user ${facts.uid} (with every capability dropped it cannot switch by itself)`
      );
    } else if (uid !== undefined && uid !== facts.uid) {
      problems.push(`${where}: user ${service.user} is not the image's user ${facts.uid}`);
    }
  }
  return problems;
}

/** The variable that widens the host address the bundle publishes on (default 127.0.0.1: this machine only). */
export const BIND_ADDRESS_VARIABLE = 'HOTPATH_BIND_ADDRESS';

/**
 * Every published port binds the address named by ${HOTPATH_BIND_ADDRESS:-127.0.0.1}: this machine only unless
 * the operator widens it, and then all of them follow.
 */
export function checkBindAddress(compose: ComposeFile): string[] {
  const problems: string[] = [];
  const widened = { [BIND_ADDRESS_VARIABLE]: '192.0.2.1' }; // TEST-NET-1: a value nothing else would produce
  for (const [name, service] of Object.entries(compose.services ?? {})) {
    const byDefault = portsOf(service);
    const whenSet = portsOf(service, widened);
    byDefault.forEach((port, i) => {
      const at = `services.${name}: port ${port.container}`;
      if (port.hostIp !== '127.0.0.1') {
        problems.push(`${at} is published on ${port.hostIp ?? 'every interface'} by default; bind it to 127.0.0.1`);
      }
      if (whenSet[i]?.hostIp !== widened[BIND_ADDRESS_VARIABLE]) {
        problems.push(`${at} does not follow ${BIND_ADDRESS_VARIABLE} (use \${${BIND_ADDRESS_VARIABLE}:-127.0.0.1})`);
      }
    });
  }
  return problems;
}

/** Relative imports of a TypeScript file, resolved to repository paths (`.ts` or `/index.ts`). */
function relativeImports(file: string): string[] {
  const dir = file.slice(0, file.lastIndexOf('/'));
  const out: string[] = [];
  for (const m of readText(file).matchAll(
    /(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g
  )) {
    const parts = `${dir}/${m[1]}`.split('/');
    const stack: string[] = [];
    for (const part of parts) {
      if (part === '..') {
        stack.pop();
      } else if (part !== '.') {
        stack.push(part);
      }
    }
    const base = stack.join('/').replace(/\.js$/, '');
    const candidate = [`${base}.ts`, `${base}/index.ts`, base].find((c) => c.endsWith('.ts') && exists(c));
    if (candidate) {
      out.push(candidate);
    }
  }
  return out;
}

/**
 * Environment variable names a demo service's code reads: the files reachable by relative imports from
 * demo/<service>/main.ts (or from every file of demo/<service> when there is no main.ts); browser code and tests
 * excluded. Maps each name to the first file that reads it.
 */
export function demoEnvReads(service: string): Map<string, string> {
  const reads = new Map<string, string>();
  const keep = (p: string) =>
    p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.includes('/web/') && !p.includes('/test/');
  const entries = exists(`demo/${service}/main.ts`) ? [`demo/${service}/main.ts`] : walkFiles(`demo/${service}`, keep);
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length) {
    const file = queue.shift() as string;
    if (seen.has(file) || !keep(file)) {
      continue;
    }
    seen.add(file);
    queue.push(...relativeImports(file));
  }
  const patterns = [
    /\b\w+\(\s*(?:process\.)?env\s*,\s*['"]([A-Z][A-Z0-9_]*)['"]/g, // envString(env, 'NAME', …) and similar helpers
    /\b(?:process\.)?env\.([A-Z][A-Z0-9_]*)\b/g, // process.env.NAME / env.NAME
    /\b(?:process\.)?env\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\]/g, // env['NAME']
  ];
  for (const file of [...seen].sort()) {
    const text = readText(file);
    for (const pattern of patterns) {
      for (const m of text.matchAll(pattern)) {
        if (!reads.has(m[1])) {
          reads.set(m[1], file);
        }
      }
    }
  }
  return reads;
}

/** The demo contract's environment is set, and every variable the code reads is either set or knowingly defaulted. */
export function checkDemoEnvironment(
  compose: ComposeFile,
  reads: (service: string) => Map<string, string> = demoEnvReads
): string[] {
  const problems: string[] = [];
  for (const [service, contract] of Object.entries(DEMO_ENV)) {
    const env = environmentOf(compose.services[service] ?? {});
    for (const name of contract.required) {
      if (!(name in env)) {
        problems.push(`services.${service}: ${name} is not set`);
      }
    }
    for (const [name, file] of reads(service)) {
      if (!(name in env) && !contract.defaulted.includes(name)) {
        problems.push(
          `services.${service}: ${file} reads ${name}, which the bundle neither sets nor lists as defaulted`
        );
      }
    }
  }
  return problems;
}

/**
 * URLs in the services' environment point at services that exist and at a port they listen on
 * (PORT of demo services, the known ports of the infrastructure images).
 */
export function checkServiceUrls(compose: ComposeFile, listens: Record<string, number[]>): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(compose.services)) {
    for (const [key, value] of Object.entries(environmentOf(service))) {
      if (!/^[a-z]+:\/\//.test(value)) {
        continue;
      }
      const url = new URL(value);
      if (url.hostname === 'localhost' || url.hostname === '127.0.0.1') {
        continue; // the container itself (e.g. Grafana's public root URL)
      }
      const target = Object.entries(compose.services).find(
        ([other, s]) => other === url.hostname || aliasesOf(s).includes(url.hostname)
      );
      if (!target) {
        problems.push(`services.${name}: ${key}=${value} names no compose service`);
        continue;
      }
      const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
      const ports = listens[target[0]] ?? [];
      if (!ports.includes(port)) {
        problems.push(
          `services.${name}: ${key}=${value}, but ${target[0]} listens on ${ports.join(', ') || 'nothing known'}`
        );
      }
    }
  }
  return problems;
}
