/**
 * A static server for the harness: `/dist/*` from the plugin's build output, `/harness/*` from the harness
 * build, `/public/build/img/icons/*` from @grafana/ui's own icon files (where Grafana serves them), and the harness
 * page for `/` and for every Grafana page route the plugin may navigate to or be reloaded at (`/a/…`, `/plugins/…`).
 * Listens on 127.0.0.1 only. Anything else is a 404 (and e2e/support/harness.ts fails the test for it).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';

const REPO = resolve(__dirname, '..', '..');
const ICONS_URL = '/public/build/img/icons/';
const ICONS_DIR = join(REPO, 'node_modules', '@grafana', 'ui', 'dist', 'public', 'img', 'icons');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
  '.png': 'image/png',
};

function fileFor(urlPath: string): string | undefined {
  const clean = normalize(decodeURIComponent(urlPath.split('?')[0]));
  if (clean === '/' || clean === '/index.html' || clean.startsWith('/a/') || clean.startsWith('/plugins/')) {
    return join(REPO, 'e2e', 'harness', 'index.html');
  }
  if (clean.startsWith('/dist/')) {
    return join(REPO, clean);
  }
  if (clean.startsWith(ICONS_URL)) {
    return join(ICONS_DIR, clean.slice(ICONS_URL.length));
  }
  if (clean.startsWith('/harness/')) {
    return join(REPO, 'e2e', 'harness', 'dist', clean.slice('/harness/'.length));
  }
  return undefined;
}

export async function startHarnessServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const file = fileFor(request.url ?? '/');
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
