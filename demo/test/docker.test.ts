/**
 * The Dockerfiles cannot be built here (no Docker engine), so their contract is checked statically, and their
 * HEALTHCHECK commands are run for real against the built services.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Cleanup, freePort, spawnProc } from './harness/process';
import { startDemoWithDeps } from './harness/stack';

const DEMO = path.join(__dirname, '..');
const REPO = path.join(DEMO, '..');
const SERVICES = ['backend', 'frontend', 'loadgen'] as const;

interface Dockerfile {
  stages: string[][];
}

/** Instructions (continuation lines joined, comments dropped), split into stages at each FROM. */
function parse(service: string): Dockerfile {
  const text = readFileSync(path.join(DEMO, service, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, ' ');
  const stages: string[][] = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line === '' || line.startsWith('#')) {
      continue;
    }
    if (line.startsWith('FROM ')) {
      stages.push([line]);
    } else {
      stages.at(-1)?.push(line);
    }
  }
  return { stages };
}

/** The command of the final stage's `HEALTHCHECK … CMD <shell command>` (Docker runs it with /bin/sh -c). */
function healthcheck(stage: string[]): string {
  const line = stage.find((l) => l.startsWith('HEALTHCHECK ')) ?? '';
  return line.slice(line.indexOf(' CMD ') + 5);
}

function runHealthcheck(command: string, env: NodeJS.ProcessEnv): number | null {
  return spawnSync('/bin/sh', ['-c', command], { env: { PATH: process.env.PATH, ...env }, timeout: 10_000 }).status;
}

describe.each(SERVICES)('demo/%s/Dockerfile', (service) => {
  const dockerfile = parse(service);
  const final = dockerfile.stages.at(-1) ?? [];

  test('multi-stage, every stage on the same exact node:<major.minor.patch>-bookworm-slim', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    const images = new Set(dockerfile.stages.map((stage) => stage[0].split(/\s+/)[1]));
    expect(images.size).toBe(1);
    expect([...images][0]).toMatch(/^node:20\.\d+\.\d+-bookworm-slim$/);
  });

  test('installs only the demo workspace from the lockfile, without install scripts', () => {
    const runs = dockerfile.stages.flat().filter((l) => l.startsWith('RUN npm '));
    expect(runs.length).toBeGreaterThan(0);
    for (const run of runs.filter((r) => r.includes('npm ci'))) {
      expect(run).toContain('--workspace demo');
      expect(run).toContain('--ignore-scripts');
    }
    expect(runs.some((r) => r.includes('--omit=dev'))).toBe(true);
  });

  test('runs as the non-root user node, the built entry point, with a node -e healthcheck', () => {
    expect(final).toContain('USER node');
    expect(final.at(-1)).toBe(`CMD ["node", "demo/dist/${service}/main.js"]`);
    expect(existsSync(path.join(DEMO, 'dist', service, 'main.js'))).toBe(true);
    // `node -e "<script>"`: no curl in the slim image; the script must at least compile.
    const match = /^node -e "([^"]+)"$/.exec(healthcheck(final));
    expect(match).not.toBeNull();
    expect(() => new Function(match?.[1] ?? '')).not.toThrow();
  });

  test('its .dockerignore lets in what the build reads and keeps out node_modules and dist', () => {
    const ignore = readFileSync(path.join(DEMO, service, 'Dockerfile.dockerignore'), 'utf8').split('\n');
    const build = readFileSync(path.join(DEMO, 'build.mjs'), 'utf8');
    const sources = new Set(['lib', ...[...build.matchAll(/'([a-z]+)\/[\w/]+\.(?:ts|html|css)'/g)].map((m) => m[1])]);
    expect([...sources].sort()).toEqual(['backend', 'frontend', 'lib', 'loadgen', 'local']);
    for (const entry of [
      '**',
      '!package.json',
      '!package-lock.json',
      '!demo/package.json',
      '!demo/build.mjs',
      ...[...sources].map((s) => `!demo/${s}`),
      '**/node_modules',
      '**/dist',
    ]) {
      expect(ignore).toContain(entry);
    }
    // The COPY sources exist in the repository.
    for (const copy of dockerfile.stages.flat().filter((l) => l.startsWith('COPY ') && !l.includes('--from='))) {
      for (const source of copy.split(/\s+/).slice(1, -1)) {
        expect(existsSync(path.join(REPO, source))).toBe(true);
      }
    }
  });
});

describe('the HEALTHCHECK commands, run for real', () => {
  const cleanup = new Cleanup();
  afterAll(() => cleanup.run());

  test('backend and frontend: healthy while /healthz answers, unhealthy when nothing listens', async () => {
    const { demo } = await startDemoWithDeps(cleanup);
    const closed = await freePort();
    for (const [service, port] of [
      ['backend', demo.backend.port],
      ['frontend', demo.frontend?.port ?? 0],
    ] as const) {
      const command = healthcheck(parse(service).stages.at(-1) ?? []);
      expect(runHealthcheck(command, { PORT: String(port) })).toBe(0);
      expect(runHealthcheck(command, { PORT: String(closed) })).toBe(1);
    }
  });

  test('loadgen: healthy while it beats, unhealthy once the heartbeat is stale or missing', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hotpath-demo-loadgen-'));
    cleanup.add(() => rmSync(dir, { recursive: true, force: true }));
    const heartbeat = path.join(dir, 'hotpath-loadgen.heartbeat');
    const command = healthcheck(parse('loadgen').stages.at(-1) ?? []);
    expect(runHealthcheck(command, { TMPDIR: dir })).toBe(1);
    const proc = spawnProc('loadgen', process.execPath, [path.join(DEMO, 'dist', 'loadgen', 'main.js')], {
      env: {
        PATH: process.env.PATH,
        TMPDIR: dir,
        TARGET_URL: `http://127.0.0.1:${await freePort()}`,
        DURATION: '3s',
        RATE: '1',
      },
    });
    cleanup.add(() => proc.stop('SIGKILL'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(existsSync(heartbeat)).toBe(true);
    expect(runHealthcheck(command, { TMPDIR: dir })).toBe(0);
    await proc.stop('SIGINT');
    const old = Date.now() / 1000 - 60;
    utimesSync(heartbeat, old, old);
    expect(runHealthcheck(command, { TMPDIR: dir })).toBe(1);
  });
});
