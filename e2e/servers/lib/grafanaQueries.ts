import { waitFor } from '../../../demo/test/harness/process';

/**
 * Provisioned PromQL as Grafana sends it to Prometheus, for the real-server tests that run every dashboard and alert
 * query (journey.test.ts for spanmetrics, hotpath-stream-dashboard.test.ts for `hotpath stream`'s metrics).
 */

/**
 * Grafana's `$__rate_interval` for these dashboards: max($__interval + scrape interval, 4 × scrape interval), with the
 * data source's scrape interval at Grafana's default 15 s (provisioning/datasources sets none; deploy/prometheus
 * scrapes every 15 s) and `$__interval` at most 15 s for a 30-minute dashboard: 60 s
 * (grafana.com/docs/grafana/latest/datasources/prometheus/template-variables/#use-__rate_interval).
 */
export const RATE_INTERVAL = '60s';
/** The step Grafana's range queries get here (`$__interval`, rounded up to the scrape interval). */
export const STEP_S = 15;

export interface GrafanaValues {
  /** The `$service` variable's value. */
  service: string;
  /** The dashboard's time range in seconds (`$__range`, Grafana writes it as `<n>s`). */
  rangeS?: number;
}

/**
 * A query as Grafana sends it: `$service` the variable's value, `$__rate_interval` as computed above, `$__range` the
 * time range; the trace-to-metrics links' `$__tags` and `${__span.name}` as Grafana fills them in for a span of
 * backend's error.injected (its service.name mapped to service_name; an operation with errors, so the error-rate
 * link has data).
 */
export function asGrafanaRunsIt(expr: string, { service, rangeS }: GrafanaValues): string {
  const withRange = rangeS === undefined ? expr : expr.replaceAll('$__range', `${Math.ceil(rangeS)}s`);
  return withRange
    .replaceAll('$service', service)
    .replaceAll('$__rate_interval', RATE_INTERVAL)
    .replaceAll('$__tags', 'service_name="backend"')
    .replaceAll('${__span.name}', 'error.injected');
}

/**
 * What a dashboard variable `label_values(metric, label)` offers: what Grafana asks Prometheus's
 * `/api/v1/label/<label>/values?match[]=<metric>` for. Waits until both demo services are there (up to `withinMs`).
 */
export async function demoServicesOffered(
  expr: string,
  labelValues: (label: string, metric: string) => Promise<string[]>,
  withinMs: number
): Promise<string[]> {
  const [, metric, label] = /^label_values\(\s*([\w:]+)\s*,\s*(\w+)\s*\)$/.exec(expr) ?? [];
  if (metric === undefined || label === undefined) {
    throw new Error(`not a label_values(metric, label) variable: ${expr}`);
  }
  return waitFor(
    `the values of ${expr}`,
    async () => {
      const found = await labelValues(label, metric);
      return found.includes('frontend') && found.includes('backend') ? found : undefined;
    },
    withinMs,
    2000
  );
}

/** One series of a Prometheus query answer (`/api/v1/query` or `query_range`). */
export interface Series {
  metric: Record<string, string>;
  values?: Array<[number, string]>;
  value?: [number, string];
}

/** A sample value that is a number (Prometheus writes NaN and ±Inf as strings too). */
export const finite = (value: string) => Number.isFinite(Number(value));
export const positive = (value: string) => finite(value) && Number(value) > 0;
