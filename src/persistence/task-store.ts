// The coordination store contract: incidents, tasks, attempts, leases, snapshots, agent states, retention.
import type { Priority } from '../model/coordination-vocabulary.js';
import type { HistoryStore } from './history-store.js';
import type { StoreHealth } from './store-errors.js';
import type {
  AttemptRecord,
  IncidentRecord,
  IncomingAlert,
  JsonValue,
  LeaseRecovery,
  NewTask,
  PendingImpact,
  NotificationOutcome,
  QueueEntry,
  RetentionResult,
  TaskFilter,
  TaskImpact,
  TaskRecord,
  TaskTransition,
} from '../model/task-records.js';

/**
 * Durable store of the coordination engine. Every method is atomic: it commits fully or not at
 * all, and throws `StoreUnavailableError` when it cannot commit now. Methods are synchronous
 * because the SQLite implementation is (better-sqlite3): a commit is on disk when the call
 * returns, which is what lets the webhook route answer 200 only after the durable commit.
 *
 * Invariants every implementation keeps (the contract suite in test/persistence checks them):
 * - at most one open (queued|running) task per (receiver, fingerprint) when both are set;
 * - one incident per (fingerprint, startsAt);
 * - a task leaves `running` only through `finishAttempt` by its lease owner, or `recoverLeases`;
 * - final statuses (succeeded, failed, cancelled) never change.
 *
 * One process per database for SQLite and memory: leases are not a distributed lock, and the
 * SQLite store enforces it with a lock on `<file>.lock` (a second process refuses to start, naming
 * the holder's pid). A store with `shared: true` (PostgreSQL) is used by several processes at once:
 * its leases are bound to the holder's database session, so `recoverLeases` takes only the leases
 * of processes that died (docs/high-availability.md).
 */
export interface TaskStore {
  /** Applies one Alertmanager notification (dedup, incidents, cancellation) in one transaction. */
  recordNotification(receiver: string, alerts: readonly IncomingAlert[], now: number): NotificationOutcome;

  /**
   * The same, without blocking the event loop while a remote database works (PostgreSQL: its own
   * sessions, several notifications committing at once). Resolves once committed. Stores whose
   * commit is local and short (SQLite, memory) omit it, and callers use recordNotification.
   */
  recordNotificationAsync?(receiver: string, alerts: readonly IncomingAlert[], now: number): Promise<NotificationOutcome>;

  /**
   * Creates a task (API, schedules). With `receiver` and `fingerprint` set and an open task
   * already holding that key, creates nothing and returns the open one with `created: false`.
   */
  createTask(task: NewTask, now: number): { readonly created: boolean; readonly task: TaskRecord };

  /**
   * queued -> running under a lease, counting one more attempt. Returns undefined when the task
   * is not queued (cancelled, already claimed, gone) or not yet due.
   */
  claimTask(id: string, owner: string, now: number, leaseExpiresAt: number): TaskRecord | undefined;

  /**
   * Records an attempt and moves the task out of `running` in one transaction, only if `owner`
   * still holds its lease. Returns false (and changes nothing) when it does not.
   */
  finishAttempt(id: string, owner: string, attempt: AttemptRecord, next: TaskTransition, now: number): boolean;

  /** Stores the plan computed for the task (once, before its first delivery). */
  savePlan(id: string, plan: JsonValue, now: number): void;

  /** Stores the measured impact of a succeeded task, and clears its pending impact (if any). */
  saveImpact(id: string, impact: TaskImpact, now: number): void;

  /**
   * Persists when the impact of a succeeded task is due and the baseline it is measured against
   * (`undefined` clears it: measured elsewhere, or given up), so a restart inside
   * `coordination.impact_delay` still measures it.
   */
  setImpactDue(id: string, due: Omit<PendingImpact, 'taskId'> | undefined, now: number): void;

  /** Impacts due and not measured yet, soonest first (read once at start). */
  pendingImpacts(): PendingImpact[];

  /**
   * Re-queues `running` tasks whose lease belongs to another owner (a previous process) or has
   * expired; those that already used `maxAttempts` + 1 attempts (crashed on the extra one too)
   * are dead-lettered instead, so a task that crashes the process cannot loop forever.
   */
  recoverLeases(owner: string, now: number, maxAttempts: number): LeaseRecovery;

  /** Every queued task, in queue order (priority, then seq). */
  queuedTasks(): QueueEntry[];

  getTask(id: string): TaskRecord | undefined;
  /** Newest first. */
  listTasks(filter?: TaskFilter): TaskRecord[];
  listAttempts(taskId: string): AttemptRecord[];
  listIncidents(taskId: string): IncidentRecord[];
  getIncident(fingerprint: string, startsAt: number): IncidentRecord | undefined;
  countQueuedByPriority(): Record<Priority, number>;

  /**
   * Deletes what ended before `cutoffMs`: final tasks (and their attempts), incidents not seen
   * since and not attached to an open task, snapshots and agent states. Open tasks are kept.
   */
  applyRetention(cutoffMs: number): RetentionResult;

  /**
   * ok, or a sticky fault that makes every call throw StoreUnavailableError: readiness reads it
   * (503 while not ok). SQLite: the file was deleted or replaced ("gone"), or is corrupt.
   */
  health(): StoreHealth;

  close(): void;

  /**
   * True when several exporter processes share the store (PostgreSQL): the coordination service
   * then re-reads the queue and recovers dead peers' leases periodically, since tasks created or
   * released by a peer never pass through this process. Absent = one process per store.
   */
  readonly shared?: boolean;

  /**
   * Takes the one lease row of a schedule slot (`schedule` identity, `slotAt` the slot's nominal
   * time, ms); true for exactly one caller across every process sharing the store. Stores for
   * one process omit it: their single process fires every slot.
   */
  claimScheduleSlot?(schedule: string, slotAt: number, owner: string, now: number): boolean;

  /**
   * Queued tasks written (created, re-queued) at or after `sinceMs` (the whole queue when
   * undefined), in queue order: what a shared store's periodic re-read needs, without loading the
   * whole queue every second, and without blocking the event loop (during an alert storm the
   * queue holds tens of thousands of rows).
   */
  queuedTasksSince?(sinceMs: number | undefined): Promise<QueueEntry[]>;
}

/**
 * The exporter's one database: the tasks and the analysis history (HistoryStore) share its
 * transactions, retention, health and lifecycle. The SQLite, PostgreSQL and in-memory stores are one.
 */
export type ExporterDatabase = TaskStore & HistoryStore;
