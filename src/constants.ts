import pluginJson from './plugin.json';

export const PLUGIN_BASE_URL = `/a/${pluginJson.id}`;

/** The app's pages, relative to PLUGIN_BASE_URL (and listed in plugin.json `includes`). */
export enum ROUTES {
  Hotspots = 'hotspots',
  Compare = 'compare',
  Import = 'import',
}
