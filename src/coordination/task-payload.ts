// The JSON body of an outgoing task delivery (docs/design.md#outgoing-task-deliveries); its shape is the contract with orchestrators.
import type { CoordinationType, Priority } from '../model/coordination-vocabulary.js';
import type { JsonValue, TaskAlert, TaskRecord } from '../model/task-records.js';

export interface TaskPayload {
  /** Task id; also the `webhook-id` header. */
  readonly id: string;
  readonly type: CoordinationType;
  readonly priority: Priority;
  readonly swarm: string;
  readonly agents: readonly string[];
  readonly reason: string;
  readonly alerts: readonly TaskAlert[];
  /** The type's computed proposal (plans.ts); `{}` when none could be computed. */
  readonly plan: JsonValue;
  /** 1-based attempt number of this delivery. */
  readonly attempt: number;
  /** RFC 3339 creation time of the task. */
  readonly created_at: string;
}

/** Builds the body for one attempt. */
export function taskPayload(task: TaskRecord, attempt: number): TaskPayload {
  return {
    id: task.id,
    type: task.type,
    priority: task.priority,
    swarm: task.swarm,
    agents: task.agents,
    reason: task.reason,
    alerts: task.alerts,
    plan: task.plan ?? {},
    attempt,
    created_at: new Date(task.createdAt).toISOString(),
  };
}
