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

  /**
   * The critical-path share alert's logic, run by promtool on made-up counters (`promtool test rules`): its query A
   * with the threshold of its condition C (`> 2`) as a Prometheus alerting rule, at one-minute samples over 7 hours.
   * Operations (critical-path seconds per minute; traces per minute the operation occurs in):
   *   frontend/GET /         30 s, 20 traces        steady
   *   backend/redis          10 s, 20 traces        steady
   *   backend/hget            2 s, 20 traces        jumps to 40 s for the last 15 minutes: fires
   *   backend/tiny         0.02 s, 20 traces        jumps tenfold, but stays far under 10 % of the critical path
   *   backend/rare            1 s,  5 traces        jumps twentyfold, but in 50 traces per 10 minutes (< 100)
   * and the same with every operation's traffic tripled instead (shares unchanged): silent.
   */
  describe('the critical-path share alert, unit-tested with promtool test rules', () => {
    const MINUTES = 420;
    const JUMP_AT = 405;
    /** A counter growing `before` per minute, then `after` per minute from minute JUMP_AT + 1 (promtool notation). */
    const counter = (before: number, after: number) =>
      `0+${before}x${JUMP_AT} ${before * JUMP_AT + after}+${after}x${MINUTES - JUMP_AT - 1}`;
    const series = (ops: Array<[string, number, number, number, number]>) =>
      ops.flatMap(([op, seconds, jumped, traces, tracesJumped]) => {
        const [service, operation] = op.split('/');
        const labels = `{service="${service}",operation="${operation}"}`;
        return [
          { series: `hotpath_critical_path_seconds_total${labels}`, values: counter(seconds, jumped) },
          { series: `hotpath_trace_critical_path_seconds_count${labels}`, values: counter(traces, tracesJumped) },
        ];
      });
    const ONE_JUMPS = series([
      ['frontend/GET /', 30, 30, 20, 20],
      ['backend/redis', 10, 10, 20, 20],
      ['backend/hget', 2, 40, 20, 20],
      ['backend/tiny', 0.02, 0.2, 20, 20],
      ['backend/rare', 1, 20, 5, 5],
    ]);
    const TRAFFIC_TRIPLES = series([
      ['frontend/GET /', 30, 90, 20, 60],
      ['backend/redis', 10, 30, 20, 60],
      ['backend/hget', 2, 6, 20, 60],
    ]);

    const rule = () => {
      const found = loadProvisioning()
        .alerting.groups.flatMap((g: any) => g.rules)
        .find((r: any) => r.uid === 'hotpath-critical-path-share-jump');
      const condition = found.data.find((d: any) => d.refId === found.condition).model;
      expect(condition).toMatchObject({ type: 'threshold', expression: 'A' });
      const [{ evaluator }] = condition.conditions;
      expect(evaluator.type).toBe('gt');
      return { expr: found.data.find((d: any) => d.refId === 'A').model.expr as string, above: evaluator.params[0] };
    };

    /** `promtool test rules` on the alert (with `expr` in place of query A): its status and output. */
    const testAlert = (expr: string, above: number) => {
      const name = Math.random().toString(36).slice(2);
      const alert = { alert: 'CriticalPathShareJump', expr: `(\n${expr}\n) > ${above}` };
      writeFileSync(join(dir, `alert-${name}.yml`), YAML.stringify({ groups: [{ name: 'share', rules: [alert] }] }));
      const fires = (labels: Array<[string, string]>) =>
        labels.map(([service, operation]) => ({ exp_labels: { service, operation } }));
      const tests = [
        {
          interval: '1m',
          input_series: ONE_JUMPS,
          alert_rule_test: [
            { eval_time: '6h40m', alertname: 'CriticalPathShareJump', exp_alerts: [] },
            { eval_time: '7h', alertname: 'CriticalPathShareJump', exp_alerts: fires([['backend', 'hget']]) },
          ],
        },
        {
          interval: '1m',
          input_series: TRAFFIC_TRIPLES,
          alert_rule_test: [{ eval_time: '7h', alertname: 'CriticalPathShareJump', exp_alerts: [] }],
        },
      ];
      const file = join(dir, `alert-${name}.test.yml`);
      writeFileSync(file, YAML.stringify({ rule_files: [`alert-${name}.yml`], evaluation_interval: '1m', tests }));
      const result = run(promtool as string, ['test', 'rules', file]);
      return { status: result.status, output: `${result.stdout}${result.stderr}` };
    };

    it('fires for the operation whose share jumped, not for a tiny or a rare one, nor for traffic growing', () => {
      const { expr, above } = rule();
      const result = testAlert(expr, above);
      expect(result).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
    });

    it('fails without the traffic floor (rare fires), the share floor (tiny fires), or a baseline before the window', () => {
      const { expr, above } = rule();
      // The traffic floor is the last `and on (service, operation) (…)` clause.
      const noTrafficFloor = expr.slice(0, expr.lastIndexOf('and on (service, operation)'));
      expect(noTrafficFloor).not.toContain('increase');
      const rare = testAlert(noTrafficFloor, above);
      expect(rare.status).not.toBe(0);
      expect(rare.output).toMatch(/operation="rare"/);
      // The share floor is the clause before it.
      const first = expr.indexOf('and on (service, operation)');
      const noShareFloor = expr.slice(0, first) + expr.slice(expr.lastIndexOf('and on (service, operation)'));
      const tiny = testAlert(noShareFloor, above);
      expect(tiny.status).not.toBe(0);
      expect(tiny.output).toMatch(/operation="tiny"/);
      const noBaseline = testAlert(expr.replaceAll('[6h] offset 10m', '[10m]'), above);
      expect(noBaseline.status).not.toBe(0);
    });
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
