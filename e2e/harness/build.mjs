// Builds the harness host (vendor.js: the real React/@grafana packages as AMD externals; main.js: the page).
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const common = {
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'chrome120',
  logLevel: 'warning',
  // Production React and @grafana/ui, as Grafana ships them; minified, so each test's page parses it quickly.
  define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
  minify: true,
  loader: {
    '.css': 'empty',
    '.svg': 'dataurl',
    '.woff': 'empty',
    '.woff2': 'empty',
    '.ttf': 'empty',
    '.png': 'dataurl',
  },
};
await build({ ...common, entryPoints: [join(here, 'vendor.ts')], outfile: join(here, 'dist', 'vendor.js') });
// main.js must use the SAME React and @grafana instances as the plugin: it takes them from vendor.js's map.
await build({
  ...common,
  entryPoints: [join(here, 'main.tsx')],
  outfile: join(here, 'dist', 'main.js'),
  jsx: 'automatic',
  plugins: [
    {
      name: 'host-externals',
      setup(b) {
        const shared =
          /^(react|react-dom|react-dom\/client|react\/jsx-runtime|react-router|react-router-dom|rxjs|@grafana\/(data|ui|runtime)|@emotion\/css)$/;
        b.onResolve({ filter: shared }, (args) => ({ path: args.path, namespace: 'host' }));
        b.onLoad({ filter: /.*/, namespace: 'host' }, (args) => ({
          contents: `module.exports = window.hotpathHarness.externals[${JSON.stringify(args.path === 'react-dom/client' ? 'react-dom/client' : args.path)}];`,
          loader: 'js',
        }));
      },
    },
  ],
});
