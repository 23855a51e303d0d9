// Composition of the coordination engine: store + runner + delivery + plans + impact + schedules + metrics.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Registry } from '../runtime/prom.js';
import { DEFAULT_SWARM } from '../model/canonical-metrics.js';
import { systemClock, type Clock } from '../model/clock.js';
import { isStoreUnavailable, StoreUnavailableError } from '../persistence/store-errors.js';
import type { AgentStateRecord, AlertDisposition, JsonValue, TaskFilter, TaskRecord, TaskSource } from '../model/task-records.js';
import type { ExporterDatabase, TaskStore } from '../persistence/task-store.js';
import { postTask, type ActionTargets } from './action-delivery.js';
import type { AlertReceiver, ManualTaskInput, NotificationSummary, TaskApi, TaskDetail } from './coordination-api.js';
import { DEFAULT_MAPPING, type MappingTable } from './alert-mapping.js';
import type { AlertmanagerNotification } from './alertmanager-payload.js';
import { incomingAlerts } from './alert-intake.js';
import { CoordinationMetrics, type AlertResult, type AlertStatusLabel } from './coordination-metrics.js';
import { impactRatio, planContextProbe, type ProbeTarget, type ScoreProbe, type ScoreReading } from './impact.js';
import { EMPTY_PLAN_CONTEXT, type PlanContext } from './plan-context.js';
import { buildPlan } from './plans.js';
import { retryPolicyFromConfig } from './retry-policy.js';
import { TaskRunner, type ExecutionReport } from './runner.js';
import { systemScheduler, type Scheduler, type TimerHandle } from '../runtime/scheduler.js';
import { nodeCronFactory, startSchedules, validateSchedules, type CronFactory, type CronJob, type ScheduleSpec } from './schedules.js';
import { uuidV7 } from './task-id.js';
import { taskPayload } from './task-payload.js';

export interface CoordinationServiceOptions {
  /** `coordination` section of the config (durations in ms). */
  readonly config: Readonly<Config['coordination']>;
  /** `storage.retention`, ms: finished tasks, incidents, snapshots and states older than this are deleted. */
  readonly retentionMs: number;
  /** Opened by the composition root (SqliteTaskStore.open(config.storage.path)); closed by it after stop(). */
  readonly store: ExporterDatabase;
  /** The one prom-client registry /metrics renders. */
  readonly metricsRegistry: Registry;
  /** From resolveActionTargets(config.coordination.actions, readFile). */
  readonly actions: ActionTargets;
  readonly logger: Logger;
  /** Agents and analysis for plans and impact; without it plans keep their shape, empty. */
  readonly planContext?: PlanContext;
  /** Targeted score per task; defaults to planContextProbe(planContext). */
  readonly scoreProbe?: ScoreProbe;
  /** alertname/severity fallbacks for alerts without coordination_type/priority labels. */
  readonly mapping?: MappingTable;
  readonly clock?: Clock;
  readonly scheduler?: Scheduler;
  readonly random?: () => number;
  /** Task ids (the webhook-id); default time-ordered UUIDv7s. */
  readonly newId?: () => string;
  readonly fetch?: typeof fetch;
  readonly cron?: CronFactory;
  /** How often retention runs, ms (default 1 h). */
  readonly retentionIntervalMs?: number;
  /** Lease owner id of this process (default a random UUID per service). */
  readonly owner?: string;
  /** With a shared store: how often peers' dead leases and their queued tasks are picked up, ms (default 1000). */
  readonly resyncIntervalMs?: number;
}

/** Why a notification could not be taken: the route answers 503 and Alertmanager retries. */
export class ShuttingDownError extends StoreUnavailableError {
  constructor() {
    super('closed', 'shutting down');
  }
}

/** Clock skew between replicas the incremental queue re-read tolerates, ms (replicas run NTP). */
const RESYNC_SKEW_MS = 2000;
/**
 * Every this many passes the whole queue is re-read: it catches what the incremental read cannot
 * (queued tasks a dead peer had only in memory, skew beyond the margin) at a bounded cost.
 */
