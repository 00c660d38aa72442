import { PanelPlugin } from '@grafana/data';
import { HotspotsPanel } from './HotspotsPanel';
import { HotspotsOptions } from './types';

// Keep the panel statically imported: lazy chunks of a nested plugin resolve against
// the nested module's URL while webpack emits them at the dist root (grafana/plugin-tools#2172).
export const plugin = new PanelPlugin<HotspotsOptions>(HotspotsPanel);
