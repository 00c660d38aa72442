/**
 * Test ids of the views. The `hotpath-*` ones are also what the browser tests in e2e/ look for: keep them stable.
 */
export const testIds = {
  appConfig: {
    form: 'data-testid hotpath-config',
    maxTraces: 'data-testid hotpath-config-max-traces',
    submit: 'data-testid hotpath-config-submit',
  },
  hotspots: {
    container: 'data-testid hotspots-container',
    source: 'data-testid hotspots-source',
    everyTrace: 'data-testid hotspots-every-trace',
  },
  compare: {
    container: 'data-testid compare-container',
  },
  import: {
    container: 'data-testid import-container',
  },
  hotspotsPanel: {
    container: 'data-testid hotspots-panel',
    /** "Filtered to the traces with …" above the view, after "Filter to this". */
    cohort: 'hotpath-panel-cohort',
  },
  view: {
    root: 'hotpath-view',
    sample: 'hotpath-sample',
    table: 'hotpath-table',
    rowDetails: 'hotpath-row-details',
    columns: 'hotpath-columns',
    diagnostics: 'hotpath-diagnostics',
    error: 'hotpath-error',
    empty: 'hotpath-empty',
    idle: 'hotpath-idle',
    openTrace: 'hotpath-open-trace',
    logs: 'hotpath-logs',
    noLogs: 'hotpath-no-logs',
    logsUnavailable: 'hotpath-logs-unavailable',
    compare: 'hotpath-compare',
    compareWarning: 'hotpath-compare-warning',
    sharedAttributes: 'hotpath-shared-attributes',
    reportCompare: 'hotpath-report-compare',
    changeTotal: 'hotpath-change-total',
    showIdle: 'hotpath-show-idle',
    whatIf: 'hotpath-whatif',
    whatIfResult: 'hotpath-whatif-result',
    viewSwitch: 'hotpath-view-switch',
    flameGraph: 'hotpath-flamegraph',
    picked: 'hotpath-flame-picked',
    unavailable: 'hotpath-unavailable',
    metricsSummary: 'hotpath-metrics-summary',
    exemplarLookup: 'hotpath-exemplar-lookup',
  },
};
