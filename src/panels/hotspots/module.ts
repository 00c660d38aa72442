import { PanelPlugin } from '@grafana/data';

import { MAX_TRACES_LIMIT } from '../../data/types';
import { HotspotsPanel } from './HotspotsPanel';
import { DEFAULT_OPTIONS, HotspotsOptions } from './types';

// Keep the panel statically imported: lazy chunks of a nested plugin resolve against
// the nested module's URL while webpack emits them at the dist root (grafana/plugin-tools#2172).
export const plugin = new PanelPlugin<HotspotsOptions>(HotspotsPanel).setPanelOptions((builder) =>
  builder
    .addRadio({
      path: 'mode',
      name: 'Mode',
      defaultValue: DEFAULT_OPTIONS.mode,
      settings: {
        options: [
          { value: 'hotspots', label: 'Hotspots' },
          { value: 'compare', label: 'Slow vs baseline' },
        ],
      },
    })
    .addTextInput({
      path: 'compareSplit',
      name: 'Slow traces',
      description: 'At or above a latency percentile (p90) or a threshold (250ms, 1.5s)',
      defaultValue: DEFAULT_OPTIONS.compareSplit,
      showIf: (options) => options.mode === 'compare',
    })
    .addNumberInput({
      path: 'maxTraces',
      name: 'Max traces',
      description: `Traces fetched and analysed at most (up to ${MAX_TRACES_LIMIT})`,
      defaultValue: DEFAULT_OPTIONS.maxTraces,
      settings: { min: 1, max: MAX_TRACES_LIMIT, integer: true },
    })
    .addNumberInput({
      path: 'topN',
      name: 'Top N rows',
      defaultValue: DEFAULT_OPTIONS.topN,
      settings: { min: 1, integer: true },
    })
    .addBooleanSwitch({ path: 'rollup', name: 'Per service', defaultValue: DEFAULT_OPTIONS.rollup })
    .addRadio({
      path: 'window',
      name: 'Window',
      description: "Analyse the root span's window, or each trace's full extent (work after the root returned)",
      defaultValue: DEFAULT_OPTIONS.window,
      settings: {
        options: [
          { value: 'root', label: 'Root span' },
          { value: 'full', label: 'Full trace' },
        ],
      },
    })
    .addBooleanSwitch({
      path: 'asyncBlocking',
      name: 'Wait for async children',
      description: 'Treat FOLLOWS_FROM and producer→consumer children as blocking',
      defaultValue: DEFAULT_OPTIONS.asyncBlocking,
    })
    .addTextInput({
      path: 'lokiUid',
      name: 'Loki data source UID',
      description: "For log links; empty: the Jaeger data source's trace-to-logs target, then the app default",
      defaultValue: DEFAULT_OPTIONS.lokiUid,
    })
);
