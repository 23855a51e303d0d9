// End to end with the real Prometheus and Alertmanager: simulator → exporter → Prometheus (the pack's rules) → Alertmanager →
// exporter webhook → coordination task delivered, signed, to an orchestrator; and back when the agent returns.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBinary } from '../support/promtool.js';
import { findAnyBinary } from '../rules-pack/support/binaries.js';
import { PROMETHEUS_CONFIG, REPO, dashboardFiles, dashboardQueries, substituteVariables } from '../rules-pack/support/pack.js';
import { freePort, startProcess, stopProcess, waitFor, waitForHttp, type Started } from '../rules-pack/support/processes.js';
import { startRecordingReceiver, type ReceivedRequest, type RecordingReceiver } from '../rules-pack/support/recording-receiver.js';
import { alertmanagerTestConfig, prometheusTestConfig, shortenedRuleFiles } from '../rules-pack/support/test-configs.js';
import { builtBinary, removeArtifacts, startPackServers } from './support/pack-servers.js';

const EXPORTER_BIN = join(REPO, 'dist/src/bin/exporter.js');
const SIM_BIN = join(REPO, 'dist/src/bin/sim.js');

const prometheusBin = findBinary('prometheus');
const alertmanagerBin = findAnyBinary(['prometheus-alertmanager', 'alertmanager']);
const exporterBin = builtBinary(EXPORTER_BIN, 'rules-pack');
const simBin = builtBinary(SIM_BIN, 'rules-pack');
const ready = prometheusBin !== undefined && alertmanagerBin !== undefined && exporterBin !== undefined && simBin !== undefined;

/** Every `for:` of the pack divided by this: 1m → 1s, 15m → 15s. */
const FOR_DIVISOR = 60;
const SWARM = 'sim';
/** The agent the test stops and restarts. */
const VICTIM = 'victim';
/** An agent the test keeps alive, with a custom metric: the agent-detail dashboard shows it. */
const STEADY = 'steady';

/**
 * Dashboard queries that may rightly return nothing in a healthy short run, and why. Each is
 * still executed (it must not error); every other query must return data.
 */
const MAY_BE_EMPTY: readonly (readonly [RegExp, string])[] = [
  [/agentswarm_forecast_saturation_seconds/, 'absent while no saturation is predicted (docs/design.md#metrics)'],
  [/outcome="failed"/, 'no coordination task dead-letters when the orchestrator answers 200'],
  [/agentswarm_variant_(effect_ratio|p_value)/, 'needs enough samples per variant for a comparison'],
  [/agentswarm_agent_lead_lag_seconds/, 'only for pairs whose best lag is not zero'],
  [/agentswarm_swarm_scalability_/, 'needs 4 distinct agent counts in the loaded history (docs/swarm-system.md)'],
  [/agentswarm_agent_baseline/, "needs 12 points of the agent's stored 5-minute history"],
  [/agentswarm_agent_recovery_seconds_sum/, 'mean time to recovery: no agent has recovered yet when the dashboards are queried'],
  [/messages_per_second/, 'only when agents report messages_per_second (these test agents do not)'],
];

