// The TaskStore contract, run against every implementation (memory twin and SQLite).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Priority } from '../../src/model/coordination-vocabulary.js';
import type { IncomingAlert, NewTask } from '../../src/model/task-records.js';
import type { ExporterDatabase, TaskStore } from '../../src/persistence/task-store.js';

const T0 = Date.UTC(2026, 0, 1);
const RECEIVER = 'agentswarm';
let ids = 0;

export function newTask(overrides: Partial<NewTask> = {}): NewTask {
  ids += 1;
  return {
    id: `task-${ids}`,
    type: 'cross_system_healing',
    priority: 'high',
    source: 'api',
    swarm: 'demo',
    agents: ['alpha'],
    reason: 'test',
    alerts: [],
    ...overrides,
  };
}

function firing(fingerprint: string, startsAt = T0, withTask = true): IncomingAlert {
  return {
    fingerprint,
    startsAt,
    status: 'firing',
    endsAt: undefined,
    alertname: 'AgentSwarmAgentDown',
    task: withTask ? newTask({ source: 'alert', receiver: RECEIVER, fingerprint, incidentStartsAt: startsAt }) : undefined,
  };
}

function resolved(fingerprint: string, startsAt = T0, endsAt = startsAt + 60_000): IncomingAlert {
  return { fingerprint, startsAt, status: 'resolved', endsAt, alertname: 'AgentSwarmAgentDown', task: undefined };
}

