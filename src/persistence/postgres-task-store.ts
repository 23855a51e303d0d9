// TaskStore on PostgreSQL, shared by every replica: unique keys, fingerprint locks, SKIP LOCKED claims, session-bound leases.
import { createHash } from 'node:crypto';
import { decideAlert } from '../model/incident-rules.js';
import { PRIORITIES, type Priority } from '../model/coordination-vocabulary.js';
import type { Migration } from './migrations.js';
import { PG_MIGRATIONS } from './postgres-migrations.js';
import { AsyncPgPool, type AsyncPgSession } from './postgres-async-pool.js';
import { literal, PgClosedError, PgQueryError, PgTimeoutError, type PgQueryResult, type PgRow } from './postgres-session-worker.js';
import { SyncPgClient } from './postgres-sync-client.js';
import type { PgSessionOptions, StatementOptions } from './postgres-session-worker.js';
import { StoreUnavailableError, type StoreHealth, type UnavailableReason } from './store-errors.js';
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

export interface PostgresTaskStoreOptions {
  /** `storage.url`: postgres://user@host:port/database?sslmode=… */
  readonly url: string;
  /** From `storage.password_file`; overrides a password in the URL. */
  readonly password?: string | undefined;
  /**
   * Longest one call may block the event loop, ms (default 5000): the server-side
   * statement_timeout is set just below it, and beyond it the call fails as "busy" (503).
   */
  readonly statementTimeoutMs?: number;
  /** Connection attempt bound, ms (default 3000): beyond it the call fails as "io". */
  readonly connectTimeoutMs?: number;
  /** Rows deleted per retention statement (default 5000): keeps each delete's locks and WAL burst short. */
  readonly retentionBatch?: number;
}

// Advisory lock namespaces (first key of the two-int form): "agsw" + a digit.
const LOCK_MIGRATE = 0x61677331;
const LOCK_FINGERPRINT = 0x61677332;
const LOCK_OWNER = 0x61677333;

const RANK: Readonly<Record<Priority, number>> = Object.fromEntries(PRIORITIES.map((p, i) => [p, i])) as Record<Priority, number>;
const OPEN_STATUSES = "('queued', 'running')";
const FINAL_STATUSES = "('succeeded', 'failed', 'cancelled')";

// Unique keys two replicas can race on; the loser's transaction is retried and then sees the
// winner's row (a duplicate). Any other unique violation is a bug and is thrown as such.
const RACE_CONSTRAINTS = new Set(['incidents_pkey', 'tasks_one_open_per_key', 'schedule_slots_pkey', 'agent_performance_states_pkey']);
const RETRIES = 3;
/** Pooled sessions: notifications committed at once by recordNotificationAsync, each on its own session. */
const ASYNC_SESSIONS = 4;
const QUEUE_SELECT = "SELECT id, seq, type, priority, next_attempt_at FROM tasks WHERE status = 'queued'";

/** What the notification transaction asks of its session: one statement, or several in one round trip. */
type Statement =
  | { readonly kind: 'query'; readonly sql: string; readonly params: readonly unknown[]; readonly options: StatementOptions }
  | { readonly kind: 'many'; readonly sql: string };
/** The notification transaction's steps: yields a statement, is resumed with its result(s). */
type Steps<T> = Generator<Statement, T, PgQueryResult | PgQueryResult[]>;

function* query(sql: string, params: readonly unknown[] = [], options: StatementOptions = {}): Steps<PgQueryResult> {
  return (yield { kind: 'query', sql, params, options }) as PgQueryResult;
}

function* queryMany(sql: string): Steps<PgQueryResult[]> {
  return (yield { kind: 'many', sql }) as PgQueryResult[];
}

/** SQLSTATE (or Node errno) -> why the store cannot commit now. */
function reasonOf(code: string | undefined, message: string): UnavailableReason | undefined {
  if (code === undefined) return /connect|terminat|timeout|closed/i.test(message) ? 'io' : undefined;
  if (code.startsWith('08') || code.startsWith('57P') || code === '53300' || /^E[A-Z]+$/.test(code)) return 'io';
  if (code === '40001' || code === '40P01' || code === '55P03' || code === '57014' || code === '55006') return 'busy';
  if (code === '53100') return 'full';
  if (code.startsWith('53') || code === '58030') return 'io';
  if (code === '25006') return 'readonly'; // connected to a standby (failover in progress)
  return undefined;
}

function translate(error: unknown): unknown {
  if (error instanceof StoreUnavailableError) return error;
  if (error instanceof PgClosedError) return new StoreUnavailableError('closed', 'database closed', { cause: error });
  if (error instanceof PgTimeoutError) return new StoreUnavailableError('busy', error.message, { cause: error });
  if (error instanceof PgQueryError) {
    const reason = reasonOf(error.code, error.message);
    if (reason !== undefined)
      return new StoreUnavailableError(reason, `database ${reason}: ${error.code ?? ''} ${error.message}`.trim(), { cause: error });
  }
  return error;
}

function isRace(error: unknown): boolean {
  if (!(error instanceof PgQueryError)) return false;
  if (error.code === '40001' || error.code === '40P01') return true;
  return error.code === '23505' && error.constraint !== undefined && RACE_CONSTRAINTS.has(error.constraint);
}

/** A 32-bit advisory-lock key for a string (the lock is a mutex, collisions only serialise more). */
export function lockKey(text: string): number {
  return createHash('md5').update(text).digest().readInt32BE(0);
}

