import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, Proc, spawnProc, waitFor } from './process';

export const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';

/** `PING` over a raw socket: true when the server answers `+PONG`. */
export function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    let reply = '';
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => {
      reply += data.toString('utf8');
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.startsWith('+PONG'));
      }
    });
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(false));
  });
}

/** A real, throw-away redis-server on a free 127.0.0.1 port (no persistence), which can be stopped and restarted. */
export class RedisServer {
  private proc?: Proc;
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'hotpath-demo-redis-'));

  private constructor(readonly port: number) {}

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async restart(): Promise<void> {
    const proc = spawnProc(
      'redis',
      REDIS_SERVER,
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir],
      { cwd: this.dir }
    );
    this.proc = proc;
    await waitFor(`redis-server on port ${this.port}`, async () => {
      if (!proc.running) {
        throw new Error(`redis-server exited: ${proc.tail()}`);
      }
      return (await ping(this.port)) || undefined;
    });
  }

  /** Freezes the server (SIGSTOP): connections stay open, nothing is answered: a Redis that hangs. */
  pause(): void {
    this.proc?.child.kill('SIGSTOP');
  }

  /** Lets a paused server go on (SIGCONT). */
  resume(): void {
    this.proc?.child.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    this.resume();
    await this.proc?.stop('SIGTERM', 5000);
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
