// TaskStore on better-sqlite3: WAL, synchronous=FULL, BEGIN IMMEDIATE, migrations, one-process lock, file and corruption watch.
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { decideAlert } from '../model/incident-rules.js';
import { PRIORITIES, type Priority } from '../model/coordination-vocabulary.js';
import { startBackgroundCheckpoint, type BackgroundCheckpoint } from './background-checkpoint.js';
import { acquireDatabaseLock, fileIdentity, sameFile, type DatabaseLock, type FileIdentity } from './database-lock.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import { DatabaseCorruptError, StoreUnavailableError, type StoreHealth, type UnavailableReason } from './store-errors.js';
import type {
  AgentStateRecord,
  AlertDisposition,
  AnalysisSnapshotRecord,
  AttemptRecord,
  ImpactBaseline,
  IncidentRecord,
  IncomingAlert,
  JsonValue,
  LeaseRecovery,
  NewTask,
  NotificationOutcome,
  PendingImpact,
  QueueEntry,
  RetentionResult,
  TaskFilter,
  TaskImpact,
  TaskRecord,
  TaskTransition,
} from '../model/task-records.js';
import { queuedTaskRecord } from '../model/task-records.js';
import type { TaskStore } from './task-store.js';
import type { HistoryStore } from './history-store.js';

export interface SqliteTaskStoreOptions {
  /**
   * How long one statement waits for another process's write lock, ms (default 250).
   * better-sqlite3 waits synchronously, blocking the event loop, so this is short: a lock held
   * longer makes the webhook answer 503 and Alertmanager retry, which is the designed path.
   */
  readonly busyTimeoutMs?: number;
  /** Hard cap on the database size in pages (PRAGMA max_page_count); beyond it writes fail as "full". */
  readonly maxPages?: number;
  /**
   * Interval of WAL checkpoints on a worker thread, ms (default 1000; 0 = SQLite's automatic
   * checkpoints on the writing connection). A checkpoint copies megabytes and fsyncs the file:
   * run inline it would stall whichever request commits at that moment (the webhook p99 budget).
   * Ignored for ":memory:".
   */
  readonly backgroundCheckpointMs?: number;
  /** Receives background checkpoint failures. */
  readonly onCheckpointError?: (message: string) => void;
  /**
   * Take the one-process lock on `<path>.lock` (default true for files): a second store on the
   * same file, in this process or another, fails with DatabaseLockedError naming the holder.
   */
  readonly lock?: boolean;
  /** Run `PRAGMA quick_check` before anything else and refuse a damaged file (default true). */
  readonly quickCheck?: boolean;
  /**
   * How often the file's device and inode are compared with those opened, ms (default 500; each
   * commit checks too). Deleted or replaced: the store turns unhealthy ("gone").
   */
  readonly watchIntervalMs?: number;
  /** Called once, when the store turns unhealthy (file gone or corrupt). */
  readonly onFault?: (health: Exclude<StoreHealth, { ok: true }>) => void;
}

// With background checkpoints the writer only checkpoints itself once the WAL passes ~40 MiB (worker
// dead or behind); by then the worker has copied almost every frame, so that inline checkpoint is
// short. Under a sustained burst the WAL file may stay near this size: disk use is bounded by it.
const SAFETY_NET_CHECKPOINT_PAGES = 10_000;

type Row = Record<string, unknown>;

const RANK: Readonly<Record<Priority, number>> = Object.fromEntries(PRIORITIES.map((p, i) => [p, i])) as Record<Priority, number>;

// SQLite result codes (primary code prefix) that mean "not now" rather than "bug".
const UNAVAILABLE: ReadonlyArray<readonly [string, UnavailableReason]> = [
  ['SQLITE_BUSY', 'busy'],
  ['SQLITE_LOCKED', 'busy'],
  ['SQLITE_FULL', 'full'],
  ['SQLITE_IOERR', 'io'],
  ['SQLITE_CANTOPEN', 'io'],
  ['SQLITE_NOMEM', 'io'],
  ['SQLITE_PROTOCOL', 'io'],
  ['SQLITE_READONLY', 'readonly'],
];

function isCorruption(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB'));
}

