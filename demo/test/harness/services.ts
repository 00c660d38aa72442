import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { answers } from './http';
import { freePort, Proc, spawnProc, waitFor } from './process';

export const DIST = path.join(__dirname, '..', '..', 'dist');
export const ADMIN_TOKEN = 'test-admin-token';

/**
 * Builds the services (demo/build.mjs, under a second) only when demo/dist is missing: for callers outside the demo's
 * own tests (e2e/). The build empties demo/dist first, which would pull the files from under a demo test running at
 * the same time.
 */
export function ensureDemoBuilt(): void {
  if (!existsSync(path.join(DIST, 'backend', 'main.js')) || !existsSync(path.join(DIST, 'frontend', 'main.js'))) {
    execFileSync(process.execPath, [path.join(DIST, '..', 'build.mjs')], { stdio: 'inherit' });
  }
}

export interface Service {
  proc: Proc;
  port: number;
  url: string;
}

/** Only what the services need: nothing of the test runner's own environment (OTEL_* or otherwise) leaks in. */
function baseEnv(otlpUrl: string, protocol: 'http/json' | 'http/protobuf'): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl,
    OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
    // Export every 100 ms so the tests need not wait for the default 5 s (spans) and 1 s (logs) batches.
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_BLRP_SCHEDULE_DELAY: '100',
    OTEL_BSP_MAX_QUEUE_SIZE: '20000',
    OTEL_BLRP_MAX_QUEUE_SIZE: '20000',
  };
}

async function start(name: 'backend' | 'frontend', env: NodeJS.ProcessEnv, readyPath: string): Promise<Service> {
  const port = await freePort();
  const proc = spawnProc(name, process.execPath, [path.join(DIST, name, 'main.js')], {
    env: { ...env, PORT: String(port) },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${name} to answer ${readyPath}`, async () => {
    if (!proc.running) {
      throw new Error(`${name} exited:\n${proc.tail()}`);
    }
    return answers(`${url}${readyPath}`);
  });
  return { proc, port, url };
}

export interface DemoOptions {
  redisUrl: string;
  otlpUrl: string;
  protocol?: 'http/json' | 'http/protobuf';
  /** Extra environment for each service (e.g. DEMO_FAULTS, OTEL_BSP_SCHEDULE_DELAY). */
  backendEnv?: NodeJS.ProcessEnv;
  frontendEnv?: NodeJS.ProcessEnv;
  /** Start the frontend too (default true). */
  frontend?: boolean;
  /** What says the backend is up (default `/readyz`, which needs Redis; `/healthz` for a backend without it). */
  backendReadyPath?: '/readyz' | '/healthz';
}

export interface Demo {
  backend: Service;
  frontend?: Service;
  stop(): Promise<void>;
}

/**
 * The built frontend alone, forwarding to `backendUrl` (a real backend or a stand-in that answers /healthz), with
 * its own telemetry off and the browser span relay pointing at `collectorUrl`.
 */
export function startFrontend(backendUrl: string, collectorUrl: string): Promise<Service> {
  return start(
    'frontend',
    {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      OTEL_SDK_DISABLED: 'true',
      OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
      BACKEND_URL: backendUrl,
    },
    '/readyz'
  );
}

/** The built services (dist/) as real processes, exporting to `otlpUrl`, ready when this resolves. */
export async function startDemo(options: DemoOptions): Promise<Demo> {
  const env = baseEnv(options.otlpUrl, options.protocol ?? 'http/json');
  const backend = await start(
    'backend',
    { ...env, REDIS_URL: options.redisUrl, DEMO_ADMIN_TOKEN: ADMIN_TOKEN, ...options.backendEnv },
    options.backendReadyPath ?? '/readyz'
  );
  let frontend: Service | undefined;
  try {
    if (options.frontend !== false) {
      frontend = await start('frontend', { ...env, BACKEND_URL: backend.url, ...options.frontendEnv }, '/readyz');
    }
  } catch (error) {
    await backend.proc.stop();
    throw error;
  }
  return {
    backend,
    frontend,
    stop: async () => {
      await Promise.all([frontend?.proc.stop(), backend.proc.stop()]);
    },
  };
}
