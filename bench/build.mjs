// Bundles bench/run.ts into dist-cli/bench.js for `npm run bench` (or, with the argument `browser`, bench/browser.ts
// into dist-cli/bench/browser.js for `npm run bench:browser`, its npm packages left external for Playwright). Each source file's `__dirname` is replaced by its
// own directory: the bench reuses the test harnesses (demo/test/harness, e2e/servers/lib), which find the demo's
// build, the Jaeger binary and the repository's configs relative to their own files, and a bundle would otherwise
// give them all the bundle's directory.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const ownDirname = {
  name: 'own-dirname',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes('/node_modules/')) {
        return undefined;
      }
      const source = await readFile(args.path, 'utf8');
      return { contents: source.replace(/\b__dirname\b/g, JSON.stringify(dirname(args.path))), loader: 'ts' };
    });
  },
};

const browser = process.argv[2] === 'browser';

await build({
  entryPoints: [resolve(root, browser ? 'bench/browser.ts' : 'bench/run.ts')],
  outfile: resolve(root, browser ? 'dist-cli/bench/browser.js' : 'dist-cli/bench.js'),
  ...(browser ? { packages: 'external' } : {}),
  bundle: true,
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  plugins: [ownDirname],
});
