import type { Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { analyzeTrace, ContextNode, HotspotAggregator, OperationTable, readJaeger } from '../../src/engine';
import { testIds } from '../../src/components/testIds';
import { otlpToJaeger } from '../../src/testing/otlpToJaeger';
import { JaegerTrace, realTraces, searchTable } from '../support/fixtures';
import { dsQueryResponder } from '../support/grafanaApi';
import { expect, openHarness, saveScreenshot, test, unexpectedRequests } from '../support/harness';

/**
 * The BUILT panel's flame graph view (Grafana's @grafana/flamegraph, bundled into the panel) over the trace set the
 * demo recorded with its `slow-redis` fault on (examples/demo-slow-redis/, README there): the fault's context —
 * `redis.slow_down` under the handler that called it — is the widest leaf, and clicking that frame where the
 * component draws it (its menu, "Show in table") narrows the ranking to `backend redis.slow_down`.
 */
const REPO = resolve(__dirname, '..', '..');
const FAULT_SET = resolve(REPO, 'examples/demo-slow-redis/slow-redis.otlp.jsonl');
const DATASOURCES = [
  { uid: 'jaeger', type: 'jaeger', name: 'Jaeger' },
  { uid: 'loki', type: 'loki', name: 'Loki' },
];
/** The component's bar height in CSS pixels (PIXELS_PER_LEVEL in @grafana/flamegraph's constants). */
const LEVEL_PX = 22;

function faultTraces() {
  const lines = readFileSync(FAULT_SET, 'utf8').split('\n').filter(Boolean);
  return otlpToJaeger(lines.map((line) => JSON.parse(line) as unknown));
}

/**
 * The engine's widest leaf (a context without children) and where the component draws it: its level (the
 * component's root row "all traces" is level 0) and its horizontal extent as a share of the whole, laid out as the
 * nested set is (a frame starts where its previous sibling ends; the first child where its parent starts).
 */
function widestLeaf(traces: readonly JaegerTrace[]) {
  const operations = new OperationTable();
  const aggregator = new HotspotAggregator(operations, { callContexts: true });
  for (const trace of traces) {
    for (const model of readJaeger({ data: [trace] }, operations).traces) {
      aggregator.add(analyzeTrace(model));
    }
  }
  const { nodes, totalUs } = aggregator.contextReport()!;
  const start: number[] = [];
  const nextChildStart = new Map<number, number>();
  let rootsEnd = 0;
  nodes.forEach((node, k) => {
    start[k] = node.parent < 0 ? rootsEnd : (nextChildStart.get(node.parent) ?? start[node.parent]);
    if (node.parent < 0) {
      rootsEnd += node.totalUs;
    } else {
      nextChildStart.set(node.parent, start[k] + node.totalUs);
    }
  });
  const hasChildren = new Set(nodes.map((node) => node.parent));
  let widest = -1;
  nodes.forEach((node: ContextNode, k) => {
    if (!hasChildren.has(k) && (widest < 0 || node.totalUs > nodes[widest].totalUs)) {
      widest = k;
    }
  });
  const leaf = nodes[widest];
  return { leaf, level: leaf.depth + 1, center: (start[widest] + leaf.totalUs / 2) / totalUs };
}

/**
 * Opens the panel over `traces`, switches to the flame graph, clicks the engine's widest leaf where the component
 * draws it and picks "Show in table": the table narrows to that leaf's operation.
 */
async function widestLeafNarrowsTable(
  page: Page,
  harnessUrl: string,
  traces: JaegerTrace[],
  screenshot?: string
): Promise<string> {
  const { leaf, level, center } = widestLeaf(traces);
  await page.setViewportSize({ width: 1600, height: 900 });
  const scenario = {
    view: 'panel' as const,
    series: [searchTable(traces) as never],
    options: { lokiUid: 'loki', topN: 20 },
    timeRange: { from: 1_000_000_000_000, to: 1_900_000_000_000 },
    datasources: DATASOURCES,
    width: 1580,
    height: 880,
  };
  const seen = await openHarness(page, harnessUrl, scenario, { '/api/ds/query': dsQueryResponder(traces) });
  await expect(page.getByTestId(testIds.view.root)).toHaveAttribute('data-phase', 'done', { timeout: 30_000 });

  await page.getByTestId(testIds.view.viewSwitch).getByRole('radio', { name: 'Flame graph' }).check();
  const graph = page.getByTestId(testIds.view.flameGraph);
  const canvas = graph.locator('canvas').first();
  await expect(canvas).toBeVisible();
  // The component's own header and top table came with it.
  await expect(graph.getByPlaceholder('Search...')).toBeVisible();
  if (screenshot) {
    await saveScreenshot(page.getByTestId('harness-panel'), screenshot);
  }

  const box = await canvas.boundingBox();
  expect(box).not.toBeNull();
  await canvas.click({ position: { x: center * box!.width, y: level * LEVEL_PX + LEVEL_PX / 2 } });
  await page.getByRole('menuitem', { name: 'Show in table' }).click();

  await expect(page.getByTestId(testIds.view.picked)).toContainText(`Only ${leaf.service}: ${leaf.operation}`);
  const rows = page.getByTestId(testIds.view.table).locator('tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.nth(0).locator('td').nth(1)).toHaveText(leaf.service);
  await expect(rows.nth(0).locator('td').nth(2)).toHaveText(leaf.operation);
  expect(unexpectedRequests(seen)).toEqual([]);
  return `${leaf.service} ${leaf.operation}`;
}

test('the fault set: the widest leaf is redis.slow_down, and its frame narrows the table to it', async ({
  page,
  harnessUrl,
}) => {
  const traces = faultTraces();
  expect(traces.length).toBeGreaterThan(100);
  expect(await widestLeafNarrowsTable(page, harnessUrl, traces, 'panel-flame-graph')).toBe('backend redis.slow_down');
});

test('the recorded public traces: the widest leaf the engine finds is where the component draws it', async ({
  page,
  harnessUrl,
}) => {
  const traces = realTraces();
  expect(traces.length).toBeGreaterThan(10);
  // Not the fault set's operation: the check follows whatever the engine finds in these traces.
  expect(await widestLeafNarrowsTable(page, harnessUrl, traces)).not.toBe('backend redis.slow_down');
});

test('the panel bundle loads no lazy chunk (nested panels cannot: grafana/plugin-tools#2172)', () => {
  const panel = readFileSync(resolve(REPO, 'dist/panels/hotspots/module.js'), 'utf8');
  // webpack's chunk loader (`__webpack_require__.e`, the `webpackChunk…` global) is emitted only with lazy chunks.
  expect(panel).not.toMatch(/__webpack_require__\.e\b|webpackChunk/);
});
