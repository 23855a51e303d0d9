import { afterEach, describe, expect, it } from 'vitest';
import { ServiceHarness } from './fixtures/service-harness.js';
import { alert, notification } from './fixtures/alertmanager.js';

let harness: ServiceHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('CoordinationService', () => {
  it('re-queues on start what a previous process left running', async () => {
    harness = await new ServiceHarness({ coordination: { actions: {} } }).start();
    const h = harness;
    const task = h.service.createTask({ type: 'performance_sync', priority: 'low' });
    // Simulate the previous process: claimed, then died.
    await h.stopService();
    h.store.claimTask(task.id, 'dead-process', h.clock.now(), h.clock.now() + 60_000);
    await h.restartService();
    expect(h.store.getTask(task.id)?.status).toBe('queued');
    expect(h.logLines.join('\n')).toContain('recovered tasks left running by a previous process');
  });

  it('keeps analysis snapshots and downsampled agent states, and applies retention hourly', async () => {
    harness = await new ServiceHarness({ service: { retentionIntervalMs: 60_000 } }).start();
    const h = harness;
    h.service.recordAnalysisSnapshot('demo', { balance_index: 0.8 });
    h.service.recordAgentStates([{ swarm: 'demo', agent: 'a', status: 'good', healthScore: 0.8, metrics: { cpu_usage: 0.4 } }]);
    h.clock.advance(20_000);
    h.service.recordAgentStates([{ swarm: 'demo', agent: 'a', status: 'degraded', healthScore: 0.6, metrics: { cpu_usage: 0.7 } }]);
    expect(h.store.listAgentStates('demo', 'a', 0)).toMatchObject([{ status: 'degraded', bucketStart: Date.UTC(2026, 0, 1) }]);
    expect(h.store.latestAnalysisSnapshot('demo')?.body).toEqual({ balance_index: 0.8 });
    // storage.retention defaults to 7 days: jump past it, then let one retention interval run.
    h.clock.advance(8 * 86_400_000);
    await h.scheduler.advance(60_000);
    expect(h.store.latestAnalysisSnapshot('demo')).toBeUndefined();
    expect(h.store.listAgentStates('demo', 'a', 0)).toEqual([]);
  });

  it('counts alerts by status and result', async () => {
    harness = await new ServiceHarness().start();
    const h = harness;
    await h.service.receiveNotification({
      receiver: 'r',
      status: 'firing',
      groupKey: '',
      truncatedAlerts: 0,
      alerts: [],
    });
    await h.post('/api/v1/alerts', notification([alert({ fingerprint: 'a' }), alert({ fingerprint: 'b', status: 'resolved' })]));
    expect(await h.metric('agentswarm_alerts_received_total', { status: 'firing', result: 'accepted' })).toBe(1);
    expect(await h.metric('agentswarm_alerts_received_total', { status: 'resolved', result: 'accepted' })).toBe(1);
  });

  it('tells each new task in a line at info, and a storm of them in one line naming every task', async () => {
    harness = await new ServiceHarness().start();
    const h = harness;
    const lines = (msg: string): { level: number; task?: string; tasks?: string; fingerprint?: string }[] =>
      h.logLines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.msg === msg);
    await h.post('/api/v1/alerts', notification([alert({ fingerprint: 'one' })]));
    expect(lines('task created')).toMatchObject([{ level: 30, fingerprint: 'one' }]);
    expect(lines('tasks created')).toEqual([]);
    const storm = Array.from({ length: 11 }, (_, i) => alert({ fingerprint: `storm-${i}` }));
    await h.post('/api/v1/alerts', notification(storm));
    const ids = h.store
      .listTasks({ limit: 100 })
      .filter((t) => t.fingerprint?.startsWith('storm-') === true)
      .map((t) => t.id);
    expect(ids).toHaveLength(11);
    expect(lines('tasks created')).toHaveLength(1);
    expect(lines('tasks created')[0]?.level).toBe(30);
    expect(lines('tasks created')[0]?.tasks?.split(',').sort()).toEqual([...ids].sort());
    // Each task of the storm is still told, at debug.
    expect(
      lines('task created')
        .filter((l) => l.level === 20)
        .map((l) => l.task)
        .sort(),
    ).toEqual([...ids].sort());
  });

  it('cannot be started twice', async () => {
    harness = await new ServiceHarness().start();
    expect(() => harness?.service.start()).toThrow(/cannot start a running coordination service/);
  });
});
