/**
 * A static server for the harness, for one runtime (runtimes.json): `/dist/*` from the plugin's build output (the
 * same for every runtime), `/harness/*` from that runtime's harness build, `/public/build/img/icons/*` from its
 * @grafana/ui's own icon files (where Grafana serves them), and the harness page for `/` and for every Grafana page
 * route the plugin may navigate to or be reloaded at (`/a/…`, `/plugins/…`).
 * Listens on 127.0.0.1 only. Anything else is a 404 (and e2e/support/harness.ts fails the test for it).
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';

import { DEFAULT_RUNTIME, harnessBuildDir, harnessRuntime, runtimePackageDir, runtimePackageVersion } from './runtimes';

const REPO = resolve(__dirname, '..', '..');
const PAGE = join(REPO, 'e2e', 'harness', 'index.html');
const ICONS_URL = '/public/build/img/icons/';
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
  '.png': 'image/png',
};

interface RuntimeFiles {
  build: string;
  icons: string;
  page: string;
}

function fileFor(urlPath: string, files: RuntimeFiles): string | undefined {
  const clean = normalize(decodeURIComponent(urlPath.split('?')[0]));
  if (clean === '/' || clean === '/index.html' || clean.startsWith('/a/') || clean.startsWith('/plugins/')) {
    return PAGE;
  }
  if (clean.startsWith('/dist/')) {
    return join(REPO, clean);
  }
  if (clean.startsWith(ICONS_URL)) {
    return join(files.icons, clean.slice(ICONS_URL.length));
  }
  if (clean.startsWith('/harness/')) {
    return join(files.build, clean.slice('/harness/'.length));
  }
  return undefined;
}

/** Serves the harness for `runtimeId` (default: the packages the plugin builds against). */
export async function startHarnessServer(runtimeId = DEFAULT_RUNTIME): Promise<{ url: string; server: Server }> {
  const runtime = harnessRuntime(runtimeId);
  const files: RuntimeFiles = {
    build: harnessBuildDir(runtime.id),
    icons: join(runtimePackageDir(runtime, '@grafana/ui'), 'dist', 'public', 'img', 'icons'),
    page: readFileSync(PAGE, 'utf8').replace(
      '__GRAFANA_VERSION__',
      runtimePackageVersion(runtime, '@grafana/runtime') ?? 'unknown'
    ),
  };
  if (!existsSync(join(files.build, 'vendor.js'))) {
    throw new Error(`the harness for ${runtime.id} is not built: run \`node e2e/harness/build.mjs ${runtime.id}\``);
  }
  const server = createServer((request, response) => {
    const file = fileFor(request.url ?? '/', files);
    if (file === PAGE) {
      response.writeHead(200, { 'Content-Type': TYPES['.html'] });
      response.end(files.page);
      return;
    }
    if (!file || !file.startsWith(REPO + '/') || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404, { 'Content-Type': 'text/plain' });
      response.end(`not found: ${request.url}`);
      return;
    }
    response.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server };
}
