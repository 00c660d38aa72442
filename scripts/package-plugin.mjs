#!/usr/bin/env node
/**
 * `npm run package`: the archive Grafana's tooling expects from a built plugin (what grafana/plugin-actions'
 * build-plugin action and the "Package a plugin" guide at grafana.com/developers/plugin-tools make): a zip named
 * `<plugin id>-<version>.zip` whose single top-level folder is named after the plugin id and holds `dist/`'s files,
 * beside it `<zip>.sha1` and `<zip>.sha256` (the digest, two spaces, the file name: what `sha1sum -c` reads).
 *
 *   node scripts/package-plugin.mjs [--dist dist] [--out artifacts]
 *
 * Uses Debian's `zip` (the tool the guide uses). The archive is checked before the script reports success.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 && process.argv[at + 1] ? resolve(process.argv[at + 1]) : fallback;
}

function fail(message) {
  process.stderr.write(`package: ${message}\n`);
  process.exit(1);
}

/** Paths inside the zip, as `unzip -Z1` lists them. */
function listZip(zipFile) {
  return execFileSync('unzip', ['-Z1', zipFile], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

function digestLine(algorithm, file) {
  const digest = createHash(algorithm).update(readFileSync(file)).digest('hex');
  return `${digest}  ${basename(file)}\n`;
}

function main() {
  const dist = option('dist', join(ROOT, 'dist'));
  const out = option('out', join(ROOT, 'artifacts'));
  const pluginJsonPath = join(dist, 'plugin.json');
  if (!existsSync(pluginJsonPath)) {
    fail(`${pluginJsonPath} is missing: run \`npm run build\` first`);
  }
  const plugin = JSON.parse(readFileSync(pluginJsonPath, 'utf8'));
  const id = plugin.id;
  const version = plugin.info?.version;
  if (typeof id !== 'string' || !/^[a-z0-9-]+$/.test(id)) {
    fail(`plugin.json has no usable id (${JSON.stringify(id)})`);
  }
  // The build writes package.json's version into plugin.json (%VERSION%); a stale dist/ shows here.
  const packageVersion = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
  if (version !== packageVersion) {
    fail(`dist/plugin.json has version ${version}, package.json ${packageVersion}: rebuild with \`npm run build\``);
  }

  const staging = mkdtempSync(join(tmpdir(), 'hotpath-package-'));
  try {
    cpSync(dist, join(staging, id), { recursive: true });
    mkdirSync(out, { recursive: true });
    const zipFile = join(out, `${id}-${version}.zip`);
    rmSync(zipFile, { force: true });
    // -X: no extra file attributes (uid/gid), so the same dist/ gives the same archive contents.
    execFileSync('zip', ['-q', '-r', '-X', zipFile, id], { cwd: staging });

    const entries = listZip(zipFile);
    const outside = entries.filter((entry) => !entry.startsWith(`${id}/`));
    if (outside.length > 0 || !entries.includes(`${id}/plugin.json`) || !entries.includes(`${id}/module.js`)) {
      fail(`the archive does not have the layout Grafana expects: ${entries.slice(0, 5).join(', ')} …`);
    }
    writeFileSync(`${zipFile}.sha1`, digestLine('sha1', zipFile));
    writeFileSync(`${zipFile}.sha256`, digestLine('sha256', zipFile));
    process.stdout.write(
      `${zipFile}\n${readFileSync(`${zipFile}.sha1`, 'utf8')}${readFileSync(`${zipFile}.sha256`, 'utf8')}`
    );
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

main();
