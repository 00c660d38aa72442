/**
 * The demo (demo/) as a live system for layer-1 specs: real Redis, the built services, an in-test OTLP/HTTP
 * receiver, all from the demo's own test harness (demo/test/harness), and the demo page driven in Chromium. What
 * the demo exports becomes what Grafana's Jaeger data source would return for it (otlpToJaeger), ready for the
 * harness's /api/ds/query double.
 */
import type { Locator, Page } from '@playwright/test';

import { FAULT_OPERATIONS } from '../../demo/backend/faults';
import { request } from '../../demo/test/harness/http';
import { Cleanup } from '../../demo/test/harness/process';
import type { OtlpReceiver } from '../../demo/test/harness/receiver';
import { ADMIN_TOKEN, ensureDemoBuilt, type Demo } from '../../demo/test/harness/services';
import { startDemoWithDeps } from '../../demo/test/harness/stack';
import { JaegerTrace, searchTableFrame } from '../../src/testing/grafanaFrames';
import { otlpToJaeger } from '../../src/testing/otlpToJaeger';
import type { HarnessScenario } from './harness';

export { FAULT_OPERATIONS };

export interface DemoStack {
  demo: Demo;
  receiver: OtlpReceiver;
  frontendUrl: string;
  /** Sets exactly these faults (e.g. `slow-redis=40ms`; `none` for none) through the backend's admin endpoint. */
  setFaults(spec: string): Promise<void>;
  stop(): Promise<void>;
}

/** Starts Redis on a free port, the receiver and the built demo services (built first if missing). */
export async function startDemoStack(): Promise<DemoStack> {
  ensureDemoBuilt();
  const cleanup = new Cleanup();
  try {
    const { demo, receiver } = await startDemoWithDeps(cleanup);
    return {
      demo,
      receiver,
      frontendUrl: demo.frontend?.url ?? '',
      setFaults: async (spec) => {
        const answer = await request(`${demo.backend.url}/admin/faults`, {
          method: 'POST',
          body: spec === 'none' ? 'none' : `none,${spec}`,
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'text/plain' },
        });
        if (answer.status !== 200) {
          throw new Error(`POST /admin/faults ${spec}: ${answer.status} ${answer.text}`);
        }
      },
      stop: () => cleanup.run(),
    };
  } catch (error) {
    await cleanup.run();
    throw error;
  }
}

export type DemoAction = 'visit' | 'refresh' | 'checkout';

/** What the demo page puts on `window` (demo/frontend/web/main.ts). */
interface DemoWindow {
  hotpathDemo: { actions: number; lastTraceId?: string; flush(): Promise<void> };
}

/**
 * A user's journey on the demo page: one click per action, each one trace (`ui.<action>` in the browser →
 * frontend → backend → Redis). Returns the clicked traces as Jaeger's query API would serve them once all
 * their spans (the browser's fetch span ends last) have been exported; only those traces, so a page-load trace
 * cut in half by the receiver's reset cannot leak in.
 */
export async function browserJourney(page: Page, stack: DemoStack, actions: DemoAction[]): Promise<JaegerTrace[]> {
  await page.goto(`${stack.frontendUrl}/`);
  await page.waitForFunction(() => typeof (window as unknown as Partial<DemoWindow>).hotpathDemo === 'object');
  await stack.receiver.settle(300);
  stack.receiver.clear();
  const traceIds: string[] = [];
  for (const [index, action] of actions.entries()) {
    await page.click(`#${action}`);
    await page.waitForFunction((n) => (window as unknown as DemoWindow).hotpathDemo.actions === n, index + 1);
    traceIds.push((await page.evaluate(() => (window as unknown as DemoWindow).hotpathDemo.lastTraceId)) ?? '');
  }
  await page.evaluate(() => (window as unknown as DemoWindow).hotpathDemo.flush());
  await stack.receiver.waitForSpans('every clicked trace in the browser, the frontend and the backend', (spans) =>
    traceIds.every((id) => {
      const trace = spans.filter((span) => span.traceId === id);
      return (
        trace.some((span) => span.service === 'frontend-web' && span.name.startsWith('ui.')) &&
        trace.some((span) => span.service === 'frontend-web' && span.kind === 3) &&
        trace.some((span) => span.service === 'frontend' && span.kind === 2) &&
        trace.some((span) => span.service === 'backend' && span.kind === 2)
      );
    })
  );
  await stack.receiver.settle(300);
  if (stack.receiver.rejected.length > 0) {
    throw new Error(`the receiver rejected exports: ${stack.receiver.rejected.join('; ')}`);
  }
  const traces = otlpToJaeger(stack.receiver.traceExports());
  return traceIds.map((id) => {
    const trace = traces.find((t) => t.traceID === id);
    if (!trace) {
      throw new Error(`trace ${id} was not exported`);
    }
    return trace;
  });
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