const FULL_RESYNC_EVERY = 30;

const DUPLICATE: ReadonlySet<AlertDisposition> = new Set(['duplicate', 'stale']);
/** Above this many new tasks in one notification, one "tasks created" line names them all (debug has each). */
const TASK_LINES_PER_NOTIFICATION = 10;

/** While an impact's score cannot be read (e.g. just after a restart), how often to try again, ms. */
const IMPACT_RETRY_MS = 5000;

/** A store fault that stays until the process restarts: the file vanished, or it is corrupt. */
function isStickyFault(error: unknown): boolean {
  return isStoreUnavailable(error) && (error.reason === 'gone' || error.reason === 'corrupt');
}

/**
 * One object for main.ts: construct, `start()`, mount `createAlertRoutes({ receiver: service })`
 * and `createCoordinationRoutes({ api: service })`, and `await stop(graceMs)` on SIGTERM before
 * closing the store.
 */
export class CoordinationService implements AlertReceiver, TaskApi {
  readonly metrics: CoordinationMetrics;
  private readonly runner: TaskRunner;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private readonly newId: () => string;
  private readonly context: PlanContext;
  private readonly probe: ScoreProbe;
  private readonly mapping: MappingTable;
  private readonly beforeReadings = new Map<string, ScoreReading>();
  private readonly impactTimers = new Set<TimerHandle>();
  private cronJobs: CronJob[] = [];
  private retentionTimer: TimerHandle | undefined;
  private resyncTimer: TimerHandle | undefined;
  private lastResyncAt: number | undefined;
  private resyncPasses = 0;
  private readonly owner: string;
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';

  constructor(private readonly options: CoordinationServiceOptions) {
    const errors = validateSchedules(options.config.schedules);
    if (errors.length > 0) throw new Error(errors.join('\n'));
    this.log = options.logger.child({ component: 'coordination' });
    this.clock = options.clock ?? systemClock;
    this.scheduler = options.scheduler ?? systemScheduler();
    this.newId = options.newId ?? (() => uuidV7(this.clock.now()));
    this.context = options.planContext ?? EMPTY_PLAN_CONTEXT;
    this.probe = options.scoreProbe ?? planContextProbe(this.context);
    this.mapping = options.mapping ?? DEFAULT_MAPPING;
    this.owner = options.owner ?? randomUUID();
    this.metrics = new CoordinationMetrics(options.metricsRegistry, () => {
      try {
        return options.store.countQueuedByPriority();
      } catch {
        return undefined;
      }
    });
    const { config } = options;
    this.runner = new TaskRunner({
      store: options.store,
      clock: this.clock,
      scheduler: this.scheduler,
      random: options.random ?? Math.random,
      policy: retryPolicyFromConfig(config),
      concurrency: config.concurrency,
      perTargetConcurrency: config.per_target_concurrency,
      taskTimeoutMs: config.task_timeout,
      owner: this.owner,
      targetOf: (type) => options.actions(type)?.origin ?? 'unconfigured',
      execute: (task, signal) => this.execute(task, signal),
      hooks: {
        onFinal: (task, status, durationMs) => this.onFinal(task, status, durationMs),
        onAttempt: (task, outcome, report) => {
          const fields = {
            task: task.id,
            type: task.type,
            attempt: task.attempts,
            outcome,
            status: report.statusCode,
            error: errorText(report),
          };
          if (outcome === 'released') this.log.info(fields, 'delivery released at shutdown; the next start sends it again');
          else if (outcome === 'succeeded') this.log.info(fields, 'task delivered');
          else if (outcome === 'retryable' && task.attempts < config.max_attempts)
            this.log.warn(fields, 'delivery attempt did not succeed; task will be retried');
          else this.log.warn(fields, 'delivery attempt did not succeed');
        },
        onError: (error, where) => {
          // A vanished or corrupt database is reported once, where it is detected (main.ts); the
          // runner polls every second and would otherwise log the same fault each time.
          if (isStickyFault(error)) return;
          this.log.error({ err: error, where }, 'coordination loop error');
        },
      },
    });
  }

