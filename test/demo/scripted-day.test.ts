// One scripted day of the embedded demo (demo.alerting: embedded, demo.time_scale 0.1, the --demo
// analysis defaults) through a real exporter on a manual clock: every acting alert of the pack the
// demo evaluates fires, and every coordination type appears in the task history, delivered to the
// demo's orchestrator, which acts on the simulated swarm.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { COORDINATION_TYPES } from '../../src/model/coordination-vocabulary.js';
import { PACK_HOLD_MS } from '../../src/demo/pack-timing.js';
import { startCoordinationReceiver, type CoordinationReceiver } from '../../src/demo/coordination-receiver.js';
import { balancingMoves } from '../../src/demo/coordination-payload.js';
import { createWebhookVerifier } from '../../src/client/webhook-verifier.js';
import { startTestExporter, type TestExporter } from '../support/test-exporter.js';
import { demoDayModel, demoExporterConfig, runDemoDay } from './support/demo-day.js';

const SECRET = `whsec_${Buffer.from('scripted day secret of 32 bytes!').toString('base64')}`;

interface TaskRow {
  readonly id: string;
  readonly type: string;
  readonly status: string;
  readonly source: string;
  readonly agents: readonly string[];
}

describe("the embedded demo's scripted day", () => {
  let exporter: TestExporter | undefined;
  let receiver: CoordinationReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    await exporter?.stop();
  });

  it('fires every acting alert it evaluates within one day and yields a task of every coordination type', async () => {
    const model = demoDayModel();
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
    exporter = await startTestExporter(
      demoExporterConfig({
        coordination: {
          actions: { default: { url: receiver.url, secret_file: join(dir, 'secret') } },
          backoff: { initial: '100ms', max: '1s' },
        },
      }),
    );
    const ex = exporter;
    now = () => ex.clock.now();
    const fired = new Set<string>();
    await runDemoDay(ex, model, {
      log: (line) => {
        const m = /^demo alert firing: (\S+)/.exec(line);
        if (m?.[1] !== undefined) fired.add(m[1]);
      },
    });

    // Every alert the embedded alerting evaluates fired (ErrorBudgetBurn and AgentAbnormal are not among them: docs/demo.md).
    expect([...fired].sort()).toEqual(Object.keys(PACK_HOLD_MS).sort());
    const list = async (): Promise<TaskRow[]> =>
      ((await (await fetch(`${ex.url}/api/v1/coordination/tasks?limit=500`)).json()) as { tasks: TaskRow[] }).tasks;
    const types = new Set((await list()).map((t) => t.type));
    expect([...types].sort()).toEqual([...COORDINATION_TYPES].sort());
    // Each was delivered to the orchestrator, and the healing task restarted the failed agent.
    await vi.waitFor(() => expect(new Set(receiver?.received().map((r) => r.type))).toEqual(new Set(COORDINATION_TYPES)), {
      timeout: 10_000,
      interval: 50,
    });
    expect(receiver.received().some((r) => r.type === 'cross_system_healing' && r.action.startsWith('restarted delta'))).toBe(true);
    // The loop is visible at info level, with ids: accepted alerts (told by "task created" when they
    // created one, else by "alert accepted"), created and delivered tasks.
    const lines = ex.logs.map(
      (l) => JSON.parse(l) as { level: number | string; msg: string; task?: string; fingerprint?: string; alert?: string },
    );
    const info = (msg: string): typeof lines => lines.filter((l) => l.msg === msg && (l.level === 30 || l.level === 'info'));
    const news = [...info('alert accepted'), ...info('task created')];
    expect(news.every((l) => typeof l.fingerprint === 'string' && typeof l.alert === 'string')).toBe(true);
    expect(new Set(news.map((l) => l.alert))).toEqual(new Set(fired));
    const ids = new Set((await list()).map((t) => t.id));
    const alertTasks = (await list()).filter((t) => t.source === 'alert');
    expect(new Set(info('task created').map((l) => l.task))).toEqual(ids);
    expect(info('task created').filter((l) => l.fingerprint !== undefined).length).toBe(alertTasks.length);
    expect(info('task delivered').length).toBeGreaterThanOrEqual(COORDINATION_TYPES.length);
    expect(info('task delivered').every((l) => l.task !== undefined && ids.has(l.task))).toBe(true);
  }, 120_000);
});
