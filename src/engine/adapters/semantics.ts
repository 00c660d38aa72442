import { SpanKind } from '../model/trace';

/**
 * The one place that decides what a span's tags mean: its kind and whether it failed. Every adapter funnels
 * its key/value pairs through `SpanFacts`, so the three input formats agree by construction.
 *
 * A span failed when any of these hold (OpenTelemetry semantic conventions and Jaeger's own convention):
 * `error=true`, `otel.status_code=ERROR`, OTLP `status.code=2`, or `http.status_code` /
 * `http.response.status_code` ≥ 500 (a server's 4xx is the caller's error, not this span's).
 */
export class SpanFacts {
  /** The only tag keys `observe` looks at; readers may drop every other tag unread. */
  static readonly KEYS: ReadonlySet<string> = new Set([
    'span.kind',
    'error',
    'otel.status_code',
    'http.status_code',
    'http.response.status_code',
  ]);
  static readonly KEY_LIST: readonly string[] = [...SpanFacts.KEYS];

  kind: SpanKind = SpanKind.Unspecified;
  isError = false;

  reset(): this {
    this.kind = SpanKind.Unspecified;
    this.isError = false;
    return this;
  }

  /** Feeds one tag / attribute. `value` is the decoded value (string, number, boolean or other). */
  observe(key: string, value: unknown): void {
    switch (key) {
      case 'span.kind':
        this.kind = spanKindFromName(value);
        return;
      case 'error':
        if (value === true || value === 'true') {
          this.isError = true;
        }
        return;
      case 'otel.status_code':
        if (typeof value === 'string' && value.toUpperCase() === 'ERROR') {
          this.isError = true;
        }
        return;
      case 'http.status_code':
      case 'http.response.status_code': {
        const code = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
        if (code >= 500) {
          this.isError = true;
        }
        return;
      }
    }
  }
}

const JAEGER_KINDS: ReadonlySet<string> = new Set(['internal', 'server', 'client', 'producer', 'consumer']);

/** Jaeger's lower-case `span.kind` values and OTLP's enum names (`SPAN_KIND_SERVER`, `SERVER`). */
export function spanKindFromName(value: unknown): SpanKind {
  if (typeof value === 'number') {
    return spanKindFromOtlpNumber(value);
  }
  if (typeof value !== 'string') {
    return SpanKind.Unspecified;
  }
  // Jaeger's own spelling needs no normalising (that cost a lower-cased copy and a regex per span).
  const name = JAEGER_KINDS.has(value) ? value : value.toLowerCase().replace(/^span_kind_/, '');
  switch (name) {
    case 'internal':
      return SpanKind.Internal;
    case 'server':
      return SpanKind.Server;
    case 'client':
      return SpanKind.Client;
    case 'producer':
      return SpanKind.Producer;
    case 'consumer':
      return SpanKind.Consumer;
    default:
      return SpanKind.Unspecified;
  }
}

/** OTLP's numeric `kind` (opentelemetry-proto trace.proto: 0 unspecified … 5 consumer) maps one to one. */
function spanKindFromOtlpNumber(value: number): SpanKind {
  return value >= 1 && value <= 5 ? (value as SpanKind) : SpanKind.Unspecified;
}
