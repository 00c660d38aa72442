import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Test-only access to the recorded payloads in `test/fixtures/` (their origins and licences are listed in that
 * folder's README). They are test inputs only and never bundled into the plugin.
 */
export const FIXTURES = resolve(__dirname, '../../test/fixtures');

export function fixturePath(relative: string): string {
  return join(FIXTURES, relative);
}

export function readFixtureText(relative: string): string {
  return readFileSync(fixturePath(relative), 'utf8');
}

export function readFixture<T = unknown>(relative: string): T {
  return JSON.parse(readFixtureText(relative)) as T;
}

/** File names (not paths) in a fixture folder, sorted. */
export function listFixtures(folder: string, extension = '.json'): string[] {
  return readdirSync(fixturePath(folder))
    .filter((name) => name.endsWith(extension))
    .sort();
}

/**
 * The sample traces users are pointed to (`examples/`, listed in its README): the demo's recorded OTLP exports among
 * them feed the layer-1 tests that make the README's pictures, so those show what the demo really exports.
 */
export const EXAMPLES = resolve(__dirname, '../../examples');

export function examplePath(relative: string): string {
  return join(EXAMPLES, relative);
}
