import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { answers, request } from './http';
import { freePort, Proc, spawnProc, waitFor } from './process';

export const PROMETHEUS = process.env.PROMETHEUS ?? '/usr/bin/prometheus';

/** A real Prometheus on 127.0.0.1 with exemplar storage (as compose and Kubernetes run it). */
export class Prometheus {
  private constructor(
    readonly url: string,
    private readonly proc: Proc,
    private readonly dir: string
  ) {}

  /** Scraping `targets` (job → host:port) every second, on a free port. */
  static async start(targets: Record<string, string>): Promise<Prometheus> {
    const config = [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 900ms',
      'scrape_configs:',
      ...Object.entries(targets).flatMap(([job, target]) => [
        `  - job_name: ${job}`,
        '    metrics_path: /metrics',
        '    static_configs:',
        `      - targets: ['${target}']`,
      ]),
      '',
    ].join('\n');
    return Prometheus.run(config, await freePort());
  }

  /**
   * A real Prometheus with exemplar storage running `config` (YAML, or JSON, which YAML reads too) on
   * 127.0.0.1:`port`, ready when this resolves.
   */
  static async run(config: string, port: number): Promise<Prometheus> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hotpath-demo-prometheus-'));
    writeFileSync(path.join(dir, 'prometheus.yml'), config);
    const proc = spawnProc('prometheus', PROMETHEUS, [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--enable-feature=exemplar-storage',
      '--log.level=warn',
    ]);
    const url = `http://127.0.0.1:${port}`;
    const prometheus = new Prometheus(url, proc, dir);
    try {
      await waitFor(
        'prometheus to be ready',
        async () => {
          if (!proc.running) {
            throw new Error(`prometheus exited:\n${proc.tail()}`);
          }
          return answers(`${url}/-/ready`);
        },
        30_000
      );
    } catch (error) {
      await prometheus.stop();
      throw error;
    }
    return prometheus;
  }

  /** GET /api/v1/<endpoint>?params → `data`, or throws with Prometheus's error. */
  async api(endpoint: string, params: Record<string, string>): Promise<unknown> {
    const answer = await request(`${this.url}/api/v1/${endpoint}?${new URLSearchParams(params).toString()}`);
    const body = answer.json() as { status: string; data?: unknown; error?: string };
    if (body.status !== 'success') {
      throw new Error(`prometheus ${endpoint}: ${body.error ?? answer.text}`);
    }
    return body.data;
  }

  async stop(): Promise<void> {
    await this.proc.stop('SIGTERM', 10_000);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
