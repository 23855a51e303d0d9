// Every PromQL string of the pack parses and selects only series that exist: catalogue metrics, recording rules, Prometheus' own.
import { describe, expect, it } from 'vitest';
import {
  alertRules,
  dashboardFiles,
  dashboardQueries,
  durationMs,
  recordingRules,
  runbookQueries,
  substituteVariables,
} from './support/pack.js';
import { knownSeries, parsePromql } from './support/promql.js';

interface Sourced {
  readonly where: string;
  readonly expr: string;
}

function packQueries(): Sourced[] {
  return [
    ...recordingRules().map((r) => ({ where: `recording rule ${r.record}`, expr: r.expr })),
    ...alertRules().map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })),
    ...dashboardFiles().flatMap(({ file, json }) =>
      dashboardQueries(file, json).map((q) => ({ where: `${q.dashboard} ${q.where}`, expr: substituteVariables(q.expr) })),
    ),
    ...runbookQueries().map((expr) => ({ where: 'runbook', expr })),
  ];
}

describe('PromQL of the rules pack', () => {
  const queries = packQueries();
  const recorded = new Set(recordingRules().map((r) => r.record));
  const known = knownSeries();

  it('finds queries in rules, alerts, dashboards and the runbook', () => {
    const sources = new Set(queries.map((q) => q.where.split(' ')[0]));
    expect([...sources]).toEqual(expect.arrayContaining(['recording', 'alert', 'runbook', 'agentswarm-overview.json']));
    expect(queries.length).toBeGreaterThan(100);
  });

  it('parses every query without an error node', () => {
    const failures = queries.flatMap((q) => parsePromql(q.expr).errors.map((e) => `${q.where}: ${e}`));
    expect(failures).toEqual([]);
  });

  it('selects only catalogue metrics, recording rules or series Prometheus generates', () => {
    const unknown = queries.flatMap((q) =>
      parsePromql(q.expr)
        .selectors.filter((s) => !known.has(s.metric) && !recorded.has(s.metric))
        .map((s) => `${q.where}: ${s.metric}`),
    );
    expect(unknown).toEqual([]);
  });

  it('matches catalogue metrics only on labels they have', () => {
    const wrong = queries.flatMap((q) =>
      parsePromql(q.expr).selectors.flatMap((s) => {
        const labels = known.get(s.metric);
        if (labels === undefined || labels === 'any') return [];
        return s.labels.filter((l) => l !== '__name__' && !labels.has(l)).map((l) => `${q.where}: ${s.metric}{${l}}`);
      }),
    );
    expect(wrong).toEqual([]);
  });

  it('names every recording rule level:metric:operations', () => {
    const bad = recordingRules()
      .map((r) => r.record)
      .filter((name) => !/^[a-z_]+:[a-z_]+:[a-z0-9_]+$/.test(name));
    expect(bad).toEqual([]);
  });

  it('gives each windowed SLI rule the range its name says', () => {
    const windowed = recordingRules().filter((r) => /:weighted_avg\d+[mhd]$/.test(r.record));
    expect(windowed.map((r) => r.record.replace(/.*weighted_avg/, ''))).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d']);
    for (const rule of windowed) {
      const window = rule.record.replace(/.*weighted_avg/, '');
      const ranges = [...rule.expr.matchAll(/\[(\w+)\]/g)].map((m) => durationMs(m[1] ?? ''));
      expect(ranges, rule.record).toEqual([durationMs(window), durationMs(window)]);
    }
  });

  it('keeps dashboards on recording rules where one already aggregates the same metric', () => {
    // A recording rule `op by (labels) (metric)` makes the same aggregation in a dashboard redundant.
    const recordedAggregations = new Map<string, string>();
    for (const rule of recordingRules()) {
      const parsed = parsePromql(rule.expr);
      const only = parsed.aggregations[0];
      if (parsed.aggregations.length === 1 && rule.expr.trim().startsWith(only?.op ?? '?')) {
        recordedAggregations.set(`${only?.op} by (${only?.by.join(',')}) (${only?.metric})`, rule.record);
      }
    }
    expect(recordedAggregations.size).toBeGreaterThan(10);
    const redundant = dashboardFiles().flatMap(({ file, json }) =>
      dashboardQueries(file, json).flatMap((q) =>
        parsePromql(substituteVariables(q.expr)).aggregations.flatMap((a) => {
          const rule = recordedAggregations.get(`${a.op} by (${a.by.join(',')}) (${a.metric})`);
          return rule === undefined ? [] : [`${q.dashboard} ${q.where}: use ${rule}`];
        }),
      ),
    );
    expect(redundant).toEqual([]);
  });
});

describe('PromQL inspection helper', () => {
  it.each([
    ['sum by (swarm) (agentswarm_agent_up{swarm="s1"})', [], ['agentswarm_agent_up']],
    ['rate(agentswarm_ingest_samples_total[5m]) > 0', [], ['agentswarm_ingest_samples_total']],
    ['sum by (swarm (agentswarm_agent_up)', ['error'], []],
    ['agentswarm_agent_up{swarm=}', ['error'], []],
  ])('reports errors and selectors of %s', (expr, errors, metrics) => {
    const parsed = parsePromql(expr);
    expect(parsed.errors.length > 0).toBe(errors.length > 0);
    if (errors.length === 0) expect(parsed.selectors.map((s) => s.metric)).toEqual(metrics);
  });

  it('flags a metric the catalogue does not have', () => {
    const known = knownSeries();
    expect(known.has('agentswarm_agent_up')).toBe(true);
    expect(known.has('agentswarm_coordination_task_duration_seconds_bucket')).toBe(true);
    expect(known.has('agentswarm_coordination_task_duration_seconds')).toBe(false);
    expect(known.has('agentswarm_agent_uptime')).toBe(false);
  });
});
