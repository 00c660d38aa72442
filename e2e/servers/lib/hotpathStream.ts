/**
 * `hotpath stream` (the built CLI, bin/hotpath.js) as a child process on a free loopback port, and its /metrics read
 * back: OpenMetrics text parsed into samples.
 */
import { existsSync } from 'node:fs';

import { answers, request } from '../../../demo/test/harness/http';
import { freePort, Proc, spawnProc, waitFor } from '../../../demo/test/harness/process';
import { repoPath } from '../../static/lib/repo';

const BIN = repoPath('bin/hotpath.js');

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** `name{a="x",b="y"} value [# exemplar]` lines; label values unescaped (\\, \", \n). */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) {
      continue;
    }
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\})? (\S+)/.exec(line);
    if (match === null) {
      throw new Error(`unparsable metrics line: ${line}`);
    }
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[label[1]] = label[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

export class HotpathStream {
  private constructor(
    readonly port: number,
    private readonly proc: Proc
  ) {}

  static async start(brokers: string, options: string[]): Promise<HotpathStream> {
    if (!existsSync(repoPath('dist-cli/hotpath.js'))) {
      throw new Error('dist-cli/hotpath.js is missing: run `npm run build:cli` first');
    }
    const port = await freePort();
    const proc = spawnProc('hotpath-stream', process.execPath, [
      BIN,
      'stream',
      '--brokers',
      brokers,
      '--listen',
      `127.0.0.1:${port}`,
      ...options,
    ]);
    const stream = new HotpathStream(port, proc);
    await waitFor(`hotpath stream on ${port} to be ready`, () => stream.readyOrExit(), 60_000, 200);
    return stream;
  }

  private async readyOrExit(): Promise<boolean | undefined> {
    if (!this.proc.running) {
      throw new Error(`hotpath stream exited: ${JSON.stringify(await this.proc.exited)}\n${this.proc.tail(40)}`);
    }
    return answers(`http://127.0.0.1:${this.port}/readyz`);
  }

  get running(): boolean {
    return this.proc.running;
  }

  /** The child's process ID (the bench reads its memory from /proc). */
  get pid(): number | undefined {
    return this.proc.child.pid;
  }

  async metrics(): Promise<Sample[]> {
    const answer = await request(`http://127.0.0.1:${this.port}/metrics`, { timeoutMs: 10_000 });
    if (answer.status !== 200) {
      throw new Error(`/metrics: ${answer.status}`);
    }
    return parseMetrics(answer.text);
  }

  /** The HTTP status of /readyz or /healthz (0 when nothing answers). */
  async probe(which: 'readyz' | 'healthz'): Promise<number> {
    try {
      return (await request(`http://127.0.0.1:${this.port}/${which}`, { timeoutMs: 2000 })).status;
    } catch {
      return 0;
    }
  }

  tail(lines = 40): string {
    return this.proc.tail(lines);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.proc.stop(signal, 30_000);
  }
}

/** Σ of a metric's samples over instances, per the values of `by` labels (joined with "\u0000"). */
export function sumBy(samples: Sample[][], name: string, by: string[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const sample of samples.flat()) {
    if (sample.name === name) {
      const key = by.map((label) => sample.labels[label] ?? '').join('\u0000');
      sums.set(key, (sums.get(key) ?? 0) + sample.value);
    }
  }
  return sums;
}

export function total(samples: Sample[][], name: string, labels: Record<string, string> = {}): number {
  return samples
    .flat()
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}
