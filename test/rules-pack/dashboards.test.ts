// Grafana dashboards: the committed JSON is the builders' output, passes the lint, and shows every exported metric.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_FILES, renderDashboard } from '../../grafana/builders/index.js';
import { allMetricSpecs } from '../../src/model/metric-catalogue.js';
import {
  REPO,
  allPanels,
  dashboardFiles,
  dashboardQueries,
  recordingRules,
  substituteVariables,
  type DashboardJson,
} from './support/pack.js';
import { parsePromql } from './support/promql.js';

const DATASOURCE_REF = '${datasource}';

/** Every `datasource` object anywhere in a dashboard, with where it was found. */
function datasourceRefs(node: unknown, path = '$'): { path: string; uid: unknown }[] {
  if (Array.isArray(node)) return node.flatMap((v, i) => datasourceRefs(v, `${path}[${i}]`));
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) => {
    const here = `${path}.${key}`;
    const own =
      key === 'datasource' && value !== null && typeof value === 'object' ? [{ path: here, uid: (value as { uid?: unknown }).uid }] : [];
    return [...own, ...datasourceRefs(value, here)];
  });
}

describe('dashboard generation', () => {
  it('commits exactly the JSON the builders produce (run `npx tsx grafana/generate.ts` after a builder change)', () => {
    const committed = dashboardFiles();
    expect(committed.map((d) => d.file)).toEqual(DASHBOARD_FILES.map((d) => d.file).sort());
    for (const { file, build } of DASHBOARD_FILES) {
      const text = readFileSync(join(REPO, 'grafana/dashboards', file), 'utf8');
      expect(text, file).toBe(renderDashboard(build()));
    }
  });
});

describe.each(dashboardFiles().map((d) => [d.file, d.json] as const))('dashboard %s', (_file, dashboard: DashboardJson) => {
  const panels = allPanels(dashboard).filter((p) => p.type !== 'row');

  it('has a Prometheus datasource variable named datasource', () => {
    const variable = dashboard.templating.list.find((v) => v.name === 'datasource');
    expect(variable).toMatchObject({ type: 'datasource', query: 'prometheus' });
  });

  it('references no datasource but the variable', () => {
    const refs = datasourceRefs(dashboard);
    expect(refs.length).toBeGreaterThan(panels.length);
    expect(refs.filter((r) => r.uid !== DATASOURCE_REF)).toEqual([]);
  });

  it('sets a datasource on every panel and query', () => {
    for (const panel of panels) {
      expect(panel.datasource?.uid, panel.title).toBe(DATASOURCE_REF);
      for (const t of panel.targets ?? []) expect(t.datasource?.uid, `${panel.title} ${t.refId}`).toBe(DATASOURCE_REF);
    }
  });

  it('gives every panel a unit, a description and at least one query', () => {
    const missing = panels.flatMap((p) => [
      ...(p.fieldConfig?.defaults?.unit ? [] : [`${p.title}: unit`]),
      ...((p.description ?? '').length >= 20 ? [] : [`${p.title}: description`]),
      ...((p.targets ?? []).length > 0 ? [] : [`${p.title}: query`]),
    ]);
    expect(missing).toEqual([]);
  });

  it('numbers panels with unique ids', () => {
    const ids = allPanels(dashboard).map((p) => p.id);
    expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps panel titles unique', () => {
    const titles = panels.map((p) => p.title);
    expect(titles.filter((t, i) => titles.indexOf(t) !== i)).toEqual([]);
  });

  it('has rows of panels that fit the 24-column grid', () => {
    for (const p of allPanels(dashboard) as unknown as { title: string; gridPos: { x: number; w: number } }[]) {
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
    }
  });
});

describe('the dashboard set', () => {
  const dashboards = dashboardFiles();

  it.each([
    ['agentswarm-overview', ['datasource', 'swarm']],
    ['agentswarm-agent', ['datasource', 'swarm', 'agent']],
    ['agentswarm-correlation', ['datasource', 'swarm', 'metric']],
    ['agentswarm-capacity', ['datasource', 'swarm']],
    ['agentswarm-coordination', ['datasource']],
  ])('has dashboard %s with variables %j', (uid, variables) => {
    const dashboard = dashboards.find((d) => d.json.uid === uid);
    expect(dashboard, uid).toBeDefined();
    expect(dashboard?.json.templating.list.map((v) => v.name)).toEqual(variables);
  });

  it('shows every metric of the exporter somewhere, directly or through a recording rule', () => {
    const rules = new Map(recordingRules().map((r) => [r.record, r.expr]));
    const seen = new Set<string>();
    const visit = (expr: string): void => {
      for (const s of parsePromql(expr).selectors) {
        if (seen.has(s.metric)) continue;
        seen.add(s.metric);
        const ruleExpr = rules.get(s.metric);
        if (ruleExpr !== undefined) visit(ruleExpr);
      }
    };
    for (const { file, json } of dashboards) for (const q of dashboardQueries(file, json)) visit(substituteVariables(q.expr));
    const missing = allMetricSpecs()
      .map((m) => m.name)
      .filter((name) => ![name, `${name}_bucket`, `${name}_count`].some((n) => seen.has(n)));
    expect(missing).toEqual([]);
  });
});

describe('Grafana provisioning', () => {
  it('provisions the default Prometheus datasource with uid prometheus', () => {
    const doc = parseYaml(readFileSync(join(REPO, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as {
      datasources: { uid: string; type: string; isDefault: boolean }[];
    };
    expect(doc.datasources).toEqual([expect.objectContaining({ uid: 'prometheus', type: 'prometheus', isDefault: true })]);
  });

  it('loads the dashboards from the directory docker-compose mounts', () => {
    const doc = parseYaml(readFileSync(join(REPO, 'grafana/provisioning/dashboards/agentswarm.yml'), 'utf8')) as {
      providers: { type: string; options: { path: string } }[];
    };
    const compose = readFileSync(join(REPO, 'docker-compose.yml'), 'utf8');
    expect(doc.providers).toHaveLength(1);
    expect(compose).toContain(`./grafana/dashboards:${doc.providers[0]?.options.path}:ro`);
  });
});
