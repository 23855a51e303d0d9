// Runs queued tasks: priority order, global and per-target bounds, timeout, retries, dead letter, leases.
import type { Clock } from '../model/clock.js';
import type { CoordinationType } from '../model/coordination-vocabulary.js';
import { isStoreUnavailable } from '../persistence/store-errors.js';
import type { AttemptOutcome, QueueEntry, TaskRecord, TaskTransition } from '../model/task-records.js';
import type { TaskStore } from '../persistence/task-store.js';
import type { DeliveryOutcome } from './delivery-outcome.js';
import { PriorityQueue } from './priority-queue.js';
import { hasAttemptsLeft, nextDelayMs, type RetryPolicy } from './retry-policy.js';
import type { Scheduler, TimerHandle } from '../runtime/scheduler.js';

/** One attempt's result as the executor reports it. */
export interface ExecutionReport {
  readonly outcome: DeliveryOutcome;
  readonly statusCode: number | undefined;
}

/**
 * Performs one attempt of a claimed task (compute the plan, sign, POST). Must honour `signal`;
 * the runner also stops waiting for it at the timeout, so a stuck executor cannot hold a slot.
 */
export type TaskExecutor = (task: TaskRecord, signal: AbortSignal) => Promise<ExecutionReport>;

export interface RunnerHooks {
  /** A task reached a final status through an attempt (not through cancellation). */
  onFinal?(task: TaskRecord, status: 'succeeded' | 'failed', durationMs: number): void;
  /** An attempt ended (any outcome), after it was committed. */
  onAttempt?(task: TaskRecord, outcome: AttemptOutcome, report: ExecutionReport): void;
  /** A loop iteration or a commit failed; the runner carries on. */
  onError?(error: unknown, where: string): void;
}

export interface RunnerOptions {
  readonly store: TaskStore;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  /** Uniform in [0, 1), for backoff jitter. */
  readonly random: () => number;
  readonly policy: RetryPolicy;
  /** `coordination.concurrency`: attempts in flight at once, >= 1. */
  readonly concurrency: number;
  /** Attempts in flight at once against one target (URL origin), >= 1. */
  readonly perTargetConcurrency: number;
  /** `coordination.task_timeout`, ms: an attempt is aborted and counted retryable after it. */
  readonly taskTimeoutMs: number;
  /** Lease owner id of this process; a fresh one per start, so a restart recovers the old leases. */
  readonly owner: string;
  /** Per-target key of a task type (the action URL's origin). */
  readonly targetOf: (type: CoordinationType) => string;
  readonly execute: TaskExecutor;
  readonly hooks?: RunnerHooks;
  /** Safety-net tick interval, ms (default 1000): retries commits the store refused. */
  readonly pollIntervalMs?: number;
}

class AttemptTimeout extends Error {
  override readonly name = 'AttemptTimeout';
}
class RunnerShutdown extends Error {
  override readonly name = 'RunnerShutdown';
}

interface PendingFinish {
  readonly task: TaskRecord;
  readonly attempt: Parameters<TaskStore['finishAttempt']>[2];
  readonly next: TaskTransition;
  readonly report: ExecutionReport;
  readonly durationMs: number;
}

/**
 * The loop. Invariants:
 * - at most `concurrency` attempts in flight, and at most `perTargetConcurrency` per target;
 * - a task starts only when no waiting task of a more urgent priority (or an earlier one of the
 *   same priority) could start now, i.e. whose target has a free slot;
 * - ticks never overlap (they are synchronous) and never throw out: errors go to `onError`;
 * - every attempt is committed (attempt row + next status) before its slot is reused for
 *   bookkeeping; a commit the store refuses is retried on later ticks, and if the process dies
 *   first, lease recovery re-queues the task (at most one extra delivery, same webhook-id).
 */
