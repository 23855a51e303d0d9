// The rules pack against Prometheus 2.42's own tooling: promtool check rules / check config / test rules.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { findBinary } from '../support/promtool.js';
import {
  PROMETHEUS_CONFIG,
  PROMTOOL_TESTS_DIR,
  alertKey,
  alertRules,
  allRuleFiles,
  dashboardFiles,
  dashboardQueries,
  durationMs,
  promtoolTestFiles,
  recordingRules,
  substituteVariables,
} from './support/pack.js';

const promtool = findBinary('promtool');

function run(args: readonly string[], cwd?: string): { status: number; output: string } {
  const result = spawnSync(promtool ?? 'promtool', args, { encoding: 'utf8', timeout: 60_000, cwd });
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

describe.skipIf(promtool === undefined)('promtool (Prometheus 2.42)', () => {
  const temp = mkdtempSync(join(tmpdir(), 'agentswarm-promtool-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('accepts every rule file', () => {
    const files = allRuleFiles().map((f) => f.path);
    const result = run(['check', 'rules', ...files]);
    expect(result.output).not.toMatch(/FAILED/);
    expect(result.status).toBe(0);
  });

  it('accepts prometheus.yml with the rule files it globs', () => {
    const result = run(['check', 'config', PROMETHEUS_CONFIG]);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain(`SUCCESS: ${allRuleFiles().length} rule files found`);
  });

  it('accepts sharded-replicas.yml (n sharded replicas) with the same rule files, without warnings', () => {
    const result = run(['check', 'config', join(dirname(PROMETHEUS_CONFIG), 'sharded-replicas.yml')]);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain(`SUCCESS: ${allRuleFiles().length} rule files found`);
    expect(result.output).not.toMatch(/WARNING/);
  });

  it.each(promtoolTestFiles().map((f) => [basename(f.path)]))('passes the unit tests of %s', (file) => {
    const result = run(['test', 'rules', file], PROMTOOL_TESTS_DIR);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain('SUCCESS');
  });

  it('parses every dashboard query with the 2.42 parser', () => {
    // promtool has no "check query"; as recording rules, the queries go through the same parser.
    const rules = dashboardFiles().flatMap(({ file, json }) =>
      dashboardQueries(file, json).map((q, i) => ({
        record: `dashboard_query_${i}`,
        expr: substituteVariables(q.expr, { swarm: 's1', agent: 'a1', metric: 'cpu_usage' }),
      })),
    );
    const path = join(temp, 'dashboard-queries.rules.yml');
    writeFileSync(path, stringify({ groups: [{ name: 'dashboard-queries', rules }] }));
    const result = run(['check', 'rules', path]);
    expect(result.status, result.output).toBe(0);
  });

  it('fails a unit test whose expected alert is wrong (the harness can fail)', () => {
    const broken = join(temp, 'broken.test.yml');
    const ruleFile = resolve(allRuleFiles().find((f) => f.path.endsWith('agentswarm-agents.rules.yml'))?.path ?? '');
    writeFileSync(
      broken,
      stringify({
        rule_files: [relative(temp, ruleFile)],
        evaluation_interval: '30s',
        tests: [
          {
            interval: '30s',
            input_series: [{ series: 'agentswarm_agent_up{swarm="s1",agent="a"}', values: '0x10' }],
            alert_rule_test: [
              { eval_time: '30s', alertname: 'AgentSwarmAgentDown', exp_alerts: [{ exp_labels: { swarm: 's1', agent: 'a' } }] },
            ],
          },
        ],
      }),
    );
    const result = run(['test', 'rules', broken]);
    expect(result.status).not.toBe(0);
  });
});

describe('rule files', () => {
  it('have distinct file names, so they can share one rules directory', () => {
    const names = allRuleFiles().map((f) => basename(f.path));
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it('have distinct group names', () => {
    const names = allRuleFiles().flatMap((f) => f.groups.map((g) => g.name));
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });
});

describe('promtool unit test coverage', () => {
  const files = promtoolTestFiles();
  const groups = allRuleFiles().flatMap((f) => f.groups.map((g) => g.name));

  it('loads every rule file and orders every group in every test file', () => {
    const ruleFiles = allRuleFiles()
      .map((f) => f.path)
      .sort();
    for (const file of files) {
      expect(file.rule_files.map((r) => resolve(PROMTOOL_TESTS_DIR, r)).sort(), file.path).toEqual(ruleFiles);
      expect([...(file.group_eval_order ?? [])].sort(), file.path).toEqual([...groups].sort());
    }
  });

  it('evaluates at the interval of prometheus.yml', () => {
    for (const file of files) expect(file.evaluation_interval, file.path).toBe('30s');
  });

  it.each(alertRules().map((a) => [alertKey(a), a] as const))(
    '%s is silent one evaluation before its for: ends and fires after',
    (_key, alert) => {
      const severity = alert.labels?.severity;
      const forMs = durationMs(alert.for ?? '0s');
      const found = files.some((file) => {
        const step = durationMs(file.evaluation_interval ?? '1m');
        return file.tests.some((group) => {
          const cases = (group.alert_rule_test ?? []).filter((t) => t.alertname === alert.alert);
          const fires = (t: (typeof cases)[number]): boolean => (t.exp_alerts ?? []).some((e) => e.exp_labels?.severity === severity);
          return cases.some((firing) => {
            if (!fires(firing) || durationMs(firing.eval_time) < forMs) return false;
            // Every firing case states its annotations exactly.
            const exact = (firing.exp_alerts ?? []).every((e) => Object.keys(e.exp_annotations ?? {}).length === 3);
            const before = cases.find((t) => durationMs(t.eval_time) === durationMs(firing.eval_time) - step);
            return exact && before !== undefined && !fires(before);
          });
        });
      });
      expect(found).toBe(true);
    },
  );

  it.each(recordingRules().map((r) => [r.record]))('recording rule %s has a promql_expr_test with samples', (record) => {
    const tested = files.some((file) =>
      file.tests.some((group) => (group.promql_expr_test ?? []).some((t) => t.expr.trim() === record && (t.exp_samples ?? []).length > 0)),
    );
    expect(tested).toBe(true);
  });
});