  get accepting(): boolean {
    return this.state === 'running';
  }

  /** Recovers leases, loads the queue, starts schedules and retention. Throws if the store is unreadable. */
  start(): void {
    if (this.state !== 'new') throw new Error(`cannot start a ${this.state} coordination service`);
    const recovery = this.runner.start();
    if (recovery.requeued.length > 0 || recovery.failed.length > 0) {
      this.log.warn(
        { requeued: recovery.requeued.length, failed: recovery.failed.length },
        'recovered tasks left running by a previous process',
      );
    }
    for (const id of recovery.failed) {
      const task = this.options.store.getTask(id);
      if (task !== undefined) this.metrics.task(task.type, task.priority, 'failed');
    }
    this.resumeImpacts();
    this.cronJobs = startSchedules(this.options.config.schedules, this.options.cron ?? nodeCronFactory, (spec, index, slotAt) =>
      this.fireSchedule(spec, index, slotAt),
    );
    this.scheduleRetention(0);
    this.state = 'running';
    if (this.options.store.shared === true) this.scheduleResync();
    this.log.info({ schedules: this.cronJobs.length, queued: this.runner.waiting }, 'coordination started');
  }

  /**
   * Stops taking notifications (503), stops schedules, lets attempts in flight finish within
   * `graceMs` and releases the rest (re-queued with the same id for the next start).
   */
  async stop(graceMs: number): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    this.state = 'stopping';
    for (const job of this.cronJobs) job.stop();
    this.cronJobs = [];
    if (this.retentionTimer !== undefined) this.scheduler.clearTimeout(this.retentionTimer);
    if (this.resyncTimer !== undefined) this.scheduler.clearTimeout(this.resyncTimer);
    for (const timer of this.impactTimers) this.scheduler.clearTimeout(timer);
    this.impactTimers.clear();
    await this.runner.stop(graceMs);
    this.state = 'stopped';
    this.log.info('coordination stopped');
  }

  async receiveNotification(notification: AlertmanagerNotification): Promise<NotificationSummary> {
    if (!this.accepting) throw new ShuttingDownError();
    const incoming = incomingAlerts(notification, this.mapping, this.newId);
    const { store } = this.options;
    const outcome =
      store.recordNotificationAsync === undefined
        ? store.recordNotification(notification.receiver, incoming, this.clock.now())
        : await store.recordNotificationAsync(notification.receiver, incoming, this.clock.now());
    // Committed: from here on nothing may fail the request.
    // Repeats of a firing alert arrive every group_interval: only news is worth a line. An alert
    // that created a task is told by its "task created" line (which names the alert), the others
    // by "alert accepted": one line per alert. A notification that creates more than
    // TASK_LINES_PER_NOTIFICATION tasks (a storm) is one info line naming every task, and its
    // tasks' own lines go to debug: 5,000 new alerts a second would otherwise be 5,000 lines, at
    // ~30 µs of the event loop each.
    let duplicates = 0;
    outcome.dispositions.forEach((disposition, i) => {
      const duplicate = DUPLICATE.has(disposition);
      if (duplicate) duplicates += 1;
      this.metrics.alert(incoming[i]?.status ?? 'unknown', duplicate ? 'duplicate' : 'accepted');
      if (!duplicate && disposition !== 'created')
        this.log.info(
          { alert: incoming[i]?.alertname, fingerprint: incoming[i]?.fingerprint, status: incoming[i]?.status, disposition },
          'alert accepted',
        );
    });
    const bulk = outcome.created.length > TASK_LINES_PER_NOTIFICATION;
    if (bulk)
      this.log.info(
        { receiver: notification.receiver, created: outcome.created.length, tasks: outcome.created.map((t) => t.id).join(',') },
        'tasks created',
      );
    for (const task of outcome.created) {
      this.metrics.task(task.type, task.priority, 'created');
      this.log[bulk ? 'debug' : 'info'](
        {
          task: task.id,
          type: task.type,
          priority: task.priority,
          swarm: task.swarm,
          agents: task.agents.join(','),
          alert: task.alerts[0]?.labels.alertname,
          fingerprint: task.fingerprint,
        },
        'task created',
      );
      this.runner.enqueue({ id: task.id, seq: task.seq, type: task.type, priority: task.priority, nextAttemptAt: task.nextAttemptAt });
    }
    for (const task of outcome.cancelled) {
      this.metrics.task(task.type, task.priority, 'cancelled');
      this.log.info({ task: task.id, type: task.type }, 'task cancelled: its alerts resolved before delivery');
    }
    this.runner.forget(outcome.cancelled.map((t) => t.id));
    if (notification.truncatedAlerts > 0) {
      // The missing alerts did not resolve; they are simply not in this message (docs/reliability.md#facts-the-design-rests-on).
      this.log.warn(
        { receiver: notification.receiver, truncated: notification.truncatedAlerts },
        'notification truncated by Alertmanager max_alerts',
      );
    }
    return {
      alerts: incoming.length,
      accepted: incoming.length - duplicates,
      duplicates,
      created: outcome.created.map((t) => t.id),
      cancelled: outcome.cancelled.map((t) => t.id),
    };
  }

  recordRejected(result: Extract<AlertResult, 'invalid' | 'unauthorized'>, status: AlertStatusLabel): void {
    this.metrics.alert(status, result);
  }

  listTasks(filter: TaskFilter): TaskRecord[] {
    return this.options.store.listTasks(filter);
  }

  taskDetail(id: string): TaskDetail | undefined {
    const { store } = this.options;
    const task = store.getTask(id);
    if (task === undefined) return undefined;
    return { task, attempts: store.listAttempts(id), incidents: store.listIncidents(id) };
  }

  createTask(input: ManualTaskInput): TaskRecord {
    return this.submit(input, 'api').task;
  }

  /** Keeps an analysis snapshot in the history (the analysis engine calls it periodically). */
  recordAnalysisSnapshot(swarm: string, body: JsonValue, takenAt = this.clock.now()): void {
    this.options.store.saveAnalysisSnapshot({ swarm, takenAt, body });
  }

  /**
   * Keeps agent states downsampled to `bucketMs` buckets (default 1 min): within a bucket the
   * last call wins, so calling it every analysis step stores one row per agent per minute.
   */
  recordAgentStates(states: readonly Omit<AgentStateRecord, 'bucketStart'>[], bucketMs = 60_000, now = this.clock.now()): void {
    const bucketStart = Math.floor(now / bucketMs) * bucketMs;
    this.options.store.saveAgentStates(states.map((s) => ({ ...s, bucketStart })));
  }

  private submit(
    input: ManualTaskInput,
    source: TaskSource,
    dedup?: { receiver: string; fingerprint: string },
  ): { created: boolean; task: TaskRecord } {
    if (!this.accepting) throw new ShuttingDownError();
    const result = this.options.store.createTask(
      {
        id: this.newId(),
        type: input.type,
        priority: input.priority,
        source,
        swarm: input.swarm ?? DEFAULT_SWARM,
        agents: input.agents ?? [],
        reason: input.reason ?? '',
        alerts: [],
        ...(dedup ?? {}),
      },
      this.clock.now(),
    );
    if (result.created) {
      const { task } = result;
      this.metrics.task(task.type, task.priority, 'created');
      this.runner.enqueue({ id: task.id, seq: task.seq, type: task.type, priority: task.priority, nextAttemptAt: task.nextAttemptAt });
    }
    return result;
  }

  private fireSchedule(spec: ScheduleSpec, index: number, slotAt?: number): void {
    if (!this.accepting) return;
    const { store } = this.options;
    // The slot's nominal second, named in each task's reason so a task can be traced to its slot.
    const slot = slotAt ?? Math.round(this.clock.now() / 1000) * 1000;
    if (store.claimScheduleSlot !== undefined) {
      // Several replicas fire the same cron: the slot's lease row decides which one creates the tasks.
      try {
        if (!store.claimScheduleSlot(String(index), slot, this.owner, this.clock.now())) {
          this.log.debug({ schedule: index, slot }, 'schedule slot fired by another replica');
          return;
        }
      } catch (error) {
        this.log.error({ err: error, schedule: index, slot }, 'schedule slot could not be claimed');
        return;
      }
    }
    const swarms = spec.swarm !== undefined ? [spec.swarm] : this.context.swarms();
    for (const swarm of swarms) {
      try {
        // One open task per schedule and swarm: a slow target does not pile up syncs.
        const { created } = this.submit(
          {
            type: spec.type,
            priority: spec.priority,
            swarm,
            reason: `scheduled by coordination.schedules[${index}] (${spec.cron}) for the slot at ${new Date(slot).toISOString()}`,
          },
          'schedule',
          { receiver: 'schedule', fingerprint: `schedule:${index}:${swarm}` },
        );
        if (!created) this.log.debug({ schedule: index, swarm }, 'scheduled task skipped: the previous one is still open');
      } catch (error) {
        this.log.error({ err: error, schedule: index, swarm }, 'scheduled task could not be created');
      }
    }
  }

  private async execute(task: TaskRecord, signal: AbortSignal): Promise<ExecutionReport> {
    const target = this.options.actions(task.type);
    if (target === undefined) {
      return { outcome: { kind: 'failed', error: `no coordination.actions entry for ${task.type} and no default` }, statusCode: undefined };
    }
    let current = task;
    if (current.plan === undefined) {
      // Computed once, before the first delivery, and stored: every retry sends the same body
      // apart from `attempt`, as an idempotent receiver expects.
      const plan: JsonValue = buildPlan(task, this.context, this.clock.now());
      this.options.store.savePlan(task.id, plan, this.clock.now());
      current = { ...task, plan };
    }
    this.readBefore(current);
    const body = JSON.stringify(taskPayload(current, task.attempts));
    return postTask(target, task.id, body, this.clock.now(), signal, this.options.fetch);
  }

  private readBefore(task: TaskRecord): void {
    try {
      const reading = this.probe.read(task);
      if (reading !== undefined) this.beforeReadings.set(task.id, reading);
      else this.beforeReadings.delete(task.id);
    } catch (error) {
      this.log.warn({ err: error, task: task.id }, 'score probe failed before delivery');
    }
  }

  private onFinal(task: TaskRecord, status: 'succeeded' | 'failed', durationMs: number): void {
    this.metrics.task(task.type, task.priority, status);
    this.metrics.taskDuration(task.type, durationMs / 1000);
    const before = this.beforeReadings.get(task.id);
    this.beforeReadings.delete(task.id);
    if (status === 'failed') {
      this.log.warn({ task: task.id, type: task.type, attempts: task.attempts }, 'task dead-lettered');
      return;
    }
    if (before === undefined) return;
    const dueAt = this.clock.now() + this.options.config.impact_delay;
    try {
      // Persisted with the task, so a restart inside impact_delay still measures it (resumeImpacts).
      this.options.store.setImpactDue(task.id, { dueAt, baseline: before }, this.clock.now());
    } catch (error) {
      this.log.warn({ err: error, task: task.id }, 'impact due time could not be stored; measured only if this process keeps running');
    }
    this.armImpact(task, before, dueAt, this.options.config.impact_delay);
  }

  private armImpact(task: ProbeTarget & { readonly id: string }, before: ScoreReading, dueAt: number, delayMs: number): void {
    const timer = this.scheduler.setTimeout(
      () => {
        this.impactTimers.delete(timer);
        this.measureImpact(task, before, dueAt);
      },
      Math.max(0, delayMs),
    );
    this.impactTimers.add(timer);
  }

  /**
   * Measures, or — when the score cannot be read yet (after a restart the agents have not pushed
   * again) — retries every IMPACT_RETRY_MS until one impact_delay past the due time, then gives up.
   */
  private measureImpact(task: ProbeTarget & { readonly id: string }, before: ScoreReading, dueAt: number): void {
    const { store } = this.options;
    try {
      const now = this.clock.now();
      const after = this.probe.read(task);
      if (after === undefined || after.score !== before.score) {
        const retryAt = now + Math.max(1000, Math.min(IMPACT_RETRY_MS, this.options.config.impact_delay));
        if (retryAt <= dueAt + this.options.config.impact_delay && this.state === 'running')
          this.armImpact(task, before, dueAt, retryAt - now);
        else store.setImpactDue(task.id, undefined, now);
        return;
      }
      const ratio = impactRatio(before, after);
      store.saveImpact(task.id, { score: before.score, before: before.value, after: after.value, ratio, measuredAt: now }, now);
      this.metrics.impactRatio(task.type, ratio);
    } catch (error) {
      this.log.warn({ err: error, task: task.id, unavailable: isStoreUnavailable(error) }, 'impact could not be measured');
    }
  }

  /** Re-arms the impact measurements a previous process left pending (due during the restart: measured now). */
  private resumeImpacts(): void {
    const { store } = this.options;
    let pending: ReturnType<TaskStore['pendingImpacts']>;
    try {
      pending = store.pendingImpacts();
    } catch (error) {
      this.log.warn({ err: error }, 'pending impact measurements could not be read');
      return;
    }
    const now = this.clock.now();
    for (const due of pending) {
      const task = store.getTask(due.taskId);
      if (task === undefined) continue;
      this.armImpact(task, due.baseline, due.dueAt, due.dueAt - now);
    }
    if (pending.length > 0) this.log.info({ pending: pending.length }, 'resumed impact measurements left pending by a previous process');
  }

  private scheduleResync(): void {
    this.resyncTimer = this.scheduler.setTimeout(() => {
      this.resyncTimer = undefined;
      void this.resync();
    }, this.options.resyncIntervalMs ?? 1000);
  }

  private async resync(): Promise<void> {
    if (this.state !== 'running') return;
    // Re-read what was written since the previous pass began, minus a margin for clock skew between replicas.
    this.resyncPasses += 1;
    const full = this.lastResyncAt === undefined || this.resyncPasses % FULL_RESYNC_EVERY === 0;
    const since = full || this.lastResyncAt === undefined ? undefined : this.lastResyncAt - RESYNC_SKEW_MS;
    const startedAt = this.clock.now();
    try {
      const recovery = await this.runner.resync(since);
      this.lastResyncAt = startedAt;
      if (recovery.requeued.length > 0 || recovery.failed.length > 0) {
        this.log.warn({ requeued: recovery.requeued.length, failed: recovery.failed.length }, 'recovered tasks of a replica that died');
      }
      for (const id of recovery.failed) {
        const task = this.options.store.getTask(id);
        if (task !== undefined) this.metrics.task(task.type, task.priority, 'failed');
      }
    } catch (error) {
      this.log.warn({ err: error }, 'shared queue re-read failed; retrying at the next interval');
    }
    // The read is awaited: stop() may have begun meanwhile.
    if (this.state === 'running') this.scheduleResync();
  }

  private scheduleRetention(delayMs: number): void {
    this.retentionTimer = this.scheduler.setTimeout(() => {
      try {
        const removed = this.options.store.applyRetention(this.clock.now() - this.options.retentionMs);
        if (removed.tasks + removed.incidents + removed.snapshots + removed.agentStates > 0) this.log.info(removed, 'retention applied');
      } catch (error) {
        if (!isStickyFault(error)) this.log.warn({ err: error }, 'retention failed; retrying at the next interval');
      }
      if (this.state === 'running' || this.state === 'new') this.scheduleRetention(this.options.retentionIntervalMs ?? 3_600_000);
    }, delayMs);
  }
}

function errorText(report: ExecutionReport): string | undefined {
  return report.outcome.kind === 'succeeded' ? undefined : report.outcome.error;
}