export class TaskRunner {
  private readonly queue = new PriorityQueue<QueueEntry>();
  private readonly queued = new Set<string>();
  private readonly retryTimers = new Map<string, TimerHandle>();
  private readonly perTarget = new Map<string, number>();
  private readonly inFlight = new Map<string, AbortController>();
  private readonly pendingFinishes: PendingFinish[] = [];
  private readonly settled = new Set<() => void>();
  private tickTimer: TimerHandle | undefined;
  private pollTimer: TimerHandle | undefined;
  private running = false;
  private stopping = false;
  /**
   * Set when a tick found nothing startable although slots were free (every waiting task's target
   * is at its bound); cleared by anything that could change that. Saves rescanning a long queue
   * on every enqueue while a target hangs.
   */
  private blocked = false;

  constructor(private readonly options: RunnerOptions) {}

  /** Attempts in flight now. */
  get active(): number {
    return this.inFlight.size;
  }

  /** Tasks waiting in memory, ready to run. */
  get waiting(): number {
    return this.queue.size;
  }

  /**
   * Recovers leases of a previous process, loads every queued task and starts the loop.
   * Throws StoreUnavailableError when the store cannot be read: the service must not start.
   */
  start(): { requeued: readonly string[]; failed: readonly string[] } {
    const { store, clock, owner, policy } = this.options;
    const recovery = store.recoverLeases(owner, clock.now(), policy.maxAttempts);
    for (const entry of store.queuedTasks()) this.enqueue(entry);
    this.running = true;
    this.schedulePoll();
    this.kick();
    return recovery;
  }

  /**
   * For a store shared with other processes: recovers the leases of peers that died and picks up
   * tasks this process has not seen (created by a peer, or re-queued by a recovery): those
   * written since `sinceMs` when the store can tell, else the whole queue. Throws
   * StoreUnavailableError; the caller retries on its next period.
   */
  async resync(sinceMs?: number): Promise<{ requeued: readonly string[]; failed: readonly string[] }> {
    if (!this.running) return { requeued: [], failed: [] };
    const { store, clock, owner, policy } = this.options;
    const recovery = store.recoverLeases(owner, clock.now(), policy.maxAttempts);
    const entries = store.queuedTasksSince === undefined ? store.queuedTasks() : await store.queuedTasksSince(sinceMs);
    for (const entry of entries) this.enqueue(entry);
    return recovery;
  }

  /** Makes a queued task known to the loop (new, retried or recovered). Idempotent per id. */
  enqueue(entry: QueueEntry): void {
    if (this.stopping || this.queued.has(entry.id) || this.inFlight.has(entry.id)) return;
    const delay = entry.nextAttemptAt - this.options.clock.now();
    if (delay > 0) {
      if (this.retryTimers.has(entry.id)) return;
      const timer = this.options.scheduler.setTimeout(() => {
        this.retryTimers.delete(entry.id);
        this.enqueue({ ...entry, nextAttemptAt: this.options.clock.now() });
      }, delay);
      this.retryTimers.set(entry.id, timer);
      return;
    }
    this.queued.add(entry.id);
    this.queue.push(entry);
    if (this.blocked && this.targetHasRoom(entry)) this.blocked = false;
    this.kick();
  }

  /** Forgets tasks that left the queue elsewhere (cancelled by a resolve). */
  forget(ids: readonly string[]): void {
    if (ids.length === 0) return;
    const gone = new Set(ids);
    this.queue.removeWhere((e) => gone.has(e.id));
    this.blocked = false;
    for (const id of ids) {
      this.queued.delete(id);
      const timer = this.retryTimers.get(id);
      if (timer !== undefined) this.options.scheduler.clearTimeout(timer);
      this.retryTimers.delete(id);
    }
  }

