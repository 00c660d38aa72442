/**
 * The demo (demo/) as a live system for layer-1 specs: real Redis, the built services exporting OTLP to the real
 * Jaeger v2 (the bundle's deploy/jaeger/config.yaml, e2e/servers/lib/journey.ts; `npm run tools` builds Jaeger), and
 * the demo page driven in Chromium. The traces the panel gets are Jaeger's own answers (`/api/traces/{id}`), what
 * Grafana's Jaeger data source fetches; only their conversion into Grafana's data frames is the harness's.
 */
import type { Locator, Page } from '@playwright/test';

import { FAULT_OPERATIONS } from '../../demo/backend/faults';
import { request } from '../../demo/test/harness/http';
import { waitFor } from '../../demo/test/harness/process';
import { JaegerTrace, searchTableFrame } from '../../src/testing/grafanaFrames';
import { startJourney, type Journey } from '../servers/lib/journey';
import type { HarnessScenario } from './harness';

export { FAULT_OPERATIONS };

export type DemoStack = Pick<Journey, 'demo' | 'queryUrl' | 'setFaults' | 'stop'> & { frontendUrl: string };

/** Starts Redis on a free port, the real Jaeger and the built demo services (built first if missing). */
export async function startDemoStack(): Promise<DemoStack> {
  const journey = await startJourney({ prometheus: false });
  return { ...journey, frontendUrl: journey.frontendUrl.href.replace(/\/$/, '') };
}

export type DemoAction = 'visit' | 'refresh' | 'checkout';

/** What the demo page puts on `window` (demo/frontend/web/main.ts). */
interface DemoWindow {
  hotpathDemo: { actions: number; lastTraceId?: string; flush(): Promise<void> };
}

const kindOf = (span: JaegerTrace['spans'][number]) => span.tags?.find((tag) => tag.key === 'span.kind')?.value;

/** A clicked trace is whole once it has the browser's action and fetch spans and both services' server spans. */
function isWhole(trace: JaegerTrace): boolean {
  const has = (service: string, test: (span: JaegerTrace['spans'][number]) => boolean) =>
    trace.spans.some((span) => trace.processes[span.processID]?.serviceName === service && test(span));
  return (
    has('frontend-web', (span) => span.operationName.startsWith('ui.')) &&
    has('frontend-web', (span) => kindOf(span) === 'client') &&
    has('frontend', (span) => kindOf(span) === 'server') &&
    has('backend', (span) => kindOf(span) === 'server')
  );
}

/** `GET /api/traces/{id}` until the trace is whole and its span count stopped growing: Jaeger's answer. */
async function jaegerTrace(stack: DemoStack, id: string): Promise<JaegerTrace> {
  let previous = -1;
  return waitFor(
    `trace ${id} whole in Jaeger (the browser, the frontend and the backend)`,
    async () => {
      const answer = await request(`${stack.queryUrl}/api/traces/${id}`, { headers: { connection: 'close' } });
      if (answer.status !== 200) {
        return undefined; // 404 until its first spans land
      }
      const [trace] = (answer.json() as { data: JaegerTrace[] }).data;
      const settled = isWhole(trace) && trace.spans.length === previous;
      previous = isWhole(trace) ? trace.spans.length : -1;
      return settled ? trace : undefined;
    },
    20_000,
    300
  );
}

/**
 * A user's journey on the demo page: one click per action, each one trace (`ui.<action>` in the browser →
 * frontend → backend → Redis). Returns the clicked traces as Jaeger's query API serves them, once all their spans
 * (the browser's fetch span ends last) have landed.
 */
export async function browserJourney(page: Page, stack: DemoStack, actions: DemoAction[]): Promise<JaegerTrace[]> {
  await page.goto(`${stack.frontendUrl}/`);
  await page.waitForFunction(() => typeof (window as unknown as Partial<DemoWindow>).hotpathDemo === 'object');
  const traceIds: string[] = [];
  for (const [index, action] of actions.entries()) {
    await page.click(`#${action}`);
    await page.waitForFunction((n) => (window as unknown as DemoWindow).hotpathDemo.actions === n, index + 1);
    traceIds.push((await page.evaluate(() => (window as unknown as DemoWindow).hotpathDemo.lastTraceId)) ?? '');
  }
  await page.evaluate(() => (window as unknown as DemoWindow).hotpathDemo.flush());
  const traces: JaegerTrace[] = [];
  for (const id of traceIds) {
    traces.push(await jaegerTrace(stack, id));
  }
  return traces;
}

const DATASOURCES: HarnessScenario['datasources'] = [
  { uid: 'jaeger', type: 'jaeger', name: 'Jaeger' },
  { uid: 'loki', type: 'loki', name: 'Loki' },
];

/**
 * The panel over a Jaeger search for `traces`, as Grafana hands it over: the search table whose traceID field
 * carries the data source's internal link (the panel then fetches each trace through /api/ds/query).
 */
export function hotspotsPanel(traces: JaegerTrace[], options: Record<string, unknown> = {}): HarnessScenario {
  const starts = traces.flatMap((trace) => trace.spans.map((span) => span.startTime / 1000));
  const table = searchTableFrame(traces);
  table.schema.fields[0].config = {
    links: [
      {
        title: 'Trace',
        url: '',
        internal: { datasourceUid: 'jaeger', datasourceName: 'Jaeger', query: { query: '${__value.raw}' } },
      },
    ],
  };
  return {
    view: 'panel',
    series: [table as never],
    options: { lokiUid: 'loki', ...options },
    timeRange: { from: Math.floor(Math.min(...starts)) - 60_000, to: Math.ceil(Math.max(...starts)) + 60_000 },
    datasources: DATASOURCES,
  };
}

/** The ranked table's rows as `service|operation`, top first. */
export async function rankedRows(table: Locator): Promise<string[]> {
  const rows = table.locator('tbody tr');
  const out: string[] = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const cells = rows.nth(i).locator('td');
    out.push(`${await cells.nth(1).innerText()}|${await cells.nth(2).innerText()}`);
  }
  return out;
}
