// One scripted day end to end with time compressed by one factor: `--demo` (demo.alerting off, demo.time_scale = the
// factor) → real Prometheus 2.42 with the pack's rules (`for:` and intervals × the factor) → real Alertmanager 0.25
// (alerts/alertmanager.yml, timings × the factor) → the exporter's webhook → signed tasks to the demo's orchestrator.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACK_ALERTS_OUTSIDE_THE_DAY, PACK_HOLD_MS, PACK_UNIT_MS } from '../../src/demo/pack-timing.js';
import { getScenario } from '../../src/demo/scenarios.js';
import { findBinary } from '../support/promtool.js';
import { findAnyBinary } from '../rules-pack/support/binaries.js';
import { ALERTMANAGER_CONFIG, PROMETHEUS_CONFIG, REPO, alertRules, durationMs } from '../rules-pack/support/pack.js';
import { freePort, startProcess, stopProcess, waitFor, waitForHttp, type Started } from '../rules-pack/support/processes.js';
import {
  differencesBeyondDurations,
  scaleDuration,
  scaledAlertmanagerConfig,
  scaledPrometheusConfig,
  scaledRuleFiles,
} from '../rules-pack/support/scaled-pack.js';
import { builtBinary, removeArtifacts, startPackServers } from './support/pack-servers.js';

const EXPORTER_BIN = join(REPO, 'dist/src/bin/exporter.js');
/** The compose stack's exporter configuration: the one the pack as shipped runs against. */
const COMPOSE_EXPORTER_CONFIG = join(REPO, 'alerts/compose/agentswarm-exporter.yml');

const prometheusBin = findBinary('prometheus');
const promtoolBin = findBinary('promtool');
const alertmanagerBin = findAnyBinary(['prometheus-alertmanager', 'alertmanager']);
const exporterBin = builtBinary(EXPORTER_BIN, 'scripted-day');
const ready = prometheusBin !== undefined && promtoolBin !== undefined && alertmanagerBin !== undefined && exporterBin !== undefined;

/**
 * The one compression factor: one pack minute lasts 2.5 s. The day (97 pack minutes) then lasts
 * 242.5 s, AgentDown's `for: 1m` becomes 2.5 s and the 30 s evaluation interval 1.25 s, so the
 * shortest `for:` still spans two evaluations.
 */
const FACTOR = 1 / 24;

/**
 * Settings of the exporter (not of the pack) that cannot follow the factor exactly, and why:
 * - analysis.step: 15 s × FACTOR = 0.625 s is below the schema's 1 s minimum. 2 s, the step of
 *   `--demo` (DEMO_DEFAULTS), because the demo's simulator steps every 1 s in real time at any
 *   time scale and its script is sized in those steps: its tool backend hiccups 4 steps in 8, and
 *   an analysis step of 1 s sees the quiet step, so the anomaly cluster flickers below 3 and
 *   CorrelatedAnomaly's `for:` restarts (measured at 1/30 with a 1 s step: it never fired).
 * - agents.heartbeat_timeout: 45 s × FACTOR = 1.875 s, but the demo's simulator pushes every 1 s
 *   whatever the time scale (its step is real time), and the health score's liveness stays 1 only
 *   while an agent was seen within a third of the timeout: 4.5 s keeps healthy agents healthy and
 *   still marks the failing one down early in its failure phase.
 */
const ANALYSIS_STEP = '2s';
const HEARTBEAT_TIMEOUT = '4500ms';

/**
 * Acting alerts (those with a coordination_type) the day is expected to fire: pack-timing.ts names the rest, with the reason.
 * The thinnest margin is SaturationPredicted's: the forecast predicts saturation within the window only near the top of
 * the load wave's climb, measured at this factor 20 s in a row (exporter polled live; the test logs the run Prometheus saw)
 * against the 12.5 s of its scaled `for:`. src/demo/scenarios.ts (load wave, failure) says what that run depends on.
 */
const EXPECTED = Object.keys(PACK_HOLD_MS).sort();
const EXCLUDED: readonly string[] = [...PACK_ALERTS_OUTSIDE_THE_DAY];

interface TaskJson {
  readonly id: string;
  readonly type: string;
  readonly status: string;
  readonly source: string;
  readonly agents: readonly string[];
  readonly alerts: readonly { readonly fingerprint: string; readonly labels: Readonly<Record<string, string>> }[];
  readonly attempts?: readonly { readonly status_code: number | null; readonly outcome: string }[];
  readonly incidents?: readonly {
    readonly fingerprint: string;
    readonly alertname: string;
    readonly starts_at: string;
    readonly ends_at: string | null;
    readonly status: string;
  }[];
}

