import { trace, TraceFlags } from '@opentelemetry/api';
import type { Request, RequestHandler } from 'express';
import { collectDefaultMetrics, Histogram, Registry, type OpenMetricsContentType } from 'prom-client';

type Label = 'service' | 'route' | 'method' | 'status_code';
/** prom-client types exemplar labels with the metric's label names; the exemplar's own label is `trace_id`. */
type ExemplarLabel = 'trace_id';

const METRIC = 'demo_http_request_duration_seconds';
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * `/metrics` in both exposition formats. Exemplars (`trace_id` of the request's trace) exist only in OpenMetrics,
 * which Prometheus asks for in its Accept header; plain `text/plain` scrapes get the classic format. prom-client
 * binds the format to a registry, so there are two registries and every observation goes to both.
 */
export class HttpMetrics {
  private readonly textRegistry = new Registry();
  private readonly openRegistry = new Registry<OpenMetricsContentType>();
  private readonly textHistogram: Histogram<Label>;
  private readonly openHistogram: Histogram<Label | ExemplarLabel>;

  constructor(
    private readonly service: string,
    private readonly routeOf: (request: Request) => string
  ) {
    this.openRegistry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    const config = {
      name: METRIC,
      help: 'Duration of HTTP requests served by the demo services, in seconds',
      labelNames: ['service', 'route', 'method', 'status_code'] as const,
      buckets: BUCKETS,
    };
    this.textHistogram = new Histogram<Label>({ ...config, registers: [this.textRegistry] });
    this.openHistogram = new Histogram<Label | ExemplarLabel>({
      ...config,
      registers: [this.openRegistry],
      enableExemplars: true,
    });
    collectDefaultMetrics({ register: this.textRegistry });
    collectDefaultMetrics({ register: this.openRegistry });
  }

  /** Times every request; mount it first. */
  middleware(): RequestHandler {
    return (request, response, next) => {
      const start = process.hrtime.bigint();
      const spanContext = trace.getActiveSpan()?.spanContext();
      response.once('finish', () => {
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        this.observe(
          request,
          response.statusCode,
          seconds,
          spanContext?.traceFlags === TraceFlags.SAMPLED ? spanContext.traceId : undefined
        );
      });
      next();
    };
  }

  observe(request: Request, statusCode: number, seconds: number, traceId?: string): void {
    const labels = {
      service: this.service,
      route: this.routeOf(request),
      method: request.method,
      status_code: String(statusCode),
    };
    this.textHistogram.observe(labels, seconds);
    this.openHistogram.observe({ labels, value: seconds, exemplarLabels: traceId ? { trace_id: traceId } : {} });
  }

  /** The `/metrics` endpoint. */
  handler(): RequestHandler {
    return async (request, response) => {
      const wantsOpenMetrics = (request.get('accept') ?? '').includes('application/openmetrics-text');
      const registry = wantsOpenMetrics ? this.openRegistry : this.textRegistry;
      const body = await registry.metrics();
      // Not `send`: Express would reorder the media type's parameters.
      response.writeHead(200, { 'Content-Type': registry.contentType }).end(body);
    };
  }
}

/** The route label: one of the service's known paths (bounded cardinality, also after an error), else `fallback`. */
export function routeLabel(request: Request, known: readonly string[], fallback = 'unmatched'): string {
  const pathname = request.originalUrl.split('?')[0].replace(/\/+$/, '') || '/';
  return known.includes(pathname) ? pathname : fallback;
}
