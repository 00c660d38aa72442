import pino, { Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs on stdout. The pino instrumentation adds `trace_id`, `span_id` and `trace_flags` to lines
 * written inside a span and forwards every record to the OpenTelemetry Logs SDK, which exports it over OTLP.
 */
export function createLogger(service: string): Logger {
  return pino({
    level: process.env.LOG_LEVEL ?? 'info',
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