/** One accepted delivery as the demo's orchestrator logged it (it verifies the signature before acting). */
interface ReceiverLine {
  readonly id: string;
  readonly type: string;
  readonly action: string;
}

type Labels = Readonly<Record<string, string>>;

/** `name="v"`, `name=~"re"`, `name!="v"`, `name!~"re"` (Alertmanager matchers, anchored). */
function matcher(text: string): (labels: Labels) => boolean {
  const m = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"(.*)"\s*$/.exec(text);
  if (m === null) throw new Error(`unsupported matcher ${text}`);
  const [, name = '', op = '', value = ''] = m;
  const re = new RegExp(`^(?:${value})$`);
  return (labels) => {
    const v = labels[name] ?? '';
    return op === '=' ? v === value : op === '!=' ? v !== value : op === '=~' ? re.test(v) : !re.test(v);
  };
}

interface InhibitRule {
  readonly source: (labels: Labels) => boolean;
  readonly target: (labels: Labels) => boolean;
  readonly equal: readonly string[];
}

/** The shipped inhibit_rules, as predicates. */
function inhibitRules(): InhibitRule[] {
  const config = parseYaml(readFileSync(ALERTMANAGER_CONFIG, 'utf8')) as {
    inhibit_rules: { source_matchers: string[]; target_matchers: string[]; equal?: string[] }[];
  };
  return config.inhibit_rules.map((r) => {
    const source = r.source_matchers.map(matcher);
    const target = r.target_matchers.map(matcher);
    return { source: (l) => source.every((f) => f(l)), target: (l) => target.every((f) => f(l)), equal: r.equal ?? [] };
  });
}

/** A firing alert instance seen in Prometheus: its labels and the evaluation times it was firing at. */
interface Instance {
  readonly labels: Labels;
  readonly times: ReadonlySet<number>;
}

const INHIBIT_RULES = inhibitRules();

const labelKey = (labels: Labels): string => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));

