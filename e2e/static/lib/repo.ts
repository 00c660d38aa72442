/**
 * Paths and file readers shared by the static checks of the deployment bundle (docker-compose.yml, provisioning/,
 * deploy/, k8s/). Nothing here starts a container: the checks parse files and run offline tools (kubectl kustomize,
 * promtool) only.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import YAML from 'yaml';

/** The repository root. */
export const ROOT = resolve(__dirname, '../../..');

/**
 * Third-party JSON Schemas (compose-spec, Kubernetes 1.32 strict, Grafana plugin.json and dashboards), kept beside the
 * in `test/schemas/` (see its README for origins and licences).
 */
export const SCHEMAS = resolve(ROOT, 'test/schemas');

export function repoPath(...parts: string[]): string {
  return join(ROOT, ...parts);
}

export function readText(relativePath: string): string {
  return readFileSync(repoPath(relativePath), 'utf8');
}

/** Parses one YAML document; `<<` merge keys (used by docker-compose.yml's x- anchors) are applied. */
export function parseYaml<T = unknown>(text: string): T {
  return YAML.parse(text, { merge: true }) as T;
}

export function readYaml<T = unknown>(relativePath: string): T {
  return parseYaml<T>(readText(relativePath));
}

export function readJson<T = unknown>(relativePath: string): T {
  return JSON.parse(readText(relativePath)) as T;
}

export function exists(relativePath: string): boolean {
  return existsSync(repoPath(relativePath));
}

/** Files directly inside a repository folder (not recursive), sorted. */
export function listFiles(relativeDir: string): string[] {
  const dir = repoPath(relativeDir);
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isFile())
    .sort();
}

/** Files below a repository folder, recursive, as paths relative to the repository root. */
export function walkFiles(relativeDir: string, keep: (path: string) => boolean = () => true): string[] {
  const out: string[] = [];
  const visit = (rel: string) => {
    for (const name of readdirSync(repoPath(rel))) {
      if (name === 'node_modules' || name === 'dist') {
        continue;
      }
      const child = `${rel}/${name}`;
      if (statSync(repoPath(child)).isDirectory()) {
        visit(child);
      } else if (keep(child)) {
        out.push(child);
      }
    }
  };
  if (exists(relativeDir)) {
    visit(relativeDir);
  }
  return out.sort();
}

/** A deep copy for mutation tests: the real inputs are never modified. */
export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Finds an executable on PATH (or at an absolute path). */
export function findExecutable(name: string, override?: string): string | undefined {
  if (override) {
    return existsSync(override) ? override : undefined;
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) {
      return candidate;
    }
  }
  return undefined;
}

/** True on CI (GitHub Actions and .ci/run set CI=true): a missing tool is then a failure, never a skip. */
export const ON_CI = process.env.CI === 'true' || process.env.CI === '1';

export interface ToolRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[], cwd = ROOT): ToolRun {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) {
    throw result.error;
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Message for a tool that is not installed: tests use it to fail on CI and to skip (with this reason) elsewhere.
 */
export function missingTool(name: string, hint: string): string {
  return `${name} not found (${hint}); on CI (CI=true) this is a failure, locally the check is skipped`;
}
