import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { setupTracing } from './tracing';

const provider = setupTracing();
const tracer = trace.getTracer('hotpath-demo-web');

interface DemoHandle {
  /** Exports every finished span now (the tests call it instead of waiting for the batch). */
  flush(): Promise<void>;
  /** Trace ID of the last finished action. */
  lastTraceId?: string;
  /** Actions finished so far. */
  actions: number;
}

declare global {
  interface Window {
    hotpathDemo: DemoHandle;
  }
}

const handle: DemoHandle = { flush: () => provider.forceFlush(), actions: 0 };
window.hotpathDemo = handle;

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) {
    throw new Error(`missing #${id}`);
  }
  return found as T;
}

const status = element<HTMLParagraphElement>('status');
const traceOut = element<HTMLElement>('trace');
const buttons = ['visit', 'refresh', 'checkout'].map((id) => element<HTMLButtonElement>(id));

function showCounts(body: unknown): void {
  if (typeof body !== 'object' || body === null || !('pages' in body) || !('total' in body)) {
    return;
  }
  const pages = body.pages as Record<string, number>;
  element('total').textContent = String(body.total);
  const rows = element<HTMLTableSectionElement>('counts');
  rows.replaceChildren(
    ...Object.entries(pages)
      .sort(([, a], [, b]) => b - a)
      .map(([page, count]) => {
        const row = document.createElement('tr');
        const name = document.createElement('td');
        name.textContent = page;
        const value = document.createElement('td');
        value.textContent = String(count);
        row.append(name, value);
        return row;
      })
  );
}

/**
 * One user action = one trace: a `ui.<name>` span whose context is active while `fetch` is called, so the fetch
 * span is its child and the request carries its trace in `traceparent`.
 */
async function action(name: string, request: () => Promise<Response>): Promise<unknown> {
  const span = tracer.startSpan(`ui.${name}`);
  traceOut.textContent = span.spanContext().traceId;
  buttons.forEach((button) => (button.disabled = true));
  try {
    const response = await context.with(trace.setSpan(context.active(), span), request);
    const body: unknown = await response.json().catch(() => ({}));
    span.setAttribute('http.response.status_code', response.status);
    if (!response.ok) {
      const message =
        typeof body === 'object' && body !== null && 'error' in body ? String(body.error) : response.statusText;
      span.setStatus({ code: SpanStatusCode.ERROR, message });
      status.textContent = `${name}: ${response.status} ${message}`;
      status.className = 'error';
      return undefined;
    }
    status.className = '';
    return body;
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR });
    status.textContent = `${name}: ${error instanceof Error ? error.message : String(error)}`;
    status.className = 'error';
    return undefined;
  } finally {
    span.end();
    handle.lastTraceId = span.spanContext().traceId;
    handle.actions++;
    buttons.forEach((button) => (button.disabled = false));
  }
}

const json = { 'Content-Type': 'application/json' };

async function refresh(): Promise<void> {
  const body = await action('refresh', () => fetch('/api/visits'));
  showCounts(body);
  if (body) {
    status.textContent = 'counts refreshed';
  }
}

element('visit').addEventListener('click', async () => {
  const page = element<HTMLInputElement>('page').value.trim() || 'home';
  const body = await action('visit', () =>
    fetch('/api/visits', { method: 'POST', headers: json, body: JSON.stringify({ page }) })
  );
  if (body && typeof body === 'object' && 'count' in body) {
    status.textContent = `visit to "${page}" recorded (${String(body.count)} so far)`;
  }
});
element('refresh').addEventListener('click', () => void refresh());
element('checkout').addEventListener('click', async () => {
  const body = await action('checkout', () => fetch('/api/checkout', { method: 'POST', headers: json, body: '{}' }));
  if (body && typeof body === 'object' && 'orderId' in body && 'totalCents' in body) {
    status.textContent = `order ${String(body.orderId)}: ${(Number(body.totalCents) / 100).toFixed(2)} €`;
  }
});