// Time budget: start-up ≤ 30 s; the day's alerts up to AgentDown's resolution take about 240 s of
// the 242.5 s day; every wait is bounded, so a failing run stops within the vitest timeouts.
describe.skipIf(!ready)('the scripted day end to end with compressed time (real Prometheus and Alertmanager, demo.alerting off)', () => {
  const temp = mkdtempSync(join(tmpdir(), 'agentswarm-day-e2e-'));
  const webhookToken = randomBytes(24).toString('base64url');
  const processes: Started[] = [];
  const rules = scaledRuleFiles(FACTOR);
  const startedAt = Date.now();
  let exporterUrl = '';
  let prometheusUrl = '';
  let alertmanagerText = '';
  let prometheusText = '';
  let exporterLog = '';

  async function queryRange(
    expr: string,
    startMs: number,
    endMs: number,
  ): Promise<readonly { metric: Labels; values: [number, string][] }[]> {
    const params = new URLSearchParams({ query: expr, start: String(startMs / 1000), end: String(endMs / 1000), step: '1' });
    const res = await fetch(`${prometheusUrl}/api/v1/query_range?${params.toString()}`);
    const body = (await res.json()) as {
      status: string;
      error?: string;
      data?: { result: { metric: Labels; values: [number, string][] }[] };
    };
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error ?? res.status}`);
    return body.data?.result ?? [];
  }

  /** Every acting alert instance that was firing since the start, with the seconds it was firing at. */
  async function firedInstances(): Promise<Instance[]> {
    const series = await queryRange('ALERTS{alertstate="firing", coordination_type!=""}', startedAt - 5_000, Date.now());
    return series.map((s) => {
      const { alertstate: _state, __name__: _name, ...labels } = s.metric;
      return { labels, times: new Set(s.values.map(([t]) => t)) };
    });
  }

  /** For the log (and a failure message): the longest run (s) over which each named alert's condition held, against its scaled `for:`. */
  async function conditionRuns(names: readonly string[]): Promise<string> {
    const lines: string[] = [];
    for (const rule of alertRules().filter((r) => names.includes(r.alert))) {
      const series = await queryRange(rule.expr, startedAt - 5_000, Date.now()).catch(() => []);
      let longest = 0;
      for (const s of series) {
        let run = 0;
        let prev = Number.NaN;
        for (const [t] of s.values) {
          run = t === prev + 1 ? run + 1 : 1;
          prev = t;
          longest = Math.max(longest, run);
        }
      }
      lines.push(
        `${rule.alert}: condition held at most ${longest} s in a row (for: ${rule.for ?? '0s'} × ${FACTOR.toFixed(4)} = ${((durationMs(rule.for ?? '0s') * FACTOR) / 1000).toFixed(1)} s)`,
      );
    }
    return lines.join('\n');
  }

  async function tasks(): Promise<TaskJson[]> {
    const list = (await (await fetch(`${exporterUrl}/api/v1/coordination/tasks?limit=1000`)).json()) as { tasks: TaskJson[] };
    return Promise.all(
      list.tasks.map(
        async (t) => (await (await fetch(`${exporterUrl}/api/v1/coordination/tasks/${encodeURIComponent(t.id)}`)).json()) as TaskJson,
      ),
    );
  }

  function receiverLines(): ReceiverLine[] {
    exporterLog = readFileSync(join(temp, 'exporter.log'), 'utf8');
    return exporterLog.split('\n').flatMap((line) => {
      if (!line.startsWith('{')) return [];
      const msg = (JSON.parse(line) as { msg?: string }).msg ?? '';
      const m = /^coordination receiver: \S+ (\S+) task (\S+) \(attempt \d+\): (.*)$/.exec(msg);
      return m?.[1] !== undefined && m[2] !== undefined && m[3] !== undefined ? [{ type: m[1], id: m[2], action: m[3] }] : [];
    });
  }

  /** A firing instance is inhibited if, while it fired, an alert the shipped inhibit_rules make its source fired with the same `equal` labels. */
  function inhibitedBy(instance: Instance, all: readonly Instance[]): Instance | undefined {
    return all.find(
      (source) =>
        source !== instance &&
        INHIBIT_RULES.some(
          (r) =>
            r.source(source.labels) &&
            r.target(instance.labels) &&
            !r.target(source.labels) &&
            r.equal.every((l) => (source.labels[l] ?? '') === (instance.labels[l] ?? '')),
        ) &&
        [...instance.times].some((t) => source.times.has(t)),
    );
  }

  beforeAll(async () => {
    const [exporterPort, prometheusPort, alertmanagerPort] = [await freePort(), await freePort(), await freePort()];
    exporterUrl = `http://127.0.0.1:${exporterPort}`;
    prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
    writeFileSync(join(temp, 'webhook-token'), `${webhookToken}\n`);

    mkdirSync(join(temp, 'rules'));
    for (const rule of rules) writeFileSync(join(temp, 'rules', rule.name), rule.text);
    prometheusText = scaledPrometheusConfig(PROMETHEUS_CONFIG, FACTOR, {
      exporter: `127.0.0.1:${exporterPort}`,
      alertmanager: `127.0.0.1:${alertmanagerPort}`,
      prometheus: `127.0.0.1:${prometheusPort}`,
      ruleFiles: [join(temp, 'rules', '*.rules.yml')],
    });
    alertmanagerText = scaledAlertmanagerConfig(FACTOR, {
      webhookUrl: `${exporterUrl}/api/v1/alerts`,
      tokenFile: join(temp, 'webhook-token'),
    });

    // The compose stack's exporter configuration, time scaled, with --demo instead of the stack's simulator.
    const compose = parseYaml(readFileSync(COMPOSE_EXPORTER_CONFIG, 'utf8')) as { analysis: { window: string }; coordination?: unknown };
    const exporterConfig = {
      web: { listen_address: `127.0.0.1:${exporterPort}`, auth: { webhook_token_file: join(temp, 'webhook-token') } },
      agents: { heartbeat_timeout: HEARTBEAT_TIMEOUT, expire_after: '10m' },
      analysis: {
        step: ANALYSIS_STEP,
        window: scaleDuration(compose.analysis.window, FACTOR),
        forecast_horizons: ['5m', '15m', '30m'].map((h) => scaleDuration(h, FACTOR)),
      },
      // The demo's own orchestrator replaces coordination.actions.default (the stack's simulator), and signs with its secret.
      demo: { enabled: true, alerting: 'off', time_scale: FACTOR },
      log: { level: 'info', format: 'json' },
    };
    writeFileSync(join(temp, 'exporter.yml'), stringify(exporterConfig));

    const exporter = startProcess('exporter', process.execPath, [exporterBin ?? '', `--config.file=${join(temp, 'exporter.yml')}`], {
      cwd: temp,
      logPath: join(temp, 'exporter.log'),
    });
    processes.push(exporter);
    const servers = startPackServers({
      dir: temp,
      alertmanagerBin: alertmanagerBin ?? '',
      prometheusBin: prometheusBin ?? '',
      alertmanagerPort,
      prometheusPort,
      alertmanagerConfig: alertmanagerText,
      prometheusConfig: prometheusText,
    });
    processes.push(servers.alertmanager, servers.prometheus);
    await Promise.all([waitForHttp(`${exporterUrl}/-/ready`, 15_000, exporter), servers.ready()]);
  }, 30_000);

  afterAll(async () => {
    // Stop by PID, all bounded.
    for (const p of [...processes].reverse()) await stopProcess(p);
    removeArtifacts(temp);
  }, 30_000);

  it('compresses the pack by one factor and changes nothing else', () => {
    // Every acting alert is either expected within the day or excluded with its reason in pack-timing.ts.
    const acting = [
      ...new Set(
        alertRules()
          .filter((r) => r.labels?.coordination_type !== undefined)
          .map((r) => r.alert),
      ),
    ].sort();
    expect(acting).toEqual([...EXPECTED, ...EXCLUDED].sort());
    // The day lasts 97 pack minutes: FACTOR keeps it within about 4 minutes of wall time.
    const dayMs = getScenario('day').phases.reduce((sum, p) => sum + p.units, 0) * PACK_UNIT_MS * FACTOR;
    expect(dayMs).toBeLessThanOrEqual(245_000);

    for (const rule of rules) {
      expect(differencesBeyondDurations(parseYaml(rule.original), parseYaml(rule.text), FACTOR), rule.name).toEqual([]);
      // Only `for:` lines changed in the text: comments and every other line are the same bytes.
      const [before, after] = [rule.original.split('\n'), rule.text.split('\n')];
      expect(after.length).toBe(before.length);
      expect(after.filter((line, i) => line !== before[i] && !/^\s+for: \S+$/.test(line))).toEqual([]);
    }
    const shippedAm = parseYaml(readFileSync(ALERTMANAGER_CONFIG, 'utf8')) as unknown;
    expect(differencesBeyondDurations(shippedAm, parseYaml(alertmanagerText), FACTOR)).toEqual([
      'receivers[0].webhook_configs[0].http_config.authorization.credentials_file',
      'receivers[0].webhook_configs[0].url',
    ]);
    const shippedProm = parseYaml(readFileSync(PROMETHEUS_CONFIG, 'utf8')) as unknown;
    expect(differencesBeyondDurations(shippedProm, parseYaml(prometheusText), FACTOR).sort()).toEqual(
      [
        'alerting.alertmanagers[0].static_configs[0].targets[0]',
        'rule_files',
        'scrape_configs[0].static_configs[0].targets[0]',
        'scrape_configs[1].static_configs[0].targets[0]',
        'scrape_configs[2].static_configs[0].targets[0]',
      ].sort(),
    );
    // A `for:` shorter than two evaluations would fire on the first evaluation that sees the condition.
    const evaluationMs = durationMs(
      String((parseYaml(prometheusText) as { global: { evaluation_interval: string } }).global.evaluation_interval),
    );
    expect(evaluationMs).toBe(Math.round(durationMs('30s') * FACTOR));
    for (const rule of alertRules())
      if (rule.for !== undefined) expect(durationMs(rule.for) * FACTOR, rule.alert).toBeGreaterThanOrEqual(2 * evaluationMs);

    const check = spawnSync(promtoolBin ?? '', ['check', 'rules', ...rules.map((r) => join(temp, 'rules', r.name))], { encoding: 'utf8' });
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
  });

  it("fires every acting alert within one scripted day; each firing yields one delivered, signed task; AgentDown's task restarts the agent and its resolution closes the incident", async () => {
    let last: { missing: string[]; undelivered: string[]; downOpen: boolean } = { missing: EXPECTED, undelivered: [], downOpen: true };
    const settled = await waitFor(
      'every expected alert fired, delivered, and AgentDown resolved',
      async () => {
        const fired = await firedInstances();
        const all = await tasks();
        const lines = receiverLines();
        const missing = EXPECTED.filter((name) => !fired.some((f) => f.labels.alertname === name));
        // Each firing instance Alertmanager did not inhibit has a task carrying its labels, delivered and acted on by the signed receiver.
        const undelivered = fired
          .filter((f) => inhibitedBy(f, fired) === undefined)
          .filter(
            (f) =>
              !all.some(
                (t) =>
                  t.status === 'succeeded' &&
                  t.alerts.some((a) => labelKey(a.labels) === labelKey(f.labels)) &&
                  lines.some((l) => l.id === t.id),
              ),
          )
          .map((f) => labelKey(f.labels));
        const down = all.filter((t) => t.alerts.some((a) => a.labels.alertname === 'AgentSwarmAgentDown'));
        const downOpen =
          down.length === 0 ||
          down.some((t) => (t.incidents ?? []).some((i) => i.alertname === 'AgentSwarmAgentDown' && i.status !== 'resolved'));
        last = { missing, undelivered, downOpen };
        return missing.length === 0 && undelivered.length === 0 && !downOpen ? { fired, all, lines } : undefined;
      },
      270_000,
      2_000,
    ).catch(async (error: unknown) => {
      throw new Error(
        `${(error as Error).message}\nmissing: ${last.missing.join(', ')}\n${await conditionRuns(last.missing)}\nundelivered: ${last.undelivered.join('\n  ')}\nAgentDown incident open: ${last.downOpen}\nexporter log tail:\n${exporterLog.split('\n').slice(-30).join('\n')}`,
      );
    });
    const { fired, all, lines } = settled;
    const wallSeconds = Math.round((Date.now() - startedAt) / 1000);
    console.info(`scripted day e2e: ${EXPECTED.length} alerts fired, ${all.length} tasks, ${wallSeconds} s from start`);
    // The margin over the scaled `for:` where it is thinnest (the saturation forecast's run near the top of the load wave).
    console.info(`scripted day e2e: ${await conditionRuns(['AgentSwarmSaturationPredicted'])}`);

    // Every expected alert fired, and its coordination type is the rule's.
    const ruleType = new Map(alertRules().map((r) => [r.alert, r.labels?.coordination_type]));
    for (const name of EXPECTED) {
      const delivered = all.filter((t) => t.status === 'succeeded' && t.alerts.some((a) => a.labels.alertname === name));
      expect(delivered.length, `${name}: delivered tasks`).toBeGreaterThan(0);
      for (const task of delivered) {
        expect(task.type, name).toBe(ruleType.get(name));
        // Delivered = the demo's orchestrator answered 2xx, which it does only after verifying the Standard Webhooks signature.
        expect(
          task.attempts?.some((a) => a.outcome === 'succeeded' && a.status_code !== null && a.status_code >= 200 && a.status_code < 300),
          task.id,
        ).toBe(true);
        expect(lines.filter((l) => l.id === task.id && l.type === task.type).length, task.id).toBeGreaterThan(0);
      }
    }
    // One task per firing (an alert's fingerprint and start): repeats every group_interval add none.
    const perFiring = new Map<string, string[]>();
    for (const task of all)
      for (const incident of task.incidents ?? [])
        perFiring.set(`${incident.fingerprint}@${incident.starts_at}`, [
          ...(perFiring.get(`${incident.fingerprint}@${incident.starts_at}`) ?? []),
          task.id,
        ]);
    expect([...perFiring.entries()].filter(([, ids]) => ids.length !== 1)).toEqual([]);
    // Every task came from an alert Prometheus fired (no other source of tasks with demo.alerting off).
    for (const task of all) {
      expect(task.source, task.id).toBe('alert');
      expect(
        task.alerts.every((a) => fired.some((f) => labelKey(f.labels) === labelKey(a.labels))),
        task.id,
      ).toBe(true);
    }
    // The signed receiver refused nothing: no delivery attempt got a 4xx.
    expect(all.flatMap((t) => t.attempts ?? []).filter((a) => a.status_code !== null && a.status_code >= 400)).toEqual([]);

    // AgentDown: the healing task restarted the agent, and the resolved notification closed the incident.
    const downTasks = all.filter((t) => t.alerts.some((a) => a.labels.alertname === 'AgentSwarmAgentDown'));
    expect(downTasks.length).toBeGreaterThan(0);
    for (const task of downTasks) {
      const agent = task.alerts.find((a) => a.labels.alertname === 'AgentSwarmAgentDown')?.labels.agent ?? '';
      expect(task.type).toBe('cross_system_healing');
      expect(lines.find((l) => l.id === task.id)?.action, task.id).toBe(`restarted ${agent}`);
      const incidents = (task.incidents ?? []).filter((i) => i.alertname === 'AgentSwarmAgentDown');
      expect(incidents.length).toBeGreaterThan(0);
      expect(incidents.every((i) => i.status === 'resolved' && i.ends_at !== null)).toBe(true);
    }
  }, 290_000);
});
