/** The panel's options (also what provisioned dashboards set; see provisioning/dashboards/hotpath-hotspots.json). */
export interface HotspotsOptions {
  /** Traces to fetch at most (default 500, at most 1,500). */
  maxTraces: number;
  mode: 'hotspots' | 'compare';
  /** Slow-vs-baseline split: `p90` (any pNN) or a threshold such as `250ms`. */
  compareSplit: string;
  window: 'root' | 'full';
  asyncBlocking: boolean;
  topN: number;
  rollup: boolean;
  /** Loki data source for log links; empty: the Jaeger data source's trace-to-logs target, then the app default. */
  lokiUid?: string;
}

export const DEFAULT_OPTIONS: HotspotsOptions = {
  maxTraces: 500,
  mode: 'hotspots',
  compareSplit: 'p90',
  window: 'root',
  asyncBlocking: false,
  topN: 20,
  rollup: false,
  lokiUid: '',
};
