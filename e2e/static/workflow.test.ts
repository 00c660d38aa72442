/** @jest-environment node */
/**
 * .github/workflows/ci.yml runs what .ci/run runs (`npm run ci`, script by script), with the toolchains the
 * real-server tests need, and takes the servers' releases from tools/versions.json only (through tools/jaeger/go.mod
 * and tools/kafka/pom.xml, which e2e/static/versions.test.ts keeps in step with it).
 */
import { clone, parseYaml, readJson, readText } from './lib/repo';
import { VERSIONS } from './lib/versions';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
interface Workflow {
  jobs: Record<string, { steps?: Step[]; env?: Record<string, string> }>;
}

const WORKFLOW = '.github/workflows/ci.yml';
const workflowText = readText(WORKFLOW);
const workflow = parseYaml<Workflow>(workflowText);

/** The npm scripts `npm run ci` chains (package.json), in order. */
function ciScripts(): string[] {
  const ci = readJson<{ scripts: Record<string, string> }>('package.json').scripts.ci;
  return ci.split('&&').map((part) => {
    const match = /^\s*npm run (\S+)\s*$/.exec(part);
    if (!match) {
      throw new Error(`npm run ci: "${part.trim()}" is not an npm script`);
    }
    return match[1];
  });
}

/** Where each `npm run <script>` runs: job and step index. */
function scriptSteps(w: Workflow, script: string): Array<{ job: string; index: number }> {
  const pattern = new RegExp(`(^|[\\s;&|])npm run ${script.replace(/[:.]/g, '\\$&')}(\\s|$)`, 'm');
  return Object.entries(w.jobs).flatMap(([job, { steps }]) =>
    (steps ?? []).flatMap((step, index) => (pattern.test(step.run ?? '') ? [{ job, index }] : []))
  );
}

/** Problems: a script of `npm run ci` no job runs; layer 1 before its runtimes; real servers without Go or Java 17. */
function checkWorkflow(w: Workflow): string[] {
  const problems: string[] = [];
  for (const script of ciScripts()) {
    if (scriptSteps(w, script).length === 0) {
      problems.push(`npm run ci runs ${script}, no job of ${WORKFLOW} does`);
    }
  }
  for (const local of scriptSteps(w, 'e2e:local')) {
    const steps = w.jobs[local.job].steps ?? [];
    if (!scriptSteps(w, 'e2e:runtimes').some((r) => r.job === local.job && r.index < local.index)) {
      problems.push(`job ${local.job}: npm run e2e:local before npm run e2e:runtimes`);
    }
    const chromium = steps
      .slice(0, local.index)
      .some((step) => /CHROMIUM_PATH=.*>>\s*"?\$GITHUB_ENV/.test(step.run ?? ''));
    if (!chromium && !w.jobs[local.job].env?.CHROMIUM_PATH) {
      problems.push(`job ${local.job}: no CHROMIUM_PATH for layer 1 (the runner has no /usr/bin/chromium)`);
    }
  }
  for (const servers of scriptSteps(w, 'test:servers')) {
    const before = (w.jobs[servers.job].steps ?? []).slice(0, servers.index);
    const go = before.find((step) => step.uses?.startsWith('actions/setup-go@'));
    const java = before.find((step) => step.uses?.startsWith('actions/setup-java@'));
    if (go?.with?.['go-version-file'] !== 'tools/jaeger/go.mod') {
      problems.push(`job ${servers.job}: test:servers without actions/setup-go on tools/jaeger/go.mod before it`);
    }
    if (java?.with?.distribution !== 'temurin' || String(java?.with?.['java-version']) !== '17') {
      problems.push(`job ${servers.job}: test:servers without actions/setup-java (temurin 17) before it`);
    }
  }
  return problems;
}

/** Release numbers of tools/versions.json written into a text (they belong in tools/ only). */
function releaseLiterals(text: string): string[] {
  const releases = [
    VERSIONS.jaeger.tag,
    VERSIONS.jaeger.goModuleVersion,
    VERSIONS.kafka.tag,
    VERSIONS.kafka.mavenVersion,
  ];
  return [...new Set(releases)].filter((release) =>
    new RegExp(`(^|[^0-9.])${release.replace(/\./g, '\\.')}([^0-9.]|$)`).test(text)
  );
}

describe(WORKFLOW, () => {
  it('runs every script of npm run ci; layer 1 after its runtimes, in a known Chromium; real servers with Go and Java 17', () => {
    expect(ciScripts()).toEqual(expect.arrayContaining(['test:servers', 'e2e:runtimes', 'e2e:local', 'test:demo']));
    expect(checkWorkflow(workflow)).toEqual([]);
  });

  it('fails on a workflow that skips a script, reorders layer 1 or loses a toolchain', () => {
    const bad = clone(workflow);
    for (const job of Object.values(bad.jobs)) {
      job.steps = (job.steps ?? []).filter((step) => !/npm run (test:demo|e2e:runtimes)\b/.test(step.run ?? ''));
      for (const step of job.steps) {
        if (step.uses?.startsWith('actions/setup-java@')) {
          step.with = { ...step.with, 'java-version': '21' };
        }
        if (/CHROMIUM_PATH/.test(step.run ?? '')) {
          step.run = 'npx playwright install --with-deps chromium';
        }
      }
    }
    const [servers] = Object.entries(bad.jobs).find(([, job]) =>
      (job.steps ?? []).some((step) => /npm run test:servers/.test(step.run ?? ''))
    )!;
    const [layer1] = Object.entries(bad.jobs).find(([, job]) =>
      (job.steps ?? []).some((step) => /npm run e2e:local/.test(step.run ?? ''))
    )!;
    expect(checkWorkflow(bad)).toEqual([
      `npm run ci runs test:demo, no job of ${WORKFLOW} does`,
      `npm run ci runs e2e:runtimes, no job of ${WORKFLOW} does`,
      `job ${layer1}: npm run e2e:local before npm run e2e:runtimes`,
      `job ${layer1}: no CHROMIUM_PATH for layer 1 (the runner has no /usr/bin/chromium)`,
      `job ${servers}: test:servers without actions/setup-java (temurin 17) before it`,
    ]);
  });

  it("writes no server release itself: Jaeger's and Kafka's come from tools/ (versions.json, go.mod, pom.xml)", () => {
    expect(releaseLiterals(workflowText)).toEqual([]);
    expect(workflowText).toContain('go-version-file: tools/jaeger/go.mod');
    expect(workflowText).toContain('cache-dependency-path: tools/kafka/pom.xml');
    expect(
      releaseLiterals(
        `${workflowText}\n      - run: go install ${VERSIONS.jaeger.goModule}/cmd/jaeger@${VERSIONS.jaeger.goModuleVersion}\n`
      )
    ).toEqual([VERSIONS.jaeger.goModuleVersion]);
    expect(releaseLiterals(`image: ${VERSIONS.jaeger.image}:${VERSIONS.jaeger.tag}`)).toEqual([VERSIONS.jaeger.tag]);
  });
});
