// Builds the harness host once per runtime (runtimes.json): e2e/harness/dist/<runtime>/vendor.js (the real
// React/@grafana packages as AMD externals, from that runtime's node_modules) and main.js (the page).
// `node e2e/harness/build.mjs [runtime id …]` (default: every runtime). The plugin's dist/ is not touched.
import { build } from 'esbuild';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const { runtimes } = JSON.parse(readFileSync(join(here, 'runtimes.json'), 'utf8'));
/** What the harness reports for each runtime (and checks against the runtime's package.json when pinned exactly). */
const REPORTED = ['@grafana/ui', '@grafana/data', '@grafana/runtime', 'react', 'react-dom', 'react-router', 'rxjs'];

const common = {
  absWorkingDir: repo,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'chrome120',
  logLevel: 'warning',
  // Minified in both builds of React, so each test's page parses it quickly; development React still warns.
  minify: true,
  metafile: true,
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
 * The module is resolved from its importer's folder, so each runtime gets its own copy (see buildVendor).
 */
const esModuleInterop = {
  name: 'es-module-interop',
  setup(b) {
    b.onResolve({ filter: /^react-custom-scrollbars-2$/ }, (args) => ({
      path: args.path,
      namespace: 'interop',
      pluginData: { resolveDir: args.resolveDir },
    }));
    b.onLoad({ filter: /.*/, namespace: 'interop' }, (args) => ({
      contents: `import * as m from '${args.path}/lib/index.js'; export default m.default; export const Scrollbars = m.Scrollbars;`,
      resolveDir: args.pluginData.resolveDir,
      loader: 'js',
    }));
  },
};

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** Installed versions of the reported packages; fails when the runtime is missing or its install is stale. */
function installedVersions(runtime) {
  const modules = join(repo, runtime.packages, 'node_modules');
  if (!existsSync(join(modules, '@grafana', 'ui'))) {
    throw new Error(`${relative(repo, modules)} is not installed: run \`npm run e2e:runtimes\``);
  }
  const declared = readJson(join(repo, runtime.packages, 'package.json')).dependencies ?? {};
  const versions = {};
  for (const name of REPORTED) {
    versions[name] = readJson(join(modules, name, 'package.json')).version;
    // An exact pin that node_modules does not match: package.json moved on since the last install.
    if (/^\d+\.\d+\.\d+$/.test(declared[name] ?? '') && declared[name] !== versions[name]) {
      throw new Error(
        `${runtime.packages}: ${name} ${versions[name]} is installed, package.json pins ${declared[name]}: run \`npm run e2e:runtimes\``
      );
    }
  }
  return versions;
}

/**
 * vendor.ts's imports resolve from the runtime's folder (esbuild's `resolveDir` for stdin), and so, from inside
 * those packages, does everything they import. The metafile proves it: a file from any other node_modules (the
 * repository's, when building the 13.x runtime) would mean two copies of a package in one page.
 */
async function buildVendor(runtime, outdir) {
  const entry = join(here, 'vendor.ts');
  const result = await build({
    ...common,
    stdin: {
      contents: readFileSync(entry, 'utf8'),
      resolveDir: join(repo, runtime.packages),
      sourcefile: relative(repo, entry),
      loader: 'ts',
    },
    define: { 'process.env.NODE_ENV': JSON.stringify(runtime.react), global: 'window' },
    outfile: join(outdir, 'vendor.js'),
    plugins: [esModuleInterop],
  });
  const allowed = join(relative(repo, join(repo, runtime.packages)), 'node_modules') + '/';
  const strays = Object.keys(result.metafile.inputs).filter(
    (input) => input.includes('node_modules/') && !input.startsWith(allowed)
  );
  if (strays.length > 0) {
    throw new Error(`${runtime.id}: vendor.js took files from outside ${allowed}: ${strays.slice(0, 5).join(', ')}`);
  }
}

// main.js must use the SAME React and @grafana instances as the plugin: it takes them from vendor.js's map.
async function buildMain(runtime, outdir) {
  await build({
    ...common,
    entryPoints: [join(here, 'main.tsx')],
    define: { 'process.env.NODE_ENV': JSON.stringify(runtime.react), global: 'window' },
    outfile: join(outdir, 'main.js'),
    jsx: 'automatic',
    plugins: [
      {
        name: 'host-externals',
        setup(b) {
          const shared =
            /^(react|react-dom|react-dom\/client|react\/jsx-runtime|react-router|react-router-dom|rxjs|@grafana\/(data|ui|runtime)|@emotion\/css)$/;
          b.onResolve({ filter: shared }, (args) => ({ path: args.path, namespace: 'host' }));
          b.onLoad({ filter: /.*/, namespace: 'host' }, (args) => ({
            contents: `module.exports = window.hotpathHarness.externals[${JSON.stringify(args.path)}];`,
            loader: 'js',
          }));
        },
      },
    ],
  });
}

const wanted = process.argv.slice(2);
const unknown = wanted.filter((id) => !runtimes.some((r) => r.id === id));
if (unknown.length > 0) {
  throw new Error(`unknown harness runtime(s) ${unknown.join(', ')}; runtimes.json has ${runtimes.map((r) => r.id)}`);
}
for (const runtime of runtimes.filter((r) => wanted.length === 0 || wanted.includes(r.id))) {
  const started = Date.now();
  const versions = installedVersions(runtime);
  const outdir = join(here, 'dist', runtime.id);
  await buildVendor(runtime, outdir);
  await buildMain(runtime, outdir);
  const size = (statSync(join(outdir, 'vendor.js')).size / 1e6).toFixed(1);
  const list = REPORTED.map((name) => `${name} ${versions[name]}`).join(', ');
  console.log(
    `harness ${runtime.id}: ${list}; ${runtime.react} React; vendor.js ${size} MB (${Date.now() - started} ms)`
  );
}
