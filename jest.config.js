// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

// Jest configuration provided by Grafana scaffolding
const base = require('./.config/jest.config');

module.exports = {
  ...base,
  // The scaffold's patterns (src/) plus the deployment bundle's static checks (e2e/static, Node environment).
  testMatch: [...base.testMatch, '<rootDir>/e2e/static/**/*.test.ts'],
  transform: {
    ...base.transform,
    // d3-color (pulled in by @grafana/data) ships only .mjs files; the scaffold's
    // transform regex only matches .js/.jsx/.ts/.tsx, so .mjs would reach Jest untransformed.
    '^.+\\.mjs$': base.transform['^.+\\.(t|j)sx?$'],
  },
};
