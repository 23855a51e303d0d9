// The TaskStore contract and the PostgreSQL-only guarantees (shared replicas) against a real server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
