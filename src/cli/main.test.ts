/** @jest-environment node */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { USAGE } from './args';
import { MAX_PROBLEM_LINES } from './main';
import type { JsonOutput } from './render/json';
import { fixture, FIXTURES, SMARTTHINGS } from './testing/fixtures';
import { hotpath, type Run } from './testing/runMain';

const CASES = fixture('jaeger/jaeger-ui-critical-path-cases.json');

const parseJson = (run: Run) => JSON.parse(run.stdout) as JsonOutput;
const readJaeger = (file: string) =>
  JSON.parse(readFileSync(file, 'utf8')) as { data: Array<{ spans: Array<Record<string, unknown>> }> };
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'hotpath-cli-'));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function scratchFile(name: string, text: string): string {
  const file = path.join(scratch, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

describe('hotpath analyze <file>', () => {
  it('prints the ranking with the coverage warning for the SmartThings trace', async () => {
    const run = await hotpath(['analyze', SMARTTHINGS]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe("Traces: 1 · spans: 957 · files: 1 · window: root (each trace's root span)");
    const header = lines.findIndex((line) => line.includes('CP total ms'));
    expect(lines[header + 1]).toMatch(/^ 1 {2}coreSrv {2}get \/login\/tokenauth {2,}8\.376 {2,}22\.8 /);
    expect(run.stdout).toContain(
      '!! Coverage: 0.1 % of span time lies inside the analysed root windows — 943 of 957 spans lie outside.'
    );
    expect(run.stdout).toContain("!! Re-run with --window full to analyse each trace's full extent.");
  });

  it('--format json: critical-path times add up to the total latency', async () => {
    const run = await hotpath(['analyze', SMARTTHINGS, '--format', 'json']);
    expect(run.code).toBe(0);
    const json = parseJson(run);
    expect(json).toMatchObject({ traces: 1, spans: 957, files: 1, window: 'root', problems: [] });
    expect(json.hotspots).toHaveLength(87); // no --top: everything
    expect(json.hotspots[0]).toMatchObject({
      service: 'coreSrv',
      operation: 'get /login/tokenauth',
      criticalPathMs: 8.376,
    });
    expect(sum(json.hotspots.map((row) => row.criticalPathMs))).toBeCloseTo(36.713, 9);
    expect(json.latencyMs.p50).toBe(36.713); // one trace: its latency is the total
    // Machines read stdout; people still get the warning.
    expect(run.stderr).toMatch(/^hotpath: warning: Coverage: 0\.1 % of span time .* --window full .*\n$/);
  });

  it('--window full --top 1 --by service', async () => {
    const run = await hotpath(['analyze', SMARTTHINGS, '--window', 'full', '--top', '1', '--by', 'service']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\n1 {2}strongman {3}291300\.476 {8}95\.2 /);
    expect(run.stdout).toContain('Showing the top 1 of 16 services');
    expect(run.stdout).not.toContain('!!');
  });

  it('--critical-paths, --compare and --what-if in JSON', async () => {
    const run = await hotpath([
      'analyze',
      SMARTTHINGS,
      '--format=json',
      '--critical-paths',
      '--compare',
      'p90',
      '--what-if',
      'coreSrv::get /login/tokenauth=-50%',
      '--top',
      '2',
    ]);
    expect(run.code).toBe(0);
    const json = parseJson(run);
    expect(json.hotspots).toHaveLength(2);
    expect(json.criticalPaths![0].segments[0]).toMatchObject({ spanId: '14b60fd9ae504820', service: 'coreSrv' });
    expect(json.comparison).toMatchObject({ slowIf: 'p90', thresholdMs: 36.713 });
    expect(json.comparison!.warning).toContain('unreliable');
    expect(json.whatIf).toMatchObject({ projectedMs: { p50: 32.525, p95: 32.525 }, tracesAffected: 1 });
  });

  it('--what-if for an unknown operation lists the near matches and exits 2', async () => {
    const run = await hotpath(['analyze', SMARTTHINGS, '--what-if', 'coreSrv::get /login/token=-50%']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'hotpath: --what-if: service "coreSrv" has no operation "get /login/token". Did you mean one of these?'
    );
    expect(lines[1]).toBe('  coreSrv::get /login/tokenauth');
    expect(lines.every((line) => line.startsWith('hotpath:') || line.startsWith('  coreSrv::'))).toBe(true);
  });

  it('--what-if for an unknown service names the services', async () => {
    const run = await hotpath(['analyze', fixture('jaeger/zipkin-yelp.jaeger.json'), '--what-if', 'svc::op=-5%']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'hotpath: --what-if: no service "svc" in these traces. ' +
        'Services: mobile_api, routing, spectre, unknown, yelp-main, yelp_main/api_proxy\n'
    );
  });
});

describe('hotpath analyze <dir>', () => {
  it('reads the top-level *.json and *.jsonl files in name order', async () => {
    const run = await hotpath(['analyze', path.join(FIXTURES, 'otlp'), '--format', 'json']);
    expect(run.code).toBe(0);
    const json = parseJson(run);
    expect(json.files).toBe(5); // four .json and one .jsonl
    expect(json.traces).toBe(5);
    expect(json.spans).toBe(19);
    // The .jsonl file holds the same trace as the combined .json one: flagged, each analysed on its own.
    expect(json.diagnostics.duplicateTraceIds).toBe(1);
  });

  it('skips subdirectories and other extensions', async () => {
    const dir = path.join(scratch, 'mixed');
    copyFileSync(fixture('jaeger/zipkin-yelp.jaeger.json'), scratchFile('mixed/b.json', ''));
    copyFileSync(fixture('jaeger/kiali-istio-bookinfo.jaeger.json'), scratchFile('mixed/nested/a.json', ''));
    scratchFile('mixed/notes.txt', 'not a trace');
    const json = parseJson(await hotpath(['analyze', dir, '--format', 'json']));
    expect(json).toMatchObject({ files: 1, traces: 1, spans: 16 });
  });

  it('reports a bad file, still prints what it read, and exits 2', async () => {
    const dir = path.join(scratch, 'onebad');
    copyFileSync(fixture('jaeger/zipkin-yelp.jaeger.json'), scratchFile('onebad/a.json', ''));
    const bad = scratchFile('onebad/b.json', '<html>oops</html>');
    const run = await hotpath(['analyze', dir]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('Traces: 1 · spans: 16 · files: 1');
    expect(run.stderr).toContain(`hotpath: ${bad}: not valid JSON or JSON lines (line 1: `);
    expect(run.stderr).toMatch(/hotpath: 1 problem in the input: the data concerned is not in the results above\.\n$/);
  });

  it('skips (and names) a JSON file without trace data next to the traces, instead of failing the run', async () => {
    const dir = path.join(scratch, 'withcases');
    copyFileSync(fixture('jaeger/zipkin-yelp.jaeger.json'), scratchFile('withcases/a.json', ''));
    // Test cases beside recorded traces, as in test/fixtures/jaeger/: JSON, but no trace format.
    const cases = scratchFile('withcases/critical-path-cases.json', readFileSync(CASES, 'utf8'));
    const config = scratchFile('withcases/z-config.json', '{"name": "x", "version": "1.0.0"}');
    const table = await hotpath(['analyze', dir]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('Traces: 1 · spans: 16 · files: 1');
    expect(table.stdout).toContain(
      `2 files in the directories given held no trace data and were skipped: ${cases}, ${config}.`
    );
    expect(table.stderr).toBe(
      `hotpath: skipped (no trace data) ${cases}: expected Jaeger JSON ({"data":[…]} or a trace), OTLP JSON ` +
        `({"resourceSpans":[…]} or JSON lines) or a Grafana trace frame; found an object with keys "source", "cases"\n` +
        `hotpath: skipped (no trace data) ${config}: expected Jaeger JSON ({"data":[…]} or a trace), OTLP JSON ` +
        `({"resourceSpans":[…]} or JSON lines) or a Grafana trace frame; found an object with keys "name", "version"\n`
    );
    const json = parseJson(await hotpath(['analyze', dir, '--format', 'json']));
    expect(json.problems).toEqual([]);
    expect(json.skippedFiles?.map((file) => file.source)).toEqual([cases, config]);

    // Named on the command line, the same file is still an error: the user asked for it.
    const named = await hotpath(['analyze', path.join(dir, 'a.json'), config]);
    expect(named.code).toBe(2);
    expect(named.stderr).toContain(`hotpath: ${config}: expected Jaeger JSON`);
  });

  it('a directory of files without trace data: each named, and no traces found (exit 2)', async () => {
    const dir = path.join(scratch, 'onlycases');
    const config = scratchFile('onlycases/config.json', '{"name": "x"}');
    const run = await hotpath(['analyze', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      new RegExp(`^hotpath: skipped \\(no trace data\\) ${config}: .*\nhotpath: no traces found in ${dir}\n$`)
    );
  });

  it('an empty directory is an error', async () => {
    const dir = path.join(scratch, 'empty');
    mkdirSync(dir);
    const run = await hotpath(['analyze', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `hotpath: ${dir}: no *.json or *.jsonl files in this directory (subdirectories are not read)\n`
    );
  });
});

describe('hotpath analyze -', () => {
  it('reads stdin', async () => {
    const run = await hotpath(['analyze', '-', '--format', 'json'], readFileSync(SMARTTHINGS, 'utf8'));
    expect(run.code).toBe(0);
    expect(parseJson(run)).toMatchObject({ traces: 1, spans: 957, files: 1 });
  });

  it('reads JSON lines from stdin', async () => {
    const text = readFileSync(fixture('otlp/jaeger-ui-otlp2jaeger-multi-in.jsonl'), 'utf8');
    const run = await hotpath(['analyze', '-', '--format', 'json'], text);
    expect(parseJson(run)).toMatchObject({ traces: 1, spans: 4 });
  });

  it('empty stdin is an error naming stdin', async () => {
    const run = await hotpath(['analyze', '-']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('hotpath: stdin: the input is empty\n');
  });

  it('NUL bytes on stdin are not JSON (not "empty"), and the message shows them escaped', async () => {
    const run = await hotpath(['analyze', '-'], '\u0000'.repeat(4096));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^hotpath: stdin: not valid JSON or JSON lines \(line 1: .*\\u0000.*\)\n$/);
    expect(run.stderr).not.toContain('\u0000');
  });
});

describe('input text printed on a terminal', () => {
  it('escapes control, bidi and lone-surrogate characters in names, IDs and problems', async () => {
    const hostile = 'evil\u001b[2J\u202etxt\ud800';
    const trace = {
      traceID: 't\u0007',
      spans: [
        { traceID: 't', spanID: 'root\u0000', operationName: hostile, startTime: 1, duration: 10, processID: 'p' },
        { traceID: 't', spanID: 'bad\u001b', operationName: 'x', startTime: 'soon', duration: 1, processID: 'p' },
      ],
      processes: { p: { serviceName: `svc\u200f${hostile}` } },
    };
    const file = scratchFile('hostile.json', JSON.stringify(trace));
    const run = await hotpath(['analyze', file, '--critical-paths']);
    expect(run.code).toBe(2); // the span without a start time is left out
    const visible = run.stdout + run.stderr;
    expect(visible).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u202e\u200f]|[\ud800-\udfff]/);
    expect(run.stdout).toContain('evil\\u001b[2J\\u202etxt\\ud800');
    expect(run.stdout).toContain('Critical path of trace t\\u0007');
    expect(run.stderr).toContain('span bad\\u001b');

    const suggestion = await hotpath(['analyze', file, '--what-if', `svc\u200f${hostile}::evil=-50%`]);
    expect(suggestion.code).toBe(2);
    expect(suggestion.stderr).toContain('Did you mean one of these?\n  svc\\u200fevil\\u001b[2J');
    expect(suggestion.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u202e\u200f]|[\ud800-\udfff]/);
  });
});

describe('bad input exits 2 with one line, never a stack trace', () => {
  it('a file that is not JSON', async () => {
    const file = scratchFile('notes.json', 'hello\nworld\n');
    const run = await hotpath(['analyze', file]);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: expect.stringMatching(new RegExp(`^hotpath: ${file}: not valid JSON or JSON lines \\(line 1: .*\\)\\n$`)),
    });
  });

  it('JSON of an unknown format', async () => {
    const file = scratchFile('package.json', '{"name": "x", "version": "1.0.0"}');
    const run = await hotpath(['analyze', file]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `hotpath: ${file}: expected Jaeger JSON ({"data":[…]} or a trace), OTLP JSON ({"resourceSpans":[…]} or JSON ` +
        'lines) or a Grafana trace frame; found an object with keys "name", "version"\n'
    );
  });

  it('a missing file', async () => {
    const run = await hotpath(['analyze', 'no/such/traces.json']);
    expect(run).toEqual({ code: 2, stdout: '', stderr: 'hotpath: cannot read no/such/traces.json: no such file\n' });
  });

  it('a file without traces', async () => {
    const file = scratchFile('empty.json', '{"data": []}');
    const run = await hotpath(['analyze', file]);
    expect(run).toEqual({ code: 2, stdout: '', stderr: `hotpath: no traces found in ${file}\n` });
  });

  it('spans left out: results still printed, one stderr line per problem, exit 2', async () => {
    const trace = readJaeger(fixture('jaeger/zipkin-yelp.jaeger.json'));
    trace.data[0].spans[3].startTime = 'soon';
    const file = scratchFile('invalid-span.json', JSON.stringify(trace));
    const run = await hotpath(['analyze', file, '--top', '1']);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('Traces: 1 · spans: 15 · files: 1');
    expect(run.stdout).toContain('1 span was left out');
    expect(run.stderr).toBe(
      `hotpath: ${file}: trace a03ee8fff1dcd9b9, span 6a65182ea4f684c3 (data[0].spans[3].startTime): ` +
        'startTime (µs) is not a number\n' +
        'hotpath: 1 problem in the input: the data concerned is not in the results above.\n'
    );
    const json = parseJson(await hotpath(['analyze', file, '--format', 'json']));
    expect(json.problems).toEqual([
      {
        message: 'startTime (µs) is not a number',
        source: file,
        traceId: 'a03ee8fff1dcd9b9',
        spanId: '6a65182ea4f684c3',
        path: 'data[0].spans[3].startTime',
      },
    ]);
  });

  it(`lists at most ${MAX_PROBLEM_LINES} problems on stderr`, async () => {
    const trace = readJaeger(SMARTTHINGS);
    trace.data[0].spans.slice(1, 61).forEach((span) => (span.duration = null));
    const file = scratchFile('many-problems.json', JSON.stringify(trace));
    const run = await hotpath(['analyze', file, '--top', '1']);
    expect(run.code).toBe(2);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(MAX_PROBLEM_LINES + 2);
    expect(lines[MAX_PROBLEM_LINES]).toBe('hotpath: … and 10 more problems (--format json lists them all)');
    expect(lines[MAX_PROBLEM_LINES + 1]).toBe(
      'hotpath: 60 problems in the input: the data concerned is not in the results above.'
    );
  });

  it('several inputs: a missing one is reported, the others analysed', async () => {
    const run = await hotpath([
      'analyze',
      'missing.json',
      fixture('jaeger/zipkin-yelp.jaeger.json'),
      '--format',
      'json',
    ]);
    expect(run.code).toBe(2);
    expect(parseJson(run)).toMatchObject({
      files: 1,
      traces: 1,
      problems: [{ source: 'missing.json', message: 'cannot read: no such file' }],
    });
    expect(run.stderr).toContain('hotpath: cannot read missing.json: no such file\n');
  });

  it('a bad flag', async () => {
    const run = await hotpath(['analyze', SMARTTHINGS, '--format', 'xml']);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'hotpath: --format must be table, json, folded or speedscope, not "xml"\nRun "hotpath --help" for usage.\n',
    });
  });
});

