/** @jest-environment node */
/**
 * src/plugin.json (the app) and src/panels/hotspots/plugin.json (its nested panel) against Grafana's plugin.json
 * schema (the one grafana/plugin-validator applies), plus the ids and includes the bundle depends on.
 */
import { APP_ID, PANEL_ID } from './lib/contracts';
import { clone, readJson } from './lib/repo';
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
});