  /**
   * Stops starting attempts, waits up to `graceMs` for those in flight, then aborts the rest:
   * they are released (re-queued with the same id) so the next start delivers them again.
   */
  async stop(graceMs: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.running = false;
    const { scheduler } = this.options;
    if (this.tickTimer !== undefined) scheduler.clearTimeout(this.tickTimer);
    if (this.pollTimer !== undefined) scheduler.clearTimeout(this.pollTimer);
    for (const timer of this.retryTimers.values()) scheduler.clearTimeout(timer);
    this.retryTimers.clear();
    if (this.inFlight.size > 0 && graceMs > 0) {
      await new Promise<void>((resolve) => {
        const graceTimer = scheduler.setTimeout(() => {
          this.settled.delete(check);
          resolve();
        }, graceMs);
        const check = (): void => {
          if (this.inFlight.size === 0) {
            scheduler.clearTimeout(graceTimer);
            this.settled.delete(check);
            resolve();
          }
        };
        this.settled.add(check);
      });
    }
    if (this.inFlight.size > 0) {
      const aborted = new Promise<void>((resolve) => {
        const check = (): void => {
          if (this.inFlight.size === 0) {
            this.settled.delete(check);
            resolve();
          }
        };
        this.settled.add(check);
      });
      for (const controller of this.inFlight.values()) controller.abort(new RunnerShutdown('shutting down'));
      await aborted;
    }
    this.flushPendingFinishes();
  }

  private kick(): void {
    if (!this.running || this.tickTimer !== undefined) return;
    // Coalesces the enqueues of one notification into one tick.
    this.tickTimer = this.options.scheduler.setTimeout(() => {
      this.tickTimer = undefined;
      this.tick();
    }, 0);
  }

  private schedulePoll(): void {
    this.pollTimer = this.options.scheduler.setTimeout(() => {
      this.pollTimer = undefined;
      if (!this.running) return;
      this.tick();
      this.schedulePoll();
    }, this.options.pollIntervalMs ?? 1000);
  }

  private targetHasRoom(entry: QueueEntry): boolean {
    return (this.perTarget.get(this.options.targetOf(entry.type)) ?? 0) < this.options.perTargetConcurrency;
  }

  /** One synchronous pass: commit what is pending, then start what fits. */
  tick(): void {
    if (!this.running) return;
    const { store, clock, owner, taskTimeoutMs, concurrency } = this.options;
    try {
      this.flushPendingFinishes();
      while (this.inFlight.size < concurrency && !this.blocked) {
        const entry = this.queue.find((e) => this.targetHasRoom(e));
        if (entry === undefined) {
          this.blocked = this.queue.size > 0;
          break;
        }
        const now = clock.now();
        // Claim before removing: if the store is unavailable the entry keeps its place.
        const task = store.claimTask(entry.id, owner, now, now + taskTimeoutMs + LEASE_MARGIN_MS);
        this.queue.popFirst((e) => e === entry);
        this.queued.delete(entry.id);
        if (task !== undefined) this.launch(task);
      }
    } catch (error) {
      this.options.hooks?.onError?.(error, isStoreUnavailable(error) ? 'store unavailable' : 'tick');
    }
  }

  private launch(task: TaskRecord): void {
    const { scheduler, clock, taskTimeoutMs } = this.options;
    const target = this.options.targetOf(task.type);
    const controller = new AbortController();
    this.inFlight.set(task.id, controller);
    this.perTarget.set(target, (this.perTarget.get(target) ?? 0) + 1);
    const startedAt = clock.now();
    const startedMono = clock.monotonic();
    const timer = scheduler.setTimeout(() => controller.abort(new AttemptTimeout(`timed out after ${taskTimeoutMs} ms`)), taskTimeoutMs);

    void this.attempt(task, controller.signal)
      .then((report) => {
        scheduler.clearTimeout(timer);
        const durationMs = clock.monotonic() - startedMono;
        const released = report === 'released';
        const result: ExecutionReport = released
          ? { outcome: { kind: 'retryable', error: 'released at shutdown' }, statusCode: undefined }
          : report;
        const next = this.transition(task, result.outcome, released);
        this.pendingFinishes.push({
          task,
          attempt: {
            taskId: task.id,
            attempt: task.attempts,
            startedAt,
            durationMs,
            statusCode: result.statusCode,
            outcome: released ? 'released' : result.outcome.kind,
            error: result.outcome.kind === 'succeeded' ? undefined : result.outcome.error,
          },
          next,
          report: result,
          durationMs: clock.now() - (task.startedAt ?? startedAt),
        });
      })
      .catch((error: unknown) => this.options.hooks?.onError?.(error, 'attempt bookkeeping'))
      .finally(() => {
        // Free the slot first, so a retry committed below can be enqueued again.
        this.inFlight.delete(task.id);
        this.blocked = false;
        const left = (this.perTarget.get(target) ?? 1) - 1;
        if (left > 0) this.perTarget.set(target, left);
        else this.perTarget.delete(target);
        try {
          this.flushPendingFinishes();
        } catch (error) {
          this.options.hooks?.onError?.(error, 'attempt bookkeeping');
        }
        for (const check of [...this.settled]) check();
        this.kick();
      });
  }

