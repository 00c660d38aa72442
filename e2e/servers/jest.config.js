// The real-server tests (e2e/servers): the Jaeger binary and the Kafka broker that `npm run tools` installs, run on
// free 127.0.0.1 ports. `npm run test:servers` installs the tools, then runs these one file at a time: each file
// starts JVMs and Go servers of its own, and the machine has two cores.
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
  },
  maxWorkers: 1,
  // How long to wait for servers to start and answer, not a speed assertion (speed goes in bench/).
  testTimeout: 180_000,
  verbose: true,
};
