import { defineConfig } from 'eslint/config';
import baseConfig from './.config/eslint.config.mjs';

export default defineConfig([
  {
    ignores: [
      '**/logs',
      '**/*.log',
      '**/npm-debug.log*',
      '**/yarn-debug.log*',
      '**/yarn-error.log*',
      '**/.pnpm-debug.log*',
      '**/node_modules/',
      '.yarn/cache',
      '.yarn/unplugged',
      '.yarn/build-state.yml',
      '.yarn/install-state.gz',
      '**/.pnp.*',
      '**/pids',
      '**/*.pid',
      '**/*.seed',
      '**/*.pid.lock',
      '**/lib-cov',
      '**/coverage',
      '**/dist/',
      'dist-cli/',
      'bench/data/',
      '**/artifacts/',
      '**/work/',
      '**/ci/',
      'test-results/',
      'playwright-report/',
      'blob-report/',
      'playwright/.cache/',
      'playwright/.auth/',
      '**/.idea',
      '**/.eslintcache',
    ],
  },
  ...baseConfig,
  // Layers: views render what they are given. src/components takes the view contract from src/state and gets links
  // and log counts as `TraceLinks` from the panel and pages (built in src/data); it never imports src/data itself.
  // Its tests may, to build realistic inputs (the data layer's worded errors). src/state sits below both.
  {
    files: ['src/components/**/*.{ts,tsx}'],
    ignores: ['src/components/**/*.test.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          // moment stays restricted as in @grafana/eslint-config (this rule replaces the base one here).
          paths: ['moment'],
          patterns: [
            {
              regex: '^(\\.{1,2}/)*(src/)?data(/|$)',
              message:
                'Components render what they are given: import types and limits from src/state, take links as props.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/state/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          // moment stays restricted as in @grafana/eslint-config (this rule replaces the base one here).
          paths: ['moment'],
          patterns: [
            {
              regex: '^(\\.{1,2}/)*(src/)?(data|components|pages|panels)(/|$)',
              message: 'src/state is the contract below views and data: it imports neither.',
            },
          ],
        },
      ],
    },
  },
  // The deployment bundle's static checks (Jest, Node): lint them with the same rules as src/.
  {
    files: ['e2e/static/**/*.ts'],
  },
  // Layer 1 of the end-to-end suite: the harness, its support code and the Playwright specs run here.
  {
    files: ['e2e/local/**/*.ts', 'e2e/support/**/*.ts', 'e2e/harness/**/*.ts', 'e2e/local.config.ts'],
  },
  // The demo services, load generator and their tests (demo/dist/ is ignored above by **/dist/).
  {
    files: ['demo/**/*.ts'],
  },
  // The real-server tests (Jest against Jaeger, Kafka, Prometheus, Redis started by the tests) and the benchmarks.
  {
    files: ['e2e/servers/**/*.ts', 'bench/**/*.ts'],
  },
  // Layer 2 of the end-to-end suite (@grafana/plugin-e2e against the real stack) and its Playwright config.
  {
    files: ['e2e/stack/**/*.ts', 'playwright.config.ts'],
  },
]);