export function describeTaskStoreContract(name: string, open: () => ExporterDatabase): void {
  describe(`TaskStore contract: ${name}`, () => {
    let store: ExporterDatabase;
    beforeEach(() => {
      store = open();
    });
    afterEach(() => {
      store.close();
    });

    const all = (): ReturnType<TaskStore['listTasks']> => store.listTasks({ limit: 1000 });

    describe('notifications', () => {
      it('creates one task and one incident per new firing alert', () => {
        const out = store.recordNotification(RECEIVER, [firing('a'), firing('b')], T0);
        expect(out.dispositions).toEqual(['created', 'created']);
        expect(out.created.map((t) => t.fingerprint)).toEqual(['a', 'b']);
        expect(all()).toHaveLength(2);
        expect(store.getIncident('a', T0)).toMatchObject({ status: 'firing', taskId: out.created[0]?.id, receiver: RECEIVER });
      });

      it('treats a resend of a known incident as a duplicate and updates last seen', () => {
        store.recordNotification(RECEIVER, [firing('a')], T0);
        const out = store.recordNotification(RECEIVER, [firing('a')], T0 + 1000);
        expect(out.dispositions).toEqual(['duplicate']);
        expect(all()).toHaveLength(1);
        expect(store.getIncident('a', T0)?.lastSeenAt).toBe(T0 + 1000);
      });

      it('creates only the new alert when a group grows', () => {
        store.recordNotification(RECEIVER, [firing('a')], T0);
        const out = store.recordNotification(RECEIVER, [firing('a'), firing('b')], T0 + 1000);
        expect(out.dispositions).toEqual(['duplicate', 'created']);
        expect(
          all()
            .map((t) => t.fingerprint)
            .sort(),
        ).toEqual(['a', 'b']);
      });

      it('treats the same incident from another receiver (HA or continue routes) as a duplicate', () => {
        store.recordNotification(RECEIVER, [firing('a')], T0);
        expect(store.recordNotification('other', [firing('a')], T0).dispositions).toEqual(['duplicate']);
      });

      it('records an alert that asks for no task', () => {
        const out = store.recordNotification(RECEIVER, [firing('a', T0, false)], T0);
        expect(out.dispositions).toEqual(['recorded']);
        expect(all()).toHaveLength(0);
        expect(store.getIncident('a', T0)).toMatchObject({ status: 'firing', taskId: undefined });
      });

      it('cancels the queued task when its alert resolves', () => {
        const { created } = store.recordNotification(RECEIVER, [firing('a')], T0);
        const out = store.recordNotification(RECEIVER, [resolved('a')], T0 + 5000);
        expect(out.dispositions).toEqual(['resolved']);
        expect(out.cancelled.map((t) => t.id)).toEqual([created[0]?.id]);
        expect(store.getTask(created[0]?.id ?? '')).toMatchObject({ status: 'cancelled', finishedAt: T0 + 5000 });
        expect(store.getIncident('a', T0)).toMatchObject({ status: 'resolved', endsAt: T0 + 60_000 });
        expect(store.recordNotification(RECEIVER, [resolved('a')], T0 + 6000).dispositions).toEqual(['duplicate']);
      });

      it('lets a running task finish when its alert resolves', () => {
        const { created } = store.recordNotification(RECEIVER, [firing('a')], T0);
        const id = created[0]?.id ?? '';
        store.claimTask(id, 'me', T0, T0 + 15_000);
        const out = store.recordNotification(RECEIVER, [resolved('a')], T0 + 1000);
        expect(out.cancelled).toEqual([]);
        expect(store.getTask(id)?.status).toBe('running');
      });

      it('creates nothing for the resolve of an unknown fingerprint, and voids its late firing retry', () => {
        const out = store.recordNotification(RECEIVER, [resolved('ghost')], T0 + 60_000);
        expect(out.dispositions).toEqual(['resolved_unknown']);
        expect(all()).toHaveLength(0);
        const late = store.recordNotification(RECEIVER, [firing('ghost')], T0 + 61_000);
        expect(late.dispositions).toEqual(['duplicate']);
        expect(all()).toHaveLength(0);
        expect(store.getIncident('ghost', T0)?.status).toBe('resolved');
      });

      it('opens a new task when the alert fires again with a new startsAt', () => {
        store.recordNotification(RECEIVER, [firing('a', T0)], T0);
        store.recordNotification(RECEIVER, [resolved('a', T0)], T0 + 60_000);
        const out = store.recordNotification(RECEIVER, [firing('a', T0 + 120_000)], T0 + 120_000);
        expect(out.dispositions).toEqual(['created']);
        expect(
          all()
            .map((t) => t.status)
            .sort(),
        ).toEqual(['cancelled', 'queued']);
      });

      it('ignores a late firing retry of an earlier period once a later one is known', () => {
        store.recordNotification(RECEIVER, [firing('a', T0 + 120_000)], T0 + 120_000);
        const out = store.recordNotification(RECEIVER, [firing('a', T0)], T0 + 121_000);
        expect(out.dispositions).toEqual(['stale']);
        expect(all()).toHaveLength(1);
        expect(store.getIncident('a', T0)).toBeUndefined();
      });

      it('attaches a re-fire to the still-open task instead of doubling it, and keeps that task when the old incident resolves', () => {
        const { created } = store.recordNotification(RECEIVER, [firing('a', T0)], T0);
        const id = created[0]?.id ?? '';
        // The resolve of the first period was lost; a second period starts.
        const refire = store.recordNotification(RECEIVER, [firing('a', T0 + 120_000)], T0 + 120_000);
        expect(refire.dispositions).toEqual(['linked']);
        expect(all()).toHaveLength(1);
        expect(store.getIncident('a', T0 + 120_000)?.taskId).toBe(id);
        // The old period's resolve arrives late: the task still serves the new period.
        const late = store.recordNotification(RECEIVER, [resolved('a', T0)], T0 + 121_000);
        expect(late.cancelled).toEqual([]);
        expect(store.getTask(id)?.status).toBe('queued');
        expect(store.listIncidents(id).map((i) => i.startsAt)).toEqual([T0, T0 + 120_000]);
      });

      it('applies a notification atomically: a failure leaves nothing behind', () => {
        const dup = newTask({ source: 'alert' });
        store.createTask(dup, T0);
        const clash: IncomingAlert = { ...firing('b'), task: { ...dup, receiver: RECEIVER, fingerprint: 'b' } };
        expect(() => store.recordNotification(RECEIVER, [firing('a'), clash], T0)).toThrow();
        expect(store.getIncident('a', T0)).toBeUndefined();
        expect(all()).toHaveLength(1);
      });
    });

    describe('tasks and leases', () => {
      it('keeps at most one open task per receiver and fingerprint', () => {
        const first = store.createTask(newTask({ receiver: 'schedule', fingerprint: 'k' }), T0);
        const second = store.createTask(newTask({ receiver: 'schedule', fingerprint: 'k' }), T0);
        expect(first.created).toBe(true);
        expect(second).toEqual({ created: false, task: first.task });
        expect(store.createTask(newTask({ receiver: 'schedule', fingerprint: 'other' }), T0).created).toBe(true);
        expect(store.createTask(newTask(), T0).created).toBe(true);
      });

      it('allows a new task for the key once the open one has finished', () => {
        const first = store.createTask(newTask({ receiver: 'r', fingerprint: 'k' }), T0).task;
        store.claimTask(first.id, 'me', T0, T0 + 1000);
        store.finishAttempt(first.id, 'me', attempt(first.id, 1, 'succeeded', 200), { status: 'succeeded' }, T0 + 10);
        expect(store.createTask(newTask({ receiver: 'r', fingerprint: 'k' }), T0).created).toBe(true);
      });

      it('claims only queued tasks that are due, counting attempts', () => {
        const task = store.createTask(newTask(), T0).task;
        expect(task).toMatchObject({ status: 'queued', attempts: 0, nextAttemptAt: T0, plan: undefined });
        const claimed = store.claimTask(task.id, 'me', T0 + 5, T0 + 15_005);
        expect(claimed).toMatchObject({ status: 'running', attempts: 1, leaseOwner: 'me', leaseExpiresAt: T0 + 15_005, startedAt: T0 + 5 });
        expect(store.claimTask(task.id, 'you', T0 + 6, T0 + 15_006)).toBeUndefined();
        expect(
          store.finishAttempt(
            task.id,
            'me',
            attempt(task.id, 1, 'retryable', 503),
            { status: 'queued', nextAttemptAt: T0 + 2000, error: 'HTTP 503' },
            T0 + 10,
          ),
        ).toBe(true);
        expect(store.claimTask(task.id, 'me', T0 + 1999, T0 + 20_000)).toBeUndefined();
        expect(store.claimTask(task.id, 'me', T0 + 2000, T0 + 20_000)?.attempts).toBe(2);
        expect(store.getTask(task.id)?.startedAt).toBe(T0 + 5);
      });

      it('finishes an attempt only under the current lease, and never changes a final status', () => {
        const task = store.createTask(newTask(), T0).task;
        store.claimTask(task.id, 'me', T0, T0 + 1000);
        expect(store.finishAttempt(task.id, 'thief', attempt(task.id, 1, 'succeeded', 200), { status: 'succeeded' }, T0 + 1)).toBe(false);
        expect(
          store.finishAttempt(task.id, 'me', attempt(task.id, 1, 'failed', 404), { status: 'failed', error: 'HTTP 404' }, T0 + 2),
        ).toBe(true);
        expect(store.getTask(task.id)).toMatchObject({
          status: 'failed',
          finishedAt: T0 + 2,
          lastError: 'HTTP 404',
          leaseOwner: undefined,
        });
        expect(store.claimTask(task.id, 'me', T0 + 3, T0 + 1000)).toBeUndefined();
        expect(store.finishAttempt(task.id, 'me', attempt(task.id, 2, 'succeeded', 200), { status: 'succeeded' }, T0 + 4)).toBe(false);
        expect(store.listAttempts(task.id)).toEqual([attempt(task.id, 1, 'failed', 404)]);
      });

      it('re-queues running tasks of a dead owner and dead-letters those past their last attempt', () => {
        const a = store.createTask(newTask(), T0).task;
        const b = store.createTask(newTask(), T0).task;
        const c = store.createTask(newTask(), T0).task;
        store.claimTask(a.id, 'old', T0, T0 + 60_000);
        store.claimTask(c.id, 'me', T0, T0 + 60_000);
        // b crashed on attempts 1 and 2 with max_attempts 1: its extra attempt is spent.
        store.claimTask(b.id, 'old', T0, T0 + 60_000);
        store.finishAttempt(b.id, 'old', attempt(b.id, 1, 'retryable', 500), { status: 'queued', nextAttemptAt: T0 }, T0);
        store.claimTask(b.id, 'old', T0, T0 + 60_000);
        const out = store.recoverLeases('me', T0 + 1000, 1);
        expect(out).toEqual({ requeued: [a.id], failed: [b.id] });
        expect(store.getTask(a.id)).toMatchObject({ status: 'queued', attempts: 1, nextAttemptAt: T0 + 1000, leaseOwner: undefined });
        expect(store.getTask(c.id)?.status).toBe('running');
        // My own lease, once expired, is recovered too.
        expect(store.recoverLeases('me', T0 + 60_000, 4).requeued).toEqual([c.id]);
      });

      it('lists queued tasks in priority then FIFO order, and counts them per priority', () => {
        const order: Priority[] = ['low', 'emergency', 'maintenance', 'emergency', 'medium', 'high'];
        const created = order.map((priority) => store.createTask(newTask({ priority }), T0).task);
        store.claimTask(created[5]?.id ?? '', 'me', T0, T0 + 1);
        expect(store.queuedTasks().map((e) => e.id)).toEqual([1, 3, 4, 0, 2].map((i) => created[i]?.id));
        expect(store.countQueuedByPriority()).toEqual({ emergency: 2, high: 0, medium: 1, low: 1, maintenance: 1 });
      });

      it('lists tasks newest first with status and type filters and a cursor', () => {
        const a = store.createTask(newTask({ type: 'performance_sync' }), T0).task;
        const b = store.createTask(newTask({ type: 'resource_balancing' }), T0).task;
        const c = store.createTask(newTask({ type: 'performance_sync' }), T0).task;
        store.claimTask(c.id, 'me', T0, T0 + 1);
        expect(store.listTasks().map((t) => t.id)).toEqual([c.id, b.id, a.id]);
        expect(store.listTasks({ type: 'performance_sync' }).map((t) => t.id)).toEqual([c.id, a.id]);
        expect(store.listTasks({ status: 'queued' }).map((t) => t.id)).toEqual([b.id, a.id]);
        expect(store.listTasks({ status: 'queued', type: 'performance_sync' }).map((t) => t.id)).toEqual([a.id]);
        expect(store.listTasks({ limit: 1 }).map((t) => t.id)).toEqual([c.id]);
        expect(store.listTasks({ beforeSeq: c.seq }).map((t) => t.id)).toEqual([b.id, a.id]);
      });

      it('round-trips the task body, plan and impact', () => {
        const alerts = [
          {
            fingerprint: 'f',
            status: 'firing' as const,
            labels: { a: 'b' },
            annotations: {},
            startsAt: '2026-01-01T00:00:00.000Z',
            generatorURL: 'g',
          },
        ];
        const task = store.createTask(newTask({ agents: ['x', 'y'], alerts, reason: 'why' }), T0).task;
        store.savePlan(
          task.id,
          { kind: 'cross_system_healing', agents: [{ id: 'x', values: { cpu: 0.5 } }], ok: true, none: null },
          T0 + 1,
        );
        store.saveImpact(task.id, { score: 'health', before: 0.4, after: 0.8, ratio: 1, measuredAt: T0 + 2 }, T0 + 2);
        expect(store.getTask(task.id)).toMatchObject({
          agents: ['x', 'y'],
          alerts,
          reason: 'why',
          plan: { kind: 'cross_system_healing', agents: [{ id: 'x', values: { cpu: 0.5 } }], ok: true, none: null },
          impact: { score: 'health', before: 0.4, after: 0.8, ratio: 1, measuredAt: T0 + 2 },
        });
        expect(store.getTask('nope')).toBeUndefined();
      });
    });

    describe('history', () => {
      it('keeps analysis snapshots per swarm', () => {
        store.saveAnalysisSnapshot({ swarm: 's', takenAt: T0, body: { n: 1 } });
        store.saveAnalysisSnapshot({ swarm: 's', takenAt: T0 + 10, body: { n: 2 } });
        store.saveAnalysisSnapshot({ swarm: 't', takenAt: T0 + 20, body: { n: 3 } });
        expect(store.latestAnalysisSnapshot('s')).toEqual({ swarm: 's', takenAt: T0 + 10, body: { n: 2 } });
        expect(store.listAnalysisSnapshots('s', T0 + 5).map((s) => s.body)).toEqual([{ n: 2 }]);
        expect(store.latestAnalysisSnapshot('none')).toBeUndefined();
      });

      it('downsamples agent states: the last write in a bucket wins', () => {
        const state = { swarm: 's', agent: 'a', bucketStart: T0, status: 'good', healthScore: 0.8, metrics: { cpu_usage: 0.5 } };
        store.saveAgentStates([state, { ...state, agent: 'b', healthScore: undefined }]);
        store.saveAgentStates([{ ...state, status: 'degraded', healthScore: 0.6 }]);
        store.saveAgentStates([{ ...state, bucketStart: T0 + 60_000 }]);
        expect(store.listAgentStates('s', 'a', 0)).toEqual([
          { ...state, status: 'degraded', healthScore: 0.6 },
          { ...state, bucketStart: T0 + 60_000 },
        ]);
        expect(store.listAgentStates('s', undefined, 0).map((s) => s.agent)).toEqual(['a', 'b', 'a']);
        expect(store.listAgentStates('s', undefined, 0)[1]?.healthScore).toBeUndefined();
      });

      it('applies retention to what ended before the cutoff and keeps open work', () => {
        const done = store.createTask(newTask(), T0).task;
        store.claimTask(done.id, 'me', T0, T0 + 1);
        store.finishAttempt(done.id, 'me', attempt(done.id, 1, 'succeeded', 200), { status: 'succeeded' }, T0 + 1);
        const open = store.recordNotification(RECEIVER, [firing('open')], T0).created[0];
        store.recordNotification(RECEIVER, [firing('quiet', T0, false)], T0);
        store.recordNotification(RECEIVER, [firing('recent', T0, false)], T0 + 10_000);
        store.saveAnalysisSnapshot({ swarm: 's', takenAt: T0, body: {} });
        store.saveAgentStates([{ swarm: 's', agent: 'a', bucketStart: T0, status: 'good', healthScore: 1, metrics: {} }]);

        expect(store.applyRetention(T0 + 5000)).toEqual({ tasks: 1, incidents: 1, snapshots: 1, agentStates: 1 });
        expect(store.getTask(done.id)).toBeUndefined();
        expect(store.listAttempts(done.id)).toEqual([]);
        expect(store.getTask(open?.id ?? '')?.status).toBe('queued');
        expect(store.getIncident('open', T0)).toBeDefined();
        expect(store.getIncident('quiet', T0)).toBeUndefined();
        expect(store.getIncident('recent', T0)).toBeDefined();
      });
    });

    describe('pending impacts', () => {
      it('keeps the due time and baseline until the impact is saved or cleared, soonest first', () => {
        const a = store.createTask(newTask(), T0).task;
        const b = store.createTask(newTask(), T0).task;
        const c = store.createTask(newTask(), T0).task;
        expect(store.pendingImpacts()).toEqual([]);
        store.setImpactDue(a.id, { dueAt: T0 + 9000, baseline: { score: 'health', value: 0.4, higherIsBetter: true } }, T0);
        store.setImpactDue(b.id, { dueAt: T0 + 5000, baseline: { score: 'unhealthy_agents', value: 3, higherIsBetter: false } }, T0);
        store.setImpactDue(c.id, { dueAt: T0 + 7000, baseline: { score: 'health', value: 0.1, higherIsBetter: true } }, T0);
        expect(store.pendingImpacts()).toEqual([
          { taskId: b.id, dueAt: T0 + 5000, baseline: { score: 'unhealthy_agents', value: 3, higherIsBetter: false } },
          { taskId: c.id, dueAt: T0 + 7000, baseline: { score: 'health', value: 0.1, higherIsBetter: true } },
          { taskId: a.id, dueAt: T0 + 9000, baseline: { score: 'health', value: 0.4, higherIsBetter: true } },
        ]);
        store.saveImpact(b.id, { score: 'unhealthy_agents', before: 3, after: 1, ratio: 2 / 3, measuredAt: T0 + 5000 }, T0 + 5000);
        store.setImpactDue(c.id, undefined, T0 + 7000);
        expect(store.pendingImpacts().map((p) => p.taskId)).toEqual([a.id]);
        expect(store.getTask(b.id)?.impact).toMatchObject({ score: 'unhealthy_agents', after: 1 });
      });
    });

    it('reports itself healthy while it works', () => {
      expect(store.health()).toEqual({ ok: true });
    });

    it('answers StoreUnavailableError after close', () => {
      store.close();
      expect(() => store.createTask(newTask(), T0)).toThrow(expect.objectContaining({ name: 'StoreUnavailableError', reason: 'closed' }));
      expect(() => store.listTasks()).toThrow(expect.objectContaining({ name: 'StoreUnavailableError' }));
    });
  });
}

export function attempt(taskId: string, n: number, outcome: 'succeeded' | 'failed' | 'retryable', statusCode?: number) {
  return {
    taskId,
    attempt: n,
    startedAt: T0,
    durationMs: 12.5,
    statusCode,
    outcome,
    error: outcome === 'succeeded' ? undefined : `HTTP ${statusCode}`,
  };
}
