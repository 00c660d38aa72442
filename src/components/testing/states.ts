/**
 * Test-only: `HotspotState` snapshots built with the real engine from the recorded fixtures in test/fixtures —
 * what the data layer would hand the views once a run is done — without running the data layer, so view tests
 * depend only on the contract in src/state (types.ts, and the empty state of emptyState.ts).
 */
import { emptyState } from '../../state/emptyState';
import type { HotspotQuery, HotspotState, TimeRangeMs } from '../../state/types';
import {
  analyzeTrace,
  compareContexts,
  compareSlowToBaseline,
  HotspotAggregator,
  InputProblem,
  OperationTable,
  readTraceText,
  SlowSplit,
} from '../../engine';
import { readFixtureText } from '../../testing/fixtures';

export const SMARTTHINGS = 'jaeger/zipkin-smartthings-mobile-web-install.jaeger.json';
export const BOOKINFO = 'jaeger/kiali-istio-bookinfo.jaeger.json';
export const YELP = 'jaeger/zipkin-yelp.jaeger.json';
export const LOKI_CAS = 'jaeger/grafana-loki-cas-trace.json';

export interface StateOptions extends Partial<Pick<HotspotQuery, 'window' | 'asyncBlocking'>> {
  compare?: SlowSplit;
  /** Texts instead of fixture files: `{ name, text }`. */
  texts?: Array<{ name: string; text: string }>;
}

/** A finished run over these fixture files (paths relative to test/fixtures). */
export function stateFromFixtures(files: string[], options: StateOptions = {}): HotspotState {
  const inputs = options.texts ?? files.map((name) => ({ name, text: readFixtureText(name) }));
  const operations = new OperationTable();
  const aggregator = new HotspotAggregator(operations, { callContexts: true });
  const problems: InputProblem[] = [];
  const traceWindows = new Map<string, TimeRangeMs>();
  for (const { name, text } of inputs) {
    const parsed = readTraceText(text, operations, name);
    problems.push(...parsed.problems);
    for (const trace of parsed.traces) {
      aggregator.add(analyzeTrace(trace, { window: options.window, asyncBlocking: options.asyncBlocking }));
      let from = Infinity;
      let to = -Infinity;
      for (let i = 0; i < trace.size; i++) {
        from = Math.min(from, trace.start[i]);
        to = Math.max(to, trace.start[i] + trace.duration[i]);
      }
      traceWindows.set(trace.traceId, { from: Math.floor(from / 1000), to: Math.ceil(to / 1000) });
    }
  }
  const records = aggregator.traceRecords();
  const n = records.length;
  const windows = [...traceWindows.values()];
  return {
    phase: n > 0 ? 'done' : 'empty',
    progress: { searched: n, toFetch: n, fetched: n, failed: 0, analysed: n },
    report: aggregator.report(),
    comparison: options.compare ? compareSlowToBaseline(records, operations, options.compare) : undefined,
    contexts: aggregator.contextReport(),
    contextComparison: options.compare ? compareContexts(aggregator.callContexts()!, options.compare) : undefined,
    records,
    operations,
    problems,
    range: {
      from: Math.min(...windows.map((w) => w.from)),
      to: Math.max(...windows.map((w) => w.to)),
    },
    traceWindows,
  };
}

/** A state with nothing in it yet, in the given phase. */
export function bareState(phase: HotspotState['phase'], extra: Partial<HotspotState> = {}): HotspotState {
  return { ...emptyState({ from: 1_700_000_000_000, to: 1_700_000_360_000 }, phase), ...extra };
}
