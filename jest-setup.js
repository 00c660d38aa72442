// Jest setup provided by Grafana scaffolding. It patches browser globals (canvas, matchMedia, …), so it runs
// only in the jsdom environment; the engine and CLI tests run in Jest's `node` environment, which has none.
if (typeof window !== 'undefined') {
  require('./.config/jest-setup');
}
