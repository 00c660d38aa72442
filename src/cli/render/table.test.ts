/** @jest-environment node */
import { USAGE } from '../args';
import { analyzeFixtures, fixture, SMARTTHINGS } from '../testing/fixtures';
import { diagnosticLines, renderTable } from './table';

const OTLP = [
  'otlp/jaeger-otlp2jaeger-in.json',
  'otlp/jaeger-ui-otlp2jaeger-multi-in-combined.json',
  'otlp/kiali-tempo-istio-bookinfo-trace.json',
  'otlp/otel-proto-example-trace.json',
].map(fixture);

/** The ranking's rows: the lines between its header and the "Showing…"/"All…" footer. */
function rankingRows(text: string): string[] {
  const lines = text.split('\n');
  const header = lines.findIndex((line) => line.startsWith(' #  service') || line.startsWith('#  service'));
  const footer = lines.findIndex((line, i) => i > header && /^(Showing|All) /.test(line));
  return lines.slice(header + 1, footer);
}

describe('renderTable on the SmartThings trace (root window: 0.1 % coverage)', () => {
  const result = analyzeFixtures([SMARTTHINGS]);
  const text = renderTable(result);

  it('starts with the header lines', () => {
    const [first, second] = text.split('\n');
    expect(first).toBe("Traces: 1 · spans: 957 · files: 1 · window: root (each trace's root span)");
    expect(second).toBe(
      'End-to-end latency (ms): p50 36.713 · p95 36.713 · p99 36.713 · coverage 0.1 % (LOW: see the warning at the end)'
    );
  });

  it('ranks coreSrv get /login/tokenauth first, with every column', () => {
    const rows = rankingRows(text);
    expect(rows).toHaveLength(20);
    expect(rows[0].trim().split(/\s{2,}/)).toEqual([
      '1',
      'coreSrv',
      'get /login/tokenauth',
      '8.376',
      '22.8',
      '8.376',
      '8.376',
      '8.376',
      '36.713',
      '8.376',
      '1',
      '0',
      '1',
    ]);
    expect(text).toContain('Showing the top 20 of 87 operations (--top N to change).');
  });

  it('aligns the columns (right-aligned numbers end in the same place)', () => {
    const lines = text.split('\n');
    const header = lines.findIndex((line) => line.includes('CP total ms'));
    const block = lines.slice(header, header + 21);
    expect(new Set(block.map((line) => line.length)).size).toBe(1);
  });

  it('lists only the non-zero diagnostics, in plain English', () => {
    const section = text.slice(text.indexOf('Diagnostics:'), text.indexOf('!!'));
    expect(section.trim().split('\n')).toEqual([
      'Diagnostics:',
      '  - 91 spans last 0 µs (often: the instrumentation recorded no duration).',
      "  - 16 child spans run past the parent's start or end (4359.243 ms in all); on the critical path they are cut to the parent's window.",
      "  - 41 child spans lie wholly outside the parent's time window (async work or clock skew); they and their subtrees are never on the critical path.",
      '  - 1 child span starts before the parent, by up to 0.221 ms: clock skew between hosts, or instrumentation error.',
    ]);
    expect(section).not.toMatch(/orphan|duplicate|cycle|negative|async child/i);
  });

  it('ends with a coverage warning that cannot be missed', () => {
    expect(text.trimEnd().split('\n').slice(-3)).toEqual([
      '!! Coverage: 0.1 % of span time lies inside the analysed root windows — 943 of 957 spans lie outside.',
      '!! The ranking describes only that part of the traces.',
      "!! Re-run with --window full to analyse each trace's full extent.",
    ]);
  });

  it('shows --top rows', () => {
    const top3 = renderTable(result, { top: 3 });
    expect(rankingRows(top3)).toHaveLength(3);
    expect(top3).toContain('Showing the top 3 of 87 operations');
  });

  it('rolls up per service with --by service', () => {
    const byService = renderTable(result, { by: 'service', top: 2 });
    expect(byService).toContain('Services ranked by critical-path (CP) time:');
    const header = byService.split('\n').find((line) => line.includes('CP total ms'));
    expect(header).not.toContain('operation');
    const rows = rankingRows(byService);
    expect(
      rows[0]
        .trim()
        .split(/\s{2,}/)
        .slice(0, 4)
    ).toEqual(['1', 'coreSrv', '22.560', '61.4']);
    expect(
      rows[1]
        .trim()
        .split(/\s{2,}/)
        .slice(0, 4)
    ).toEqual(['2', 'auth', '14.153', '38.6']);
    expect(byService).toContain('Showing the top 2 of 16 services');
  });
});

describe('renderTable, full window', () => {
  const text = renderTable(analyzeFixtures([SMARTTHINGS], { window: 'full' }), { top: 1 });

  it('states full coverage in one quiet line', () => {
    expect(text).toContain('window: full');
    expect(text.trimEnd().split('\n').pop()).toBe('Coverage: 100.0 % of span time lies inside the analysed windows.');
    expect(text).not.toContain('!!');
    expect(text).not.toContain('LOW');
  });

  it('ranks the redirect chain that the root window hides', () => {
    expect(rankingRows(text)[0]).toMatch(/^1 {2}strongman {2}post pages\/install\/page {2,}278101\.647 {2,}90\.9 /);
  });
});

