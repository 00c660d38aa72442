// Builds the demo into dist/: one CommonJS bundle per Node program (npm packages stay external, so the
// OpenTelemetry instrumentations can patch them when they are required) and the browser page.
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
const publicDir = join(dist, 'frontend', 'public');

await rm(dist, { recursive: true, force: true });
await mkdir(publicDir, { recursive: true });
await Promise.all([
  build({
    absWorkingDir: here,
    entryPoints: {
      'backend/main': 'backend/main.ts',
      'frontend/main': 'frontend/main.ts',
      'loadgen/main': 'loadgen/main.ts',
      'local/run': 'local/run.ts',
    },
    outdir: dist,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  }),
  build({
    absWorkingDir: here,
    entryPoints: ['frontend/web/main.ts'],
    outfile: join(publicDir, 'app.js'),
    bundle: true,
    platform: 'browser',
    target: ['es2020'],
    format: 'iife',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  }),
  copyFile(join(here, 'frontend/web/index.html'), join(publicDir, 'index.html')),
  copyFile(join(here, 'frontend/web/style.css'), join(publicDir, 'style.css')),
]);