function translate(error: unknown): unknown {
  if (error instanceof StoreUnavailableError) return error;
  const code = (error as { code?: unknown }).code;
  if (isCorruption(error)) return new StoreUnavailableError('corrupt', `database corrupt: ${String(code)}`, { cause: error });
  if (typeof code === 'string') {
    for (const [prefix, reason] of UNAVAILABLE) {
      if (code.startsWith(prefix)) return new StoreUnavailableError(reason, `database ${reason}: ${code}`, { cause: error });
    }
  }
  if (error instanceof TypeError && /database connection is not open/.test(error.message)) {
    return new StoreUnavailableError('closed', 'database closed', { cause: error });
  }
  return error;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : String(v));
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const optNum = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : num(v));
const optStr = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : str(v));
const parseJson = <T>(v: unknown): T => JSON.parse(str(v)) as T;

function toTask(row: Row): TaskRecord {
  const impactScore = optStr(row.impact_score);
  const receiver = optStr(row.receiver);
  const fingerprint = optStr(row.fingerprint);
  const incidentStartsAt = optNum(row.incident_starts_at);
  return {
    id: str(row.id),
    seq: num(row.seq),
    type: str(row.type) as TaskRecord['type'],
    priority: str(row.priority) as TaskRecord['priority'],
    status: str(row.status) as TaskRecord['status'],
    source: str(row.source) as TaskRecord['source'],
    swarm: str(row.swarm),
    agents: parseJson<string[]>(row.agents),
    reason: str(row.reason),
    alerts: parseJson<TaskRecord['alerts']>(row.alerts),
    ...(receiver === undefined ? {} : { receiver }),
    ...(fingerprint === undefined ? {} : { fingerprint }),
    ...(incidentStartsAt === undefined ? {} : { incidentStartsAt }),
    attempts: num(row.attempts),
    plan: row.plan === null || row.plan === undefined ? undefined : parseJson<JsonValue>(row.plan),
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
    nextAttemptAt: num(row.next_attempt_at),
    startedAt: optNum(row.started_at),
    finishedAt: optNum(row.finished_at),
    leaseOwner: optStr(row.lease_owner),
    leaseExpiresAt: optNum(row.lease_expires_at),
    lastError: optStr(row.last_error),
    impact:
      impactScore === undefined
        ? undefined
        : {
            score: impactScore,
            before: num(row.impact_before),
            after: num(row.impact_after),
            ratio: num(row.impact_ratio),
            measuredAt: num(row.impact_measured_at),
          },
  };
}

function toAttempt(row: Row): AttemptRecord {
  return {
    taskId: str(row.task_id),
    attempt: num(row.attempt),
    startedAt: num(row.started_at),
    durationMs: num(row.duration_ms),
    statusCode: optNum(row.status_code),
    outcome: str(row.outcome) as AttemptRecord['outcome'],
    error: optStr(row.error),
  };
}

function toIncident(row: Row): IncidentRecord {
  return {
    fingerprint: str(row.fingerprint),
    startsAt: num(row.starts_at),
    receiver: str(row.receiver),
    status: str(row.status) as IncidentRecord['status'],
    endsAt: optNum(row.ends_at),
    alertname: str(row.alertname),
    taskId: optStr(row.task_id),
    firstSeenAt: num(row.first_seen_at),
    lastSeenAt: num(row.last_seen_at),
  };
}

/** Applies pending migrations, each in its own IMMEDIATE transaction. Throws if the file is newer than the code. */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): number {
  const current = Number(db.pragma('user_version', { simple: true }));
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  if (current > latest) {
    throw new Error(`database schema version ${current} is newer than this exporter understands (${latest}); refusing to open it`);
  }
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return Number(db.pragma('user_version', { simple: true }));
}

export class SqliteTaskStore implements TaskStore, HistoryStore {
  private readonly db: Db;
  private readonly stmts: ReturnType<SqliteTaskStore['prepare']>;
  private readonly checkpointer: BackgroundCheckpoint | undefined;
  private readonly lock: DatabaseLock | undefined;
  private readonly identity: FileIdentity | undefined;
  private readonly watchTimer: NodeJS.Timeout | undefined;
  private readonly onFault: SqliteTaskStoreOptions['onFault'];
  private fault: Exclude<StoreHealth, { ok: true }> | undefined;

