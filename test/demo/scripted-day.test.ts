// One scripted day of the embedded demo (demo.alerting: embedded, demo.time_scale 0.1, the --demo
// analysis defaults) through a real exporter on a manual clock: every acting alert of the pack the
// demo evaluates fires, and every coordination type appears in the task history, delivered to the
// demo's orchestrator, which acts on the simulated swarm.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { COORDINATION_TYPES } from '../../src/model/coordination-vocabulary.js';
import { DemoAlertSource } from '../../src/demo/demo-alerts.js';
import { PACK_HOLD_MS, holdMs, phaseUnitMs, type PackAlert } from '../../src/demo/pack-timing.js';
import { SwarmModel } from '../../src/demo/swarm-model.js';
import { startCoordinationReceiver, type CoordinationReceiver } from '../../src/demo/coordination-receiver.js';
import { balancingMoves } from '../../src/demo/coordination-payload.js';
import { DEMO_DEFAULTS } from '../../src/demo/demo-defaults.js';
import { createWebhookVerifier } from '../../src/client/webhook-verifier.js';
import { startTestExporter, type TestExporter } from '../support/test-exporter.js';

const TIME_SCALE = 0.1;
const SIM_STEP_MS = 1000;
const SECRET = `whsec_${Buffer.from('scripted day secret of 32 bytes!').toString('base64')}`;

interface TaskRow {
  readonly id: string;
  readonly type: string;
  readonly status: string;
  readonly agents: readonly string[];
}

describe('the embedded demo\'s scripted day', () => {
  let exporter: TestExporter | undefined;
  let receiver: CoordinationReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    await exporter?.stop();
  });

  it('fires every acting alert it evaluates within one day and yields a task of every coordination type', async () => {
    const model = new SwarmModel({ scenario: 'day', seed: 42, stepMs: SIM_STEP_MS, phaseMs: phaseUnitMs(TIME_SCALE) });
    // The exporter signs with its manual clock; the orchestrator checks the timestamp against it.
    let now = (): number => Date.now();
    receiver = await startCoordinationReceiver({
      verify: createWebhookVerifier(SECRET, { now: () => now() }),
      simulator: {
        swarm: 'demo',
        restartAgent: (id) => model.restartAgent(id),
        applyBalancing: (plan) => model.applyBalancing(balancingMoves(plan)),
        downAgents: () => model.downAgents(),
      },
    });
    const dir = mkdtempSync(join(tmpdir(), 'scripted-day-'));
    writeFileSync(join(dir, 'secret'), SECRET);
    exporter = await startTestExporter({
      analysis: { step: DEMO_DEFAULTS['analysis.step'], window: DEMO_DEFAULTS['analysis.window'], forecast_horizons: DEMO_DEFAULTS['analysis.forecast_horizons'] },
      agents: { heartbeat_timeout: DEMO_DEFAULTS['agents.heartbeat_timeout'], expire_after: '10m' },
      coordination: { actions: { default: { url: receiver.url, secret_file: join(dir, 'secret') } }, backoff: { initial: '100ms', max: '1s' } },
    });
    const ex = exporter;
    now = () => ex.clock.now();
    const holds = Object.fromEntries(Object.keys(PACK_HOLD_MS).map((a) => [a, holdMs(a as PackAlert, TIME_SCALE)]));
    const fired = new Set<string>();
    const alerts = new DemoAlertSource({
      registry: ex.registry,
      analysis: () => ex.engine.latest(),
      target: ex.url,
      holdMs: holds,
      now: () => ex.clock.now(),
      log: (line) => {
        const m = /^demo alert firing: (\S+)/.exec(line);
        if (m?.[1] !== undefined) fired.add(m[1]);
      },
    });
    for (const a of model.agents) await ex.post(`/api/v1/agents/${a.id}/heartbeat`, { swarm: 'demo', type: a.type, capacity: a.capacity, variant: a.variant });

    const analysisEvery = 2000 / SIM_STEP_MS;
    for (let k = 0; k < model.stepsPerCycle; k += 1) {
      const frame = model.step();
      const samples = frame.agents.flatMap((a) => (a.up && a.metrics ? Object.entries(a.metrics).map(([metric, value]) => ({ swarm: 'demo', agent: a.id, metric, value, timestamp: ex.clock.now() })) : []));
      if (samples.length > 0) expect((await ex.post('/api/v1/samples', { samples })).status).toBe(202);
      ex.clock.advance(SIM_STEP_MS);
      if ((k + 1) % analysisEvery !== 0) continue;
      await ex.engine.cycle();
      await alerts.evaluate();
    }

    // Every alert the embedded alerting evaluates fired (ErrorBudgetBurn and AgentAbnormal are not among them: docs/demo.md).
    expect([...fired].sort()).toEqual(Object.keys(PACK_HOLD_MS).sort());
    const list = async (): Promise<TaskRow[]> => ((await (await fetch(`${ex.url}/api/v1/coordination/tasks?limit=500`)).json()) as { tasks: TaskRow[] }).tasks;
    const types = new Set((await list()).map((t) => t.type));
    expect([...types].sort()).toEqual([...COORDINATION_TYPES].sort());
    // Each was delivered to the orchestrator, and the healing task restarted the failed agent.
    await vi.waitFor(() => expect(new Set(receiver?.received().map((r) => r.type))).toEqual(new Set(COORDINATION_TYPES)), { timeout: 10_000, interval: 50 });
    expect(receiver.received().some((r) => r.type === 'cross_system_healing' && r.action.startsWith('restarted delta'))).toBe(true);
    // The loop is visible at info level, with ids: accepted alerts, created and delivered tasks.
    const lines = ex.logs.map((l) => JSON.parse(l) as { level: number | string; msg: string; task?: string; fingerprint?: string });
    const info = (msg: string): typeof lines => lines.filter((l) => l.msg === msg && (l.level === 30 || l.level === 'info'));
    expect(info('alert accepted').every((l) => typeof l.fingerprint === 'string')).toBe(true);
    expect(info('alert accepted').length).toBeGreaterThanOrEqual(fired.size);
    const ids = new Set((await list()).map((t) => t.id));
    expect(new Set(info('task created').map((l) => l.task))).toEqual(ids);
    expect(info('task delivered').length).toBeGreaterThanOrEqual(COORDINATION_TYPES.length);
    expect(info('task delivered').every((l) => l.task !== undefined && ids.has(l.task))).toBe(true);
  }, 120_000);
});
