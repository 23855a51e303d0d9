// In-memory twin of the SQLite TaskStore for fast tests: same contract, same decisions, no durability.
import { decideAlert } from '../model/incident-rules.js';
import { PRIORITIES, type Priority } from '../model/coordination-vocabulary.js';
import { StoreUnavailableError, type StoreHealth } from './store-errors.js';
import type {
  AgentStateRecord,
  AlertDisposition,
  AnalysisSnapshotRecord,
  AttemptRecord,
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

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const OPEN = new Set(['queued', 'running']);
const FINAL = new Set(['succeeded', 'failed', 'cancelled']);
const rank = (p: Priority): number => PRIORITIES.indexOf(p);
// Records leave the store as copies, as they would from a database: callers cannot mutate state.
const copy = <T>(value: T): T => structuredClone(value);

export class MemoryTaskStore implements TaskStore, HistoryStore {
  private readonly tasks = new Map<string, Mutable<TaskRecord>>();
  private readonly incidents = new Map<string, Mutable<IncidentRecord>>();
  private readonly attempts = new Map<string, AttemptRecord[]>();
  private snapshots: AnalysisSnapshotRecord[] = [];
  private readonly states = new Map<string, AgentStateRecord>();
  private readonly dueImpacts = new Map<string, PendingImpact>();
  private nextSeq = 1;
  private closed = false;
  /** Set by tests to make every call fail as the SQLite store does when busy or full. */
  unavailable: 'busy' | 'full' | undefined;

  private check(): void {
    if (this.closed) throw new StoreUnavailableError('closed', 'store closed');
    if (this.unavailable !== undefined) throw new StoreUnavailableError(this.unavailable, `store ${this.unavailable}`);
  }

  // Emulates a transaction: state is snapshotted and restored if the body throws.
  private write<T>(fn: () => T): T {
    this.check();
    const saved = {
      tasks: copy([...this.tasks.entries()]),
      incidents: copy([...this.incidents.entries()]),
      attempts: copy([...this.attempts.entries()]),
      nextSeq: this.nextSeq,
    };
    try {
      return fn();
    } catch (error) {
      this.tasks.clear();
      for (const [k, v] of saved.tasks) this.tasks.set(k, v);
      this.incidents.clear();
      for (const [k, v] of saved.incidents) this.incidents.set(k, v);
      this.attempts.clear();
      for (const [k, v] of saved.attempts) this.attempts.set(k, v);
      this.nextSeq = saved.nextSeq;
      throw error;
    }
  }

  private openTaskFor(receiver: string, fingerprint: string): Mutable<TaskRecord> | undefined {
    for (const task of this.tasks.values()) {
      if (task.receiver === receiver && task.fingerprint === fingerprint && OPEN.has(task.status)) return task;
    }
    return undefined;
  }

  private insertTask(task: NewTask, now: number): TaskRecord {
    if (this.tasks.has(task.id)) throw new Error(`duplicate task id ${task.id}`);
    if (task.receiver !== undefined && task.fingerprint !== undefined && this.openTaskFor(task.receiver, task.fingerprint)) {
      throw new Error('UNIQUE constraint failed: open task per receiver and fingerprint');
    }
    const record: Mutable<TaskRecord> = queuedTaskRecord(copy(task), this.nextSeq++, now);
    this.tasks.set(task.id, record);
    return copy(record);
  }

  recordNotification(receiver: string, alerts: readonly IncomingAlert[], now: number): NotificationOutcome {
    return this.write(() => {
      const dispositions: AlertDisposition[] = [];
      const created: TaskRecord[] = [];
      const cancelled: TaskRecord[] = [];
      for (const alert of alerts) {
        const key = `${alert.fingerprint}\u0000${alert.startsAt}`;
        const incident = this.incidents.get(key);
        const newer =
          incident === undefined &&
          [...this.incidents.values()].some((i) => i.fingerprint === alert.fingerprint && i.startsAt > alert.startsAt);
        const openTask =
          alert.status === 'firing' && incident === undefined && !newer && alert.task !== undefined
            ? this.openTaskFor(receiver, alert.fingerprint)
            : undefined;
        let incidentTask: { status: TaskRecord['status']; otherFiringIncidents: number } | undefined;
        if (alert.status === 'resolved' && incident?.status === 'firing' && incident.taskId !== undefined) {
          const task = this.tasks.get(incident.taskId);
          const others = [...this.incidents.values()].filter(
            (i) => i.taskId === incident.taskId && i.status === 'firing' && i !== incident,
          ).length;
          if (task) incidentTask = { status: task.status, otherFiringIncidents: others };
        }
        const decision = decideAlert(alert.status, alert.task !== undefined, {
          incident,
          newerIncidentExists: newer,
          openTaskId: openTask?.id,
          incidentTask,
        });
        const base = {
          fingerprint: alert.fingerprint,
          startsAt: alert.startsAt,
          receiver,
          alertname: alert.alertname,
          firstSeenAt: now,
          lastSeenAt: now,
        };
        switch (decision.kind) {
          case 'duplicate':
            if (incident) incident.lastSeenAt = now;
            dispositions.push('duplicate');
            break;
          case 'stale':
            dispositions.push('stale');
            break;
          case 'open': {
            let taskId: string | undefined;
            if (decision.task === 'create' && alert.task !== undefined) {
              const task = this.insertTask(alert.task, now);
              created.push(task);
              taskId = task.id;
            } else if (decision.task === 'link') {
              taskId = openTask?.id;
            }
            this.incidents.set(key, { ...base, status: 'firing', endsAt: undefined, taskId });
            dispositions.push(decision.task === 'create' ? 'created' : decision.task === 'link' ? 'linked' : 'recorded');
            break;
          }
          case 'resolve':
            if (incident) {
              incident.status = 'resolved';
              incident.endsAt = alert.endsAt ?? now;
              incident.lastSeenAt = now;
              const task = incident.taskId === undefined ? undefined : this.tasks.get(incident.taskId);
              if (decision.cancelTask && task?.status === 'queued') {
                task.status = 'cancelled';
                task.finishedAt = now;
                task.updatedAt = now;
                task.lastError = 'alert resolved before the task ran';
                cancelled.push(copy(task));
              }
            }
            dispositions.push('resolved');
            break;
          case 'tombstone':
            this.incidents.set(key, { ...base, status: 'resolved', endsAt: alert.endsAt ?? now, taskId: undefined });
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
        const open = this.openTaskFor(task.receiver, task.fingerprint);
        if (open) return { created: false, task: copy(open) };
      }
      return { created: true, task: this.insertTask(task, now) };
    });
  }

  claimTask(id: string, owner: string, now: number, leaseExpiresAt: number): TaskRecord | undefined {
    return this.write(() => {
      const task = this.tasks.get(id);
      if (!task || task.status !== 'queued' || task.nextAttemptAt > now) return undefined;
      task.status = 'running';
      task.attempts += 1;
      task.leaseOwner = owner;
      task.leaseExpiresAt = leaseExpiresAt;
      task.startedAt ??= now;
      task.updatedAt = now;
      return copy(task);
    });
  }

  finishAttempt(id: string, owner: string, attempt: AttemptRecord, next: TaskTransition, now: number): boolean {
    return this.write(() => {
      const task = this.tasks.get(id);
      if (!task || task.status !== 'running' || task.leaseOwner !== owner) return false;
      const list = (this.attempts.get(id) ?? []).filter((a) => a.attempt !== attempt.attempt);
      list.push(copy(attempt));
      list.sort((a, b) => a.attempt - b.attempt);
      this.attempts.set(id, list);
      task.leaseOwner = undefined;
      task.leaseExpiresAt = undefined;
      task.updatedAt = now;
      if (next.status === 'queued') {
        task.status = 'queued';
        task.nextAttemptAt = next.nextAttemptAt;
        if (next.error !== undefined) task.lastError = next.error;
      } else {
        task.status = next.status;
        task.finishedAt = now;
        task.lastError = next.status === 'failed' ? next.error : undefined;
      }
      return true;
    });
  }

  savePlan(id: string, plan: JsonValue, now: number): void {
    this.write(() => {
      const task = this.tasks.get(id);
      if (task) {
        task.plan = copy(plan);
        task.updatedAt = now;
      }
    });
  }

  saveImpact(id: string, impact: TaskImpact, now: number): void {
    this.write(() => {
      const task = this.tasks.get(id);
      if (task) {
        task.impact = copy(impact);
        task.updatedAt = now;
      }
      this.dueImpacts.delete(id);
    });
  }

  setImpactDue(id: string, due: Omit<PendingImpact, 'taskId'> | undefined, now: number): void {
    this.write(() => {
      const task = this.tasks.get(id);
      if (task === undefined) return;
      task.updatedAt = now;
      if (due === undefined) this.dueImpacts.delete(id);
      else this.dueImpacts.set(id, copy({ taskId: id, dueAt: due.dueAt, baseline: due.baseline }));
    });
  }

  pendingImpacts(): PendingImpact[] {
    this.check();
    // Retention may have deleted the task since: its pending impact goes with it, as in SQLite.
    return copy([...this.dueImpacts.values()].filter((p) => this.tasks.has(p.taskId)).sort((a, b) => a.dueAt - b.dueAt));
  }

  health(): StoreHealth {
    return { ok: true };
  }

  recoverLeases(owner: string, now: number, maxAttempts: number): LeaseRecovery {
    return this.write(() => {
      const requeued: string[] = [];
      const failed: string[] = [];
      const running = [...this.tasks.values()].filter(
        (t) => t.status === 'running' && (t.leaseOwner !== owner || t.leaseExpiresAt === undefined || t.leaseExpiresAt <= now),
      );
      for (const task of running.sort((a, b) => a.seq - b.seq)) {
        task.leaseOwner = undefined;
        task.leaseExpiresAt = undefined;
        task.updatedAt = now;
        if (task.attempts > maxAttempts) {
          task.status = 'failed';
          task.finishedAt = now;
          task.lastError = 'lease lost on the last attempt (process died)';
          failed.push(task.id);
        } else {
          task.status = 'queued';
          task.nextAttemptAt = now;
          task.lastError = 'lease lost (process died); re-queued';
          requeued.push(task.id);
        }
      }
      return { requeued, failed };
    });
  }

  queuedTasks(): QueueEntry[] {
    this.check();
    return [...this.tasks.values()]
      .filter((t) => t.status === 'queued')
      .sort((a, b) => rank(a.priority) - rank(b.priority) || a.seq - b.seq)
      .map((t) => ({ id: t.id, seq: t.seq, type: t.type, priority: t.priority, nextAttemptAt: t.nextAttemptAt }));
  }

  getTask(id: string): TaskRecord | undefined {
    this.check();
    const task = this.tasks.get(id);
    return task ? copy(task) : undefined;
  }

  listTasks(filter: TaskFilter = {}): TaskRecord[] {
    this.check();
    const limit = Math.min(1000, Math.max(1, Math.floor(filter.limit ?? 100)));
    return [...this.tasks.values()]
      .filter((t) => filter.status === undefined || t.status === filter.status)
      .filter((t) => filter.type === undefined || t.type === filter.type)
      .filter((t) => filter.beforeSeq === undefined || t.seq < filter.beforeSeq)
      .sort((a, b) => b.seq - a.seq)
      .slice(0, limit)
      .map(copy);
  }

  listAttempts(taskId: string): AttemptRecord[] {
    this.check();
    return copy(this.attempts.get(taskId) ?? []);
  }

  listIncidents(taskId: string): IncidentRecord[] {
    this.check();
    return [...this.incidents.values()]
      .filter((i) => i.taskId === taskId)
      .sort((a, b) => a.startsAt - b.startsAt)
      .map(copy);
  }

  getIncident(fingerprint: string, startsAt: number): IncidentRecord | undefined {
    this.check();
    const incident = this.incidents.get(`${fingerprint}\u0000${startsAt}`);
    return incident ? copy(incident) : undefined;
  }

  countQueuedByPriority(): Record<Priority, number> {
    this.check();
    const out = Object.fromEntries(PRIORITIES.map((p) => [p, 0])) as Record<Priority, number>;
    for (const task of this.tasks.values()) if (task.status === 'queued') out[task.priority] += 1;
    return out;
  }

  saveAnalysisSnapshot(snapshot: AnalysisSnapshotRecord): void {
    this.check();
    this.snapshots.push(copy(snapshot));
  }

  latestAnalysisSnapshot(swarm: string): AnalysisSnapshotRecord | undefined {
    this.check();
    let latest: AnalysisSnapshotRecord | undefined;
    for (const s of this.snapshots) if (s.swarm === swarm && (latest === undefined || s.takenAt >= latest.takenAt)) latest = s;
    return latest ? copy(latest) : undefined;
  }

  listAnalysisSnapshots(swarm: string, sinceMs: number, limit = 1000): AnalysisSnapshotRecord[] {
    this.check();
    return this.snapshots
      .filter((s) => s.swarm === swarm && s.takenAt >= sinceMs)
      .sort((a, b) => a.takenAt - b.takenAt)
      .slice(0, limit)
      .map(copy);
  }

  saveAgentStates(states: readonly AgentStateRecord[]): void {
    this.check();
    for (const state of states) this.states.set(`${state.swarm}\u0000${state.agent}\u0000${state.bucketStart}`, copy(state));
  }

  listAgentStates(swarm: string, agent: string | undefined, sinceMs: number, limit = 10_000): AgentStateRecord[] {
    this.check();
    return [...this.states.values()]
      .filter((s) => s.swarm === swarm && (agent === undefined || s.agent === agent) && s.bucketStart >= sinceMs)
      .sort((a, b) => a.bucketStart - b.bucketStart || (a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0))
      .slice(0, limit)
      .map(copy);
  }

  applyRetention(cutoffMs: number): RetentionResult {
    return this.write(() => {
      let tasks = 0;
      for (const [id, task] of this.tasks) {
        if (FINAL.has(task.status) && task.finishedAt !== undefined && task.finishedAt < cutoffMs) {
          this.tasks.delete(id);
          this.attempts.delete(id);
          for (const incident of this.incidents.values()) if (incident.taskId === id) incident.taskId = undefined;
          tasks += 1;
        }
      }
      let incidents = 0;
      for (const [key, incident] of this.incidents) {
        const task = incident.taskId === undefined ? undefined : this.tasks.get(incident.taskId);
        if (incident.lastSeenAt < cutoffMs && !(task && OPEN.has(task.status))) {
          this.incidents.delete(key);
          incidents += 1;
        }
      }
      const before = this.snapshots.length;
      this.snapshots = this.snapshots.filter((s) => s.takenAt >= cutoffMs);
      let agentStates = 0;
      for (const [key, state] of this.states) {
        if (state.bucketStart < cutoffMs) {
          this.states.delete(key);
          agentStates += 1;
        }
      }
      return { tasks, incidents, snapshots: before - this.snapshots.length, agentStates };
    });
  }

  close(): void {
    this.closed = true;
  }
}
