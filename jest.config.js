// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';
// i18next (under @grafana/i18n) prints an advertisement on every init outside production; this is its documented
// switch (i18next's getSupportNoticeShown reads I18NEXT_NO_SUPPORT_NOTICE). Workers inherit the variable.
process.env.I18NEXT_NO_SUPPORT_NOTICE = '1';

// Jest configuration provided by Grafana scaffolding
const base = require('./.config/jest.config');
const { grafanaESModules, nodeModulesToTransform } = require('./.config/jest/utils');

module.exports = {
  ...base,
  // The scaffold's patterns (src/) plus the deployment bundle's static checks (e2e/static, Node environment).
  // App-page tests render the real @grafana/ui; on a busy 2-core CI machine one can take over Jest's 5 s default.
  // A limit on how long to wait, not a speed assertion (speed is measured in bench/).
  testTimeout: 30000,
  testMatch: [...base.testMatch, '<rootDir>/e2e/static/**/*.test.ts'],
  // The browser specs (layer 1 in e2e/local, layer 2 in e2e/stack) are Playwright's, never Jest's.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/e2e/local/', '<rootDir>/e2e/stack/'],
  transform: {
    ...base.transform,
    // d3-color (pulled in by @grafana/data) ships only .mjs files; the scaffold's
    // transform regex only matches .js/.jsx/.ts/.tsx, so .mjs would reach Jest untransformed.
    '^.+\\.mjs$': base.transform['^.+\\.(t|j)sx?$'],
  },
  // @grafana/flamegraph imports the whole of d3, whose parts (d3-array, d3-scale, …) and their dependencies ship
  // only ES modules: transformed too, beside the scaffold's list.
  transformIgnorePatterns: [
    nodeModulesToTransform([...grafanaESModules, 'd3-[a-z-]+', 'internmap', 'delaunator', 'robust-predicates']),
  ],
};
