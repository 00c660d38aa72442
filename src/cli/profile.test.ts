/** @jest-environment node */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';

import { arbitraryTraceSet } from '../testing/arbitraryTraces';
import { jaegerTrace, SpanSpec } from '../testing/traces';
import { main } from './main';
import type { JsonOutput } from './render/json';
import type { SpeedscopeFile } from './render/speedscope';

/** `hotpath analyze --format folded|speedscope`: the critical path by calling context, for flame graph tools. */

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function hotpath(argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    stdin: Readable.from([]),
  });
  return { code, stdout, stderr };
}

let scratch: string;
let fileNo = 0;

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'hotpath-profile-'));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** The traces as one Jaeger query-API file. */
function jaegerFile(traces: SpanSpec[][]): string {
  const file = path.join(scratch, `traces-${fileNo++}.json`);
  writeFileSync(file, JSON.stringify({ data: traces.map((spans, i) => jaegerTrace(spans, `trace${i}`)) }));
  return file;
}

/**
 * `web GET /` calls `checkout pay` (which calls `redis GET` for `redisUs`), then `auth login` (which calls
 * `redis GET` for 10 µs). Critical path: web 20, pay 20, redis under pay `redisUs`, login 20, redis under login 10.
 */
function request(traceNo: number, redisUs: number): SpanSpec[] {
  const b = 1_700_000_000_000_000 + 1_000_000 * traceNo;
  const payEnd = 30 + redisUs;
  return [
    { id: `r${traceNo}`, service: 'web', op: 'GET /', start: b, duration: payEnd + 40 },
    { id: `c${traceNo}`, parent: `r${traceNo}`, service: 'checkout', op: 'pay', start: b + 10, duration: payEnd - 10 },
    { id: `g${traceNo}`, parent: `c${traceNo}`, service: 'redis', op: 'GET', start: b + 20, duration: redisUs },
    { id: `a${traceNo}`, parent: `r${traceNo}`, service: 'auth', op: 'login', start: b + payEnd, duration: 30 },
    { id: `h${traceNo}`, parent: `a${traceNo}`, service: 'redis', op: 'GET', start: b + payEnd + 10, duration: 10 },
  ];
}

describe('hotpath analyze --format folded', () => {
  it('writes one line per calling context: frames from the root, then its critical-path µs', async () => {
    const run = await hotpath(['analyze', jaegerFile([request(0, 30), request(1, 130)]), '--format', 'folded']);
    expect(run).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'web: GET / 40',
        'web: GET /;auth: login 40',
        'web: GET /;auth: login;redis: GET 20',
        'web: GET /;checkout: pay 40',
        'web: GET /;checkout: pay;redis: GET 160',
        '',
      ].join('\n'),
    });
  });

  it('turns ; line breaks and other control characters in names into spaces', async () => {
    const spans: SpanSpec[] = [
      { id: 'a', service: 'we;b', op: 'GET\n/x\u0000', start: 1_700_000_000_000_000, duration: 100 },
      {
        id: 'b',
        parent: 'a',
        service: 'db\r\u202e',
        op: 'q;\u2028uery\u0085',
        start: 1_700_000_000_000_010,
        duration: 50,
      },
    ];
    const run = await hotpath(['analyze', jaegerFile([spans]), '--format', 'folded']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('we b: GET /x  50\nwe b: GET /x ;db  : q  uery  50\n');
  });

  it('says which ranking options it cannot honour', async () => {
    const run = await hotpath(['analyze', 'x.json', '--format', 'folded', '--top', '3', '--compare', 'p90']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'hotpath: --format folded writes a flame graph: --top, --compare apply only to --format table or json'
    );
  });

  it('summed per leaf frame, equals each operation’s critical-path total of the JSON output', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryTraceSet, async (traces) => {
        const file = jaegerFile(traces);
        const folded = await hotpath(['analyze', file, '--format', 'folded']);
        const json = await hotpath(['analyze', file, '--format', 'json']);
        expect(folded.code).toBe(json.code);
        const perLeaf = new Map<string, number>();
        for (const line of folded.stdout.split('\n').filter((l) => l !== '')) {
          const space = line.lastIndexOf(' ');
          const leaf = line.slice(0, space).split(';').pop() ?? '';
          perLeaf.set(leaf, (perLeaf.get(leaf) ?? 0) + Number(line.slice(space + 1)));
        }
        const { hotspots } = JSON.parse(json.stdout) as JsonOutput;
        for (const row of hotspots) {
          expect(perLeaf.get(`${row.service}: ${row.operation}`) ?? 0).toBe(Math.round(row.criticalPathMs * 1000));
        }
        const roots = new Set(traces.map((spans) => `${spans[0].service}: ${spans[0].op}`));
        for (const line of folded.stdout.split('\n').filter((l) => l !== '')) {
          expect(roots.has(line.split(';')[0].replace(/ \d+$/, ''))).toBe(true);
        }
      }),
      { seed: 15_2026, numRuns: 60 }
    );
  }, 60_000);
});

describe('hotpath analyze --format speedscope', () => {
  it('writes one sampled profile in µs over shared frames, a sample per context with time of its own', async () => {
    const run = await hotpath(['analyze', jaegerFile([request(0, 30), request(1, 130)]), '--format', 'speedscope']);
    expect(run.code).toBe(0);
    const file = JSON.parse(run.stdout) as SpeedscopeFile;
    expect(file.$schema).toBe('https://www.speedscope.app/file-format-schema.json');
    const names = file.shared.frames.map((frame) => frame.name);
    expect(names).toEqual(['web: GET /', 'auth: login', 'redis: GET', 'checkout: pay']);
    expect(file.profiles).toHaveLength(1);
    const [profile] = file.profiles;
    expect(profile).toMatchObject({ type: 'sampled', unit: 'microseconds', startValue: 0, endValue: 300 });
    expect(profile.samples.map((stack) => stack.map((frame) => names[frame]).join(';'))).toEqual([
      'web: GET /',
      'web: GET /;auth: login',
      'web: GET /;auth: login;redis: GET',
      'web: GET /;checkout: pay',
      'web: GET /;checkout: pay;redis: GET',
    ]);
    expect(profile.weights).toEqual([40, 40, 20, 40, 160]);
  });
});
