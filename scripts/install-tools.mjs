#!/usr/bin/env node
// Installs the real servers the tests in e2e/servers run, from the project's own pinned files:
//   - Jaeger v2: the Go tool pinned by tools/jaeger/go.mod (module proxy), built into tools/bin/jaeger;
//   - the Kafka broker: the Maven artifacts pinned by tools/kafka/pom.xml (Maven Central), copied into tools/kafka/lib.
// Both outputs are ignored by git. Each step is skipped when its output was made from the same pinned files (a stamp
// with their hash sits beside it), so a second run takes well under a second; Go's and Maven's own caches make a
// rebuild after `git clean` fast too. Usage: `npm run tools` (the servers tests run it first).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TOOLS = join(ROOT, 'tools');

/** Exits with a message a developer can act on when a toolchain the project does not install itself is missing. */
function requireCommand(command, versionArgs, hint) {
  const result = spawnSync(command, versionArgs, { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    console.error(`install-tools: \`${command}\` is missing or broken; ${hint}`);
    process.exit(1);
  }
  return `${result.stdout}${result.stderr}`.split('\n')[0].trim();
}

/** Strips terminal colour codes (Debian's Maven writes some even in batch mode). */
const plain = (text) => text.replace(/\u001b\[[0-9;]*m/g, '');

function run(command, args, cwd) {
  // Output is passed on once the command ends (go and mvn -q print little besides errors), without colour codes.
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  for (const [stream, text] of [
    [process.stdout, result.stdout],
    [process.stderr, result.stderr],
  ]) {
    const out = plain(text ?? '').trim();
    if (out) {
      stream.write(`${out}\n`);
    }
  }
  if (result.error || result.status !== 0) {
    console.error(`install-tools: \`${command} ${args.join(' ')}\` failed in ${cwd}`);
    process.exit(result.status ?? 1);
  }
}

/** Hash of the files an output is made from, plus the toolchain version: a change to any means a rebuild. */
function fingerprint(files, toolchain) {
  const hash = createHash('sha256').update(toolchain);
  for (const file of files) {
    hash.update(readFileSync(file));
  }
  return hash.digest('hex');
}

/** Runs `build` unless `output` exists and `stamp` records the same fingerprint; says which happened and how long. */
function step(name, { output, stamp, inputs, toolchain, build, note }) {
  const want = fingerprint(inputs, toolchain);
  if (existsSync(output) && existsSync(stamp) && readFileSync(stamp, 'utf8') === want) {
    console.log(`install-tools: ${name} is up to date`);
    return;
  }
  console.log(`install-tools: ${name}: installing${note ? ` (${note})` : ''}`);
  const start = Date.now();
  rmSync(stamp, { force: true });
  build();
  writeFileSync(stamp, want);
  console.log(`install-tools: ${name} installed in ${((Date.now() - start) / 1000).toFixed(1)} s`);
}

const go = requireCommand('go', ['version'], 'install Go 1.24 or newer (the module proxy must be reachable)');
const java = requireCommand('java', ['-version'], 'install a Java 17 runtime (e.g. Debian default-jre-headless)');
const mvn = requireCommand('mvn', ['-v'], 'install Maven 3.8+ (e.g. Debian maven; Maven Central must be reachable)');
if (!/version "(1[7-9]|[2-9]\d)[".]/.test(java)) {
  console.error(`install-tools: the Kafka broker needs Java 17 or newer, found: ${java}`);
  process.exit(1);
}

const jaegerDir = join(TOOLS, 'jaeger');
const bin = join(TOOLS, 'bin');
mkdirSync(bin, { recursive: true });
step('jaeger (tools/bin/jaeger)', {
  output: join(bin, 'jaeger'),
  stamp: join(bin, 'jaeger.stamp'),
  inputs: [join(jaegerDir, 'go.mod'), join(jaegerDir, 'go.sum')],
  toolchain: go,
  note: 'a first build takes minutes, one from the Go build cache about 15 s',
  // The package of the `tool` directive in tools/jaeger/go.mod, built with that module's pinned dependencies.
  build: () => run('go', ['build', '-o', join(bin, 'jaeger'), 'github.com/jaegertracing/jaeger/cmd/jaeger'], jaegerDir),
});

const kafkaDir = join(TOOLS, 'kafka');
const lib = join(kafkaDir, 'lib');
step('kafka broker (tools/kafka/lib)', {
  output: lib,
  stamp: join(lib, '.stamp'),
  inputs: [join(kafkaDir, 'pom.xml')],
  toolchain: plain(mvn),
  build: () => {
    // A fresh folder: jars of a previous version must not stay on the broker's classpath.
    rmSync(lib, { recursive: true, force: true });
    run(
      'mvn',
      ['-B', '-q', 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${lib}`],
      kafkaDir
    );
  },
});
