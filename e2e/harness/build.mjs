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
/**
 * @grafana/ui's ES modules (.mjs) take the default export of react-custom-scrollbars-2, a CommonJS module marked
 * `__esModule`. For an .mjs importer esbuild follows Node (the default import is the whole `exports` object), while
 * Grafana's webpack build hands over `exports.default`: CustomScrollbar (in @grafana/ui's Table, which the flame
 * graph component's top table renders) then got an object for a component. Give the vendor bundle webpack's reading.
 */
const esModuleInterop = {
  name: 'es-module-interop',
  setup(b) {
    b.onResolve({ filter: /^react-custom-scrollbars-2$/ }, (args) => ({ path: args.path, namespace: 'interop' }));
    b.onLoad({ filter: /.*/, namespace: 'interop' }, (args) => ({
      contents: `import * as m from '${args.path}/lib/index.js'; export default m.default; export const Scrollbars = m.Scrollbars;`,
      resolveDir: here,
      loader: 'js',
    }));
  },
};
await build({
  ...common,
  entryPoints: [join(here, 'vendor.ts')],
  outfile: join(here, 'dist', 'vendor.js'),
  plugins: [esModuleInterop],
});
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