const str = (v: unknown): string => (typeof v === 'string' ? v : String(v));
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const optNum = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : num(v));
const optStr = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : str(v));
const parseJson = <T>(v: unknown): T => JSON.parse(str(v)) as T;

function toQueueEntry(row: PgRow): QueueEntry {
  return {
    id: str(row.id),
    seq: num(row.seq),
    type: str(row.type) as QueueEntry['type'],
    priority: str(row.priority) as QueueEntry['priority'],
    nextAttemptAt: num(row.next_attempt_at),
  };
}

function toTask(row: PgRow): TaskRecord {
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

function toAttempt(row: PgRow): AttemptRecord {
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

function toIncident(row: PgRow): IncidentRecord {
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

/**
 * Applies pending migrations in one transaction under an advisory lock, so replicas starting
 * together migrate once. Throws if the database is newer than the code.
 */
export function migratePostgres(client: SyncPgClient, migrations: readonly Migration[] = PG_MIGRATIONS): number {
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  client.query('BEGIN');
  try {
    client.query('SELECT pg_advisory_xact_lock($1, 0)', [LOCK_MIGRATE]);
    client.query(
      'CREATE TABLE IF NOT EXISTS agentswarm_schema (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
    );
    const current = num(client.query('SELECT COALESCE(MAX(version), 0) AS v FROM agentswarm_schema').rows[0]?.v ?? 0);
    if (current > latest) {
      throw new Error(`database schema version ${current} is newer than this exporter understands (${latest}); refusing to open it`);
    }
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= current) continue;
      client.query(migration.sql);
      client.query('INSERT INTO agentswarm_schema (version, description) VALUES ($1, $2)', [migration.version, migration.description]);
    }
    client.query('COMMIT');
    return Math.max(current, latest);
  } catch (error) {
    rollbackQuietly(client);
    throw error;
  }
}

function rollbackQuietly(client: SyncPgClient): void {
  try {
    client.query('ROLLBACK');
  } catch {
    // The session is gone; the server rolled the transaction back with it.
  }
}

/** One INSERT for many tasks; records built from what was written (seq from RETURNING), in input order. */
function* insertTasks(
  tasks: readonly NewTask[],
  now: number,
  incidents: readonly IncidentRecord[],
  options: StatementOptions,
): Steps<TaskRecord[]> {
  const col = <T>(f: (t: NewTask) => T): T[] => tasks.map(f);
  const withIncidents = incidents.length === 0 ? undefined : incidentInsert(incidents, 14);
  const { rows } = yield* query(
    `${withIncidents === undefined ? '' : `WITH i AS (${withIncidents.sql}) `}INSERT INTO tasks (id, type, priority, priority_rank, status, source, swarm, agents, reason, alerts, receiver, fingerprint,
       incident_starts_at, created_at, updated_at, next_attempt_at)
     SELECT u.id, u.type, u.priority, u.rank, 'queued', u.source, u.swarm, u.agents, u.reason, u.alerts, u.receiver, u.fingerprint,
       u.incident_starts_at, $13, $13, $13
     FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
       $10::text[], $11::text[], $12::bigint[]) WITH ORDINALITY
       AS u(id, type, priority, rank, source, swarm, agents, reason, alerts, receiver, fingerprint, incident_starts_at, n)
     ORDER BY u.n
     RETURNING id, seq`,
    [
      col((t) => t.id),
      col((t) => t.type),
      col((t) => t.priority),
      col((t) => RANK[t.priority]),
      col((t) => t.source),
      col((t) => t.swarm),
      col((t) => JSON.stringify(t.agents)),
      col((t) => t.reason),
      col((t) => JSON.stringify(t.alerts)),
      col((t) => t.receiver ?? null),
      col((t) => t.fingerprint ?? null),
      col((t) => t.incidentStartsAt ?? null),
      now,
      ...(withIncidents?.params ?? []),
    ],
    { ...options, prepare: true },
  );
  const seqs = new Map(rows.map((r) => [str(r.id), num(r.seq)]));
  return tasks.map((task) => queuedTaskRecord(task, seqs.get(task.id) ?? 0, now));
}

function* insertIncidents(incidents: readonly IncidentRecord[], options: StatementOptions): Steps<void> {
  const { sql, params } = incidentInsert(incidents, 1);
  yield* query(sql, params, options);
}

/** The INSERT of many incidents, its parameters numbered from `first`. */
function incidentInsert(incidents: readonly IncidentRecord[], first: number): { sql: string; params: unknown[] } {
  const col = <T>(f: (i: IncidentRecord) => T): T[] => incidents.map(f);
  const types = ['text', 'bigint', 'text', 'text', 'bigint', 'text', 'text', 'bigint', 'bigint'];
  return {
    sql: `INSERT INTO incidents (fingerprint, starts_at, receiver, status, ends_at, alertname, task_id, first_seen_at, last_seen_at)
     SELECT * FROM unnest(${types.map((t, i) => `$${first + i}::${t}[]`).join(', ')})`,
    params: [
      col((i) => i.fingerprint),
      col((i) => i.startsAt),
      col((i) => i.receiver),
      col((i) => i.status),
      col((i) => i.endsAt ?? null),
      col((i) => i.alertname),
      col((i) => i.taskId ?? null),
      col((i) => i.firstSeenAt),
      col((i) => i.lastSeenAt),
    ],
  };
}

/** Runs a transaction's steps on a pooled session, awaiting each answer, and commits it. */
async function runAsync<T>(session: AsyncPgSession, steps: Steps<T>): Promise<T> {
  let committed = false;
  for (let step = steps.next(); ;) {
    if (step.done === true) {
      if (!committed) await session.query('COMMIT');
      return step.value;
    }
    const statement = step.value;
    if (committed) throw new Error('a statement after the transaction committed');
    committed = statement.kind === 'query' && statement.options.commit === true;
    step = steps.next(
      statement.kind === 'many'
        ? await session.queryMany(statement.sql)
        : await session.query(statement.sql, statement.params, statement.options),
    );
  }
}

/**
 * One PostgreSQL database, any number of exporter processes. Beyond the TaskStore invariants:
 * - a lease is live while its owner's database session is (a session advisory lock per owner),
 *   or until `leaseExpiresAt`: a replica killed with -9 loses its session at once, and the
 *   survivor's next `recoverLeases` re-queues its running tasks (same id, same webhook-id);
 * - alerts are serialised per fingerprint (transaction advisory locks), so two replicas given
 *   the same notification decide one after the other: one creates, the other sees a duplicate;
 * - `claimScheduleSlot` lets exactly one replica fire each schedule slot.
 * See docs/high-availability.md for what this guarantees and what it does not.
 */
export class PostgresTaskStore implements TaskStore, HistoryStore {
  readonly shared = true;
  private readonly client: SyncPgClient;
  /** Sessions for what must not block the event loop: notifications, queue re-reads (opened on first use). */
  private readonly sessions: AsyncPgPool;
  private readonly retentionBatch: number;
  /** The lease owner whose liveness lock this session holds, and the session that holds it. */
  private identity: string | undefined;
  private identitySession = '';

  /** Connects, migrates, and returns the store; throws StoreUnavailableError when the server cannot be reached. */
  static open(options: PostgresTaskStoreOptions): PostgresTaskStore {
    const timeout = Math.max(100, Math.floor(options.statementTimeoutMs ?? 5000));
    const session: PgSessionOptions = {
      connectionString: options.url,
      password: options.password,
      replyTimeoutMs: timeout + Math.max(1000, Math.floor(options.connectTimeoutMs ?? 3000)),
      connectTimeoutMs: Math.max(100, Math.floor(options.connectTimeoutMs ?? 3000)),
      sessionSql: [
        `SET statement_timeout = ${Math.max(50, timeout - 250)}`,
        `SET lock_timeout = ${Math.max(50, Math.floor(timeout / 2))}`,
        // A replica frozen inside a transaction must not hold fingerprint locks for ever.
        `SET idle_in_transaction_session_timeout = ${timeout * 2}`,
        'SET synchronous_commit = on',
      ],
    };
    const client = new SyncPgClient(session);
    try {
      migratePostgres(client);
      const pool = new AsyncPgPool(session, ASYNC_SESSIONS);
      pool.warm();
      return new PostgresTaskStore(client, pool, options);
    } catch (error) {
      client.close();
      throw translate(error);
    }
  }

  private constructor(client: SyncPgClient, sessions: AsyncPgPool, options: PostgresTaskStoreOptions) {
    this.client = client;
    this.sessions = sessions;
    this.retentionBatch = Math.max(1, Math.floor(options.retentionBatch ?? 5000));
  }

  /** Schema version applied (for checks and diagnostics). */
  schemaVersion(): number {
    return this.read(() => num(this.q('SELECT COALESCE(MAX(version), 0) AS v FROM agentswarm_schema').rows[0]?.v ?? 0));
  }

  private q(sql: string, params: readonly unknown[] = [], options: StatementOptions = {}): { rows: PgRow[]; rowCount: number } {
    return this.client.query(sql, params, options);
  }

  /**
   * Runs `fn` in a transaction, again on a lost race. 'begins and commits': fn sends BEGIN with its
   * first statements and COMMIT with its last (round trips fewer).
   */
  private write<T>(fn: () => T, ends: 'wrap' | 'begins and commits' = 'wrap'): T {
    for (let attempt = 0; ; attempt += 1) {
      try {
        if (ends === 'wrap') this.q('BEGIN');
        try {
          const out = fn();
          if (ends === 'wrap') this.q('COMMIT');
          return out;
        } catch (error) {
          rollbackQuietly(this.client);
          throw error;
        }
      } catch (error) {
        if (attempt < RETRIES && isRace(error)) continue;
        throw translate(error);
      }
    }
  }

  private read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw translate(error);
    }
  }

  /** Serialises this transaction with any other touching the same fingerprints (sorted: no deadlock). */
  private lockFingerprints(fingerprints: Iterable<string>): void {
    const keys = [...new Set([...fingerprints].map(lockKey))].sort((a, b) => a - b);
    // Target-list expressions run left to right, so one statement takes them in sorted order.
    for (let i = 0; i < keys.length; i += 200) {
      const chunk = keys.slice(i, i + 200);
      this.q(`SELECT ${chunk.map((_, j) => `pg_advisory_xact_lock(${LOCK_FINGERPRINT}, $${j + 1}::int4)`).join(', ')}`, chunk);
    }
  }

  /**
   * Makes this session the live holder of `owner`'s leases (a session advisory lock). A session
   * holds one owner at a time: the previous one it held is released and counts as dead.
   */
  private ensureIdentity(owner: string): void {
    if (this.identity === owner && this.identitySession !== '' && this.identitySession === this.client.session) return;
    if (this.identity !== undefined && this.identity !== owner && this.identitySession === this.client.session) {
      this.q('SELECT pg_advisory_unlock($1, $2::int4)', [LOCK_OWNER, lockKey(this.identity)]);
    }
    const got = this.q('SELECT pg_try_advisory_lock($1, $2::int4) AS ok', [LOCK_OWNER, lockKey(owner)]).rows[0]?.ok === true;
    this.identity = owner;
    // Not got: a previous session of ours still holds it while the server notices it is gone; try again next call.
    this.identitySession = got ? this.client.session : '';
  }

  private insertTask(task: NewTask, now: number): TaskRecord {
    const row = this.q(
      `INSERT INTO tasks (id, type, priority, priority_rank, status, source, swarm, agents, reason, alerts, receiver, fingerprint,
         incident_starts_at, created_at, updated_at, next_attempt_at)
       VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $13) RETURNING seq`,
      [
        task.id,
        task.type,
        task.priority,
        RANK[task.priority],
        task.source,
        task.swarm,
        JSON.stringify(task.agents),
        task.reason,
        JSON.stringify(task.alerts),
        task.receiver ?? null,
        task.fingerprint ?? null,
        task.incidentStartsAt ?? null,
        now,
      ],
    ).rows[0];
    return queuedTaskRecord(task, num(row?.seq), now);
  }

  private mustGet(id: string): TaskRecord {
    const row = this.q('SELECT * FROM tasks WHERE id = $1', [id]).rows[0];
    if (row === undefined) throw new Error(`task ${id} vanished inside its own transaction`);
    return toTask(row);
  }

  private openTaskId(receiver: string, fingerprint: string): string | undefined {
    const row = this.q(`SELECT id FROM tasks WHERE receiver = $1 AND fingerprint = $2 AND status IN ${OPEN_STATUSES}`, [
      receiver,
      fingerprint,
    ]).rows[0];
    return row === undefined ? undefined : str(row.id);
  }

  recordNotification(receiver: string, alerts: readonly IncomingAlert[], now: number): NotificationOutcome {
    return this.write(() => this.runSync(this.notificationSteps(receiver, alerts, now)), 'begins and commits');
  }

  /**
   * recordNotification without blocking the event loop: the same transaction, on a session of its
   * own (two of them, so two notifications commit at once). Used by the webhook route.
   */
  recordNotificationAsync(receiver: string, alerts: readonly IncomingAlert[], now: number): Promise<NotificationOutcome> {
    return this.sessions.with(async (session) => {
      for (let attempt = 0; ; attempt += 1) {
        try {
          try {
            return await runAsync(session, this.notificationSteps(receiver, alerts, now));
          } catch (error) {
            await session.query('ROLLBACK').catch(() => undefined);
            throw error;
          }
        } catch (error) {
          if (attempt < RETRIES && isRace(error)) continue;
          throw translate(error);
        }
      }
    });
  }

  /** Runs a transaction's steps on the blocking client, and commits it. */
  private runSync<T>(steps: Steps<T>): T {
    let committed = false;
    for (let step = steps.next(); ;) {
      if (step.done === true) {
        if (!committed) this.q('COMMIT');
        return step.value;
      }
      const statement = step.value;
      if (committed) throw new Error('a statement after the transaction committed');
      committed = statement.kind === 'query' && statement.options.commit === true;
      step = steps.next(
        statement.kind === 'many' ? this.client.queryMany(statement.sql) : this.q(statement.sql, statement.params, statement.options),
      );
    }
  }

  /**
   * The notification's transaction from BEGIN; its last statement may carry the COMMIT (the drivers send it otherwise). It runs on a session that
   * other callers do not use meanwhile (runSync: the blocked synchronous client; runAsync: a pooled
   * session), so nothing else lands inside it. Between its round trips it holds only the
   * fingerprint locks, and row locks only where a resolve reads after writing.
   */
  private *notificationSteps(receiver: string, alerts: readonly IncomingAlert[], now: number): Steps<NotificationOutcome> {
    {
      const fingerprints = [...new Set(alerts.map((a) => a.fingerprint))];
      // Under the fingerprint locks nothing else changes these rows: read them once, decide in
      // memory, write in batches. BEGIN, the locks (sorted: no deadlock) and both reads go in one
      // message; each read is its own statement, so it sees what a peer committed before the lock.
      //
      // Each read is one index probe per fingerprint (a LATERAL subquery kept apart by OFFSET 0), not
      // `fingerprint IN (…)`: on a young database whose statistics still say "empty" (autovacuum
      // analyses after a minute at the earliest) the planner answers IN with a scan of every open
      // task, 20–30 ms per notification at 20,000 rows, where the probes cost ~1.5 ms at any size.
      const keys = [...new Set(fingerprints.map(lockKey))].sort((a, b) => a - b);
      const list = `ARRAY[${fingerprints.map(literal).join(', ')}]::text[]`;
      const results = yield* queryMany(
        [
          'BEGIN',
          ...(keys.length === 0 ? [] : [`SELECT ${keys.map((k) => `pg_advisory_xact_lock(${LOCK_FINGERPRINT}, ${k})`).join(', ')}`]),
          `SELECT i.* FROM unnest(${list}) AS f(fp) CROSS JOIN LATERAL (SELECT * FROM incidents WHERE fingerprint = f.fp OFFSET 0) AS i`,
          `SELECT t.fingerprint, t.id FROM unnest(${list}) AS f(fp) CROSS JOIN LATERAL
             (SELECT fingerprint, id FROM tasks WHERE receiver = ${literal(receiver)} AND fingerprint = f.fp AND status IN ${OPEN_STATUSES} OFFSET 0) AS t`,
        ].join(';\n'),
      );
      const incidentRows = results[results.length - 2]?.rows ?? [];
      const openRows = results[results.length - 1]?.rows ?? [];
      const known = new Map<string, IncidentRecord[]>();
      for (const row of incidentRows) {
        const incident = toIncident(row);
        const list = known.get(incident.fingerprint);
        if (list === undefined) known.set(incident.fingerprint, [incident]);
        else list.push(incident);
      }
      const openTasks = new Map<string, string>();
      for (const row of openRows) openTasks.set(str(row.fingerprint), str(row.id));
      const pendingTasks: NewTask[] = [];
      const pendingIncidents: IncidentRecord[] = [];
      const touched: IncidentRecord[] = [];
      const created: TaskRecord[] = [];
      const cancelled: TaskRecord[] = [];
      // `last`: this flush ends the transaction, and its last statement carries the COMMIT.
      const flush = function* (last = false): Steps<void> {
        const tasks = pendingTasks.splice(0);
        const incidents = pendingIncidents.splice(0);
        const seen = touched.splice(0);
        const commitWith = (statement: 'insert' | 'touch'): StatementOptions =>
          last && (statement === 'touch' || seen.length === 0) ? { commit: true } : {};
        // Tasks and their incidents in one statement (the incidents' foreign keys are checked at its end).
        if (tasks.length > 0) created.push(...(yield* insertTasks(tasks, now, incidents, commitWith('insert'))));
        else if (incidents.length > 0) yield* insertIncidents(incidents, commitWith('insert'));
        if (seen.length > 0) {
          yield* query(
            `UPDATE incidents i SET last_seen_at = $1 FROM unnest($2::text[], $3::bigint[]) AS u(fingerprint, starts_at)
             WHERE i.fingerprint = u.fingerprint AND i.starts_at = u.starts_at`,
            [now, seen.map((r) => r.fingerprint), seen.map((r) => r.startsAt)],
            commitWith('touch'),
          );
        }
      };

      const dispositions: AlertDisposition[] = [];
      for (const alert of alerts) {
        const list = known.get(alert.fingerprint) ?? [];
        known.set(alert.fingerprint, list);
        const index = list.findIndex((i) => i.startsAt === alert.startsAt);
        const incident = index < 0 ? undefined : list[index];
        const newer = incident === undefined && list.some((i) => i.startsAt > alert.startsAt);
        const openTaskId =
          alert.status === 'firing' && incident === undefined && !newer && alert.task !== undefined
            ? openTasks.get(alert.fingerprint)
            : undefined;
        let incidentTask: { status: TaskRecord['status']; otherFiringIncidents: number } | undefined;
        if (alert.status === 'resolved' && incident?.status === 'firing' && incident.taskId !== undefined) {
          yield* flush();
          const taskRow = (yield* query('SELECT status FROM tasks WHERE id = $1', [incident.taskId])).rows[0];
          const others = (yield* query(
            "SELECT COUNT(*)::int AS n FROM incidents WHERE task_id = $1 AND status = 'firing' AND NOT (fingerprint = $2 AND starts_at = $3)",
            [incident.taskId, alert.fingerprint, alert.startsAt],
          )).rows[0];
          if (taskRow !== undefined)
            incidentTask = { status: str(taskRow.status) as TaskRecord['status'], otherFiringIncidents: num(others?.n ?? 0) };
        }
        const decision = decideAlert(alert.status, alert.task !== undefined, {
          incident,
          newerIncidentExists: newer,
          openTaskId,
          incidentTask,
        });
        const open = (status: 'firing' | 'resolved', endsAt: number | undefined, taskId: string | undefined): void => {
          const record: IncidentRecord = {
            fingerprint: alert.fingerprint,
            startsAt: alert.startsAt,
            receiver,
            status,
            endsAt,
            alertname: alert.alertname,
            taskId,
            firstSeenAt: now,
            lastSeenAt: now,
          };
          pendingIncidents.push(record);
          list.push(record);
        };
        switch (decision.kind) {
          case 'duplicate':
            if (incident !== undefined) {
              touched.push(incident);
              list[index] = { ...incident, lastSeenAt: now };
            }
            dispositions.push('duplicate');
            break;
          case 'stale':
            dispositions.push('stale');
            break;
          case 'open': {
            let taskId: string | undefined;
            if (decision.task === 'create' && alert.task !== undefined) {
              pendingTasks.push(alert.task);
              taskId = alert.task.id;
              openTasks.set(alert.fingerprint, taskId);
            } else if (decision.task === 'link' && openTaskId !== undefined) {
              taskId = openTaskId;
            }
            open('firing', undefined, taskId);
            dispositions.push(decision.task === 'create' ? 'created' : decision.task === 'link' ? 'linked' : 'recorded');
            break;
          }
          case 'resolve':
            yield* flush();
            yield* query(
              "UPDATE incidents SET status = 'resolved', ends_at = $1, last_seen_at = $2 WHERE fingerprint = $3 AND starts_at = $4",
              [alert.endsAt ?? now, now, alert.fingerprint, alert.startsAt],
            );
            if (incident !== undefined) list[index] = { ...incident, status: 'resolved', endsAt: alert.endsAt ?? now, lastSeenAt: now };
            if (decision.cancelTask && incident?.taskId !== undefined) {
              const row = (yield* query(
                "UPDATE tasks SET status = 'cancelled', finished_at = $1, updated_at = $1, last_error = $2 WHERE id = $3 AND status = 'queued' RETURNING *",
                [now, 'alert resolved before the task ran', incident.taskId],
              )).rows[0];
              if (row !== undefined) {
                cancelled.push(toTask(row));
                if (openTasks.get(alert.fingerprint) === incident.taskId) openTasks.delete(alert.fingerprint);
              }
            }
            dispositions.push('resolved');
            break;
          case 'tombstone':
            open('resolved', alert.endsAt ?? now, undefined);
            dispositions.push('resolved_unknown');
            break;
        }
      }
      yield* flush(true);
      return { dispositions, created, cancelled };
    }
  }

  createTask(task: NewTask, now: number): { created: boolean; task: TaskRecord } {
    return this.write(() => {
      if (task.receiver !== undefined && task.fingerprint !== undefined) {
        this.lockFingerprints([task.fingerprint]);
        const open = this.openTaskId(task.receiver, task.fingerprint);
        if (open !== undefined) return { created: false, task: this.mustGet(open) };
      }
      return { created: true, task: this.insertTask(task, now) };
    });
  }

  claimTask(id: string, owner: string, now: number, leaseExpiresAt: number): TaskRecord | undefined {
    return this.read(() => {
      this.ensureIdentity(owner);
      // One statement, so no explicit transaction: SKIP LOCKED makes a replica that is claiming
      // the same task at this instant lose at once instead of waiting for it.
      const row = this.q(
        `UPDATE tasks SET status = 'running', attempts = attempts + 1, lease_owner = $2, lease_expires_at = $4,
           started_at = COALESCE(started_at, $3), updated_at = $3
         WHERE seq = (SELECT seq FROM tasks WHERE id = $1 AND status = 'queued' AND next_attempt_at <= $3 FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [id, owner, now, leaseExpiresAt],
      ).rows[0];
      return row === undefined ? undefined : toTask(row);
    });
  }

  finishAttempt(id: string, owner: string, attempt: AttemptRecord, next: TaskTransition, now: number): boolean {
    return this.write(() => {
      const held =
        this.q("SELECT 1 FROM tasks WHERE id = $1 AND status = 'running' AND lease_owner = $2 FOR UPDATE", [id, owner]).rows.length > 0;
      if (!held) return false;
      this.q(
        `INSERT INTO attempts (task_id, attempt, started_at, duration_ms, status_code, outcome, error) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (task_id, attempt) DO UPDATE SET started_at = excluded.started_at, duration_ms = excluded.duration_ms,
           status_code = excluded.status_code, outcome = excluded.outcome, error = excluded.error`,
        [id, attempt.attempt, attempt.startedAt, attempt.durationMs, attempt.statusCode ?? null, attempt.outcome, attempt.error ?? null],
      );
      if (next.status === 'queued') this.requeue(id, next.nextAttemptAt, now, next.error ?? null);
      else this.finishFinal(id, next.status, now, next.status === 'failed' ? next.error : null);
      return true;
    });
  }

  private requeue(id: string, nextAttemptAt: number, now: number, error: string | null): void {
    this.q(
      `UPDATE tasks SET status = 'queued', next_attempt_at = $2, updated_at = $3, lease_owner = NULL, lease_expires_at = NULL,
         last_error = COALESCE($4, last_error) WHERE id = $1`,
      [id, nextAttemptAt, now, error],
    );
  }

  private finishFinal(id: string, status: string, now: number, error: string | null): void {
    this.q(
      'UPDATE tasks SET status = $2, finished_at = $3, updated_at = $3, lease_owner = NULL, lease_expires_at = NULL, last_error = $4 WHERE id = $1',
      [id, status, now, error],
    );
  }

  savePlan(id: string, plan: JsonValue, now: number): void {
    this.read(() => this.q('UPDATE tasks SET plan = $1, updated_at = $2 WHERE id = $3', [JSON.stringify(plan), now, id]));
  }

  saveImpact(id: string, impact: TaskImpact, now: number): void {
    this.read(() =>
      this.q(
        `UPDATE tasks SET impact_score = $1, impact_before = $2, impact_after = $3, impact_ratio = $4, impact_measured_at = $5,
           impact_due_at = NULL, impact_baseline = NULL, updated_at = $6
         WHERE id = $7`,
        [impact.score, impact.before, impact.after, impact.ratio, impact.measuredAt, now, id],
      ),
    );
  }

  setImpactDue(id: string, due: Omit<PendingImpact, 'taskId'> | undefined, now: number): void {
    this.read(() =>
      this.q('UPDATE tasks SET impact_due_at = $1, impact_baseline = $2, updated_at = $3 WHERE id = $4', [
        due?.dueAt ?? null,
        due === undefined ? null : JSON.stringify(due.baseline),
        now,
        id,
      ]),
    );
  }

  pendingImpacts(): PendingImpact[] {
    return this.read(() =>
      this.q('SELECT id, impact_due_at, impact_baseline FROM tasks WHERE impact_due_at IS NOT NULL ORDER BY impact_due_at, seq').rows.map(
        (row) => ({
          taskId: String(row.id),
          dueAt: Number(row.impact_due_at),
          baseline: JSON.parse(String(row.impact_baseline)) as ImpactBaseline,
        }),
      ),
    );
  }

  /**
   * Always ok: a PostgreSQL outage is transient (each call answers StoreUnavailableError, 503,
   * and the next one reconnects), not a sticky fault of a file this process holds.
   */
  health(): StoreHealth {
    return { ok: true };
  }

  /**
   * Re-queues running tasks whose lease expired, or whose owner (not `owner`) holds no live
   * session any more: a replica that died. Tasks another replica is recovering right now are
   * skipped (SKIP LOCKED), so each dead lease is recovered once.
   */
  recoverLeases(owner: string, now: number, maxAttempts: number): LeaseRecovery {
    this.read(() => this.ensureIdentity(owner));
    return this.write(() => {
      const requeued: string[] = [];
      const failed: string[] = [];
      const rows = this.q(
        `SELECT t.id, t.attempts FROM tasks t
         WHERE t.status = 'running' AND (
           t.lease_expires_at IS NULL OR t.lease_expires_at <= $1 OR (
             t.lease_owner IS DISTINCT FROM $2 AND NOT EXISTS (
               SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
                 AND l.classid = $3::int4::bigint::oid
                 AND l.objid = ((('x' || substr(md5(COALESCE(t.lease_owner, '')), 1, 8))::bit(32)::int4)::bigint & 4294967295)::oid)))
         ORDER BY t.seq FOR UPDATE OF t SKIP LOCKED`,
        [now, owner, LOCK_OWNER],
      ).rows;
      for (const row of rows) {
        const id = str(row.id);
        if (num(row.attempts) > maxAttempts) {
          this.finishFinal(id, 'failed', now, 'lease lost on the last attempt (process died)');
          failed.push(id);
        } else {
          this.requeue(id, now, now, 'lease lost (process died); re-queued');
          requeued.push(id);
        }
      }
      return { requeued, failed };
    });
  }

  /**
   * Inserts the lease row of one schedule slot; true for the one replica whose insert won, so a
   * schedule fires once per slot across every process sharing the database.
   */
  claimScheduleSlot(schedule: string, slotAt: number, owner: string, now: number): boolean {
    return this.read(
      () =>
        this.q('INSERT INTO schedule_slots (schedule, slot_at, owner, fired_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
          schedule,
          slotAt,
          owner,
          now,
        ]).rowCount === 1,
    );
  }

  queuedTasks(): QueueEntry[] {
    return this.read(() => this.q(`${QUEUE_SELECT} ORDER BY priority_rank, seq`).rows.map(toQueueEntry));
  }

  /** Queued tasks written at or after `sinceMs` (by any replica's clock), in queue order, on a pooled session. */
  async queuedTasksSince(sinceMs: number | undefined): Promise<QueueEntry[]> {
    try {
      const { rows } = await this.sessions.with((session) =>
        sinceMs === undefined
          ? session.query(`${QUEUE_SELECT} ORDER BY priority_rank, seq`)
          : session.query(`${QUEUE_SELECT} AND updated_at >= $1 ORDER BY priority_rank, seq`, [sinceMs]),
      );
      return rows.map(toQueueEntry);
    } catch (error) {
      throw translate(error);
    }
  }

  getTask(id: string): TaskRecord | undefined {
    return this.read(() => {
      const row = this.q('SELECT * FROM tasks WHERE id = $1', [id]).rows[0];
      return row === undefined ? undefined : toTask(row);
    });
  }

  listTasks(filter: TaskFilter = {}): TaskRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, value: unknown): void => {
      params.push(value);
      where.push(clause.replace('?', `$${params.length}`));
    };
    if (filter.status !== undefined) add('status = ?', filter.status);
    if (filter.type !== undefined) add('type = ?', filter.type);
    if (filter.beforeSeq !== undefined) add('seq < ?', filter.beforeSeq);
    const limit = Math.min(1000, Math.max(1, Math.floor(filter.limit ?? 100)));
    const sql = `SELECT * FROM tasks ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ${limit}`;
    return this.read(() => this.q(sql, params).rows.map(toTask));
  }

  listAttempts(taskId: string): AttemptRecord[] {
    return this.read(() => this.q('SELECT * FROM attempts WHERE task_id = $1 ORDER BY attempt', [taskId]).rows.map(toAttempt));
  }

  listIncidents(taskId: string): IncidentRecord[] {
    return this.read(() => this.q('SELECT * FROM incidents WHERE task_id = $1 ORDER BY starts_at', [taskId]).rows.map(toIncident));
  }

  getIncident(fingerprint: string, startsAt: number): IncidentRecord | undefined {
    return this.read(() => {
      const row = this.q('SELECT * FROM incidents WHERE fingerprint = $1 AND starts_at = $2', [fingerprint, startsAt]).rows[0];
      return row === undefined ? undefined : toIncident(row);
    });
  }

  countQueuedByPriority(): Record<Priority, number> {
    return this.read(() => {
      const out = Object.fromEntries(PRIORITIES.map((p) => [p, 0])) as Record<Priority, number>;
      for (const row of this.q("SELECT priority, COUNT(*)::int AS n FROM tasks WHERE status = 'queued' GROUP BY priority").rows) {
        const priority = str(row.priority) as Priority;
        if (priority in out) out[priority] = num(row.n);
      }
      return out;
    });
  }

  saveAnalysisSnapshot(snapshot: AnalysisSnapshotRecord): void {
    this.read(() =>
      this.q('INSERT INTO analysis_snapshots (swarm, taken_at, body) VALUES ($1, $2, $3)', [
        snapshot.swarm,
        snapshot.takenAt,
        JSON.stringify(snapshot.body),
      ]),
    );
  }

  latestAnalysisSnapshot(swarm: string): AnalysisSnapshotRecord | undefined {
    return this.read(() => {
      const row = this.q('SELECT * FROM analysis_snapshots WHERE swarm = $1 ORDER BY taken_at DESC, id DESC LIMIT 1', [swarm]).rows[0];
      return row === undefined ? undefined : { swarm: str(row.swarm), takenAt: num(row.taken_at), body: parseJson<JsonValue>(row.body) };
    });
  }

  listAnalysisSnapshots(swarm: string, sinceMs: number, limit = 1000): AnalysisSnapshotRecord[] {
    return this.read(() =>
      this.q('SELECT * FROM analysis_snapshots WHERE swarm = $1 AND taken_at >= $2 ORDER BY taken_at, id LIMIT $3', [
        swarm,
        sinceMs,
        limit,
      ]).rows.map((row) => ({
        swarm: str(row.swarm),
        takenAt: num(row.taken_at),
        body: parseJson<JsonValue>(row.body),
      })),
    );
  }

  saveAgentStates(states: readonly AgentStateRecord[]): void {
    if (states.length === 0) return;
    // One statement per call; within a call the last state of a bucket wins, as across calls.
    const byKey = new Map<string, AgentStateRecord>();
    for (const state of states) byKey.set(JSON.stringify([state.swarm, state.agent, state.bucketStart]), state);
    const rows = [...byKey.values()];
    this.write(() =>
      this.q(
        `INSERT INTO agent_performance_states (swarm, agent, bucket_start, status, health_score, metrics)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::float8[], $6::text[])
         ON CONFLICT (swarm, agent, bucket_start) DO UPDATE SET status = excluded.status,
           health_score = excluded.health_score, metrics = excluded.metrics`,
        [
          rows.map((s) => s.swarm),
          rows.map((s) => s.agent),
          rows.map((s) => s.bucketStart),
          rows.map((s) => s.status),
          rows.map((s) => s.healthScore ?? null),
          rows.map((s) => JSON.stringify(s.metrics)),
        ],
      ),
    );
  }

  listAgentStates(swarm: string, agent: string | undefined, sinceMs: number, limit = 10_000): AgentStateRecord[] {
    return this.read(() => {
      const rows =
        agent === undefined
          ? this.q('SELECT * FROM agent_performance_states WHERE swarm = $1 AND bucket_start >= $2 ORDER BY bucket_start, agent LIMIT $3', [
              swarm,
              sinceMs,
              limit,
            ]).rows
          : this.q(
              'SELECT * FROM agent_performance_states WHERE swarm = $1 AND agent = $2 AND bucket_start >= $3 ORDER BY bucket_start LIMIT $4',
              [swarm, agent, sinceMs, limit],
            ).rows;
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

  /**
   * Batched: each statement deletes at most `retentionBatch` rows in its own transaction, so a
   * first retention over millions of rows never holds locks (or bloats WAL) for long. Each batch
   * is consistent on its own; an interrupted run leaves the rest for the next one.
   */
  applyRetention(cutoffMs: number): RetentionResult {
    const n = this.retentionBatch;
    const drain = (sql: string): number => {
      let total = 0;
      for (;;) {
        const deleted = this.write(() => this.q(sql, [cutoffMs, n]).rowCount);
        total += deleted;
        if (deleted < n) return total;
      }
    };
    // Tasks first: deleting them detaches their incidents (ON DELETE SET NULL) so those can go too.
    const tasks = drain(
      `DELETE FROM tasks WHERE seq IN (SELECT seq FROM tasks WHERE status IN ${FINAL_STATUSES} AND finished_at < $1 LIMIT $2)`,
    );
    const incidents = drain(
      `DELETE FROM incidents WHERE (fingerprint, starts_at) IN (
         SELECT i.fingerprint, i.starts_at FROM incidents i WHERE i.last_seen_at < $1 AND (i.task_id IS NULL OR NOT EXISTS
           (SELECT 1 FROM tasks t WHERE t.id = i.task_id AND t.status IN ${OPEN_STATUSES})) LIMIT $2)`,
    );
    const snapshots = drain('DELETE FROM analysis_snapshots WHERE id IN (SELECT id FROM analysis_snapshots WHERE taken_at < $1 LIMIT $2)');
    const agentStates = drain(
      `DELETE FROM agent_performance_states WHERE (swarm, agent, bucket_start) IN
         (SELECT swarm, agent, bucket_start FROM agent_performance_states WHERE bucket_start < $1 LIMIT $2)`,
    );
    drain(
      'DELETE FROM schedule_slots WHERE (schedule, slot_at) IN (SELECT schedule, slot_at FROM schedule_slots WHERE fired_at < $1 LIMIT $2)',
    );
    return { tasks, incidents, snapshots, agentStates };
  }

  close(): void {
    this.sessions.close();
    this.client.close();
  }
}
