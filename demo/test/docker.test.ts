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

interface Stage {
  name: string | undefined;
  /** The stage's FROM: an image, or the name of an earlier stage. */
  from: string;
  /** Instructions after FROM, continuation lines joined, comments dropped. */
  lines: string[];
}

/** demo/Dockerfile split into stages at each FROM. */
function parseStages(): Stage[] {
  const text = readFileSync(path.join(DEMO, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, ' ');
  const stages: Stage[] = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line === '' || line.startsWith('#')) {
      continue;
    }
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?$/i.exec(line);
    if (from) {
      stages.push({ from: from[1], name: from[2], lines: [] });
    } else {
      stages.at(-1)?.lines.push(line);
    }
  }
  return stages;
}

const STAGES = parseStages();

/** A target's instructions from its base image on (what the image built with --target holds), and that image. */
function target(name: string): { image: string; lines: string[] } {
  const stage = STAGES.find((s) => s.name === name);
  if (!stage) {
    throw new Error(`demo/Dockerfile has no stage ${name}`);
  }
  if (STAGES.some((s) => s.name === stage.from)) {
    const base = target(stage.from);
    return { image: base.image, lines: [...base.lines, ...stage.lines] };
  }
  return { image: stage.from, lines: stage.lines };
}

/** The command of the target's effective `HEALTHCHECK … CMD <shell command>` (Docker runs it with /bin/sh -c). */
function healthcheck(service: string): string {
  const line = target(service).lines.findLast((l) => l.startsWith('HEALTHCHECK ')) ?? '';
  return line.slice(line.indexOf(' CMD ') + 5);
}

function runHealthcheck(command: string, env: NodeJS.ProcessEnv): number | null {
  return spawnSync('/bin/sh', ['-c', command], { env: { PATH: process.env.PATH, ...env }, timeout: 10_000 }).status;
}

describe('demo/Dockerfile', () => {
  test('multi-stage, every stage from the same exact node:<major.minor.patch>-bookworm-slim', () => {
    const images = new Set(STAGES.filter((s) => !STAGES.some((t) => t.name === s.from)).map((s) => s.from));
    expect(images.size).toBe(1);
    expect([...images][0]).toMatch(/^node:20\.\d+\.\d+-bookworm-slim$/);
  });

  test('installs only the demo workspace from the lockfile, without install scripts', () => {
    const runs = STAGES.flatMap((s) => s.lines).filter((l) => l.startsWith('RUN npm '));
    expect(runs.length).toBeGreaterThan(0);
    for (const run of runs.filter((r) => r.includes('npm ci'))) {
      expect(run).toContain('--workspace demo');
      expect(run).toContain('--ignore-scripts');
    }
    expect(runs.some((r) => r.includes('--omit=dev'))).toBe(true);
  });

  test.each(SERVICES)('target %s: the non-root user node, its built entry point, a node -e healthcheck', (service) => {
    const { image, lines } = target(service);
    expect(image).toMatch(/^node:/);
    expect(lines.findLast((l) => l.startsWith('USER '))).toBe('USER node');
    expect(lines.at(-1)).toBe(`CMD ["node", "demo/dist/${service}/main.js"]`);
    expect(existsSync(path.join(DEMO, 'dist', service, 'main.js'))).toBe(true);
    // `node -e "<script>"`: no curl in the slim image; the script must at least compile.
    const match = /^node -e "([^"]+)"$/.exec(healthcheck(service));
    expect(match).not.toBeNull();
    expect(() => new Function(match?.[1] ?? '')).not.toThrow();
  });

  test('its .dockerignore lets in what the build reads and keeps out node_modules and dist', () => {
    const ignore = readFileSync(path.join(DEMO, 'Dockerfile.dockerignore'), 'utf8').split('\n');
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
    for (const copy of STAGES.flatMap((s) => s.lines).filter((l) => l.startsWith('COPY ') && !l.includes('--from='))) {
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
      const command = healthcheck(service);
      expect(runHealthcheck(command, { PORT: String(port) })).toBe(0);
      expect(runHealthcheck(command, { PORT: String(closed) })).toBe(1);
    }
  });

  test('loadgen: healthy while it beats, unhealthy once the heartbeat is stale or missing', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hotpath-demo-loadgen-'));
    cleanup.add(() => rmSync(dir, { recursive: true, force: true }));
    const heartbeat = path.join(dir, 'hotpath-loadgen.heartbeat');
    const command = healthcheck('loadgen');
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
