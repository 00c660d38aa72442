// The demo's tests start real processes (Redis, Prometheus, Chromium, the services) and talk to them over
// 127.0.0.1. They run one file at a time: timing-based assertions need the machine's two cores to themselves.
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
  },
  maxWorkers: 1,
  testTimeout: 60_000,
  verbose: true,
};
