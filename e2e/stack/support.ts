/**
 * Shared facts and helpers of the layer-2 specs (the real stack, see playwright.config.ts). Everything the specs
 * compare against comes from the repository itself — the plugin ids from plugin.json, data source uids and app
 * settings from provisioning/, the fault's operation from the demo's own fault table — so a rename breaks the tests
 * instead of silently testing something else.
 */
import { DashboardPage, expect, Panel } from '@grafana/plugin-e2e';
import type { Locator, Request, Response } from '@playwright/test';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

import { FAULT_NAMES, FAULT_OPERATIONS, FaultName, parseFaults } from '../../demo/backend/faults';
import { testIds } from '../../src/components/testIds';
import appPluginJson from '../../src/plugin.json';
import panelPluginJson from '../../src/panels/hotspots/plugin.json';

export const APP_ID = appPluginJson.id;
export const PANEL_ID = panelPluginJson.id;
export const ROOT = resolve(__dirname, '../..');
export const PROVISIONING = join(ROOT, 'provisioning');

/** Grafana's resource API paths (documented HTTP API: /api/health, /api/plugins/:id/settings, data source health). */
export const api = {
  health: '/api/health',
  pluginSettings: (id: string) => `/api/plugins/${id}/settings`,
  dataSourceHealth: (uid: string) => `/api/datasources/uid/${uid}/health`,
  query: '/api/ds/query',
};

/**
 * The fault scripts/e2e-stack.sh switches on before it drives load: E2E_FAULT, which the script exports, or else
 * the script's own default (read from it, so the two cannot disagree). Only faults that add time can rank first.
 */
export const FAULT_SPEC = process.env.E2E_FAULT || scriptDefaultFault();

function scriptDefaultFault(): string {
  const script = readFileSync(join(ROOT, 'scripts', 'e2e-stack.sh'), 'utf8');
  const match = /\$\{E2E_FAULT:-([^}]+)\}/.exec(script);
  if (!match) {
    throw new Error('scripts/e2e-stack.sh has no default for E2E_FAULT');
  }
  return match[1];
}
export const FAULT = faultOf(FAULT_SPEC);

/**
 * Waits until a hotspots view (the panel or the Hotspots page) has analysed its traces — done, no error, at least
 * one trace in the sample — and returns its top-ranked row.
 */
export async function analysedTopRow(view: Locator): Promise<Locator> {
  // Up to 500 traces fetched through Grafana from Jaeger, then analysed in the browser.
  await expect(view).toHaveAttribute('data-phase', 'done', { timeout: 90_000 });
  await expect(view.getByTestId(testIds.view.error)).toHaveCount(0);
  await expect(view.getByTestId(testIds.view.sample)).toContainText(/[1-9][\d,]* traces? analysed/);
  return view.getByTestId(testIds.view.table).locator('tbody tr').first();
}

/** The row is the fault's span. Columns: expander, Service, Operation, CP share, … (HotspotTable.tsx). */
export async function expectFaultRow(row: Locator): Promise<void> {
  await expect(row.locator('td').nth(1)).toHaveText(FAULT.service);
  await expect(row.locator('td').nth(2)).toHaveText(FAULT.operation);
}

function faultOf(spec: string): { name: FaultName; service: string; operation: string } {
  parseFaults(spec); // throws, listing the valid faults, when the spec is wrong
  const name = spec.split(',')[0].split('=')[0].trim();
  if (!(FAULT_NAMES as readonly string[]).includes(name) || name === 'errors' || spec.includes(',')) {
    throw new Error(`E2E_FAULT must be exactly one fault that adds latency (not "errors"), got ${spec}`);
  }
  const fault = name as FaultName;
  // demo/README.md: every fault's operation is a span of service `backend`.
  return { name: fault, service: 'backend', operation: FAULT_OPERATIONS[fault] };
}

/** provisioning/dashboards/*.json (what Grafana's file provider loads from that folder). */
export const DASHBOARD_FILES = readdirSync(join(PROVISIONING, 'dashboards'))
  .filter((name) => name.endsWith('.json'))
  .sort();

export interface DashboardJson {
  uid: string;
  title: string;
  panels: Array<{
    id: number;
    type: string;
    title: string;
    gridPos: { y: number };
    datasource?: { type?: string; uid?: string };
    options?: Record<string, unknown>;
    targets?: Array<{ exemplar?: boolean }>;
  }>;
  templating?: { list: Array<{ name: string; current?: { text?: string | string[] } }> };
}

export function readDashboardJson(fileName: string): DashboardJson {
  return JSON.parse(readFileSync(join(PROVISIONING, 'dashboards', fileName), 'utf8')) as DashboardJson;
}

/** A panel's title as Grafana shows it: `$var` replaced by the variable's provisioned current text. */
export function shownTitle(dashboard: DashboardJson, title: string): string {
  let shown = title;
  for (const variable of dashboard.templating?.list ?? []) {
    const text = variable.current?.text;
    const value = Array.isArray(text) ? text.join(' + ') : text;
    if (value !== undefined) {
      shown = shown.split(`$${variable.name}`).join(value);
    }
  }
  return shown;
}

