/** @jest-environment node */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { JsonOutput } from './render/json';
import { fixture, REPO_ROOT } from './testing/fixtures';
import { hotpath as runMain, type Run } from './testing/runMain';

/**
 * `--jobs N` must change nothing but speed: the same stdout, stderr and exit code as the one-thread path, for real
 * fixtures, a generated set, and bad files. The workers load a bundle of the CLI built here (worker threads cannot
 * load the TypeScript sources Jest runs); the main thread's side runs from the sources under test.
 */

let scratch: string;
let workerScript: string;

/** The CLI with `--jobs` workers running `script` (the built worker bundle by default). */
function hotpath(argv: string[], script = workerScript, stdin = ''): Promise<Run> {
  return runMain(argv, stdin, { workerScript: script });
}

function copyInto(directory: string, files: string[]): string {
  mkdirSync(directory, { recursive: true });
  for (const file of files) {
    copyFileSync(file, path.join(directory, path.basename(file)));
  }
  return directory;
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'hotpath-jobs-'));
  workerScript = path.join(scratch, 'hotpath.js');
  await build({
    entryPoints: [path.join(REPO_ROOT, 'src/cli/main.ts')],
    outfile: workerScript,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
  });
}, 60_000);

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('hotpath analyze --jobs N', () => {
  it('gives the one-thread results for the recorded traces, OTLP with fractional µs and a generated set', async () => {
    const jaeger = fixture('jaeger');
    const recorded = readdirSync(jaeger)
      .filter((name) => /^(zipkin|kiali|grafana)-.*\.json$/.test(name))
      .map((name) => path.join(jaeger, name));
    const otlp = ['otlp/kiali-tempo-istio-bookinfo-trace.json', 'otlp/jaeger-ui-otlp2jaeger-multi-in.jsonl'];
    const dir = copyInto(path.join(scratch, 'mixed'), [...recorded, ...otlp.map(fixture)]);
    // The recorded OTLP times are whole µs; sums of fractional µs depend on their order, so add some.
    const tempo = readFileSync(fixture(otlp[0]), 'utf8');
    for (let copy = 1; copy <= 3; copy++) {
      let n = 0;
      const text = tempo.replace(/(UnixNano": ?"\d+)000"/g, (_, head: string) => {
        n++;
        return `${head}${String((n * 389 * copy) % 1000).padStart(3, '0')}"`;
      });
      expect(text).not.toBe(tempo);
      writeFileSync(path.join(dir, `otlp-fractional-${copy}.json`), text);
    }
    execFileSync(
      process.execPath,
      [
        path.join(REPO_ROOT, 'bench/generate.mjs'),
        '--seed=7',
        '--traces=120',
        '--spans=40',
        '--orphans=0.05',
        '--shard=20',
        `--out=${path.join(dir, 'generated')}`,
      ],
      { stdio: 'pipe' }
    );
    const generated = path.join(dir, 'generated');
    const inputs = [dir, generated, recorded[0]]; // recorded[0] twice: duplicate trace IDs are counted alike

    const options = ['--format', 'json', '--critical-paths', '--compare', 'p90', '--window', 'full'];
    const single = await hotpath(['analyze', ...inputs, ...options, '--jobs', '1']);
    expect(single.code).toBe(0);
    const output = JSON.parse(single.stdout) as JsonOutput;
    expect(output.files).toBe(recorded.length + otlp.length + 3 + readdirSync(generated).length + 1);
    expect(output.traces).toBeGreaterThan(120);
    const top = output.hotspots[0];
    const whatIf = ['--what-if', `${top.service}::${top.operation}=-40%`];

    for (const jobs of ['2', '3']) {
      const parallel = await hotpath(['analyze', ...inputs, ...options, ...whatIf, '--jobs', jobs]);
      const reference = await hotpath(['analyze', ...inputs, ...options, ...whatIf, '--jobs', '1']);
      expect(parallel).toEqual(reference);
      expect(JSON.parse(parallel.stdout)).toEqual(JSON.parse(reference.stdout));
      const table = ['analyze', ...inputs, '--by', 'service', '--top', '50'];
      expect(await hotpath([...table, '--jobs', jobs])).toEqual(await hotpath([...table, '--jobs', '1']));
    }
  }, 120_000);

  it('gives the one-thread flame graph (--format folded and speedscope), fractional µs included', async () => {
    const dir = copyInto(path.join(scratch, 'contexts'), [
      fixture('jaeger/zipkin-yelp.jaeger.json'),
      fixture('jaeger/kiali-istio-bookinfo.jaeger.json'),
      fixture('otlp/kiali-tempo-istio-bookinfo-trace.json'),
    ]);
    const tempo = readFileSync(fixture('otlp/kiali-tempo-istio-bookinfo-trace.json'), 'utf8');
    let n = 0;
    const fractional = tempo.replace(
      /(UnixNano": ?"\d+)000"/g,
      (_, head: string) => `${head}${String((++n * 389) % 1000).padStart(3, '0')}"`
    );
    writeFileSync(path.join(dir, 'otlp-fractional.json'), fractional);
    const generate = ['--seed=11', '--traces=60', '--spans=30', '--shard=20', `--out=${path.join(dir, 'generated')}`];
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'bench/generate.mjs'), ...generate], { stdio: 'pipe' });
    for (const format of ['folded', 'speedscope']) {
      const argv = ['analyze', dir, path.join(dir, 'generated'), '--format', format];
      const single = await hotpath([...argv, '--jobs', '1']);
      expect(single.code).toBe(0);
      expect(single.stdout.length).toBeGreaterThan(1000);
      expect(await hotpath([...argv, '--jobs', '2'])).toEqual(single);
    }
  }, 60_000);

  it('finds the attributes the slow traces share as on one thread: workers record them, the main thread adds them in order', async () => {
    const dir = copyInto(path.join(scratch, 'attributes'), [
      fixture('jaeger/kiali-istio-bookinfo.jaeger.json'),
      fixture('otlp/kiali-tempo-istio-bookinfo-trace.json'),
      fixture('otlp/jaeger-ui-otlp2jaeger-multi-in.jsonl'),
    ]);
    writeFileSync(path.join(dir, 'z-truncated.json'), '{"data": [{"traceID": "ab", "spans": [');
    const generated = path.join(dir, 'generated');
    const generate = ['--seed=13', '--traces=240', '--spans=30', '--orphans=0.02', '--shard=30', `--out=${generated}`];
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'bench/generate.mjs'), ...generate], { stdio: 'pipe' });
    // The Yelp trace on stdin, between the directories, and once more as a file: its trace ID's sets are unions.
    const stdin = readFileSync(fixture('jaeger/zipkin-yelp.jaeger.json'), 'utf8');
    const yelp = fixture('jaeger/zipkin-yelp.jaeger.json');
    const argv = ['analyze', dir, '-', generated, yelp, '--compare', 'p90', '--attributes', '--format', 'json'];
    const single = await hotpath([...argv, '--jobs', '1'], workerScript, stdin);
    expect(single.code).toBe(2); // the truncated file
    const { comparison } = JSON.parse(single.stdout) as JsonOutput;
    expect(comparison?.attributeAnalysis?.tested).toBeGreaterThan(0);
    expect(comparison?.attributeAnalysis?.skippedKeys.length).toBeGreaterThan(0);
    for (const jobs of ['2', '3']) {
      expect(await hotpath([...argv, '--jobs', jobs], workerScript, stdin)).toEqual(single);
    }
    const table = ['analyze', dir, generated, '--compare', 'p90', '--attributes'];
    expect(await hotpath([...table, '--jobs', '2'])).toEqual(await hotpath([...table, '--jobs', '1']));
  }, 120_000);

  it('reports bad files alike, naming each file, with exit code 2', async () => {
    const dir = copyInto(path.join(scratch, 'bad'), [
      fixture('jaeger/zipkin-yelp.jaeger.json'),
      fixture('jaeger/jaeger-ui-critical-path-cases.json'), // JSON, but not traces
      fixture('jaeger/kiali-istio-bookinfo.jaeger.json'),
    ]);
    writeFileSync(path.join(dir, 'b-truncated.json'), '{"data": [{"traceID": "ab", "spans": [');
    const argv = ['analyze', dir, path.join(scratch, 'missing.json'), '--format', 'json'];
    const single = await hotpath([...argv, '--jobs', '1']);
    expect(single.code).toBe(2);
    expect(single.stderr).toContain(`${path.join(dir, 'b-truncated.json')}: `);
    // Found by listing the directory, the test-case file is skipped and named, in the workers as on one thread.
    const cases = path.join(dir, 'jaeger-ui-critical-path-cases.json');
    expect(single.stderr).toContain(`hotpath: skipped (no trace data) ${cases}: `);
    expect((JSON.parse(single.stdout) as JsonOutput).skippedFiles?.map((file) => file.source)).toEqual([cases]);
    expect(single.stderr).toContain(`cannot read ${path.join(scratch, 'missing.json')}: no such file`);
    expect(await hotpath([...argv, '--jobs', '2'])).toEqual(single);
  }, 60_000);

  it('reads stdin between directories on the main thread, in its place in the order', async () => {
    const first = copyInto(path.join(scratch, 'first'), [
      fixture('jaeger/zipkin-yelp.jaeger.json'),
      fixture('jaeger/zipkin-skew.jaeger.json'),
    ]);
    const second = copyInto(path.join(scratch, 'second'), [
      fixture('jaeger/kiali-istio-bookinfo.jaeger.json'),
      fixture('jaeger/zipkin-messaging-kafka.jaeger.json'),
    ]);
    const stdin = readFileSync(fixture('jaeger/zipkin-ascend.jaeger.json'), 'utf8');
    const argv = ['analyze', first, '-', second, '--format', 'json', '--critical-paths'];
    const single = await hotpath([...argv, '--jobs', '1'], workerScript, stdin);
    expect(single.code).toBe(0);
    expect((JSON.parse(single.stdout) as JsonOutput).files).toBe(5);
    expect(await hotpath([...argv, '--jobs', '2'], workerScript, stdin)).toEqual(single);
  }, 60_000);

  it('really uses worker threads: with no loadable worker script, --jobs 2 fails and --jobs 1 does not', async () => {
    const dir = copyInto(path.join(scratch, 'two'), [
      fixture('jaeger/zipkin-yelp.jaeger.json'),
      fixture('jaeger/zipkin-ascend.jaeger.json'),
    ]);
    const missingScript = path.join(scratch, 'no-such-worker.js');
    await expect(hotpath(['analyze', dir, '--jobs', '2'], missingScript)).rejects.toThrow();
    expect((await hotpath(['analyze', dir, '--jobs', '1'], missingScript)).code).toBe(0);
  }, 60_000);
});
