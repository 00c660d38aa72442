/**
 * Every shipped Jaeger config (deploy/jaeger/*.yaml) on the real Jaeger v2 binary (tools/bin/jaeger, the release
 * pinned in tools/versions.json): `jaeger validate` accepts it, and it starts and reports healthy with nothing but
 * its `${env:…}` addresses set, to free loopback ports, exactly the variables compose and Kubernetes set
 * (e2e/static/jaeger-loki.test.ts). The servers a config calls are real where we have them (a Kafka broker); the
 * production config's OpenSearch is not available here, so that config is validated and shown to stop at the storage.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { answers } from '../../demo/test/harness/http';
import { freePort } from '../../demo/test/harness/process';
import { JAEGER_COMPONENTS, jaegerVariableKind } from '../static/lib/configs';
import { listFiles, parseYaml, readText, readYaml, repoPath } from '../static/lib/repo';
import { Jaeger, configVariables, loopbackEnv, requireJaegerBinary, validateJaegerConfig } from './lib/jaeger';
import { KafkaBroker } from './lib/kafka';

const CONFIGS = listFiles('deploy/jaeger')
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => `deploy/jaeger/${name}`);

/** Configs that need a server we cannot run here: they are validated, and must fail to start for that reason only. */
const NEEDS_OPENSEARCH = (file: string) => configVariables(file).includes('OPENSEARCH_URL');

let kafka: KafkaBroker | undefined;
/** An address where nothing listens (a free port nobody takes): Jaeger must start without reaching it. */
let nowhere = '';

beforeAll(async () => {
  requireJaegerBinary();
  nowhere = `127.0.0.1:${await freePort()}`;
  if (CONFIGS.some((file) => configVariables(file).some((v) => v.endsWith('_BROKERS')))) {
    kafka = await KafkaBroker.start();
  }
});

afterAll(async () => {
  await kafka?.dispose();
});

/** The servers a config calls: the real broker; Prometheus (SPM reads it per request) and OpenSearch nowhere. */
function upstreams(): Record<string, string> {
  return {
    PROMETHEUS_URL: `http://${nowhere}`,
    OPENSEARCH_URL: `http://${nowhere}`,
    OPENSEARCH_USERNAME: 'hotpath',
    OPENSEARCH_PASSWORD: 'not-a-secret',
    ...(kafka ? { KAFKA_BROKERS: kafka.bootstrap } : {}),
  };
}

it('the binary contains exactly the components the static checks allow (jaeger components)', () => {
  const result = spawnSync(requireJaegerBinary(), ['components'], { encoding: 'utf8', timeout: 60_000 });
  expect(result.status).toBe(0);
  const components = parseYaml<Record<string, Array<{ name: string }>>>(result.stdout);
  for (const [kind, names] of Object.entries(JAEGER_COMPONENTS)) {
    expect({ kind, names: (components[kind] ?? []).map((c) => c.name).sort() }).toEqual({
      kind,
      names: [...names].sort(),
    });
  }
});

describe.each(CONFIGS)('%s', (file) => {
  it('reads only addresses (and credentials) from the environment', () => {
    expect(configVariables(file).filter((v) => !jaegerVariableKind(v))).toEqual([]);
  });

  it('passes `jaeger validate` with loopback addresses', async () => {
    const result = validateJaegerConfig(repoPath(file), await loopbackEnv(file, upstreams()));
    expect({ ok: result.ok, output: result.ok ? '' : result.output }).toEqual({ ok: true, output: '' });
  });

  if (NEEDS_OPENSEARCH(file)) {
    it('starts up to its OpenSearch storage, and stops there for want of one (none can run here)', async () => {
      const jaeger = Jaeger.launch(repoPath(file), await loopbackEnv(file, upstreams()));
      try {
        const exit = await jaeger.exited(120_000);
        expect(exit.code).not.toBe(0);
        // The failure is the unreachable cluster at the configured address, in the trace storage, not the config.
        const storage = readYaml<any>(file).extensions.jaeger_query.storage.traces;
        expect(jaeger.tail(200)).toContain(`failed to initialize storage '${storage}'`);
        expect(jaeger.tail(200)).toContain(`"http://${nowhere}": dial tcp ${nowhere}: connect: connection refused`);
      } finally {
        await jaeger.dispose();
      }
    });
  } else {
    it('starts and reports healthy on its health endpoint (and its query API answers, if it serves one)', async () => {
      const env = await loopbackEnv(file, upstreams());
      const jaeger = await Jaeger.start(repoPath(file), env);
      try {
        expect(await answers(jaeger.healthUrl)).toBe(true);
        if ('JAEGER_QUERY_HTTP_ENDPOINT' in env) {
          expect((await jaeger.query('/api/services')).status).toBe(200);
        }
      } finally {
        await jaeger.dispose();
      }
    });
  }
});

describe('the real validate can fail', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'hotpath-jaeger-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rejects a key the pinned release does not know, naming it', async () => {
    const file = 'deploy/jaeger/config.yaml';
    // A misspelt max_traces: without validation, the memory store would silently keep its default size.
    const broken = readText(file).replace(/^( +)max_traces: /m, '$1max_trace: ');
    expect(broken).not.toBe(readText(file));
    writeFileSync(path.join(dir, 'config.yaml'), broken);
    const result = validateJaegerConfig(path.join(dir, 'config.yaml'), await loopbackEnv(file, upstreams()));
    expect(result.ok).toBe(false);
    expect(result.output).toContain('max_trace');
  });

  it('rejects a config whose address variables are not set', () => {
    const result = validateJaegerConfig(repoPath('deploy/jaeger/config.yaml'), {});
    expect(result.ok).toBe(false);
  });
});
