// Alertmanager config: amtool accepts it, routes acting alerts to the exporter, and a real Alertmanager 0.25 inhibits as documented.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBinary } from '../support/promtool.js';
import { findAnyBinary } from './support/binaries.js';
import { ALERTMANAGER_CONFIG, alertRules, promtoolTestFiles } from './support/pack.js';
import { freePort, startProcess, stopProcess, waitFor, waitForHttp, type Started } from './support/processes.js';
import { startRecordingReceiver, type RecordingReceiver } from './support/recording-receiver.js';
import { alertmanagerTestConfig } from './support/test-configs.js';

const amtool = findBinary('amtool');
const alertmanager = findAnyBinary(['prometheus-alertmanager', 'alertmanager']);

describe('alertmanager.yml, statically', () => {
  const text = readFileSync(ALERTMANAGER_CONFIG, 'utf8');
  const config = parseYaml(text) as {
    route: { receiver: string; routes: { receiver: string; matchers: string[] }[] };
    receivers: {
      name: string;
      webhook_configs?: {
        url: string;
        send_resolved?: boolean;
        http_config?: { authorization?: { type: string; credentials_file?: string; credentials?: string } };
      }[];
    }[];
    inhibit_rules: { source_matchers: string[]; target_matchers: string[]; equal: string[] }[];
  };

  it('uses matchers, never the deprecated match / match_re / source_match / target_match', () => {
    expect(text).not.toMatch(/^\s*(match|match_re|source_match|source_match_re|target_match|target_match_re):/m);
  });

  it('routes coordination_type alerts to the exporter webhook, with bearer auth from a file and resolved notifications', () => {
    expect(config.route.receiver).toBe('pager');
    expect(config.route.routes).toEqual([
      expect.objectContaining({ receiver: 'agentswarm-exporter', matchers: ['coordination_type=~".+"'] }),
    ]);
    const exporter = config.receivers.find((r) => r.name === 'agentswarm-exporter');
    expect(exporter?.webhook_configs).toEqual([
      expect.objectContaining({
        url: 'http://agentswarm-exporter:10464/api/v1/alerts',
        send_resolved: true,
        http_config: expect.objectContaining({ authorization: { type: 'Bearer', credentials_file: expect.any(String) } }),
      }),
    ]);
  });

  it('explains every grouping and timing setting in a comment just above it', () => {
    const lines = text.split('\n');
    const keys = lines.flatMap((line, i) => (/^\s*(group_by|group_wait|group_interval|repeat_interval):/.test(line) ? [i] : []));
    expect(keys.length).toBe(8);
    for (const i of keys) expect(lines[i - 1]?.trim().startsWith('#'), lines[i]).toBe(true);
  });

  it("inhibits warnings by the matching critical, and an agent's health alerts while it is down", () => {
    expect(config.inhibit_rules).toEqual(
      expect.arrayContaining([
        { source_matchers: ['severity="critical"'], target_matchers: ['severity=~"warning|info"'], equal: ['alertname', 'swarm', 'agent'] },
        {
          source_matchers: ['alertname="AgentSwarmAgentDown"'],
          target_matchers: ['alertname=~"AgentSwarmAgentCritical|AgentSwarmAgentDegraded|AgentSwarmBottleneck"'],
          equal: ['swarm', 'agent'],
        },
      ]),
    );
  });
});

describe.skipIf(amtool === undefined)('amtool (Alertmanager 0.25)', () => {
  it('accepts the configuration', () => {
    const result = spawnSync(amtool ?? 'amtool', ['check-config', ALERTMANAGER_CONFIG], { encoding: 'utf8', timeout: 30_000 });
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
  });

  // Every alert, with the labels its unit tests fire it with, goes to the exporter iff it acts.
  const cases = alertRules().map((rule) => {
    const fired = promtoolTestFiles()
      .flatMap((f) => f.tests.flatMap((g) => g.alert_rule_test ?? []))
      .filter((t) => t.alertname === rule.alert)
      .flatMap((t) => t.exp_alerts ?? [])
      .find((e) => e.exp_labels?.severity === rule.labels?.severity);
    const labels = { alertname: rule.alert, ...(fired?.exp_labels ?? rule.labels) };
    return [
      `${rule.alert} (${rule.labels?.severity})`,
      labels,
      rule.labels?.coordination_type === undefined ? 'pager' : 'agentswarm-exporter',
    ] as const;
  });

  it.each(cases)('routes %s to its receiver', (_name, labels, receiver) => {
    const args = [
      'config',
      'routes',
      'test',
      `--config.file=${ALERTMANAGER_CONFIG}`,
      ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
    ];
    const result = spawnSync(amtool ?? 'amtool', args, { encoding: 'utf8', timeout: 30_000 });
    expect(result.stdout.trim()).toBe(receiver);
  });
});

interface WebhookPayload {
  readonly version: string;
  readonly status: string;
  readonly alerts: readonly { readonly status: string; readonly labels: Readonly<Record<string, string>> }[];
}

