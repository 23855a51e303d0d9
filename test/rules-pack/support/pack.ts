// Reads the rules pack from the repository: rule files, alerts, recording rules, promtool tests, dashboards, runbook.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const RECORDING_DIR = join(REPO, 'prometheus/rules');
export const ALERTS_DIR = join(REPO, 'alerts');
export const PROMTOOL_TESTS_DIR = join(REPO, 'test/rules-pack/promtool');
export const DASHBOARDS_DIR = join(REPO, 'grafana/dashboards');
export const RUNBOOK = join(REPO, 'alerts/runbook.md');
export const ALERTMANAGER_CONFIG = join(REPO, 'alerts/alertmanager.yml');
export const PROMETHEUS_CONFIG = join(REPO, 'prometheus/prometheus.yml');

/** The placeholder base every runbook_url starts with (documented in the alert files). */
export const RUNBOOK_BASE = 'https://github.com/your-org/agentswarm-exporter/blob/main/alerts/runbook.md';

export interface RuleFile {
  /** Absolute path. */
  readonly path: string;
  /** Raw text (for header comments). */
  readonly text: string;
  readonly groups: readonly RuleGroup[];
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly Rule[];
}

export interface Rule {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface AlertRule extends Rule {
  readonly alert: string;
  readonly file: string;
}

export interface RecordingRule extends Rule {
  readonly record: string;
  readonly file: string;
}

function yamlFiles(dir: string, suffix: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .sort()
    .map((f) => join(dir, f));
}

export function readYaml<T>(path: string): T {
  return parseYaml(readFileSync(path, 'utf8')) as T;
}

function readRuleFile(path: string): RuleFile {
  const text = readFileSync(path, 'utf8');
  const doc = parseYaml(text) as { groups: RuleGroup[] };
  return { path, text, groups: doc.groups };
}

/** Recording rule files, prometheus/rules/*.rules.yml (the glob of prometheus.yml). */
export function recordingRuleFiles(): RuleFile[] {
  return yamlFiles(RECORDING_DIR, '.rules.yml').map(readRuleFile);
}

/** Alerting rule files, alerts/*.rules.yml (the glob of prometheus.yml). */
export function alertRuleFiles(): RuleFile[] {
  return yamlFiles(ALERTS_DIR, '.rules.yml').map(readRuleFile);
}

export function allRuleFiles(): RuleFile[] {
  return [...recordingRuleFiles(), ...alertRuleFiles()];
}

export function alertRules(): AlertRule[] {
  return alertRuleFiles().flatMap((f) =>
    f.groups.flatMap((g) =>
      g.rules.filter((r): r is Rule & { alert: string } => r.alert !== undefined).map((r) => ({ ...r, file: f.path })),
    ),
  );
}

export function recordingRules(): RecordingRule[] {
  return allRuleFiles().flatMap((f) =>
    f.groups.flatMap((g) =>
      g.rules.filter((r): r is Rule & { record: string } => r.record !== undefined).map((r) => ({ ...r, file: f.path })),
    ),
  );
}

/** `AgentSwarmX` or `AgentSwarmX/severity` when one alert name has several severities. */
export function alertKey(rule: Rule & { alert: string }): string {
  const sameName = alertRules().filter((r) => r.alert === rule.alert);
  return sameName.length > 1 ? `${rule.alert}/${rule.labels?.severity ?? ''}` : rule.alert;
}

// promtool unit test files -------------------------------------------------------------------

export interface PromtoolTestFile {
  readonly path: string;
  readonly rule_files: readonly string[];
  readonly evaluation_interval?: string;
  readonly group_eval_order?: readonly string[];
  readonly tests: readonly PromtoolTestGroup[];
}

export interface PromtoolTestGroup {
  readonly name?: string;
  readonly interval?: string;
  readonly input_series?: readonly { series: string; values: string }[];
  readonly alert_rule_test?: readonly AlertRuleTest[];
  readonly promql_expr_test?: readonly PromqlExprTest[];
}

export interface AlertRuleTest {
  readonly eval_time: string;
  readonly alertname: string;
  readonly exp_alerts?: readonly ExpectedAlert[] | null;
}

export interface ExpectedAlert {
  readonly exp_labels?: Readonly<Record<string, string>>;
  readonly exp_annotations?: Readonly<Record<string, string>>;
}

export interface PromqlExprTest {
  readonly expr: string;
  readonly eval_time: string;
  readonly exp_samples?: readonly { labels: string; value: number }[] | null;
}

export function promtoolTestFiles(): PromtoolTestFile[] {
  return yamlFiles(PROMTOOL_TESTS_DIR, '.test.yml').map((path) => ({ ...readYaml<Omit<PromtoolTestFile, 'path'>>(path), path }));
}

// Durations ------------------------------------------------------------------------------------

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

/** Prometheus duration ("1m30s", "2h") to milliseconds. */
export function durationMs(text: string): number {
  const parts = [...text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) throw new Error(`not a Prometheus duration: ${text}`);
  return parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_MS[p[2] ?? ''] ?? Number.NaN), 0);
}

