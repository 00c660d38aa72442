import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { DocumentLoadInstrumentation } from '@opentelemetry/instrumentation-document-load';
import { FetchInstrumentation } from '@opentelemetry/instrumentation-fetch';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, WebTracerProvider } from '@opentelemetry/sdk-trace-web';

/**
 * The page's tracing: document load and every fetch, exported as OTLP/JSON to the frontend's same-origin
 * `/otlp/v1/traces` (which relays to the collector), with W3C `traceparent` on the page's own API calls.
 */
export function setupTracing(): WebTracerProvider {
  const exporter = new OTLPTraceExporter({ url: new URL('/otlp/v1/traces', window.location.href).href });
  const provider = new WebTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'frontend-web' }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 })],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new DocumentLoadInstrumentation(),
      // Same-origin requests get `traceparent` without any CORS setting; the span uploads are not traced.
      new FetchInstrumentation({ ignoreUrls: [/\/otlp\//] }),
    ],
  });
  // Spans still queued when the tab goes away would be lost.
  window.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') {
      void provider.forceFlush();
    }
  });
  return provider;
}