describe.skipIf(alertmanager === undefined)('a real Alertmanager with this configuration', () => {
  const token = 'test-webhook-token-0123456789';
  let temp = '';
  let receiver: RecordingReceiver;
  let am: Started | undefined;
  let amUrl = '';

  beforeAll(async () => {
    temp = mkdtempSync(join(tmpdir(), 'agentswarm-am-'));
    receiver = await startRecordingReceiver();
    writeFileSync(join(temp, 'webhook-token'), `${token}\n`);
    writeFileSync(
      join(temp, 'alertmanager.yml'),
      alertmanagerTestConfig({
        webhookUrl: `${receiver.url}/api/v1/alerts`,
        pagerUrl: `${receiver.url}/pager`,
        tokenFile: join(temp, 'webhook-token'),
      }),
    );
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    am = startProcess(
      'alertmanager',
      alertmanager ?? 'alertmanager',
      [
        `--config.file=${join(temp, 'alertmanager.yml')}`,
        `--storage.path=${join(temp, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
      ],
      { logPath: join(temp, 'alertmanager.log') },
    );
    await waitForHttp(`${amUrl}/-/ready`, 20_000, am);
  });

  afterAll(async () => {
    await stopProcess(am);
    await receiver?.close();
    if (temp !== '') rmSync(temp, { recursive: true, force: true });
  });

  const agent = (
    alertname: string,
    agentName: string,
    severity: string,
    coordinationType: string,
    priority: string,
  ): Record<string, string> => ({
    alertname,
    swarm: 's1',
    agent: agentName,
    severity,
    coordination_type: coordinationType,
    priority,
  });
  const burn = (swarm: string, severity: string, priority: string): Record<string, string> => ({
    alertname: 'AgentSwarmErrorBudgetBurn',
    swarm,
    severity,
    coordination_type: 'cross_system_healing',
    priority,
  });
  const ALERTS = {
    downA1: agent('AgentSwarmAgentDown', 'a1', 'critical', 'cross_system_healing', 'emergency'),
    criticalA1: agent('AgentSwarmAgentCritical', 'a1', 'critical', 'cross_system_healing', 'high'),
    criticalA2: agent('AgentSwarmAgentCritical', 'a2', 'critical', 'cross_system_healing', 'high'),
    degradedA2: agent('AgentSwarmAgentDegraded', 'a2', 'warning', 'performance_sync', 'medium'),
    fastBurnS1: burn('s1', 'critical', 'high'),
    slowBurnS1: burn('s1', 'warning', 'medium'),
    slowBurnS2: burn('s2', 'warning', 'medium'),
    exporterDown: { alertname: 'AgentSwarmExporterDown', severity: 'critical', job: 'agentswarm-exporter', instance: 'exporter:10464' },
  } as const;

  async function post(alerts: readonly Record<string, string>[], endsAt?: string): Promise<void> {
    const body = alerts.map((labels) => ({
      labels,
      annotations: { summary: 'test' },
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      ...(endsAt ? { endsAt } : {}),
    }));
    const res = await fetch(`${amUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
  }

  function delivered(path: string, status: string): string[] {
    return receiver.requests
      .filter((r) => r.path === path)
      .flatMap((r) =>
        (JSON.parse(r.body) as WebhookPayload).alerts
          .filter((a) => a.status === status)
          .map((a) => `${a.labels.alertname}/${a.labels.swarm ?? ''}/${a.labels.agent ?? ''}/${a.labels.severity ?? ''}`),
      );
  }

  it('delivers acting alerts to the exporter and the rest to the pager, with inhibitions applied', async () => {
    await post(Object.values(ALERTS));
    const expected = [
      'AgentSwarmAgentCritical/s1/a2/critical',
      'AgentSwarmAgentDown/s1/a1/critical',
      'AgentSwarmErrorBudgetBurn/s1//critical',
      'AgentSwarmErrorBudgetBurn/s2//warning',
    ];
    await waitFor(
      'four notified acting alerts',
      () => (new Set(delivered('/api/v1/alerts', 'firing')).size >= 4 ? true : undefined),
      20_000,
    );
    // Two more group intervals: an inhibited alert that was going to leak would have by now.
    await new Promise((r) => setTimeout(r, 2_500));
    expect([...new Set(delivered('/api/v1/alerts', 'firing'))].sort()).toEqual(expected);
    expect([...new Set(delivered('/pager', 'firing'))]).toEqual(['AgentSwarmExporterDown///critical']);
    for (const request of receiver.requests.filter((r) => r.path === '/api/v1/alerts')) {
      expect(request.headers.authorization).toBe(`Bearer ${token}`);
      expect((JSON.parse(request.body) as WebhookPayload).version).toBe('4');
    }
  });

  it('reports the inhibited alerts as suppressed by their inhibitors', async () => {
    const res = await fetch(`${amUrl}/api/v2/alerts`);
    const alerts = (await res.json()) as { labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } }[];
    const suppressed = alerts
      .filter((a) => a.status.state === 'suppressed' && a.status.inhibitedBy.length > 0)
      .map((a) => `${a.labels.alertname}/${a.labels.swarm}/${a.labels.agent ?? ''}/${a.labels.severity}`)
      .sort();
    expect(suppressed).toEqual([
      'AgentSwarmAgentCritical/s1/a1/critical',
      'AgentSwarmAgentDegraded/s1/a2/warning',
      'AgentSwarmErrorBudgetBurn/s1//warning',
    ]);
  });

  it('sends the resolved notification to the exporter when an acting alert ends', async () => {
    await post([ALERTS.downA1], new Date(Date.now() - 1_000).toISOString());
    await waitFor(
      'resolved AgentSwarmAgentDown',
      () => (delivered('/api/v1/alerts', 'resolved').includes('AgentSwarmAgentDown/s1/a1/critical') ? true : undefined),
      20_000,
    );
  });
});
