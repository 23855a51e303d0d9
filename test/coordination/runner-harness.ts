// A runner on a manual clock and scheduler, with a scripted executor, for runner tests.
import { ManualClock } from '../fakes/manual-clock.js';
import type { Priority } from '../../src/model/coordination-vocabulary.js';
import { ManualScheduler } from '../fakes/manual-scheduler.js';
import { TaskRunner, type ExecutionReport, type RunnerOptions } from '../../src/coordination/runner.js';
import { MemoryTaskStore } from '../../src/persistence/memory-task-store.js';
import type { TaskRecord } from '../../src/model/task-records.js';
import type { TaskStore } from '../../src/persistence/task-store.js';

export interface Started {
  readonly task: TaskRecord;
  readonly signal: AbortSignal;
  resolve(report: ExecutionReport): void;
}

export const ok: ExecutionReport = { outcome: { kind: 'succeeded', status: 200 }, statusCode: 200 };
export const retry = (status = 503, afterMs?: number): ExecutionReport => ({
  outcome:
    afterMs === undefined
      ? { kind: 'retryable', status, error: `HTTP ${status}` }
      : { kind: 'retryable', status, afterMs, error: `HTTP ${status}` },
  statusCode: status,
});
export const fail = (status = 404): ExecutionReport => ({
  outcome: { kind: 'failed', status, error: `HTTP ${status}` },
  statusCode: status,
});

/** Executor whose attempts stay open until the test resolves them. */
export class Harness {
  readonly clock = new ManualClock();
  readonly scheduler = new ManualScheduler(this.clock);
  readonly started: Started[] = [];
  readonly finals: { id: string; status: string }[] = [];
  readonly errors: string[] = [];
  random = (): number => 0.5;
  active = 0;
  maxActive = 0;
  runner: TaskRunner;
  private n = 0;

  constructor(
    readonly store: TaskStore = new MemoryTaskStore(),
    overrides: Partial<RunnerOptions> = {},
  ) {
    this.runner = this.build(overrides);
  }

  build(overrides: Partial<RunnerOptions> = {}, owner = 'runner-1'): TaskRunner {
    this.runner = new TaskRunner({
      store: this.store,
      clock: this.clock,
      scheduler: this.scheduler,
      random: () => this.random(),
      policy: { initialMs: 1000, maxMs: 300_000, maxAttempts: 4, retryAfterCapMs: 300_000 },
      concurrency: 5,
      perTargetConcurrency: 5,
      taskTimeoutMs: 15_000,
      owner,
      targetOf: () => 'http://target',
      execute: (task, signal) =>
        new Promise<ExecutionReport>((resolve) => {
          this.active += 1;
          this.maxActive = Math.max(this.maxActive, this.active);
          this.started.push({
            task,
            signal,
            resolve: (report) => {
              this.active -= 1;
              resolve(report);
            },
          });
          signal.addEventListener('abort', () => (this.active -= 1), { once: true });
        }),
      hooks: {
        onFinal: (task, status) => this.finals.push({ id: task.id, status }),
        onError: (error, where) => this.errors.push(`${where}: ${String(error)}`),
      },
      ...overrides,
    });
    return this.runner;
  }

  add(priority: Priority = 'medium', overrides: Partial<TaskRecord> = {}): TaskRecord {
    this.n += 1;
    const { task } = this.store.createTask(
      {
        id: `t${String(this.n).padStart(3, '0')}`,
        type: 'performance_sync',
        priority,
        source: 'api',
        swarm: 's',
        agents: [],
        reason: '',
        alerts: [],
        ...overrides,
      },
      this.clock.now(),
    );
    return task;
  }

  /** Adds a task and tells the running loop about it, as the service does. */
  submit(priority: Priority = 'medium', overrides: Partial<TaskRecord> = {}): TaskRecord {
    const task = this.add(priority, overrides);
    this.runner.enqueue({ id: task.id, seq: task.seq, type: task.type, priority: task.priority, nextAttemptAt: task.nextAttemptAt });
    return task;
  }

  /** The open attempt of a task (the latest one). */
  attemptOf(id: string): Started {
    const found = [...this.started].reverse().find((s) => s.task.id === id);
    if (!found) throw new Error(`task ${id} has not started`);
    return found;
  }

  async settle(): Promise<void> {
    await this.scheduler.advance(0);
  }
}
