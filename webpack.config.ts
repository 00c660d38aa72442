import CopyWebpackPlugin from 'copy-webpack-plugin';
import type { Configuration } from 'webpack';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config.ts';

// The scaffold copies logos only for the root src/plugin.json; nested plugins
// (src/panels/*) need their img/ folders copied too.
const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig(env);
  base.plugins = [...(base.plugins ?? []), new CopyWebpackPlugin({ patterns: [{ from: 'panels/*/img/**', to: '.' }] })];
  // The size hint is about code the browser loads with the plugin; the catalogue's screenshots (plugin.json
  // info.screenshots, copied to img/screenshots/) are fetched only when someone views them. Source maps stay out too,
  // as by webpack's default filter.
  base.performance = { ...base.performance, assetFilter: (asset: string) => !/\.(map|png)(\?|$)/.test(asset) };
  return base;
};

export default config;
