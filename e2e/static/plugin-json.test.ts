/** @jest-environment node */
/**
 * src/plugin.json (the app) and src/panels/hotspots/plugin.json (its nested panel) against Grafana's plugin.json
 * schema (the one grafana/plugin-validator applies), plus the ids and includes the bundle depends on.
 */
import { APP_ID, PANEL_ID } from './lib/contracts';
import { readFileSync } from 'node:fs';

import { clone, readJson, readText, repoPath } from './lib/repo';
import { schemaValidator } from './lib/schemas';

const validate = schemaValidator('grafana/plugin.schema.json');
const app = readJson<any>('src/plugin.json');
const panel = readJson<any>('src/panels/hotspots/plugin.json');

describe('plugin.json files', () => {
  it('validate against plugin.schema.json', () => {
    expect(validate(app)).toEqual([]);
    expect(validate(panel)).toEqual([]);
  });

  it('name the app and panel ids the provisioning, dashboards and unsigned allow-list use', () => {
    expect({ id: app.id, type: app.type }).toEqual({ id: APP_ID, type: 'app' });
    expect({ id: panel.id, type: panel.type }).toEqual({ id: PANEL_ID, type: 'panel' });
  });

  it("list the nested panel in the app's includes (needed by the plugin catalogue and the validator)", () => {
    expect(app.includes).toContainEqual(
      expect.objectContaining({ type: 'panel', path: 'panels/hotspots/plugin.json' })
    );
  });

  it('reject a mutated copy (bad id pattern, unknown type, missing info)', () => {
    const bad = clone(app);
    bad.id = 'Hotpath_App';
    expect(validate(bad).some((e) => e.startsWith('/id'))).toBe(true);
    const bad2 = clone(panel);
    bad2.type = 'widget';
    delete bad2.info;
    const errors = validate(bad2);
    expect(errors.some((e) => e.startsWith('/type'))).toBe(true);
    expect(errors.some((e) => e.includes("must have required property 'info'"))).toBe(true);
  });

  it("lists the README's pictures as the catalogue's screenshots: PNGs under src/ that the build copies to dist/", () => {
    const screenshots: Array<{ name: string; path: string }> = app.info.screenshots;
    expect(screenshots.length).toBeGreaterThan(0);
    for (const { name, path } of screenshots) {
      expect(name.trim()).not.toBe('');
      // create-plugin copies each path from src/ to the same path in dist/ (.config/bundler/copyFiles.ts).
      expect(path).toMatch(/^img\/screenshots\/[a-z0-9-]+\.png$/);
      const png = readFileSync(repoPath('src', path));
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    }
    // The README shows the same pictures (made by e2e/local/pictures.spec.ts through `npm run screenshots`).
    const readmeImages = [...readText('README.md').matchAll(/\]\(src\/(img\/screenshots\/[^)]+\.png)\)/g)].map(
      (m) => m[1]
    );
    expect(readmeImages.sort()).toEqual(screenshots.map((s) => s.path).sort());
  });
});