/**
 * A dashboard panel by its shown title, scrolled into view and rendered (Grafana 12/13 mount a panel's content only
 * once it enters the viewport).
 */
export async function showPanel(dashboardPage: DashboardPage, title: string): Promise<Panel> {
  const panel = dashboardPage.getPanelByTitle(title);
  await panel.scrollIntoView();
  await expect(panel.locator).toBeVisible();
  return panel;
}

/** The app's provisioned settings (provisioning/plugins/apps.yaml). */
export function provisionedApp(): { disabled: boolean; jsonData: Record<string, unknown> } {
  const file = parse(readFileSync(join(PROVISIONING, 'plugins', 'apps.yaml'), 'utf8')) as {
    apps: Array<{ type: string; disabled?: boolean; jsonData?: Record<string, unknown> }>;
  };
  const app = file.apps.find((a) => a.type === APP_ID);
  if (!app) {
    throw new Error(`provisioning/plugins/apps.yaml does not provision ${APP_ID}`);
  }
  return { disabled: app.disabled ?? false, jsonData: app.jsonData ?? {} };
}

/** The provisioned data sources (provisioning/datasources/datasources.yaml): uid and type of each. */
export function provisionedDataSources(): Array<{ name: string; type: string; uid: string }> {
  const file = parse(readFileSync(join(PROVISIONING, 'datasources', 'datasources.yaml'), 'utf8')) as {
    datasources: Array<{ name: string; type: string; uid: string }>;
  };
  return file.datasources.map(({ name, type, uid }) => ({ name, type, uid }));
}

export function dataSourceUid(type: string): string {
  const ds = provisionedDataSources().find((d) => d.type === type);
  if (!ds) {
    throw new Error(`no ${type} data source in provisioning/datasources/datasources.yaml`);
  }
  return ds.uid;
}

// ---- /api/ds/query requests and responses -------------------------------------------------------------------

export interface DsQuery {
  refId: string;
  datasource?: { type?: string; uid?: string };
  query?: string;
  expr?: string;
  queryType?: string;
}

/** The queries of a POST /api/ds/query, or [] for any other request. */
export function dsQueries(request: Request): DsQuery[] {
  if (request.method() !== 'POST' || !new URL(request.url()).pathname.endsWith(api.query)) {
    return [];
  }
  const body = request.postDataJSON() as { queries?: DsQuery[] } | null;
  return body?.queries ?? [];
}

const TRACE_ID = /^[0-9a-f]{1,32}$/i;
/** The Jaeger query types that do not fetch one trace by its ID (grafana-jaeger-datasource src/types.ts). */
const NOT_BY_ID = new Set(['search', 'upload', 'dependencyGraph']);

/**
 * A query that opens one trace in Explore: a single query to the Jaeger data source with a trace ID. Jaeger's
 * query model says "no queryType = trace by ID", but links made elsewhere may set one (Grafana's Prometheus
 * exemplar links send queryType "traceql"), so any type but the other Jaeger ones counts; the caller checks that
 * spans came back. The panel's own batched fetches carry many queries, so they never match.
 */
export function jaegerTraceQuery(request: Request, jaegerUid: string): DsQuery | undefined {
  const queries = dsQueries(request);
  const q = queries[0];
  if (queries.length !== 1 || q.datasource?.uid !== jaegerUid || NOT_BY_ID.has(q.queryType ?? '')) {
    return undefined;
  }
  return TRACE_ID.test(q.query ?? '') ? q : undefined;
}

/** Explore's Loki log query (refId A, not the logs-volume side query) whose expression contains `text`. */
export function lokiLogQuery(request: Request, lokiUid: string, text: string): DsQuery | undefined {
  return dsQueries(request).find(
    (q) => q.datasource?.uid === lokiUid && q.refId === 'A' && (q.expr ?? '').includes(text)
  );
}

interface FrameJson {
  schema?: { fields?: Array<{ name: string }> };
  data?: { values?: unknown[][] };
}

/** Column `name` of every frame of `refId` in a /api/ds/query response body (data-plane JSON: column arrays). */
export async function responseColumn(response: Response, refId: string, name: string): Promise<unknown[]> {
  const body = (await response.json()) as { results?: Record<string, { frames?: FrameJson[]; error?: string }> };
  const result = body.results?.[refId];
  if (result?.error) {
    throw new Error(`query ${refId} failed: ${result.error}`);
  }
  return (result?.frames ?? []).flatMap((frame) => {
    const index = (frame.schema?.fields ?? []).findIndex((f) => f.name === name);
    return index < 0 ? [] : (frame.data?.values?.[index] ?? []);
  });
}

/** Rows of every frame of `refId`, each row as the JSON of all its cells (to look for a value in any field). */
export async function responseRows(response: Response, refId: string): Promise<string[]> {
  const body = (await response.json()) as { results?: Record<string, { frames?: FrameJson[] }> };
  return (body.results?.[refId]?.frames ?? []).flatMap((frame) => {
    const columns = frame.data?.values ?? [];
    const length = columns[0]?.length ?? 0;
    return Array.from({ length }, (_, row) => JSON.stringify(columns.map((column) => column[row])));
  });
}
