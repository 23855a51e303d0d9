import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlanAgent, PlanContext } from '../../src/coordination/plan-context.js';
import { ActionTarget } from '../coordination/fixtures/action-target.js';
import { alert, notification } from '../coordination/fixtures/alertmanager.js';
import { ServiceHarness, type HarnessOptions } from '../coordination/fixtures/service-harness.js';

const API_TOKEN = 'api-token-for-tests';
let harness: ServiceHarness | undefined;
let target: ActionTarget | undefined;

async function start(options: HarnessOptions = {}): Promise<ServiceHarness> {
  harness = await new ServiceHarness({ apiToken: API_TOKEN, ...options }).start();
  return harness;
}

afterEach(async () => {
  await harness?.close();
  harness = undefined;
  await target?.stop();
  target = undefined;
});

describe('task API', () => {
  it('creates a task by hand (201, Location) and shows it in the list and in detail', async () => {
    const h = await start();
    const created = await h.post('/api/v1/coordination/tasks', {
      type: 'resource_balancing',
      priority: 'high',
      swarm: 's1',
      agents: ['a', 'b'],
      reason: 'rebalance please',
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      id: 'task-0001',
      type: 'resource_balancing',
      priority: 'high',
      status: 'queued',
      source: 'api',
      swarm: 's1',
      agents: ['a', 'b'],
      reason: 'rebalance please',
      attempt_count: 0,
      plan: null,
      impact: null,
      created_at: '2026-01-01T00:00:00.000Z',
    });
    const list = await h.get('/api/v1/coordination/tasks');
    expect(list.json).toMatchObject({ tasks: [{ id: 'task-0001' }], next_before: null });
    const detail = await h.get('/api/v1/coordination/tasks/task-0001');
    expect(detail).toMatchObject({ status: 200, json: { id: 'task-0001', attempts: [], incidents: [] } });
  });

  it('defaults swarm to "default" and agents to none', async () => {
    const h = await start();
    const created = await h.post('/api/v1/coordination/tasks', { type: 'performance_sync', priority: 'maintenance' });
    expect(created.json).toMatchObject({ swarm: 'default', agents: [], reason: '' });
  });

  it('filters by status and type and pages newest first', async () => {
    const h = await start();
    for (const type of ['performance_sync', 'resource_balancing', 'performance_sync', 'performance_sync']) {
      await h.post('/api/v1/coordination/tasks', { type, priority: 'low' });
    }
    const ids = (r: { json: Record<string, unknown> }) => (r.json.tasks as { id: string }[]).map((t) => t.id);
    expect(ids(await h.get('/api/v1/coordination/tasks?type=performance_sync'))).toEqual(['task-0004', 'task-0003', 'task-0001']);
    expect(ids(await h.get('/api/v1/coordination/tasks?status=queued&type=resource_balancing'))).toEqual(['task-0002']);
    expect(ids(await h.get('/api/v1/coordination/tasks?status=succeeded'))).toEqual([]);
    const page = await h.get('/api/v1/coordination/tasks?limit=2');
    expect(ids(page)).toEqual(['task-0004', 'task-0003']);
    expect(ids(await h.get(`/api/v1/coordination/tasks?limit=2&before=${String(page.json.next_before)}`))).toEqual([
      'task-0002',
      'task-0001',
    ]);
  });

  it.each([
    ['an unknown status', '?status=done', 'query.status: expected one of'],
    ['an unknown type', '?type=teleport', 'query.type: expected one of'],
    ['a limit out of range', '?limit=5000', 'query.limit'],
    ['an unknown parameter', '?color=red', 'query: unknown field "color"'],
  ])('answers 400 to a list query with %s', async (_name, query, message) => {
    const h = await start();
    const res = await h.get(`/api/v1/coordination/tasks${query}`);
    expect(res.status).toBe(400);
    expect(res.json.error).toContain(message);
  });

  it.each([
    ['an unknown type', { type: 'teleport', priority: 'low' }, 'body.type: expected one of'],
    ['a missing priority', { type: 'performance_sync' }, 'body.priority: expected one of'],
    [
      'an invalid agent id',
      { type: 'performance_sync', priority: 'low', agents: ['ok', 'not ok!'] },
      'body.agents[1]: expected an agent id',
    ],
    ['an unknown field', { type: 'performance_sync', priority: 'low', extra: 1 }, 'body: unknown field "extra"'],
    ['a list body', [], 'body: expected object, got a list'],
  ])('answers 422 to a task with %s, naming the field', async (_name, body, message) => {
    const h = await start();
    const res = await h.post('/api/v1/coordination/tasks', body);
    expect(res.status).toBe(422);
    expect(res.json.error).toContain(message);
    expect(h.store.listTasks()).toHaveLength(0);
  });

  it('answers 400 to malformed JSON and 415 to another content type', async () => {
    const h = await start();
    expect((await h.post('/api/v1/coordination/tasks', '{"type"')).status).toBe(400);
    expect((await h.post('/api/v1/coordination/tasks', 'type=x', { 'content-type': 'text/plain' })).status).toBe(415);
  });

  it('answers 404 to an unknown task', async () => {
    const h = await start();
    const res = await h.get('/api/v1/coordination/tasks/nope');
    expect(res).toMatchObject({ status: 404, json: { error: 'id: no task "nope"' } });
  });

  it.each([
    ['GET list', 'GET', '/api/v1/coordination/tasks'],
    ['GET detail', 'GET', '/api/v1/coordination/tasks/x'],
    ['POST', 'POST', '/api/v1/coordination/tasks'],
  ])('requires the API token for %s', async (_name, method, path) => {
    const h = await start();
    const res = await fetch(`${h.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: 'Bearer wrong' },
      ...(method === 'POST' ? { body: JSON.stringify({ type: 'performance_sync', priority: 'low' }) } : {}),
    });
    expect(res.status).toBe(401);
    expect(h.store.listTasks()).toHaveLength(0);
  });

  it('answers 503 while the database is locked by another connection, and when shutting down', async () => {
    const h = await start({ storeOptions: { busyTimeoutMs: 20 } });
    const other = new Database(h.dbPath);
    other.exec('BEGIN IMMEDIATE');
    expect((await h.post('/api/v1/coordination/tasks', { type: 'performance_sync', priority: 'low' })).status).toBe(503);
    other.exec('COMMIT');
    other.close();
    expect((await h.post('/api/v1/coordination/tasks', { type: 'performance_sync', priority: 'low' })).status).toBe(201);
    await h.stopService(0);
    expect((await h.post('/api/v1/coordination/tasks', { type: 'performance_sync', priority: 'low' })).status).toBe(503);
  });

  it('shows a task created by an alert with its attempts, incident and impact; /metrics counters and queue gauges match', async () => {
    target = await new ActionTarget().start();
    target.respond = (_r, i) => ({ status: i === 0 ? 503 : 200 });
    // Agent gamma is down when the task is delivered and healthy again five minutes later.
    let gamma: PlanAgent = {
      id: 'gamma',
      type: 'worker',
      variant: '',
      status: 'failed',
      healthScore: undefined,
      lastSeen: Date.UTC(2026, 0, 1) - 60_000,
      capacity: 2,
      values: { active_tasks: 0 },
    };
    const context: PlanContext = { swarms: () => ['demo'], agents: (s) => (s === 'demo' ? [gamma] : []), analysis: () => undefined };
    const h = await start({
      coordination: { impact_delay: '5m', backoff: { initial: '2s', max: '1m' }, actions: { default: { url: target.url } } },
      service: { planContext: context },
    });
    const sent = await h.post(
      '/api/v1/alerts',
      notification([alert({ fingerprint: 'g1', labels: { agent: 'gamma', alertname: 'AgentSwarmAgentDown' }, priority: 'emergency' })]),
    );
    const id = (sent.json.tasks_created as string[])[0] ?? '';
    expect(await h.metric('agentswarm_coordination_queue_depth', { priority: 'emergency' })).toBe(1);

    await h.until(() => h.store.listAttempts(id).length === 1, 'first attempt');
    await h.scheduler.advance(2000);
    await h.until(() => h.store.getTask(id)?.status === 'succeeded', 'success');
    gamma = { ...gamma, status: 'good', healthScore: 0.9 };
    await h.scheduler.advance(5 * 60_000);

    const detail = await h.get(`/api/v1/coordination/tasks/${id}`);
    expect(detail.json).toMatchObject({
      id,
      status: 'succeeded',
      source: 'alert',
      priority: 'emergency',
      attempt_count: 2,
      plan: { kind: 'cross_system_healing', agents: [{ id: 'gamma', status: 'failed' }], actions: [{ agent: 'gamma', action: 'restart' }] },
      impact: { score: 'health', before: 0, after: 0.9, ratio: 0.9 },
      attempts: [
        { attempt: 1, outcome: 'retryable', status_code: 503 },
        { attempt: 2, outcome: 'succeeded', status_code: 200 },
      ],
      incidents: [{ fingerprint: 'g1', status: 'firing', alertname: 'AgentSwarmAgentDown' }],
    });
    expect(detail.json.alerts).toMatchObject([{ fingerprint: 'g1', labels: { agent: 'gamma' } }]);

    const labels = { coordination_type: 'cross_system_healing', priority: 'emergency' };
    const list = (await h.get('/api/v1/coordination/tasks')).json.tasks as { status: string }[];
    expect(await h.metric('agentswarm_coordination_tasks_total', { ...labels, outcome: 'created' })).toBe(list.length);
    expect(await h.metric('agentswarm_coordination_tasks_total', { ...labels, outcome: 'succeeded' })).toBe(
      list.filter((t) => t.status === 'succeeded').length,
    );
    for (const priority of ['emergency', 'high', 'medium', 'low', 'maintenance']) {
      expect(await h.metric('agentswarm_coordination_queue_depth', { priority })).toBe(0);
    }
    expect(await h.metric('agentswarm_coordination_impact_ratio', { coordination_type: 'cross_system_healing' })).toBe(0.9);
    expect(await h.metric('agentswarm_coordination_task_duration_seconds_count', { coordination_type: 'cross_system_healing' })).toBe(1);

    // The resolve closes the incident; the finished task stays as it was.
    await h.post(
      '/api/v1/alerts',
      notification([alert({ fingerprint: 'g1', status: 'resolved', labels: { agent: 'gamma', alertname: 'AgentSwarmAgentDown' } })]),
    );
    expect((await h.get(`/api/v1/coordination/tasks/${id}`)).json).toMatchObject({
      status: 'succeeded',
      incidents: [{ status: 'resolved' }],
    });
  });
});
