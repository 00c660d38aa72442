/**
 * The real Jaeger v2 binary (tools/bin/jaeger, built by `npm run tools` from tools/jaeger/go.mod) running a shipped
 * config from deploy/jaeger on free loopback ports. A config's addresses are `${env:…}` placeholders
 * (e2e/static/lib/configs.ts jaegerVariableKind): the ones Jaeger listens on get 127.0.0.1 and a free port here, the
 * servers it calls (Prometheus, Kafka, OpenSearch) are the caller's to give. Nothing else in the file is changed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { answers, request, type Answer } from '../../../demo/test/harness/http';
import { freePort, Proc, spawnProc, waitFor } from '../../../demo/test/harness/process';
import { jaegerVariableKind, valueEnvReferences } from '../../static/lib/configs';
import { readYaml, repoPath } from '../../static/lib/repo';

export const JAEGER_BIN = process.env.HOTPATH_JAEGER_BIN ?? repoPath('tools/bin/jaeger');

export function requireJaegerBinary(): string {
  if (!existsSync(JAEGER_BIN)) {
    throw new Error(`${JAEGER_BIN} is missing: run \`npm run tools\` (scripts/install-tools.mjs) first`);
  }
  return JAEGER_BIN;
}

/** The environment variables a config (repository path) reads. */
export function configVariables(configFile: string): string[] {
  return valueEnvReferences(readYaml(configFile));
}

/**
 * Loopback values for every address variable `configFile` reads: `*_ENDPOINT` 127.0.0.1 and a free port, `*_HOST`
 * 127.0.0.1, `*_PORT` a free port. Upstream addresses and credentials come from `given`; a variable of neither kind,
 * or an upstream one not given, is an error (the file must not need anything the runtimes do not set).
 */
export async function loopbackEnv(
  configFile: string,
  given: Record<string, string> = {}
): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const name of configVariables(configFile)) {
    const kind = jaegerVariableKind(name);
    if (name in given) {
      env[name] = given[name];
    } else if (kind === 'listen') {
      env[name] = `127.0.0.1:${await freePort()}`;
    } else if (kind === 'listen-host') {
      env[name] = '127.0.0.1';
    } else if (kind === 'listen-port') {
      env[name] = String(await freePort());
    } else {
      throw new Error(`${configFile} reads ${name} (${kind ?? 'not an address'}): the caller must give it`);
    }
  }
  return env;
}

/** Only what a process needs to run, plus `env`: the test proves the config needs nothing else. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, ...env };
}

/** `jaeger validate --config FILE`: builds every component from the config without starting any. */
export function validateJaegerConfig(configPath: string, env: Record<string, string>): { ok: boolean; output: string } {
  const result = spawnSync(requireJaegerBinary(), ['validate', '--config', configPath], {
    env: childEnv(env),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ?? ''}` };
}

/**
 * A running Jaeger process; `url(VAR)` is where the config's placeholder VAR pointed it. Each instance runs in a
 * working directory of its own (a temp dir, kept across restarts): configs with local storage keep it there, as
 * they do under the containers' working_dir.
 */
export class Jaeger {
  private proc: Proc;

  private constructor(
    readonly configPath: string,
    readonly env: Record<string, string>,
    readonly workDir: string
  ) {
    this.proc = this.spawn();
  }

  /** Starts `jaeger --config configPath` without waiting (a config expected to fail is read from its output). */
  static launch(configPath: string, env: Record<string, string>): Jaeger {
    return new Jaeger(configPath, env, mkdtempSync(path.join(os.tmpdir(), 'hotpath-jaeger-')));
  }

  /** Starts `jaeger --config configPath` and waits until healthcheckv2 says every component is up. */
  static async start(configPath: string, env: Record<string, string>, timeoutMs = 60_000): Promise<Jaeger> {
    const jaeger = Jaeger.launch(configPath, env);
    try {
      await jaeger.waitHealthy(timeoutMs);
    } catch (error) {
      await jaeger.dispose();
      throw error;
    }
    return jaeger;
  }

  private spawn(): Proc {
    return spawnProc('jaeger', requireJaegerBinary(), ['--config', this.configPath], {
      env: childEnv(this.env),
      cwd: this.workDir,
    });
  }

  get running(): boolean {
    return this.proc.running;
  }

  /** `http://host:port` of a listen variable. */
  url(variable: string): string {
    const address = this.env[variable];
    if (!address) {
      throw new Error(`${this.configPath} has no address ${variable}`);
    }
    return `http://${address}`;
  }

  /**
   * GET on the query API (path like `/api/services`). Without `connection: close`, Node keeps the connection alive and
   * Jaeger 2.12's query server then waits 10 s for it on shutdown.
   */
  query(pathAndQuery: string): Promise<Answer> {
    return request(`${this.url('JAEGER_QUERY_HTTP_ENDPOINT')}${pathAndQuery}`, {
      headers: { connection: 'close' },
      timeoutMs: 30_000,
    });
  }

  /** healthcheckv2 (use_v2) answers GET /status with 200 once every component reports OK. */
  get healthUrl(): string {
    return `${this.url('JAEGER_HEALTH_ENDPOINT')}/status`;
  }

  async waitHealthy(timeoutMs = 60_000): Promise<void> {
    const proc = this.proc;
    await waitFor(
      `${this.configPath} to be healthy at ${this.healthUrl}`,
      async () => {
        if (!proc.running) {
          throw new Error(`jaeger exited: ${JSON.stringify(await proc.exited)}\n${proc.tail(40)}`);
        }
        return answers(this.healthUrl);
      },
      timeoutMs,
      200
    );
  }

  /** The process's last output lines (Jaeger logs to stderr), for failure messages. */
  tail(lines = 40): string {
    return this.proc.tail(lines);
  }

  /** Waits for the process to exit by itself (e.g. a config that cannot start), up to `timeoutMs`. */
  async exited(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const proc = this.proc;
    return waitFor(`${this.configPath} to exit`, async () => (proc.running ? undefined : proc.exited), timeoutMs, 200);
  }

  /** Stops gracefully (SIGTERM), or as a crash would (SIGKILL). The working directory stays for a restart. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.proc.stop(signal, 15_000);
  }

  /** Starts the same config with the same addresses and working directory again, and waits until healthy. */
  async restart(timeoutMs = 60_000): Promise<void> {
    if (this.proc.running) {
      throw new Error('restart() needs a stopped process');
    }
    this.proc = this.spawn();
    await this.waitHealthy(timeoutMs);
  }

  /** Stops and removes the working directory. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.workDir, { recursive: true, force: true });
  }
}
