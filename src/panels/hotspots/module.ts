import { PanelPlugin } from '@grafana/data';

import { MAX_TRACES_LIMIT } from '../../data/types';
import { HotspotsPanel } from './HotspotsPanel';
import { LokiPickerEditor } from './LokiPickerEditor';
import { DEFAULT_OPTIONS, HotspotsOptions } from './types';

const ANALYSIS = ['Analysis'];
const TABLE = ['Table'];
const LINKS = ['Links'];

// Keep everything statically imported: lazy chunks of a nested plugin resolve against the nested module's URL
// while webpack emits them at the dist root (grafana/plugin-tools#2172).
export const plugin = new PanelPlugin<HotspotsOptions>(HotspotsPanel).setPanelOptions((builder) =>
  builder
    .addRadio({
      path: 'mode',
      name: 'Mode',
      description: 'Rank by critical-path share, or by how much more critical-path time slow traces spend',
      category: ANALYSIS,
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
      description: 'At or above a latency percentile (p90, p99) or a threshold (250ms, 1.5s)',
      category: ANALYSIS,
      defaultValue: DEFAULT_OPTIONS.compareSplit,
      settings: { placeholder: 'p90' },
      showIf: (options) => options.mode === 'compare',
    })
    .addNumberInput({
      path: 'maxTraces',
      name: 'Max traces',
      description: `Traces fetched and analysed at most (up to ${MAX_TRACES_LIMIT.toLocaleString('en-US')}); the newest are kept`,
      category: ANALYSIS,
      defaultValue: DEFAULT_OPTIONS.maxTraces,
      settings: { min: 1, max: MAX_TRACES_LIMIT, integer: true },
    })
    .addRadio({
      path: 'window',
      name: 'Window',
      description: "Analyse the root span's window, or each trace's full extent (work after the root returned)",
      category: ANALYSIS,
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
      description: 'Treat FOLLOWS_FROM and producer→consumer children as blocking their parent',
      category: ANALYSIS,
      defaultValue: DEFAULT_OPTIONS.asyncBlocking,
    })
    .addNumberInput({
      path: 'topN',
      name: 'Top N rows',
      description: 'Rows shown before "Show all"',
      category: TABLE,
      defaultValue: DEFAULT_OPTIONS.topN,
      settings: { min: 1, integer: true },
    })
    .addBooleanSwitch({
      path: 'rollup',
      name: 'Per service',
      description: 'One row per service instead of per (service, operation)',
      category: TABLE,
      defaultValue: DEFAULT_OPTIONS.rollup,
    })
    .addCustomEditor({
      id: 'lokiUid',
      path: 'lokiUid',
      name: 'Loki data source',
      description:
        "For log links and counts. Empty: the Jaeger data source's trace-to-logs target, else the app's default",
      category: LINKS,
      defaultValue: DEFAULT_OPTIONS.lokiUid,
      editor: LokiPickerEditor,
    })
);
