import Database from 'better-sqlite3';
import { mkdtempSync, renameSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/persistence/migrations.js';
import { SqliteTaskStore } from '../../src/persistence/sqlite-task-store.js';
import { describeTaskStoreContract, newTask } from './task-store-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'agentswarm-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = (): string => join(dir, `store-${++n}.db`);

describeTaskStoreContract('sqlite file', () => SqliteTaskStore.open(freshPath()));

describe('SqliteTaskStore', () => {
  it('runs with WAL, synchronous=FULL, a busy timeout and foreign keys', () => {
    const store = SqliteTaskStore.open(freshPath(), { busyTimeoutMs: 300 });
    expect(store.pragma('journal_mode')).toBe('wal');
    expect(store.pragma('synchronous')).toBe(2); // FULL
    expect(store.pragma('busy_timeout')).toBe(300);
    expect(store.pragma('foreign_keys')).toBe(1);
    expect(store.pragma('user_version')).toBe(MIGRATIONS.length);
    store.close();
  });

  it('keeps committed work across reopen and does not re-run migrations', () => {
    const path = freshPath();
    const first = SqliteTaskStore.open(path);
    const { task } = first.createTask(newTask(), 1);
    first.close();
    const second = SqliteTaskStore.open(path);
    expect(second.getTask(task.id)?.id).toBe(task.id);
    expect(second.pragma('user_version')).toBe(MIGRATIONS.length);
    expect(second.pragma('integrity_check')).toBe('ok');
    second.close();
  });

  it('refuses a database written by a newer schema', () => {
    const path = freshPath();
    const raw = new Database(path);
    raw.pragma('user_version = 999');
    raw.close();
    expect(() => SqliteTaskStore.open(path)).toThrow(/newer than this exporter understands/);
  });

  it('enforces one open task per receiver and fingerprint in the schema itself', () => {
    const path = freshPath();
    SqliteTaskStore.open(path).close();
    const raw = new Database(path);
    const insert = raw.prepare(
      `INSERT INTO tasks (id, type, priority, priority_rank, status, source, swarm, agents, reason, alerts, receiver, fingerprint, created_at, updated_at, next_attempt_at)
       VALUES (?, 'performance_sync', 'low', 3, ?, 'alert', 's', '[]', '', '[]', 'r', 'f', 0, 0, 0)`,
    );
    insert.run('a', 'succeeded');
    insert.run('b', 'queued');
    expect(() => insert.run('c', 'running')).toThrow(/UNIQUE/);
    raw.close();
  });

  it('reports a write lock held by another connection as "busy", then succeeds once released', () => {
    const path = freshPath();
    const store = SqliteTaskStore.open(path, { busyTimeoutMs: 50 });
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    expect(() => store.createTask(newTask(), 1)).toThrow(expect.objectContaining({ name: 'StoreUnavailableError', reason: 'busy' }));
    other.exec('COMMIT');
    other.close();
    expect(store.createTask(newTask(), 1).created).toBe(true);
    store.close();
  });

  it('reports a full database as "full" and rolls the transaction back', () => {
    const store = SqliteTaskStore.open(freshPath(), { maxPages: 40 });
    const big = 'x'.repeat(4000);
    let error: unknown;
    let created = 0;
    try {
      for (let i = 0; i < 500; i += 1) {
        store.createTask(newTask({ reason: big }), 1);
        created += 1;
      }
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: 'StoreUnavailableError', reason: 'full' });
    expect(store.listTasks({ limit: 1000 })).toHaveLength(created);
    store.close();
  });

  it('checkpoints the WAL on a worker thread instead of on the committing request', async () => {
    const path = freshPath();
    const store = SqliteTaskStore.open(path, { backgroundCheckpointMs: 50 });
    expect(store.pragma('wal_autocheckpoint')).toBe(10_000);
    const before = statSync(path).size;
    for (let i = 0; i < 200; i += 1) store.createTask(newTask({ reason: 'x'.repeat(8000) }), 1);
    // Nothing on this thread checkpoints below ~40 MiB of WAL: only the worker can grow the main file.
    const deadline = Date.now() + 5000;
    while (statSync(path).size < before + 1_000_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(statSync(path).size).toBeGreaterThan(before + 1_000_000);
    store.close();
    const reopened = SqliteTaskStore.open(path, { backgroundCheckpointMs: 0 });
    expect(reopened.listTasks({ limit: 1000 })).toHaveLength(200);
    expect(reopened.pragma('integrity_check')).toBe('ok');
    reopened.close();
  });

  it('opens an in-memory database for tests', () => {
    const store = SqliteTaskStore.open(':memory:');
    expect(store.createTask(newTask(), 1).created).toBe(true);
    store.close();
  });
});

describe('SqliteTaskStore: one process, a file that stays', () => {
  it('refuses a second store on the same file, naming this pid, until the first closes', () => {
    const path = freshPath();
    const first = SqliteTaskStore.open(path);
    expect(() => SqliteTaskStore.open(path)).toThrow(new RegExp(`in use by pid ${process.pid} on host `));
    first.close();
    SqliteTaskStore.open(path).close();
  });

  it('turns unhealthy within the watch interval when its file is deleted, and refuses every call after', async () => {
    const path = freshPath();
    const faults: string[] = [];
    const store = SqliteTaskStore.open(path, { watchIntervalMs: 50, onFault: (f) => faults.push(f.reason) });
    store.createTask(newTask(), 1);
    unlinkSync(path);
    const deadline = Date.now() + 2000;
    while (store.health().ok && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(store.health()).toMatchObject({ ok: false, reason: 'gone' });
    expect(() => store.createTask(newTask(), 2)).toThrow(expect.objectContaining({ name: 'StoreUnavailableError', reason: 'gone' }));
    expect(() => store.listTasks()).toThrow(expect.objectContaining({ reason: 'gone' }));
    expect(faults).toEqual(['gone']);
    store.close();
  });

  it('reports a commit that landed in a file replaced meanwhile as a failure, so it is never acknowledged', () => {
    const path = freshPath();
    const store = SqliteTaskStore.open(path, { watchIntervalMs: 60_000 });
    const other = `${path}.other`;
    new Database(other).close();
    renameSync(other, path);
    // No timer tick in between: the check after the commit catches it.
    expect(() => store.createTask(newTask(), 1)).toThrow(expect.objectContaining({ reason: 'gone' }));
    store.close();
  });

  it('applies migration 2 to a version-1 file without losing its tasks', () => {
    const path = freshPath();
    const raw = new Database(path);
    const v1 = MIGRATIONS.find((m) => m.version === 1);
    raw.exec(v1?.sql ?? '');
    raw.pragma('user_version = 1');
    raw.exec(`INSERT INTO tasks (id, type, priority, priority_rank, status, source, swarm, agents, reason, alerts, created_at, updated_at, next_attempt_at)
      VALUES ('old', 'performance_sync', 'low', 3, 'succeeded', 'api', 's', '[]', '', '[]', 0, 0, 0)`);
    raw.close();
    const store = SqliteTaskStore.open(path);
    expect(store.pragma('user_version')).toBe(2);
    expect(store.getTask('old')?.status).toBe('succeeded');
    expect(store.pendingImpacts()).toEqual([]);
    store.close();
  });
});
