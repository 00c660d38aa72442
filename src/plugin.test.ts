import fs from 'fs';
import path from 'path';

import { ROUTES } from './constants';
import appJson from './plugin.json';

// Guards the wiring between the app and its nested plugins: Grafana's plugin CDN and the
// plugin validator need every nested plugin listed in the app's `includes`, and webpack
// builds one entry per src/**/plugin.json next to a module.ts(x).
describe('src/plugin.json', () => {
  const panelIncludes = appJson.includes.filter((include) => include.type === 'panel');

  test('lists the hotspots panel', () => {
    expect(panelIncludes).toEqual([{ type: 'panel', name: 'Hotpath hotspots', path: 'panels/hotspots/plugin.json' }]);
  });

  test.each(panelIncludes.map((include) => [include.path!, include.name]))(
    '%s exists, is a panel with a literal id, and has a module and logo',
    (includePath, name) => {
      const file = path.join(__dirname, includePath);
      const panelJson = JSON.parse(fs.readFileSync(file, 'utf8'));
      const dir = path.dirname(file);

      expect(panelJson.type).toBe('panel');
      expect(panelJson.name).toBe(name);
      // %PLUGIN_ID% would be replaced by the *app* id at build time.
      expect(panelJson.id).toBe('hotpath-hotspots-panel');
      expect(fs.existsSync(path.join(dir, 'module.ts')) || fs.existsSync(path.join(dir, 'module.tsx'))).toBe(true);
      expect(fs.existsSync(path.join(dir, panelJson.info.logos.small))).toBe(true);
    }
  );

  test('has the three app pages, Hotspots first and default, plus the configuration page', () => {
    const pages = appJson.includes.filter((include) => include.type === 'page');
    expect(pages.map((p) => [p.name, p.path])).toEqual([
      ['Hotspots', '/a/%PLUGIN_ID%/hotspots'],
      ['Compare', '/a/%PLUGIN_ID%/compare'],
      ['Import', '/a/%PLUGIN_ID%/import'],
      ['Configuration', '/plugins/%PLUGIN_ID%'],
    ]);
    expect(pages.filter((p) => p.defaultNav).map((p) => p.name)).toEqual(['Hotspots']);
    expect(pages.find((p) => p.name === 'Configuration')?.role).toBe('Admin');
  });

  test('every app page has a route in the app', () => {
    const routes: string[] = Object.values(ROUTES);
    for (const page of appJson.includes.filter((i) => i.type === 'page' && i.path?.startsWith('/a/'))) {
      expect(routes).toContain(page.path!.replace('/a/%PLUGIN_ID%/', ''));
    }
  });
});
