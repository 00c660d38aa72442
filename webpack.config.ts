import CopyWebpackPlugin from 'copy-webpack-plugin';
import type { Configuration } from 'webpack';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config.ts';

// The scaffold copies logos only for the root src/plugin.json; nested plugins
// (src/panels/*) need their img/ folders copied too.
const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig(env);
  base.plugins = [...(base.plugins ?? []), new CopyWebpackPlugin({ patterns: [{ from: 'panels/*/img/**', to: '.' }] })];
  return base;
};

export default config;
