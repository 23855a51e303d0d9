// The TaskStore contract and the PostgreSQL-only guarantees (shared replicas) against a real server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/demo/prng.js';
import type { IncomingAlert, NotificationOutcome } from '../../src/model/task-records.js';
import { MemoryTaskStore } from '../../src/persistence/memory-task-store.js';
import { PG_MIGRATIONS } from '../../src/persistence/postgres-migrations.js';
import { PostgresTaskStore } from '../../src/persistence/postgres-task-store.js';
import { requirePostgres, startPostgresCluster, type PostgresCluster } from '../support/postgres-cluster.js';
import { attempt, describeTaskStoreContract, newTask } from './task-store-contract.js';

const bin = requirePostgres();
let cluster: PostgresCluster | undefined;
let n = 0;

function freshUrl(): string {
  if (cluster === undefined) throw new Error('cluster not started');
  n += 1;
  return cluster.createSchema(`contract_${n}`);
}

describe.skipIf(bin === undefined)('PostgresTaskStore', () => {
  beforeAll(async () => {
    if (bin !== undefined) cluster = await startPostgresCluster(bin);
  });
  afterAll(() => cluster?.stop());

  describeTaskStoreContract('postgresql', () => PostgresTaskStore.open({ url: freshUrl() }));

  describe('shared by replicas', () => {
    it('migrates once and reopens without re-running migrations', () => {
      const url = freshUrl();
      const first = PostgresTaskStore.open({ url });
      const { task } = first.createTask(newTask(), 1);
      const second = PostgresTaskStore.open({ url });
      expect(second.getTask(task.id)?.id).toBe(task.id);
      expect(second.schemaVersion()).toBe(PG_MIGRATIONS.length);
      first.close();
      second.close();
    });

    it('lets a second replica see a duplicate of what the first committed, and claim a task only once', () => {
      const url = freshUrl();
      const a = PostgresTaskStore.open({ url });
      const b = PostgresTaskStore.open({ url });
      const alert = { fingerprint: 'f', startsAt: 1000, status: 'firing' as const, endsAt: undefined, alertname: 'X' };
      const first = a.recordNotification('r', [{ ...alert, task: newTask({ source: 'alert', receiver: 'r', fingerprint: 'f' }) }], 2000);
      const second = b.recordNotification('r', [{ ...alert, task: newTask({ source: 'alert', receiver: 'r', fingerprint: 'f' }) }], 2001);
      expect(first.dispositions).toEqual(['created']);
      expect(second.dispositions).toEqual(['duplicate']);
      const id = first.created[0]?.id ?? '';
      expect(a.claimTask(id, 'A', 3000, 60_000)?.leaseOwner).toBe('A');
      expect(b.claimTask(id, 'B', 3000, 60_000)).toBeUndefined();
      a.close();
      b.close();
    });

    it("keeps a live replica's lease and recovers a dead one's, once", () => {
      const url = freshUrl();
      const a = PostgresTaskStore.open({ url });
      const b = PostgresTaskStore.open({ url });
      const t1 = a.createTask(newTask(), 0).task;
      const t2 = a.createTask(newTask(), 0).task;
      a.claimTask(t1.id, 'A', 0, 600_000);
      b.claimTask(t2.id, 'B', 0, 600_000);
      // Both alive: neither takes the other's running task.
      expect(b.recoverLeases('B', 1000, 5)).toEqual({ requeued: [], failed: [] });
      expect(a.recoverLeases('A', 1000, 5)).toEqual({ requeued: [], failed: [] });
      // A's session ends (a crash closes its socket): B recovers A's task, A2 then finds nothing.
      a.close();
      expect(b.recoverLeases('B', 2000, 5)).toEqual({ requeued: [t1.id], failed: [] });
      const a2 = PostgresTaskStore.open({ url });
      expect(a2.recoverLeases('A2', 2001, 5)).toEqual({ requeued: [], failed: [] });
      expect(a2.getTask(t1.id)).toMatchObject({ status: 'queued', attempts: 1, leaseOwner: undefined });
      expect(a2.getTask(t2.id)).toMatchObject({ status: 'running', leaseOwner: 'B' });
      const again = a2.claimTask(t1.id, 'A2', 2002, 600_000);
      expect(again?.attempts).toBe(2);
      expect(a2.finishAttempt(t1.id, 'A2', attempt(t1.id, 2, 'succeeded', 200), { status: 'succeeded' }, 2003)).toBe(true);
      a2.close();
      b.close();
    });

    it('fires a schedule slot once across replicas', () => {
      const url = freshUrl();
      const a = PostgresTaskStore.open({ url });
      const b = PostgresTaskStore.open({ url });
      expect(a.claimScheduleSlot('0', 60_000, 'A', 60_001)).toBe(true);
      expect(b.claimScheduleSlot('0', 60_000, 'B', 60_002)).toBe(false);
      expect(b.claimScheduleSlot('0', 120_000, 'B', 120_001)).toBe(true);
      a.close();
      b.close();
    });

    it('answers StoreUnavailableError when the server cannot be reached', () => {
      expect(() => PostgresTaskStore.open({ url: 'postgres://postgres@127.0.0.1:1/none', connectTimeoutMs: 500 })).toThrow(
        expect.objectContaining({ name: 'StoreUnavailableError', reason: 'io' }),
      );
    });
  });

  describe('without blocking the event loop (recordNotificationAsync, queuedTasksSince)', () => {
    const T0 = Date.UTC(2026, 0, 1);
    // Random notifications over a few fingerprints and incidents: repeats, resolves before and after
    // delivery would start, re-fires, tombstones, alerts without a task, several alerts at once.
    function randomNotifications(seed: number, count: number): IncomingAlert[][] {
      const random = mulberry32(seed);
      const pick = (n: number): number => Math.floor(random() * n);
      let next = 0;
      return Array.from({ length: count }, () =>
        Array.from({ length: 1 + pick(5) }, (): IncomingAlert => {
          const fingerprint = `fp${pick(6)}`;
          const startsAt = T0 + pick(3) * 60_000;
          if (random() < 0.35)
            return { fingerprint, startsAt, status: 'resolved', endsAt: startsAt + 30_000, alertname: 'A', task: undefined };
          next += 1;
          return {
            fingerprint,
            startsAt,
            status: 'firing',
            endsAt: undefined,
            alertname: 'A',
            task:
              random() < 0.9
                ? newTask({ id: `n${seed}-${next}`, source: 'alert', receiver: 'am', fingerprint, incidentStartsAt: startsAt })
                : undefined,
          };
        }),
      );
    }
    const summary = (o: NotificationOutcome): unknown => ({
      dispositions: o.dispositions,
      created: o.created.map((t) => [t.id, t.status, t.fingerprint]),
      cancelled: o.cancelled.map((t) => [t.id, t.status]),
    });

    it('decides every notification as the blocking path and the in-memory twin do (300 random notifications)', async () => {
      const twin = new MemoryTaskStore();
      const blocking = PostgresTaskStore.open({ url: freshUrl() });
      const awaited = PostgresTaskStore.open({ url: freshUrl() });
      const notifications = randomNotifications(7, 300);
      const kinds = new Set<string>();
      for (const [i, alerts] of notifications.entries()) {
        const now = T0 + 120_000 + i * 1000;
        const expected = summary(twin.recordNotification('am', alerts, now));
        expect(summary(blocking.recordNotification('am', alerts, now))).toEqual(expected);
        expect(summary(await awaited.recordNotificationAsync('am', alerts, now))).toEqual(expected);
        for (const kind of (expected as { dispositions: string[] }).dispositions) kinds.add(kind);
      }
      // The sequence exercised every disposition, so the agreement means something.
      expect([...kinds].sort()).toEqual(['created', 'duplicate', 'recorded', 'resolved', 'resolved_unknown', 'stale', 'linked'].sort());
      const rows = (store: { listTasks: typeof twin.listTasks }): unknown =>
        store.listTasks({ limit: 1000 }).map((t) => [t.id, t.status, t.fingerprint, t.lastError]);
      expect(rows(awaited)).toEqual(rows(twin));
      expect(rows(blocking)).toEqual(rows(twin));
      blocking.close();
      awaited.close();
    });

    it('keeps one open task per alert when overlapping notifications commit at once', async () => {
      const store = PostgresTaskStore.open({ url: freshUrl() });
      // 30 notifications in flight together, each with 4 of 10 fingerprints (Alertmanager HA copies and regroupings).
      const random = mulberry32(11);
      const batches = Array.from({ length: 30 }, (_, b) =>
        Array.from({ length: 4 }, (_, j): IncomingAlert => {
          const fingerprint = `fp${Math.floor(random() * 10)}`;
          return {
            fingerprint,
            startsAt: T0,
            status: 'firing',
            endsAt: undefined,
            alertname: 'A',
            task: newTask({ id: `c${b}-${j}`, source: 'alert', receiver: 'am', fingerprint, incidentStartsAt: T0 }),
          };
        }).filter((a, j, all) => all.findIndex((x) => x.fingerprint === a.fingerprint) === j),
      );
      const outcomes = await Promise.all(batches.map((alerts, i) => store.recordNotificationAsync('am', alerts, T0 + i)));
      const created = outcomes.flatMap((o) => o.created.map((t) => t.fingerprint));
      const distinct = new Set(batches.flat().map((a) => a.fingerprint));
      expect(created.sort()).toEqual([...distinct].sort());
      expect(store.listTasks({ limit: 1000 }).length).toBe(distinct.size);
      store.close();
    });

    it('re-reads the queue written since a time, or all of it', async () => {
      const store = PostgresTaskStore.open({ url: freshUrl() });
      const early = store.createTask(newTask(), 1000).task;
      const late = store.createTask(newTask(), 5000).task;
      expect((await store.queuedTasksSince(4000)).map((e) => e.id)).toEqual([late.id]);
      expect((await store.queuedTasksSince(undefined)).map((e) => e.id).sort()).toEqual([early.id, late.id].sort());
      store.close();
      await expect(store.queuedTasksSince(0)).rejects.toMatchObject({ name: 'StoreUnavailableError', reason: 'closed' });
    });
  });
});
