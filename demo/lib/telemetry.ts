/**
 * OpenTelemetry for the demo's Node services. Everything is configured by the standard `OTEL_*` environment
 * variables (endpoint, protocol, service name, batch delays); this module only picks the instrumentations.
 *
 * Import and call `startTelemetry` before anything requires express, ioredis or pino: the instrumentations patch
 * those modules when they are first required.
 */
import type { Context } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
  type ReadableSpan,
  type Span,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ConfigError } from './env';

/** Requests that are plumbing, not user traffic: probes, scrapes and the browser's span uploads. */
const UNTRACED_PREFIXES = ['/healthz', '/readyz', '/metrics', '/otlp/', '/favicon.ico'];

/** The page's static files: each would be a one-span trace (browsers send no traceparent for them). */
const STATIC_FILE = /\.(js|css|map|ico|png|svg)$/;

export function isUntracedPath(url: string | undefined): boolean {
  const path = (url ?? '').split('?')[0];
  return STATIC_FILE.test(path) || UNTRACED_PREFIXES.some((prefix) => path === prefix || path.startsWith(prefix));
}

/**
 * The JS SDK stamps a span's start with `Date.now()` — whole milliseconds — and its end as start + a precise
 * duration. Spans that follow each other within a millisecond then appear shifted against each other by up
 * to 1 ms, which misplaces a critical path that runs through many short spans (a 10 ms request has dozens).
 * This processor restamps the start from the monotonic clock (`performance.timeOrigin + performance.now()`,
 * microsecond resolution); the end follows, since the SDK computes it from the start.
 */
export class PreciseStartSpanProcessor implements SpanProcessor {
  onStart(span: Span, _parentContext: Context): void {
    // `startTime` is readonly in the type, a plain field on the SDK's span.
    (span as { startTime: ReadableSpan['startTime'] }).startTime = hrTime();
  }
  onEnd(_span: ReadableSpan): void {}
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** The OTLP/HTTP trace exporter the standard variables ask for (OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL). */
export function traceExporterFromEnv(env: NodeJS.ProcessEnv): SpanExporter {
  const protocol = (
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ||
    env.OTEL_EXPORTER_OTLP_PROTOCOL ||
    'http/protobuf'
  ).trim();
  switch (protocol) {
    case 'http/protobuf':
      return new ProtobufTraceExporter();
    case 'http/json':
      return new JsonTraceExporter();
    default:
      throw new ConfigError(
        `OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf or http/json here, got ${JSON.stringify(protocol)}`
      );
  }
}

export interface Telemetry {
  /** Flushes and stops span and log export. */
  shutdown(): Promise<void>;
}

export function startTelemetry(defaultServiceName: string): Telemetry {
  const env = process.env;
  // Metrics are served by prom-client on /metrics; the SDK's own OTLP metrics would only duplicate them.
  if (!env.OTEL_METRICS_EXPORTER) {
    env.OTEL_METRICS_EXPORTER = 'none';
  }
  const tracesOff = (env.OTEL_TRACES_EXPORTER ?? '').split(',').some((name) => name.trim() === 'none');
  const sdk = new NodeSDK({
    // OTEL_SERVICE_NAME wins when set (the env resource detector reads it).
    serviceName: env.OTEL_SERVICE_NAME ? undefined : defaultServiceName,
    // Batch size, queue and delay come from OTEL_BSP_*; endpoint and headers from OTEL_EXPORTER_OTLP_*.
    spanProcessors: tracesOff
      ? []
      : [new PreciseStartSpanProcessor(), new BatchSpanProcessor(traceExporterFromEnv(env))],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => isUntracedPath(request.url),
      }),
      // Request handlers only: a span per middleware and router would bury the work in plumbing.
      new ExpressInstrumentation({
        ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.ROUTER],
        // One operation per route ("request handler /api/checkout"), not one "request handler" for all of them.
        spanNameHook: (info, defaultName) =>
          info.layerType === ExpressLayerType.REQUEST_HANDLER && info.route
            ? `request handler ${info.route}`
            : defaultName,
      }),
      // Commands outside a traced request (readiness pings, seeding) would be one-span traces: noise.
      new IORedisInstrumentation({ requireParentSpan: true }),
      // Adds trace_id/span_id to every log line and sends the records to the OTel Logs SDK (OTLP).
      new PinoInstrumentation(),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
