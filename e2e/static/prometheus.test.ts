/** @jest-environment node */
/**
 * Prometheus, checked by Prometheus' own promtool (Debian's `prometheus` package, 2.42; CI installs it through
 * .ci/run): the config file, and every PromQL expression of the dashboards, the alert rule and the trace-to-metrics
 * links (with Grafana's variables replaced by concrete values). Without promtool the suite fails on CI (CI=true)
 * and is skipped locally.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { DATASOURCES } from './lib/contracts';
import { concretePromql, loadProvisioning, queries } from './lib/provisioning';
import { ON_CI, findExecutable, missingTool, readText, readYaml, run } from './lib/repo';

const promtool = findExecutable('promtool', process.env.PROMTOOL);

if (!promtool && ON_CI) {
  test('promtool is installed (CI installs the Debian prometheus package)', () => {
    throw new Error(missingTool('promtool', 'apt-get install prometheus'));
  });
}

const describeWithPromtool = promtool ? describe : describe.skip;

describeWithPromtool('promtool', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hotpath-promtool-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const checkConfig = (text: string) => {
    const file = join(dir, `prometheus-${Math.random().toString(36).slice(2)}.yml`);
    writeFileSync(file, text);
    return run(promtool as string, ['check', 'config', file]);
  };

  const checkRules = (exprs: Array<{ name: string; expr: string }>) => {
    const file = join(dir, `rules-${Math.random().toString(36).slice(2)}.yml`);
    const rules = exprs.map((e, i) => ({
      record: `hotpath:check_${i}`,
      expr: e.expr,
      labels: { origin: e.name.replace(/[^A-Za-z0-9 _.-]/g, '_') },
    }));
    writeFileSync(file, YAML.stringify({ groups: [{ name: 'hotpath-static-check', rules }] }));
    return run(promtool as string, ['check', 'rules', file]);
  };

  it('accepts deploy/prometheus/prometheus.yml', () => {
    const result = checkConfig(readText('deploy/prometheus/prometheus.yml'));
    expect(result.stderr + result.stdout).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  it('rejects a copy with a Prometheus-3-only top-level block or a misspelt key', () => {
    const withOtlp = `${readText('deploy/prometheus/prometheus.yml')}\notlp:\n  promote_resource_attributes: [service.name]\n`;
    const otlp = checkConfig(withOtlp);
    expect(otlp.status).not.toBe(0);
    expect(otlp.stderr + otlp.stdout).toMatch(/field otlp not found/);
    const typo = checkConfig(
      readText('deploy/prometheus/prometheus.yml').replace('scrape_interval:', 'scrape_intervall:')
    );
    expect(typo.status).not.toBe(0);
  });

  it('parses every PromQL expression of the dashboards, the alert rule and the data source links', () => {
    const promUid = DATASOURCES.prometheus.uid;
    const exprs = queries(loadProvisioning())
      .filter((q) => q.datasourceUid === promUid && !q.origin.includes('variable'))
      .map((q) => ({ name: q.origin, expr: concretePromql(q.expr) }));
    expect(exprs.length).toBeGreaterThanOrEqual(12);
    const result = checkRules(exprs);
    expect({ status: result.status, output: result.stderr }).toEqual({ status: 0, output: expect.any(String) });
    expect(result.stdout).toContain(`SUCCESS: ${exprs.length} rules found`);
  });

  it('rejects a copy of a query with a syntax error', () => {
    const alert = readYaml<{ groups: Array<{ rules: Array<{ data: Array<{ model: { expr?: string } }> }> }> }>(
      'provisioning/alerting/hotpath-alerts.yaml'
    );
    const expr = alert.groups[0].rules[0].data[0].model.expr as string;
    const result = checkRules([{ name: 'broken alert', expr: expr.replace('sum by (le)', 'sum by le') }]);
    expect(result.status).not.toBe(0);
  });
});

/**
 * Debian's Prometheus (2.42) runs the real-server tests (e2e/servers/journey.test.ts); the bundle runs v3. The v3
 * changes that could make a query behave differently there than under test (prometheus/prometheus
 * docs/migration.md): `le`/`quantile` values normalised to floats (`le="1"` stops matching), `.` in regular
 * expressions matching newlines, `holt_winters` renamed, and range selectors open on the left (a window must
 * hold two samples without its left edge: at least twice the 15 s scrape interval).
 */
describe('the provisioned PromQL avoids what Prometheus 3 changed', () => {
  const promql = queries(loadProvisioning()).filter(
    (q) => q.datasourceUid === DATASOURCES.prometheus.uid && !q.origin.includes('variable')
  );

  it.each(promql.map((q) => [q.origin, q.expr]))('%s', (_origin, expr) => {
    expect(expr).not.toMatch(/\b(le|quantile)\s*!?=~?\s*"\d+"/);
    expect(expr).not.toMatch(/[=!]~/);
    expect(expr).not.toMatch(/\bholt_winters\b/);
    for (const [, amount, unit] of expr.matchAll(/\[(\d+)([smhd])\]/g)) {
      const seconds = Number(amount) * { s: 1, m: 60, h: 3600, d: 86400 }[unit as 's' | 'm' | 'h' | 'd'];
      expect(seconds).toBeGreaterThanOrEqual(30);
    }
  });
});
