// The records the coordination store keeps: incidents, tasks, attempts, analysis snapshots, agent states.
import type { CoordinationType, Priority, TaskStatus } from './coordination-vocabulary.js';

/** Any JSON value (plans, snapshots): what survives a JSON round trip. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** Where a task came from. */
export type TaskSource = 'alert' | 'api' | 'schedule';

/** An alert as carried in a task's `alerts` list (docs/design.md#outgoing-task-deliveries), times as RFC 3339 text. */
export interface TaskAlert {
  readonly fingerprint: string;
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  readonly endsAt?: string;
  readonly generatorURL: string;
}

/** The targeted score before a task and `coordination.impact_delay` after it succeeded. */
export interface TaskImpact {
  /** Which score was targeted, e.g. "health", "balance_index". */
  readonly score: string;
  readonly before: number;
  readonly after: number;
  /** Relative improvement: > 0 better, < 0 worse, 0 unchanged (see impact.ts). */
  readonly ratio: number;
  /** ms since the epoch. */
  readonly measuredAt: number;
}

/** The targeted score read just before delivery, kept until the impact is measured. */
export interface ImpactBaseline {
  readonly score: string;
  readonly value: number;
  readonly higherIsBetter: boolean;
}

/** An impact measurement not taken yet: due at `dueAt` (ms), against `baseline`. */
export interface PendingImpact {
  readonly taskId: string;
  readonly dueAt: number;
  readonly baseline: ImpactBaseline;
}

export interface NewTask {
  /** Also the `webhook-id` of every delivery attempt: the receiver's idempotency key. */
  readonly id: string;
  readonly type: CoordinationType;
  readonly priority: Priority;
  readonly source: TaskSource;
  readonly swarm: string;
  readonly agents: readonly string[];
  readonly reason: string;
  readonly alerts: readonly TaskAlert[];
  /**
   * Dedup key: with both set, at most one open (queued or running) task exists per
   * (receiver, fingerprint). Alert tasks use the Alertmanager receiver and alert fingerprint;
   * scheduled tasks use "schedule" and the schedule's identity.
   */
  readonly receiver?: string;
  readonly fingerprint?: string;
  /** startsAt (ms) of the incident that created the task. */
  readonly incidentStartsAt?: number;
}

export interface TaskRecord extends NewTask {
  /** Monotonic insertion number: FIFO order within a priority, and the list cursor. */
  readonly seq: number;
  readonly status: TaskStatus;
  /** Attempts started so far (a crashed attempt counts). */
  readonly attempts: number;
  readonly plan: JsonValue | undefined;
  /** All times in ms since the epoch. */
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Not before this time is the next attempt made. */
  readonly nextAttemptAt: number;
  readonly startedAt: number | undefined;
  readonly finishedAt: number | undefined;
  readonly leaseOwner: string | undefined;
  readonly leaseExpiresAt: number | undefined;
  readonly lastError: string | undefined;
  readonly impact: TaskImpact | undefined;
}

/**
 * The record of a task just inserted as queued, built from what was written (not read back).
 * Fields are listed, not spread from `task`: V8 builds `{ ...task, seq, … }` with a dozen added
 * keys ~50× slower (~35 µs), which was a third of a 100-alert notification's cost.
 */
export function queuedTaskRecord(task: NewTask, seq: number, now: number): TaskRecord {
  return {
    id: task.id,
    type: task.type,
    priority: task.priority,
    source: task.source,
    swarm: task.swarm,
    agents: task.agents,
    reason: task.reason,
    alerts: task.alerts,
    ...(task.receiver === undefined ? {} : { receiver: task.receiver }),
    ...(task.fingerprint === undefined ? {} : { fingerprint: task.fingerprint }),
    ...(task.incidentStartsAt === undefined ? {} : { incidentStartsAt: task.incidentStartsAt }),
    seq,
    status: 'queued',
    attempts: 0,
    plan: undefined,
    createdAt: now,
    updatedAt: now,
    nextAttemptAt: now,
    startedAt: undefined,
    finishedAt: undefined,
    leaseOwner: undefined,
    leaseExpiresAt: undefined,
    lastError: undefined,
    impact: undefined,
  };
}