/** Standard Webhooks: `v1,` + base64 HMAC-SHA256 over "id.timestamp.body", key = base64 after `whsec_`. */
function validSignature(secret: string, request: ReceivedRequest): boolean {
  const id = String(request.headers['webhook-id'] ?? '');
  const timestamp = String(request.headers['webhook-timestamp'] ?? '');
  const signatures = String(request.headers['webhook-signature'] ?? '').split(' ');
  if (id === '' || !/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = Buffer.from(createHmac('sha256', key).update(`${id}.${timestamp}.${request.body}`).digest('base64'));
  return signatures.some((s) => {
    const [version, value] = s.split(',');
    const candidate = Buffer.from(value ?? '');
    return version === 'v1' && candidate.length === expected.length && timingSafeEqual(candidate, expected);
  });
}

interface TaskPayload {
  readonly id: string;
  readonly type: string;
  readonly priority: string;
  readonly swarm: string;
  readonly agents: readonly string[];
  readonly alerts: readonly { readonly labels?: Readonly<Record<string, string>> }[];
}

// Time budget: every wait is bounded; the worst case (each wait timing out) stays under 3 minutes,
// a passing run takes about one.
describe.skipIf(!ready)('rules pack end to end (real Prometheus 2.42 and Alertmanager 0.25)', () => {
  const temp = mkdtempSync(join(tmpdir(), 'agentswarm-e2e-'));
  const webhookToken = randomBytes(24).toString('base64url');
  const signingSecret = `whsec_${randomBytes(32).toString('base64')}`;
  const processes: Started[] = [];
  let orchestrator: RecordingReceiver;
  let scrapeTarget: Server;
  let exporterUrl = '';
  let prometheusUrl = '';
  let pushTimer: NodeJS.Timeout | undefined;
  let victimAlive = true;
  let sim: Started | undefined;

  async function push(agent: string, metrics: Record<string, number>, variant: string): Promise<void> {
    const json = { 'content-type': 'application/json' };
    await fetch(`${exporterUrl}/api/v1/agents/${agent}/heartbeat`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ swarm: SWARM, type: 'worker', variant, capacity: 4 }),
    });
    await fetch(`${exporterUrl}/api/v1/agents/${agent}/metrics`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ swarm: SWARM, metrics }),
    });
  }

  function pushBoth(tick: number): void {
    const wave = Math.sin(tick / 5);
    const metrics = (offset: number): Record<string, number> => ({
      cpu_usage: 0.4 + 0.2 * wave + offset,
      memory_usage: 0.5 + 0.05 * wave,
      response_time: 0.8 + 0.3 * wave,
      throughput: 3 + wave,
      error_rate: 0.01,
      queue_depth: 2 + Math.round(2 + 2 * wave),
      active_tasks: 2 + Math.round(1 + wave),
      coordination_load: 0.1 + 0.05 * wave,
    });
    const sends = [push(STEADY, { ...metrics(0.05), tokens_used: 1000 + tick }, 'v1')];
    if (victimAlive) sends.push(push(VICTIM, metrics(0), 'v1'));
    Promise.all(sends).catch(() => undefined);
  }

  async function query(expr: string): Promise<readonly { metric: Record<string, string>; value: [number, string] }[]> {
    const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as {
      status: string;
      error?: string;
      data?: { result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error ?? res.status}`);
    return body.data?.result ?? [];
  }

  async function firingAlerts(alertname: string): Promise<readonly Record<string, string>[]> {
    return (await query(`ALERTS{alertname="${alertname}", alertstate="firing"}`)).map((r) => r.metric);
  }

  function deliveredTasks(): { request: ReceivedRequest; task: TaskPayload }[] {
    return orchestrator.requests
      .filter((r) => r.path === '/coordination')
      .map((request) => ({ request, task: JSON.parse(request.body) as TaskPayload }));
  }

  beforeAll(async () => {
    const [exporterPort, prometheusPort, alertmanagerPort] = [await freePort(), await freePort(), await freePort()];
    exporterUrl = `http://127.0.0.1:${exporterPort}`;
    prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
    orchestrator = await startRecordingReceiver();

    // A pull-mode agent, so that the exporter's scrape metrics have data too.
    scrapeTarget = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end('# TYPE cpu_usage gauge\ncpu_usage 0.3\n# TYPE queue_depth gauge\nqueue_depth 1\n');
    });
    await new Promise<void>((done) => scrapeTarget.listen(0, '127.0.0.1', () => done()));
    const scrapeAddress = scrapeTarget.address();
    const scrapePort = typeof scrapeAddress === 'object' && scrapeAddress !== null ? scrapeAddress.port : 0;

    writeFileSync(join(temp, 'webhook-token'), `${webhookToken}\n`);
    writeFileSync(join(temp, 'signing-secret'), `${signingSecret}\n`);
    writeFileSync(
      join(temp, 'exporter.yml'),
      stringify({
        web: { listen_address: `127.0.0.1:${exporterPort}`, auth: { webhook_token_file: join(temp, 'webhook-token') } },
        agents: { heartbeat_timeout: '3s', expire_after: '10m' },
        analysis: { step: '1s', window: '30s', forecast_horizons: ['5s', '15s', '30s'] },
        storage: { path: join(temp, 'agentswarm.db') },
        coordination: {
          impact_delay: '2s',
          backoff: { initial: '200ms', max: '1s' },
          actions: { default: { url: `${orchestrator.url}/coordination`, secret_file: join(temp, 'signing-secret') } },
        },
        scrape: {
          interval: '1s',
          timeout: '1s',
          targets: [{ url: `http://127.0.0.1:${scrapePort}/metrics`, swarm: 'scraped', agent: 'scraped-1' }],
        },
      }),
    );
    mkdirSync(join(temp, 'rules'));
    for (const rule of shortenedRuleFiles(FOR_DIVISOR)) writeFileSync(join(temp, 'rules', rule.name), rule.text);

    const exporter = startProcess(
      'exporter',
      process.execPath,
      [exporterBin ?? '', `--config.file=${join(temp, 'exporter.yml')}`, '--log.level=warn'],
      { cwd: temp, logPath: join(temp, 'exporter.log') },
    );
    processes.push(exporter);
    await waitForHttp(`${exporterUrl}/-/ready`, 10_000, exporter);
    // The coordination half must be wired into the exporter for this test to mean anything.
    const probe = await fetch(`${exporterUrl}/api/v1/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${webhookToken}` },
      body: '{}',
    });
    if (probe.status === 404)
      throw new Error('the exporter does not serve POST /api/v1/alerts: the coordination routes await wiring in src/main.ts');

    const servers = startPackServers({
      dir: temp,
      alertmanagerBin: alertmanagerBin ?? '',
      prometheusBin: prometheusBin ?? '',
      alertmanagerPort,
      prometheusPort,
      alertmanagerConfig: alertmanagerTestConfig({
        webhookUrl: `${exporterUrl}/api/v1/alerts`,
        tokenFile: join(temp, 'webhook-token'),
        pagerUrl: `${orchestrator.url}/pager`,
      }),
      prometheusConfig: prometheusTestConfig(PROMETHEUS_CONFIG, {
        exporter: `127.0.0.1:${exporterPort}`,
        alertmanager: `127.0.0.1:${alertmanagerPort}`,
        prometheus: `127.0.0.1:${prometheusPort}`,
        ruleFiles: [join(temp, 'rules', '*.rules.yml')],
      }),
    });
    processes.push(servers.alertmanager, servers.prometheus);
    sim = startProcess(
      'simulator',
      process.execPath,
      [
        simBin ?? '',
        '--target',
        exporterUrl,
        '--scenario',
        'day',
        '--agents',
        '5',
        '--swarm',
        SWARM,
        '--step',
        '1s',
        '--phase',
        '4s',
        '--heartbeat',
        '1s',
        '--stats-interval',
        '60s',
      ],
      { logPath: join(temp, 'sim.log') },
    );
    processes.push(sim);
    let tick = 0;
    pushTimer = setInterval(() => pushBoth((tick += 1)), 1_000);
    await servers.ready();
  }, 30_000);

  afterAll(async () => {
    clearInterval(pushTimer);
    // Stop by PID, simulator first (it pushes to the exporter), all bounded.
    for (const p of [...processes].reverse()) await stopProcess(p);
    await orchestrator?.close();
    await new Promise<void>((done) => (scrapeTarget ? scrapeTarget.close(() => done()) : done()));
    removeArtifacts(temp);
  }, 30_000);

  it("records the swarm through the pack's rules", async () => {
    await waitFor(
      'recorded agents up',
      async () => {
        const result = await query(`swarm:agentswarm_agent_up:sum{swarm="${SWARM}"}`);
        return result.length === 1 && Number(result[0]?.value[1]) >= 7 ? true : undefined;
      },
      20_000,
    );
  }, 25_000);

  it('fires AgentSwarmAgentDown when an agent stops, and Alertmanager delivers it to the exporter', async () => {
    victimAlive = false;
    const fired = await waitFor(
      'AgentSwarmAgentDown for the victim',
      async () => {
        const alerts = await firingAlerts('AgentSwarmAgentDown');
        return alerts.find((a) => a.agent === VICTIM);
      },
      20_000,
    );
    expect(fired).toMatchObject({
      swarm: SWARM,
      agent: VICTIM,
      severity: 'critical',
      coordination_type: 'cross_system_healing',
      priority: 'emergency',
    });
    // The exporter counts what Alertmanager posted to /api/v1/alerts, and keeps it as a task.
    await waitFor(
      'the exporter accepting the notification',
      async () => {
        const accepted = await query('sum(agentswarm_alerts_received_total{status="firing", result="accepted"})');
        return Number(accepted[0]?.value[1] ?? 0) > 0 ? true : undefined;
      },
      10_000,
    );
    const listed = (await (await fetch(`${exporterUrl}/api/v1/coordination/tasks?type=cross_system_healing`)).json()) as {
      tasks: { agents: string[] }[];
    };
    expect(listed.tasks.some((t) => t.agents.includes(VICTIM))).toBe(true);
  }, 32_000);

  it('delivers the cross_system_healing task to the orchestrator with a valid Standard Webhooks signature', async () => {
    const delivery = await waitFor(
      'the healing task for the victim',
      () => deliveredTasks().find((d) => d.task.type === 'cross_system_healing' && d.task.agents.includes(VICTIM)),
      10_000,
    );
    expect(validSignature(signingSecret, delivery.request)).toBe(true);
    expect(validSignature(`whsec_${randomBytes(32).toString('base64')}`, delivery.request)).toBe(false);
    expect(delivery.request.headers['webhook-id']).toBe(delivery.task.id);
    expect(delivery.task).toMatchObject({ priority: 'emergency', swarm: SWARM });
    expect(delivery.task.alerts.some((a) => a.labels?.alertname === 'AgentSwarmAgentDown')).toBe(true);
  }, 15_000);

  it('returns data for every dashboard query', async () => {
    // response_time: the day's anomaly workers share a tool backend, so their response times are
    // significantly coupled (top pairs expose only significant pairs; cpu changes are not coupled).
    const values = { swarm: SWARM, agent: STEADY, metric: 'response_time' };
    const queries = dashboardFiles().flatMap(({ file, json }) =>
      dashboardQueries(file, json).map((q) => ({ ...q, expr: substituteVariables(q.expr, values) })),
    );
    const empty = async (): Promise<string[]> => {
      const out: string[] = [];
      for (const q of queries) {
        const result = await query(q.expr);
        if (result.length === 0 && !MAY_BE_EMPTY.some(([pattern]) => pattern.test(q.expr)))
          out.push(`${q.dashboard} ${q.where}: ${q.expr}`);
      }
      return out;
    };
    let last: string[] = [];
    await waitFor(
      'data for every dashboard query',
      async () => {
        last = await empty();
        return last.length === 0 ? true : undefined;
      },
      30_000,
      2_000,
    ).catch(() => undefined);
    expect(last).toEqual([]);
  }, 40_000);

  it('closes the incident with the resolved notification when the agent returns', async () => {
    victimAlive = true;
    const task = deliveredTasks().find((d) => d.task.type === 'cross_system_healing' && d.task.agents.includes(VICTIM))?.task;
    expect(task).toBeDefined();
    await waitFor(
      'AgentSwarmAgentDown for the victim to resolve',
      async () => {
        const alerts = await firingAlerts('AgentSwarmAgentDown');
        return alerts.some((a) => a.agent === VICTIM) ? undefined : true;
      },
      15_000,
    );
    const incidents = await waitFor(
      'the incident closed',
      async () => {
        const res = await fetch(`${exporterUrl}/api/v1/coordination/tasks/${task?.id ?? ''}`);
        const detail = (await res.json()) as { incidents?: { alertname: string; status: string; ends_at: string | null }[] };
        const down = (detail.incidents ?? []).filter((i) => i.alertname === 'AgentSwarmAgentDown');
        return down.length > 0 && down.every((i) => i.status === 'resolved') ? down : undefined;
      },
      15_000,
    );
    expect(incidents.every((i) => i.ends_at !== null)).toBe(true);
  }, 35_000);
});
