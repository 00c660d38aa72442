// Jest setup provided by Grafana scaffolding. It patches browser globals (canvas, matchMedia, …), so it runs
// only in the jsdom environment; the engine and CLI tests run in Jest's `node` environment, which has none.
if (typeof window !== 'undefined') {
  require('./.config/jest-setup');
  // Rendering a whole app page with the real @grafana/ui takes a few seconds on a busy 2-core CI machine; Testing
  // Library's 1 s default for findBy*/waitFor then fails tests that are correct. This is how long to WAIT for the
  // UI, not a speed assertion (speed is measured in bench/).
  require('@testing-library/react').configure({ asyncUtilTimeout: 10000 });
}