describe('absurd times (issue #11 §6)', () => {
  it('a root lasting 1e308 µs is left out and counted: no null in the JSON, the table says so, exit 2', async () => {
    const span = (spanID: string, startTime: number, duration: number) => ({
      traceID: 't',
      spanID,
      operationName: spanID,
      startTime,
      duration,
      processID: 'p',
    });
    const child = {
      ...span('child', 1e15 + 10, 50),
      references: [{ refType: 'CHILD_OF', traceID: 't', spanID: 'root' }],
    };
    const trace = { traceID: 't', spans: [span('root', 1e15, 1e308), child], processes: { p: { serviceName: 'svc' } } };
    const file = scratchFile('absurd.json', JSON.stringify(trace));
    const json = await hotpath(['analyze', file, '--format', 'json']);
    expect(json.code).toBe(2);
    expect(json.stdout).not.toMatch(/null|NaN|Infinity/);
    const output = parseJson(json);
    expect(output.diagnostics.outOfRangeSpans).toBe(1);
    expect(output.latencyMs.p50).toBe(0.05);
    expect(output.problems).toEqual([expect.objectContaining({ spanId: 'root', traceId: 't' })]);
    expect(json.stderr).toContain('span root: time out of range (start 1000000000000000 µs, duration 1e+308 µs)');

    const table = await hotpath(['analyze', file]);
    expect(table.stdout).toContain(
      '1 span was left out: a time was out of range (a start before 1970 or after 2262, or a duration longer ' +
        'than a year; each one is listed on stderr).'
    );
    expect(table.stdout).not.toContain('Every span was well-formed');
  });
});

describe('hotpath --version', () => {
  it('prints one line (unbundled sources have no build-time version; bin.test checks the bundle)', async () => {
    expect(await hotpath(['--version'])).toEqual({ code: 0, stdout: 'hotpath unbuilt\n', stderr: '' });
    expect(USAGE).toContain('--version');
  });
});

describe('hotpath --help', () => {
  it('prints the usage to stdout', async () => {
    expect(await hotpath(['--help'])).toEqual({ code: 0, stdout: USAGE, stderr: '' });
    expect(USAGE).toContain('subdirectories are not read');
  });

  it('without arguments, asks for a command', async () => {
    const run = await hotpath([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('missing command');
  });
});