  /** Runs the executor, racing it against the abort so a stuck executor frees its slot on time. */
  private async attempt(task: TaskRecord, signal: AbortSignal): Promise<ExecutionReport | 'released'> {
    const aborted = new Promise<never>((_, reject) => {
      // The runner aborts with its own Errors (RunnerShutdown, AttemptTimeout), which the catch below reads from the signal.
      const fail = (): void => reject(signal.reason instanceof Error ? signal.reason : new Error('attempt aborted'));
      if (signal.aborted) fail();
      signal.addEventListener('abort', fail, { once: true });
    });
    try {
      return await Promise.race([this.options.execute(task, signal), aborted]);
    } catch (error) {
      if (signal.aborted && signal.reason instanceof RunnerShutdown) return 'released';
      if (signal.aborted && signal.reason instanceof AttemptTimeout) {
        return { outcome: { kind: 'retryable', error: signal.reason.message }, statusCode: undefined };
      }
      return {
        outcome: { kind: 'retryable', error: `executor error: ${error instanceof Error ? error.message : String(error)}` },
        statusCode: undefined,
      };
    }
  }

  /** What the attempt's outcome means for the task: docs/design.md#outgoing-task-deliveries plus max_attempts. */
  private transition(task: TaskRecord, outcome: DeliveryOutcome, released: boolean): TaskTransition {
    const now = this.options.clock.now();
    if (released) return { status: 'queued', nextAttemptAt: now, error: 'released at shutdown' };
    switch (outcome.kind) {
      case 'succeeded':
        return { status: 'succeeded' };
      case 'failed':
        return { status: 'failed', error: outcome.error };
      case 'retryable': {
        const { policy, random } = this.options;
        if (!hasAttemptsLeft(task.attempts, policy)) {
          return { status: 'failed', error: `gave up after ${task.attempts} attempts: ${outcome.error}` };
        }
        return { status: 'queued', nextAttemptAt: now + nextDelayMs(task.attempts, policy, random, outcome.afterMs), error: outcome.error };
      }
    }
  }

  private flushPendingFinishes(): void {
    const { store, owner, clock, hooks } = this.options;
    while (this.pendingFinishes.length > 0) {
      const pending = this.pendingFinishes[0] as PendingFinish;
      let committed: boolean;
      try {
        committed = store.finishAttempt(pending.task.id, owner, pending.attempt, pending.next, clock.now());
      } catch (error) {
        hooks?.onError?.(error, 'commit attempt');
        return; // keep it; the next tick (or stop) tries again
      }
      this.pendingFinishes.shift();
      if (!committed) continue; // the lease was recovered elsewhere: that owner decides now
      hooks?.onAttempt?.(pending.task, pending.attempt.outcome, pending.report);
      if (pending.next.status === 'queued') {
        if (!this.stopping) {
          this.enqueue({
            id: pending.task.id,
            seq: pending.task.seq,
            type: pending.task.type,
            priority: pending.task.priority,
            nextAttemptAt: pending.next.nextAttemptAt,
          });
        }
      } else {
        hooks?.onFinal?.(pending.task, pending.next.status, pending.durationMs);
      }
    }
  }
}

/** Lease length beyond the attempt timeout: room for the commit after an attempt that timed out. */
const LEASE_MARGIN_MS = 60_000;
