// Bundles the `hotpath` CLI (src/cli/main.ts and the engine it imports) into one CommonJS file for Node 20+:
// dist-cli/hotpath.js, which bin/hotpath.js loads. Run by `npm run build:cli` (and `npm install`, via `prepare`).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));

await build({
  entryPoints: [resolve(root, 'src/cli/main.ts')],
  outfile: resolve(root, 'dist-cli/hotpath.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: false,
  logLevel: 'warning',
  // `hotpath --version` (src/cli/version.ts).
  define: { HOTPATH_VERSION: JSON.stringify(version) },
});
