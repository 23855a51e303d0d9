// The coordination API the HTTP routes call: the alert receiver and the task API, with the shapes
// they take and return. CoordinationService (coordination-service.ts) implements both; the routes
// depend on these interfaces only, not on the engine's wiring.
import type { CoordinationType, Priority } from '../model/coordination-vocabulary.js';
import type { AttemptRecord, IncidentRecord, TaskFilter, TaskRecord } from '../model/task-records.js';
import type { AlertmanagerNotification } from './alertmanager-payload.js';
import type { AlertResult, AlertStatusLabel } from './coordination-metrics.js';

export interface NotificationSummary {
  readonly alerts: number;
  readonly accepted: number;
  readonly duplicates: number;
  /** Ids of the tasks this notification created. */
  readonly created: readonly string[];
  readonly cancelled: readonly string[];
}

export interface ManualTaskInput {
  readonly type: CoordinationType;
  readonly priority: Priority;
  readonly swarm?: string;
  readonly agents?: readonly string[];
  readonly reason?: string;
}

export interface TaskDetail {
  readonly task: TaskRecord;
  readonly attempts: readonly AttemptRecord[];
  readonly incidents: readonly IncidentRecord[];
}

/** What the alert route needs. */
export interface AlertReceiver {
  /** False once stop() began: the route answers 503 without reading the body. */
  readonly accepting: boolean;
  /** Commits the notification durably, then hands new tasks to the runner. Throws StoreUnavailableError. */
  receiveNotification(notification: AlertmanagerNotification): Promise<NotificationSummary>;
  /** Counts a refused request (401, 400/413/415/422) in agentswarm_alerts_received_total. */
  recordRejected(result: Extract<AlertResult, 'invalid' | 'unauthorized'>, status: AlertStatusLabel): void;
}

/** What the task API routes need. */
export interface TaskApi {
  readonly accepting: boolean;
  listTasks(filter: TaskFilter): TaskRecord[];
  taskDetail(id: string): TaskDetail | undefined;
  createTask(input: ManualTaskInput): TaskRecord;
}
