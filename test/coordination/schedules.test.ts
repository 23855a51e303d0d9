import { afterEach, describe, expect, it } from 'vitest';
import { nodeCronFactory, startSchedules, validateSchedules, type CronFactory } from '../../src/coordination/schedules.js';
import type { PlanContext } from '../../src/coordination/plan-context.js';
import { ServiceHarness } from './fixtures/service-harness.js';

class FakeCron {
  readonly jobs: { expression: string; run: () => void; stopped: boolean }[] = [];
  readonly factory: CronFactory = (expression, run) => {
    const job = { expression, run, stopped: false };
    this.jobs.push(job);
    return { stop: () => (job.stopped = true) };
  };
}

const swarms = (names: string[]): PlanContext => ({ swarms: () => names, agents: () => [], analysis: () => undefined });
let harness: ServiceHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('coordination.schedules', () => {
  it('names each invalid cron expression', () => {
    expect(
      validateSchedules([
        { cron: '*/5 * * * *', type: 'performance_sync', priority: 'maintenance' },
        { cron: 'every five minutes', type: 'performance_sync', priority: 'maintenance' },
      ]),
    ).toEqual([
      expect.stringMatching(
        /^coordination\.schedules\[1\]\.cron: expected a cron expression such as "\*\/5 \* \* \* \*", got "every five minutes"/,
      ),
    ]);
    expect(() =>
      startSchedules([{ cron: '61 * * * *', type: 'performance_sync', priority: 'low' }], new FakeCron().factory, () => undefined),
    ).toThrow(/schedules\[0\]/);
  });

  it('creates one task per known swarm at each tick, and none while the previous one is still open', async () => {
    const cron = new FakeCron();
    harness = await new ServiceHarness({
      coordination: { schedules: [{ cron: '*/5 * * * *', type: 'performance_sync' }] },
      service: { cron: cron.factory, planContext: swarms(['s1', 's2']) },
    }).start();
    expect(cron.jobs.map((j) => j.expression)).toEqual(['*/5 * * * *']);
    cron.jobs[0]?.run();
    const tasks = harness.store.listTasks();
    expect(tasks.map((t) => [t.swarm, t.type, t.priority, t.source])).toEqual([
      ['s2', 'performance_sync', 'maintenance', 'schedule'],
      ['s1', 'performance_sync', 'maintenance', 'schedule'],
    ]);
    expect(tasks[0]?.reason).toMatch(
      /^scheduled by coordination\.schedules\[0\] \(\*\/5 \* \* \* \*\) for the slot at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/,
    );
    cron.jobs[0]?.run();
    expect(harness.store.listTasks()).toHaveLength(2);
    await harness.stopService();
    expect(cron.jobs[0]?.stopped).toBe(true);
  });

  it('targets the configured swarm only', async () => {
    const cron = new FakeCron();
    harness = await new ServiceHarness({
      coordination: { schedules: [{ cron: '0 * * * *', type: 'predictive_scaling', priority: 'low', swarm: 'prod' }] },
      service: { cron: cron.factory, planContext: swarms(['s1', 'prod']) },
    }).start();
    cron.jobs[0]?.run();
    expect(harness.store.listTasks().map((t) => [t.swarm, t.type, t.priority])).toEqual([['prod', 'predictive_scaling', 'low']]);
  });

  it('refuses to construct the service with an invalid schedule', async () => {
    await expect(() =>
      new ServiceHarness({ coordination: { schedules: [{ cron: 'nope', type: 'performance_sync' }] } }).start(),
    ).rejects.toThrow(/coordination\.schedules\[0\]\.cron/);
  });

  it('runs with real node-cron (a per-second schedule fires, then stops)', async () => {
    let fired = 0;
    const [job] = startSchedules([{ cron: '* * * * * *', type: 'performance_sync', priority: 'low' }], nodeCronFactory, () => {
      fired += 1;
    });
    const deadline = Date.now() + 3000;
    while (fired === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    job?.stop();
    expect(fired).toBeGreaterThan(0);
    const after = fired;
    await new Promise((r) => setTimeout(r, 1200));
    expect(fired).toBe(after);
  });
});