export type AttemptOutcome = 'succeeded' | 'failed' | 'retryable' | 'released';

export interface AttemptRecord {
  readonly taskId: string;
  /** 1-based attempt number. */
  readonly attempt: number;
  readonly startedAt: number;
  readonly durationMs: number;
  readonly statusCode: number | undefined;
  readonly outcome: AttemptOutcome;
  readonly error: string | undefined;
}

export type IncidentStatus = 'firing' | 'resolved';

/** One (fingerprint, startsAt): one firing period of one alert. */
export interface IncidentRecord {
  readonly fingerprint: string;
  readonly startsAt: number;
  readonly receiver: string;
  readonly status: IncidentStatus;
  readonly endsAt: number | undefined;
  readonly alertname: string;
  readonly taskId: string | undefined;
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
}

/** A firing or resolved alert as the intake hands it to the store. */
export interface IncomingAlert {
  readonly fingerprint: string;
  readonly startsAt: number;
  readonly status: IncidentStatus;
  readonly endsAt: number | undefined;
  readonly alertname: string;
  /** The task to create when this alert opens a new incident; undefined = record only. */
  readonly task: NewTask | undefined;
}

/**
 * What became of one alert of a notification:
 * - `created`: new incident, new task;
 * - `linked`: new incident, attached to the open task of the same receiver+fingerprint;
 * - `recorded`: new incident of an alert that asks for no task;
 * - `duplicate`: already known incident (repeat, HA twin, or firing retry after its resolve);
 * - `stale`: a firing alert older than a known later incident of the same fingerprint;
 * - `resolved`: a firing incident resolved (its queued task cancelled when nothing else needs it);
 * - `resolved_unknown`: resolve of an incident never seen: recorded so a late firing retry is void.
 */
export type AlertDisposition = 'created' | 'linked' | 'recorded' | 'duplicate' | 'stale' | 'resolved' | 'resolved_unknown';

export interface NotificationOutcome {
  /** One per incoming alert, same order. */
  readonly dispositions: readonly AlertDisposition[];
  readonly created: readonly TaskRecord[];
  readonly cancelled: readonly TaskRecord[];
}

/** How an attempt leaves its task. `queued` = retry later (or released at shutdown). */
export type TaskTransition =
  | { readonly status: 'succeeded' }
  | { readonly status: 'failed'; readonly error: string }
  | { readonly status: 'queued'; readonly nextAttemptAt: number; readonly error?: string };

/** Minimal view for the runner's in-memory queue. */
export interface QueueEntry {
  readonly id: string;
  readonly seq: number;
  readonly type: CoordinationType;
  readonly priority: Priority;
  readonly nextAttemptAt: number;
}

export interface TaskFilter {
  readonly status?: TaskStatus;
  readonly type?: CoordinationType;
  /** 1..1000, default 100. */
  readonly limit?: number;
  /** Only tasks with seq below this (pagination cursor, newest first). */
  readonly beforeSeq?: number;
}

export interface LeaseRecovery {
  /** Running tasks of a dead owner put back in the queue (same id: same webhook-id). */
  readonly requeued: readonly string[];
  /** Tasks that had used their last attempt when their owner died: dead-lettered. */
  readonly failed: readonly string[];
}

export interface AnalysisSnapshotRecord {
  readonly swarm: string;
  /** ms since the epoch. */
  readonly takenAt: number;
  readonly body: JsonValue;
}

/** One agent's state in one downsampling bucket (the last write in a bucket wins). */
export interface AgentStateRecord {
  readonly swarm: string;
  readonly agent: string;
  /** Bucket start, ms since the epoch. */
  readonly bucketStart: number;
  readonly status: string;
  readonly healthScore: number | undefined;
  readonly metrics: Readonly<Record<string, number>>;
}

export interface RetentionResult {
  readonly tasks: number;
  readonly incidents: number;
  readonly snapshots: number;
  readonly agentStates: number;
}