describe('renderTable on a clean trace', () => {
  it('says there is nothing to report', () => {
    const text = renderTable(analyzeFixtures([fixture('jaeger/kiali-istio-bookinfo.jaeger.json')]));
    expect(text).toContain('Diagnostics: none. Every span was well-formed and inside its parent.');
    expect(text).toContain('All 8 operations shown.');
    expect(text.trimEnd().split('\n').pop()).toBe(
      'Coverage: 100.0 % of span time lies inside the analysed root windows.'
    );
  });
});

describe('renderTable sections', () => {
  it('--compare: the slow-vs-baseline ranking and its small-sample warning', () => {
    const result = analyzeFixtures(OTLP, { compare: { label: 'p50', split: { percentile: 50 } } });
    const text = renderTable(result, { top: 2 });
    const section = text.slice(text.indexOf('Slow vs baseline'), text.indexOf('Diagnostics'));
    const c = result.comparison!.result;
    expect(section).toContain(`a trace is slow when its latency is at or above the p50 latency`);
    expect(section).toContain(`${c.slowTraces} slow traces`);
    expect(section).toContain('WARNING: only');
    expect(section).toMatch(/#\s+service\s+operation\s+Δ CP ms\/trace\s+slow mean ms\s+baseline mean ms/);
    expect(section).toMatch(/\n1 {2}my\.service {5}I'm a server span {7}\+333\.333 {7}333\.333 {13}0\.000 {17}84\.2\n/);
    expect(section).toContain(`Showing the top 2 of ${c.rows.length} operations`);
  });

  it('--compare with nobody on one side says so instead of ranking', () => {
    const text = renderTable(analyzeFixtures([SMARTTHINGS], { compare: { label: '1s', split: { thresholdUs: 1e6 } } }));
    expect(text).toContain('a trace is slow when its latency is at or above 1000.000 ms.');
    expect(text).toContain(
      'No slow traces: the only trace (mean 36.713 ms) is below the threshold, so there is nothing to compare.'
    );
    expect(text).not.toContain('0 slow traces');
    expect(text).not.toContain('mean 0.000 ms');
    expect(text).not.toContain('Δ CP');

    const otlp = renderTable(analyzeFixtures(OTLP, { compare: { label: '1us', split: { thresholdUs: 1 } } }));
    expect(otlp).toMatch(/No baseline traces: all \d+ traces \(mean [\d.]+ ms\) are at or above the threshold, so/);
    expect(otlp).not.toContain('0 baseline traces');
  });

  it('--compare: the help says what the output says (at or above)', () => {
    expect(USAGE).toContain('slow means latency at or above the NNth');
    expect(USAGE).toContain('or at or above a duration');
    expect(USAGE).not.toMatch(/slow means latency above/);
  });

  it('--what-if: current vs projected p50/p95 and the caveat', () => {
    const result = analyzeFixtures([SMARTTHINGS], {
      whatIf: { service: 'coreSrv', operation: 'get /login/tokenauth', reduction: 0.5 },
    });
    const lines = renderTable(result).split('\n');
    const start = lines.findIndex((line) => line.startsWith('What if'));
    expect(lines.slice(start, start + 5)).toEqual([
      'What if coreSrv::get /login/tokenauth spent 50.0 % less time on the critical path? (1 of 1 trace affected)',
      'latency  current ms  projected ms  change ms',
      'p50          36.713        32.525     -4.188',
      'p95          36.713        32.525     -4.188',
      result.whatIf!.caveat,
    ]);
  });

  it('--critical-paths: each trace’s segments, offsets from the window start', () => {
    const result = analyzeFixtures([fixture('jaeger/kiali-istio-bookinfo.jaeger.json')], { criticalPaths: true });
    const text = renderTable(result);
    const path = result.criticalPaths![0];
    expect(text).toContain(`Critical path of trace ${path.traceId} (11.932 ms, ${path.segments.length} segments):`);
    expect(text).toMatch(/at ms\s+for ms\s+service\s+operation\s+span\n\s*0\.000\s+0\.228\s+istio-ingressgateway/);
  });
});

describe('diagnosticLines', () => {
  const none = analyzeFixtures([fixture('jaeger/kiali-istio-bookinfo.jaeger.json')]).report.diagnostics;

  it('is empty for a clean trace', () => {
    expect(diagnosticLines(none, { window: 'root', asyncBlocking: false })).toEqual([]);
  });

  it('explains every kind of repair', () => {
    const d = {
      ...none,
      invalidSpans: 1,
      extraRoots: 2,
      orphans: 1,
      duplicateSpanIds: 3,
      cyclesBroken: 1,
      negativeDurations: 2,
      zeroDurations: 1,
      clippedChildren: 1,
      clippedUs: 1500,
      outsideParent: 2,
      skewedChildren: 1,
      maxSkewUs: 250,
      asyncChildren: 2,
    };
    expect(diagnosticLines(d, { window: 'root', asyncBlocking: false })).toEqual([
      '1 span was left out: a required field was missing or not a number (each one is listed on stderr).',
      '2 spans have no parent reference although the trace already has a root; analysed as children of the root.',
      '1 span refers to a parent that is not in the trace; analysed as a child of the root.',
      '3 spans reuse a span ID already taken in the trace; children naming that ID were attached to the first span with it.',
      '1 cycle of parent references cut: the span with the smallest ID in each was attached under the root.',
      '2 spans have a negative duration; analysed as lasting 0 µs.',
      '1 span lasts 0 µs (often: the instrumentation recorded no duration).',
      "1 child span runs past the parent's start or end (1.500 ms in all); on the critical path it is cut to the parent's window.",
      "2 child spans lie wholly outside the parent's time window (async work or clock skew); they and their subtrees are never on the critical path.",
      '1 child span starts before the parent, by up to 0.250 ms: clock skew between hosts, or instrumentation error.',
      '2 async children (FOLLOWS_FROM, or consumer under producer) not waited for, so left off the critical path (--async-blocking to include them).',
    ]);
    expect(diagnosticLines(d, { window: 'full', asyncBlocking: false }).slice(7, 9)).toEqual([
      "1 child span runs past the parent's start or end (1.500 ms in all); the full window widens the parent to cover it unless it is async.",
      "2 child spans lie wholly outside the parent's time window (async work or clock skew); the full window widens the parent to cover them unless they are async.",
    ]);
    expect(diagnosticLines({ ...none, asyncChildren: 1 }, { window: 'root', asyncBlocking: true })).toEqual([
      '1 async child (FOLLOWS_FROM, or consumer under producer) treated as blocking (--async-blocking).',
    ]);
  });
});

describe('renderTable in a terminal of a given width', () => {
  // Every section with a grid: the ranking, slow vs baseline, what-if, and critical paths with long names.
  const result = analyzeFixtures([SMARTTHINGS, ...OTLP], {
    criticalPaths: true,
    compare: { label: 'p50', split: { percentile: 50 } },
    whatIf: { service: 'coreSrv', operation: 'get /login/tokenauth', reduction: 0.5 },
  });
  const wide = renderTable(result);

  it.each([160, 120, 100, 80, 60, 40])('%i columns: no line is wider; the ranking keeps its core', (width) => {
    const text = renderTable(result, { width });
    const lines = text.split('\n');
    expect(lines.filter((line) => line.length > width)).toEqual([]);
    const header = lines.find((line) => /^ *# {2}service/.test(line));
    expect(header).toMatch(/^ *# {2}service +operation +CP total ms/);
    // Nothing is dropped without a cue: each hidden column is named below its grid (a note that may wrap).
    const prose = text.replace(/\s+/g, ' ');
    for (const column of ['CP/trace p99', 'span p95 ms', 'self ms', 'calls', 'traces']) {
      if (!header!.includes(column)) {
        expect(prose).toMatch(new RegExp(`\\(Hidden to fit ${width} columns: [^)]*${column.replace('/', '\\/')}`));
      }
    }
  });

  it('drops the least important columns first, and only as many as needed', () => {
    const header = (width: number) =>
      renderTable(result, { width })
        .split('\n')
        .find((line) => /^ *# {2}service/.test(line))!
        .trim()
        .split(/\s{2,}/);
    expect(header(1000)).toHaveLength(13);
    const at120 = header(120);
    expect(at120).toEqual(expect.arrayContaining(['CP share %', 'CP/trace p95', 'errors (rate)']));
    expect(at120).not.toContain('CP/trace p99');
    expect(header(80)).toEqual(expect.arrayContaining(['#', 'service', 'operation', 'CP total ms', 'CP share %']));
  });

  it('shortens long names with an ellipsis rather than wrapping rows', () => {
    const text = renderTable(result, { width: 60 });
    expect(text).toMatch(/…/);
    expect(wide).toContain('get /login/tokenauth');
  });

  it('wraps prose at spaces with a hanging indent, never a grid row', () => {
    const lines = renderTable(result, { width: 60 }).split('\n');
    const bullet = lines.findIndex((line) => line.startsWith('  - ') && line.length > 50);
    expect(bullet).toBeGreaterThan(0);
    expect(lines[bullet + 1]).toMatch(/^ {4}\S/);
    const warning = lines.findIndex((line) => line.startsWith('!! Coverage'));
    expect(lines[warning + 1]).toMatch(/^!! \S/);
  });

  it('without a width (output piped to a program), every column and no wrapping, as before', () => {
    expect(renderTable(result, { width: undefined })).toBe(wide);
    expect(renderTable(result, { width: 10_000 })).toBe(wide);
    expect(Math.max(...wide.split('\n').map((line) => line.length))).toBeGreaterThan(150);
  });
});
