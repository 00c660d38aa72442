/**
 * `npm run demo`: the backend and the frontend on this machine, against a local Redis (REDIS_URL, default
 * redis://localhost:6379; when nothing answers there and `redis-server` is installed, a throw-away one is started
 * on that port). Ctrl-C stops everything. Telemetry goes to OTEL_EXPORTER_OTLP_ENDPOINT (default
 * http://localhost:4318): run a Jaeger v2 there to see the traces.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';

const dist = path.join(__dirname, '..');

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 1000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

function prefixed(name: string, child: ChildProcess): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) {
      readline.createInterface({ input: stream }).on('line', (line) => console.log(`[${name}] ${line}`));
    }
  }
}

async function main(): Promise<void> {
  const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://localhost:6379');
  const redisHost = redisUrl.hostname || 'localhost';
  const redisPort = Number(redisUrl.port || 6379);
  const children: Array<{ name: string; child: ChildProcess }> = [];

  if (!(await reachable(redisHost, redisPort))) {
    const local = redisHost === 'localhost' || redisHost === '127.0.0.1';
    const installed = spawnSync('redis-server', ['--version']).status === 0;
    if (!local || !installed) {
      console.error(
        `No Redis answers at ${redisUrl.host}. Start one (Debian/Ubuntu: apt-get install redis-server; ` +
          `or: docker run -p 6379:6379 redis:7) or point REDIS_URL at yours.`
      );
      process.exit(1);
    }
    console.log(`[demo] starting a throw-away redis-server on 127.0.0.1:${redisPort} (no persistence)`);
    const redis = spawn(
      'redis-server',
      ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      // Own process group: Ctrl-C reaches only this runner, which stops everything in order.
      { stdio: ['ignore', 'pipe', 'pipe'], detached: true }
    );
    prefixed('redis', redis);
    children.push({ name: 'redis', child: redis });
  }

  const token = process.env.DEMO_ADMIN_TOKEN || randomBytes(12).toString('hex');
  const common = {
    ...process.env,
    REDIS_URL: redisUrl.href,
    DEMO_ADMIN_TOKEN: token,
    OTEL_EXPORTER_OTLP_ENDPOINT: process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://localhost:4318',
  };
  const backendPort = process.env.BACKEND_PORT ?? '8081';
  const frontendPort = process.env.FRONTEND_PORT ?? '8080';
  const services = [
    { name: 'backend', env: { ...common, PORT: backendPort } },
    {
      name: 'frontend',
      env: { ...common, PORT: frontendPort, BACKEND_URL: process.env.BACKEND_URL ?? `http://localhost:${backendPort}` },
    },
  ];
  for (const { name, env } of services) {
    // Own process groups: Ctrl-C reaches only this runner, which stops the services and then Redis (a second
    // signal would make a service exit at once, without flushing its telemetry).
    const child = spawn(process.execPath, [path.join(dist, name, 'main.js')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    prefixed(name, child);
    children.push({ name, child });
  }
  console.log(
    [
      `[demo] page:     http://localhost:${frontendPort}/`,
      `[demo] faults:   curl -X POST -H 'Authorization: Bearer ${token}' --data 'slow-redis=300ms' http://localhost:${backendPort}/admin/faults`,
      `[demo] load:     DURATION=60s RATE=10 npm run loadgen -w demo`,
      `[demo] traces go to ${common.OTEL_EXPORTER_OTLP_ENDPOINT}; Ctrl-C stops everything`,
    ].join('\n')
  );

  let stopping = false;
  const stop = () => {
    if (stopping) {
      return;
    }
    stopping = true;
    // Services first (they flush telemetry and close Redis connections), Redis last.
    const services = children.filter(({ name }) => name !== 'redis');
    for (const { child } of services) {
      child.kill('SIGTERM');
    }
    void Promise.all(services.map(({ child }) => exited(child))).then(() => {
      for (const { name, child } of children) {
        if (name === 'redis') {
          child.kill('SIGTERM');
        }
      }
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
  // Should this runner die anyway, its children go with it.
  process.on('exit', () => {
    for (const { child } of children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
      }
    }
  });
  for (const { name, child } of children) {
    child.once('exit', (code, signal) => {
      if (!stopping) {
        console.error(`[demo] ${name} exited (${signal ?? code}); stopping the rest`);
        process.exitCode = 1;
        stop();
      }
    });
  }
  await Promise.all(children.map(({ child }) => exited(child)));
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

void main();