// Dashboards -----------------------------------------------------------------------------------

export interface DashboardJson {
  readonly uid: string;
  readonly title: string;
  readonly panels: readonly PanelJson[];
  readonly templating: { readonly list: readonly VariableJson[] };
  readonly annotations: { readonly list?: readonly { readonly expr?: string; readonly datasource?: unknown }[] };
}

export interface PanelJson {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly fieldConfig?: { readonly defaults?: { readonly unit?: string } };
  readonly targets?: readonly { readonly expr?: string; readonly refId?: string; readonly datasource?: { readonly uid?: string } }[];
  readonly panels?: readonly PanelJson[];
}

export interface VariableJson {
  readonly name: string;
  readonly type: string;
  readonly query?: unknown;
  readonly datasource?: { readonly uid?: string };
}

export function dashboardFiles(): { file: string; json: DashboardJson; text: string }[] {
  return readdirSync(DASHBOARDS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const text = readFileSync(join(DASHBOARDS_DIR, file), 'utf8');
      return { file, text, json: JSON.parse(text) as DashboardJson };
    });
}

/** Every panel, rows and panels nested in collapsed rows included. */
export function allPanels(dashboard: DashboardJson): PanelJson[] {
  return dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** Where a PromQL string of a dashboard comes from, for messages. */
export interface DashboardQuery {
  readonly dashboard: string;
  readonly where: string;
  readonly expr: string;
}

/**
 * Every PromQL string of a dashboard: panel targets, annotation queries, and the series
 * selectors inside `label_values(<selector>, label)` variable queries.
 */
export function dashboardQueries(file: string, dashboard: DashboardJson): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  for (const panel of allPanels(dashboard)) {
    for (const t of panel.targets ?? []) {
      if (t.expr !== undefined) out.push({ dashboard: file, where: `panel "${panel.title}" ${t.refId ?? ''}`, expr: t.expr });
    }
  }
  for (const a of dashboard.annotations.list ?? []) {
    if (a.expr !== undefined) out.push({ dashboard: file, where: 'annotation', expr: a.expr });
  }
  for (const v of dashboard.templating.list) {
    if (v.type !== 'query' || typeof v.query !== 'string') continue;
    const m = /^label_values\((.+),\s*[a-zA-Z_][a-zA-Z0-9_]*\)$/.exec(v.query);
    if (m?.[1] === undefined) throw new Error(`${file}: variable ${v.name} has an unsupported query ${v.query}`);
    out.push({ dashboard: file, where: `variable $${v.name}`, expr: m[1] });
  }
  return out;
}

/**
 * Replaces Grafana template variables by values Prometheus accepts, so that a dashboard
 * query can be parsed and run: `$swarm` → `.*` inside regex matchers, else a literal value.
 */
export function substituteVariables(expr: string, values: Readonly<Record<string, string>> = {}): string {
  return expr
    .replace(/\$__rate_interval|\$__interval|\$__range/g, '5m')
    .replace(/\$\{?([a-zA-Z_][a-zA-Z0-9_]*)\}?/g, (_all, name: string) => values[name] ?? '.*');
}

// Runbook --------------------------------------------------------------------------------------

export function runbookText(): string {
  return readFileSync(RUNBOOK, 'utf8');
}

/** The ```promql blocks of the runbook, one query per line. */
export function runbookQueries(): string[] {
  const blocks = [...runbookText().matchAll(/```promql\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  return blocks.flatMap((b) =>
    b
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== ''),
  );
}

/** GitHub's anchor for a markdown heading: lower case, spaces to dashes, punctuation dropped. */
export function githubAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}