  /**
   * Opens (creating if needed), checks and migrates the database at `path` (":memory:" for
   * tests), under the one-process lock. Throws DatabaseLockedError when another process holds
   * it and DatabaseCorruptError when the file fails `PRAGMA quick_check` or is not a database.
   */
  static open(path: string, options: SqliteTaskStoreOptions = {}): SqliteTaskStore {
    const memory = path === ':memory:' || path === '';
    // The lock first: nothing (not even a migration) touches a file another exporter is using.
    const lock = !memory && options.lock !== false ? acquireDatabaseLock(path) : undefined;
    let db: Db | undefined;
    try {
      db = new Database(path);
      return new SqliteTaskStore(db, path, lock, options);
    } catch (error) {
      db?.close();
      lock?.release();
      if (isCorruption(error)) throw new DatabaseCorruptError(path, String((error as { code?: unknown }).code));
      throw translate(error);
    }
  }

  private constructor(db: Db, path: string, lock: DatabaseLock | undefined, options: SqliteTaskStoreOptions) {
    this.db = db;
    this.lock = lock;
    this.onFault = options.onFault;
    // busy_timeout first, so that even switching the journal mode waits for another process's lock.
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 250))}`);
    if (options.quickCheck !== false && !db.memory) {
      // O(size of the file), once: a damaged page found now is a clear refusal instead of 500s later.
      const problems = (db.pragma('quick_check(5)') as { quick_check: string }[]).map((r) => r.quick_check);
      if (problems.length !== 1 || problems[0] !== 'ok') throw new DatabaseCorruptError(path, `quick_check: ${problems.join('; ')}`);
    }
    db.pragma('journal_mode = WAL');
    // WAL's default NORMAL keeps commits across a process crash but not across power loss (docs/reliability.md#facts-the-design-rests-on).
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // 16 MiB of page cache (default 2 MiB): dedup lookups hit random index pages of a large file.
    db.pragma('cache_size = -16384');
    if (options.maxPages !== undefined) db.pragma(`max_page_count = ${Math.max(1, Math.floor(options.maxPages))}`);
    migrate(db);
    this.stmts = this.prepare();
    const checkpointMs = options.backgroundCheckpointMs ?? 1000;
    if (checkpointMs > 0 && !db.memory) {
      db.pragma(`wal_autocheckpoint = ${SAFETY_NET_CHECKPOINT_PAGES}`);
      this.checkpointer = startBackgroundCheckpoint(db.name, checkpointMs, options.onCheckpointError);
    }
    this.identity = db.memory ? undefined : fileIdentity(path);
    if (this.identity !== undefined) {
      const timer = setInterval(
        () => {
          try {
            this.checkFile();
          } catch {
            // Recorded as the store's fault (and reported through onFault); calls fail from now on.
          }
        },
        Math.max(10, options.watchIntervalMs ?? 500),
      );
      timer.unref();
      this.watchTimer = timer;
    }
  }

  /** ok, or the sticky fault (file gone or replaced, database corrupt) that makes every call fail with 503. */
  health(): StoreHealth {
    return this.fault ?? { ok: true };
  }

  private setFault(reason: 'gone' | 'corrupt', message: string): StoreUnavailableError {
    if (this.fault === undefined) {
      this.fault = { ok: false, reason, message };
      this.onFault?.(this.fault);
    }
    return new StoreUnavailableError(this.fault.reason, this.fault.message);
  }

  /** Throws (and turns unhealthy) when the path no longer names the file this store opened. */
  private checkFile(): void {
    if (this.identity === undefined || this.fault !== undefined) return;
    if (!sameFile(fileIdentity(this.db.name), this.identity)) {
      throw this.setFault('gone', `database file ${this.db.name} was deleted or replaced while open`);
    }
    if (this.lock?.identity !== undefined && !sameFile(fileIdentity(this.lock.path), this.lock.identity)) {
      throw this.setFault('gone', `lock file ${this.lock.path} was deleted or replaced while open`);
    }
  }

  private guard(): void {
    if (this.fault !== undefined) throw new StoreUnavailableError(this.fault.reason, this.fault.message);
    this.checkFile();
  }

  private failure(error: unknown): unknown {
    const translated = translate(error);
    if (translated instanceof StoreUnavailableError && translated.reason === 'corrupt') return this.setFault('corrupt', translated.message);
    return translated;
  }

  /** PRAGMA values for checks and diagnostics (journal_mode, synchronous, busy_timeout, user_version, integrity_check). */
  pragma(
    name:
      | 'journal_mode'
      | 'synchronous'
      | 'busy_timeout'
      | 'user_version'
      | 'integrity_check'
      | 'foreign_keys'
      | 'page_count'
      | 'wal_autocheckpoint',
  ): unknown {
    return this.db.pragma(name, { simple: true });
  }

  private prepare() {
    const db = this.db;
    return {
      incident: db.prepare('SELECT * FROM incidents WHERE fingerprint = ? AND starts_at = ?'),
      newerIncident: db.prepare('SELECT 1 FROM incidents WHERE fingerprint = ? AND starts_at > ? LIMIT 1'),
      openTaskByKey: db.prepare("SELECT id FROM tasks WHERE receiver = ? AND fingerprint = ? AND status IN ('queued', 'running')"),
      taskStatus: db.prepare('SELECT status FROM tasks WHERE id = ?'),
      otherFiringOnTask: db.prepare(
        "SELECT COUNT(*) AS n FROM incidents WHERE task_id = ? AND status = 'firing' AND NOT (fingerprint = ? AND starts_at = ?)",
      ),
      insertIncident: db.prepare(
        `INSERT INTO incidents (fingerprint, starts_at, receiver, status, ends_at, alertname, task_id, first_seen_at, last_seen_at)
         VALUES (@fingerprint, @startsAt, @receiver, @status, @endsAt, @alertname, @taskId, @now, @now)`,
      ),
      touchIncident: db.prepare('UPDATE incidents SET last_seen_at = ? WHERE fingerprint = ? AND starts_at = ?'),
      resolveIncident: db.prepare(
        "UPDATE incidents SET status = 'resolved', ends_at = ?, last_seen_at = ? WHERE fingerprint = ? AND starts_at = ?",
      ),
      insertTask: db.prepare(
        `INSERT INTO tasks (id, type, priority, priority_rank, status, source, swarm, agents, reason, alerts, receiver, fingerprint,
           incident_starts_at, created_at, updated_at, next_attempt_at)
         VALUES (@id, @type, @priority, @rank, 'queued', @source, @swarm, @agents, @reason, @alerts, @receiver, @fingerprint,
           @incidentStartsAt, @now, @now, @now)`,
      ),
      cancelTask: db.prepare(
        "UPDATE tasks SET status = 'cancelled', finished_at = ?, updated_at = ?, last_error = ? WHERE id = ? AND status = 'queued'",
      ),
      task: db.prepare('SELECT * FROM tasks WHERE id = ?'),
      claim: db.prepare(
        `UPDATE tasks SET status = 'running', attempts = attempts + 1, lease_owner = @owner, lease_expires_at = @leaseExpiresAt,
           started_at = COALESCE(started_at, @now), updated_at = @now
         WHERE id = @id AND status = 'queued' AND next_attempt_at <= @now`,
      ),
      insertAttempt: db.prepare(
        `INSERT OR REPLACE INTO attempts (task_id, attempt, started_at, duration_ms, status_code, outcome, error)
         VALUES (@taskId, @attempt, @startedAt, @durationMs, @statusCode, @outcome, @error)`,
      ),
      leaseHeld: db.prepare("SELECT 1 FROM tasks WHERE id = ? AND status = 'running' AND lease_owner = ?"),
      finishFinal: db.prepare(
        `UPDATE tasks SET status = @status, finished_at = @now, updated_at = @now, lease_owner = NULL, lease_expires_at = NULL,
           last_error = @error WHERE id = @id`,
      ),
      requeue: db.prepare(
        `UPDATE tasks SET status = 'queued', next_attempt_at = @nextAttemptAt, updated_at = @now, lease_owner = NULL,
           lease_expires_at = NULL, last_error = COALESCE(@error, last_error) WHERE id = @id`,
      ),
      savePlan: db.prepare('UPDATE tasks SET plan = ?, updated_at = ? WHERE id = ?'),
      saveImpact: db.prepare(
        `UPDATE tasks SET impact_score = @score, impact_before = @before, impact_after = @after, impact_ratio = @ratio,
           impact_measured_at = @measuredAt, impact_due_at = NULL, impact_baseline = NULL, updated_at = @now WHERE id = @id`,
      ),
      setImpactDue: db.prepare('UPDATE tasks SET impact_due_at = @dueAt, impact_baseline = @baseline, updated_at = @now WHERE id = @id'),
      pendingImpacts: db.prepare(
        'SELECT id, impact_due_at, impact_baseline FROM tasks WHERE impact_due_at IS NOT NULL ORDER BY impact_due_at, seq',
      ),
      staleLeases: db.prepare(
        "SELECT id, attempts FROM tasks WHERE status = 'running' AND (lease_owner IS NOT @owner OR lease_expires_at IS NULL OR lease_expires_at <= @now)",
      ),
      queued: db.prepare("SELECT id, seq, type, priority, next_attempt_at FROM tasks WHERE status = 'queued' ORDER BY priority_rank, seq"),
      attempts: db.prepare('SELECT * FROM attempts WHERE task_id = ? ORDER BY attempt'),
      incidentsOfTask: db.prepare('SELECT * FROM incidents WHERE task_id = ? ORDER BY starts_at'),
      queuedCounts: db.prepare("SELECT priority, COUNT(*) AS n FROM tasks WHERE status = 'queued' GROUP BY priority"),
      insertSnapshot: db.prepare('INSERT INTO analysis_snapshots (swarm, taken_at, body) VALUES (?, ?, ?)'),
      latestSnapshot: db.prepare('SELECT * FROM analysis_snapshots WHERE swarm = ? ORDER BY taken_at DESC, id DESC LIMIT 1'),
      snapshots: db.prepare('SELECT * FROM analysis_snapshots WHERE swarm = ? AND taken_at >= ? ORDER BY taken_at, id LIMIT ?'),
      upsertState: db.prepare(
        `INSERT INTO agent_performance_states (swarm, agent, bucket_start, status, health_score, metrics)
         VALUES (@swarm, @agent, @bucketStart, @status, @healthScore, @metrics)
         ON CONFLICT (swarm, agent, bucket_start) DO UPDATE SET status = excluded.status,
           health_score = excluded.health_score, metrics = excluded.metrics`,
      ),
      statesOfSwarm: db.prepare(
        'SELECT * FROM agent_performance_states WHERE swarm = ? AND bucket_start >= ? ORDER BY bucket_start, agent LIMIT ?',
      ),
      statesOfAgent: db.prepare(
        'SELECT * FROM agent_performance_states WHERE swarm = ? AND agent = ? AND bucket_start >= ? ORDER BY bucket_start LIMIT ?',
      ),
      retainTasks: db.prepare("DELETE FROM tasks WHERE status IN ('succeeded', 'failed', 'cancelled') AND finished_at < ?"),
      retainIncidents: db.prepare(
        `DELETE FROM incidents WHERE last_seen_at < ? AND (task_id IS NULL OR task_id NOT IN
           (SELECT id FROM tasks WHERE status IN ('queued', 'running')))`,
      ),
      retainSnapshots: db.prepare('DELETE FROM analysis_snapshots WHERE taken_at < ?'),
      retainStates: db.prepare('DELETE FROM agent_performance_states WHERE bucket_start < ?'),
    };
  }

  // Every write: BEGIN IMMEDIATE takes the write lock up front, so a busy database fails before
  // any work instead of deadlocking on a read-to-write upgrade. Errors become StoreUnavailableError.
  // The file is checked before and after each commit: a commit that landed in a deleted file is
  // reported as a failure (503, Alertmanager retries), so nothing is acknowledged into it.
  private write<T>(fn: () => T): T {
    this.guard();
    let result: T;
    try {
      result = this.db.transaction(fn).immediate();
    } catch (error) {
      throw this.failure(error);
    }
    this.checkFile();
    return result;
  }

  private read<T>(fn: () => T): T {
    if (this.fault !== undefined) throw new StoreUnavailableError(this.fault.reason, this.fault.message);
    try {
      return fn();
    } catch (error) {
      throw this.failure(error);
    }
  }

  private insertTask(task: NewTask, now: number): TaskRecord {
    const { lastInsertRowid } = this.stmts.insertTask.run({
      id: task.id,
      type: task.type,
      priority: task.priority,
      rank: RANK[task.priority],
      source: task.source,
      swarm: task.swarm,
      agents: JSON.stringify(task.agents),
      reason: task.reason,
      alerts: JSON.stringify(task.alerts),
      receiver: task.receiver ?? null,
      fingerprint: task.fingerprint ?? null,
      incidentStartsAt: task.incidentStartsAt ?? null,
      now,
    });
    // Built from what was just written rather than read back: a notification inserts up to
    // thousands of tasks in one transaction, and re-reading each would double the work.
    return queuedTaskRecord(task, Number(lastInsertRowid), now);
  }

  private mustGet(id: string): TaskRecord {
    const row = this.stmts.task.get(id) as Row | undefined;
    if (row === undefined) throw new Error(`task ${id} vanished inside its own transaction`);
    return toTask(row);
  }

  recordNotification(receiver: string, alerts: readonly IncomingAlert[], now: number): NotificationOutcome {
    return this.write(() => {
      const s = this.stmts;
      const dispositions: AlertDisposition[] = [];
      const created: TaskRecord[] = [];
      const cancelled: TaskRecord[] = [];
      for (const alert of alerts) {
        const incidentRow = s.incident.get(alert.fingerprint, alert.startsAt) as Row | undefined;
        const incident = incidentRow === undefined ? undefined : toIncident(incidentRow);
        const newer = incident === undefined && s.newerIncident.get(alert.fingerprint, alert.startsAt) !== undefined;
        const openTask =
          alert.status === 'firing' && incident === undefined && !newer && alert.task !== undefined
            ? (s.openTaskByKey.get(receiver, alert.fingerprint) as Row | undefined)
            : undefined;
        let incidentTask: { status: TaskRecord['status']; otherFiringIncidents: number } | undefined;
        if (alert.status === 'resolved' && incident?.status === 'firing' && incident.taskId !== undefined) {
          const taskRow = s.taskStatus.get(incident.taskId) as Row | undefined;
          const others = s.otherFiringOnTask.get(incident.taskId, alert.fingerprint, alert.startsAt) as Row;
          if (taskRow !== undefined)
            incidentTask = { status: str(taskRow.status) as TaskRecord['status'], otherFiringIncidents: num(others.n) };
        }
        const decision = decideAlert(alert.status, alert.task !== undefined, {
          incident,
          newerIncidentExists: newer,
          openTaskId: openTask === undefined ? undefined : str(openTask.id),
          incidentTask,
        });
        const base = { fingerprint: alert.fingerprint, startsAt: alert.startsAt, receiver, alertname: alert.alertname, now };
        switch (decision.kind) {
          case 'duplicate':
            if (incident !== undefined) s.touchIncident.run(now, alert.fingerprint, alert.startsAt);
            dispositions.push('duplicate');
            break;
          case 'stale':
            dispositions.push('stale');
            break;
          case 'open': {
            let taskId: string | null = null;
            if (decision.task === 'create' && alert.task !== undefined) {
              const task = this.insertTask(alert.task, now);
              created.push(task);
              taskId = task.id;
            } else if (decision.task === 'link' && openTask !== undefined) {
              taskId = str(openTask.id);
            }
            s.insertIncident.run({ ...base, status: 'firing', endsAt: null, taskId });
            dispositions.push(decision.task === 'create' ? 'created' : decision.task === 'link' ? 'linked' : 'recorded');
            break;
          }
          case 'resolve':
            s.resolveIncident.run(alert.endsAt ?? now, now, alert.fingerprint, alert.startsAt);
            if (decision.cancelTask && incident?.taskId !== undefined) {
              if (s.cancelTask.run(now, now, 'alert resolved before the task ran', incident.taskId).changes > 0) {
                cancelled.push(this.mustGet(incident.taskId));
              }
            }
            dispositions.push('resolved');
            break;
          case 'tombstone':
            s.insertIncident.run({ ...base, status: 'resolved', endsAt: alert.endsAt ?? now, taskId: null });
            dispositions.push('resolved_unknown');
            break;
        }
      }
      return { dispositions, created, cancelled };
    });
  }

  createTask(task: NewTask, now: number): { created: boolean; task: TaskRecord } {
    return this.write(() => {
      if (task.receiver !== undefined && task.fingerprint !== undefined) {
        const open = this.stmts.openTaskByKey.get(task.receiver, task.fingerprint) as Row | undefined;
        if (open !== undefined) return { created: false, task: this.mustGet(str(open.id)) };
      }
      return { created: true, task: this.insertTask(task, now) };
    });
  }

  claimTask(id: string, owner: string, now: number, leaseExpiresAt: number): TaskRecord | undefined {
    return this.write(() => {
      const changed = this.stmts.claim.run({ id, owner, now, leaseExpiresAt }).changes;
      return changed > 0 ? this.mustGet(id) : undefined;
    });
  }

  finishAttempt(id: string, owner: string, attempt: AttemptRecord, next: TaskTransition, now: number): boolean {
    return this.write(() => {
      if (this.stmts.leaseHeld.get(id, owner) === undefined) return false;
      this.stmts.insertAttempt.run({
        taskId: id,
        attempt: attempt.attempt,
        startedAt: attempt.startedAt,
        durationMs: attempt.durationMs,
        statusCode: attempt.statusCode ?? null,
        outcome: attempt.outcome,
        error: attempt.error ?? null,
      });
      if (next.status === 'queued') {
        this.stmts.requeue.run({ id, nextAttemptAt: next.nextAttemptAt, now, error: next.error ?? null });
      } else {
        this.stmts.finishFinal.run({ id, status: next.status, now, error: next.status === 'failed' ? next.error : null });
      }
      return true;
    });
  }

  savePlan(id: string, plan: JsonValue, now: number): void {
    this.write(() => this.stmts.savePlan.run(JSON.stringify(plan), now, id));
  }

  saveImpact(id: string, impact: TaskImpact, now: number): void {
    this.write(() => this.stmts.saveImpact.run({ id, now, ...impact }));
  }

  setImpactDue(id: string, due: Omit<PendingImpact, 'taskId'> | undefined, now: number): void {
    this.write(() =>
      this.stmts.setImpactDue.run({
        id,
        now,
        dueAt: due?.dueAt ?? null,
        baseline: due === undefined ? null : JSON.stringify(due.baseline),
      }),
    );
  }

  pendingImpacts(): PendingImpact[] {
    return this.read(() =>
      (this.stmts.pendingImpacts.all() as Row[]).map((row) => ({
        taskId: str(row.id),
        dueAt: num(row.impact_due_at),
        baseline: parseJson<ImpactBaseline>(row.impact_baseline),
      })),
    );
  }

  recoverLeases(owner: string, now: number, maxAttempts: number): LeaseRecovery {
    return this.write(() => {
      const requeued: string[] = [];
      const failed: string[] = [];
      for (const row of this.stmts.staleLeases.all({ owner, now }) as Row[]) {
        const id = str(row.id);
        if (num(row.attempts) > maxAttempts) {
          this.stmts.finishFinal.run({ id, status: 'failed', now, error: 'lease lost on the last attempt (process died)' });
          failed.push(id);
        } else {
          this.stmts.requeue.run({ id, nextAttemptAt: now, now, error: 'lease lost (process died); re-queued' });
          requeued.push(id);
        }
      }
      return { requeued, failed };
    });
  }

  queuedTasks(): QueueEntry[] {
    return this.read(() =>
      (this.stmts.queued.all() as Row[]).map((row) => ({
        id: str(row.id),
        seq: num(row.seq),
        type: str(row.type) as QueueEntry['type'],
        priority: str(row.priority) as QueueEntry['priority'],
        nextAttemptAt: num(row.next_attempt_at),
      })),
    );
  }

  getTask(id: string): TaskRecord | undefined {
    return this.read(() => {
      const row = this.stmts.task.get(id) as Row | undefined;
      return row === undefined ? undefined : toTask(row);
    });
  }

  listTasks(filter: TaskFilter = {}): TaskRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status !== undefined) {
      where.push('status = ?');
      params.push(filter.status);
    }
    if (filter.type !== undefined) {
      where.push('type = ?');
      params.push(filter.type);
    }
    if (filter.beforeSeq !== undefined) {
      where.push('seq < ?');
      params.push(filter.beforeSeq);
    }
    const limit = Math.min(1000, Math.max(1, Math.floor(filter.limit ?? 100)));
    const sql = `SELECT * FROM tasks ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ${limit}`;
    return this.read(() => (this.db.prepare(sql).all(...params) as Row[]).map(toTask));
  }

  listAttempts(taskId: string): AttemptRecord[] {
    return this.read(() => (this.stmts.attempts.all(taskId) as Row[]).map(toAttempt));
  }

  listIncidents(taskId: string): IncidentRecord[] {
    return this.read(() => (this.stmts.incidentsOfTask.all(taskId) as Row[]).map(toIncident));
  }

  getIncident(fingerprint: string, startsAt: number): IncidentRecord | undefined {
    return this.read(() => {
      const row = this.stmts.incident.get(fingerprint, startsAt) as Row | undefined;
      return row === undefined ? undefined : toIncident(row);
    });
  }

  countQueuedByPriority(): Record<Priority, number> {
    return this.read(() => {
      const out = Object.fromEntries(PRIORITIES.map((p) => [p, 0])) as Record<Priority, number>;
      for (const row of this.stmts.queuedCounts.all() as Row[]) {
        const priority = str(row.priority) as Priority;
        if (priority in out) out[priority] = num(row.n);
      }
      return out;
    });
  }

  saveAnalysisSnapshot(snapshot: AnalysisSnapshotRecord): void {
    this.write(() => this.stmts.insertSnapshot.run(snapshot.swarm, snapshot.takenAt, JSON.stringify(snapshot.body)));
  }

  latestAnalysisSnapshot(swarm: string): AnalysisSnapshotRecord | undefined {
    return this.read(() => {
      const row = this.stmts.latestSnapshot.get(swarm) as Row | undefined;
      return row === undefined ? undefined : { swarm: str(row.swarm), takenAt: num(row.taken_at), body: parseJson<JsonValue>(row.body) };
    });
  }

  listAnalysisSnapshots(swarm: string, sinceMs: number, limit = 1000): AnalysisSnapshotRecord[] {
    return this.read(() =>
      (this.stmts.snapshots.all(swarm, sinceMs, limit) as Row[]).map((row) => ({
        swarm: str(row.swarm),
        takenAt: num(row.taken_at),
        body: parseJson<JsonValue>(row.body),
      })),
    );
  }

  saveAgentStates(states: readonly AgentStateRecord[]): void {
    if (states.length === 0) return;
    this.write(() => {
      for (const state of states) {
        this.stmts.upsertState.run({
          swarm: state.swarm,
          agent: state.agent,
          bucketStart: state.bucketStart,
          status: state.status,
          healthScore: state.healthScore ?? null,
          metrics: JSON.stringify(state.metrics),
        });
      }
    });
  }

  listAgentStates(swarm: string, agent: string | undefined, sinceMs: number, limit = 10_000): AgentStateRecord[] {
    return this.read(() => {
      const rows = (
        agent === undefined
          ? this.stmts.statesOfSwarm.all(swarm, sinceMs, limit)
          : this.stmts.statesOfAgent.all(swarm, agent, sinceMs, limit)
      ) as Row[];
      return rows.map((row) => ({
        swarm: str(row.swarm),
        agent: str(row.agent),
        bucketStart: num(row.bucket_start),
        status: str(row.status),
        healthScore: optNum(row.health_score),
        metrics: parseJson<Record<string, number>>(row.metrics),
      }));
    });
  }

  applyRetention(cutoffMs: number): RetentionResult {
    return this.write(() => {
      // Tasks first: deleting them detaches their incidents (ON DELETE SET NULL) so those can go too.
      const tasks = this.stmts.retainTasks.run(cutoffMs).changes;
      const incidents = this.stmts.retainIncidents.run(cutoffMs).changes;
      const snapshots = this.stmts.retainSnapshots.run(cutoffMs).changes;
      const agentStates = this.stmts.retainStates.run(cutoffMs).changes;
      return { tasks, incidents, snapshots, agentStates };
    });
  }

  close(): void {
    if (this.watchTimer !== undefined) clearInterval(this.watchTimer);
    this.checkpointer?.close();
    if (this.db.open) this.db.close();
    this.lock?.release();
  }
}
