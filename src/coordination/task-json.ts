// The task API's JSON representation (snake_case, RFC 3339 times), shared by list and detail routes.
import type { AttemptRecord, IncidentRecord, JsonValue, TaskAlert, TaskRecord } from '../model/task-records.js';

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

export type TaskJson = {
  id: string;
  type: string;
  priority: string;
  status: string;
  source: string;
  swarm: string;
  agents: readonly string[];
  reason: string;
  alerts: readonly TaskAlert[];
  plan: JsonValue;
  attempt_count: number;
  created_at: string | null;
  updated_at: string | null;
  next_attempt_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  last_error: string | null;
  impact: { score: string; before: number; after: number; ratio: number; measured_at: string | null } | null;
  receiver: string | null;
  fingerprint: string | null;
};

export function taskJson(task: TaskRecord): TaskJson {
  return {
    id: task.id,
    type: task.type,
    priority: task.priority,
    status: task.status,
    source: task.source,
    swarm: task.swarm,
    agents: task.agents,
    reason: task.reason,
    alerts: task.alerts,
    plan: task.plan ?? null,
    attempt_count: task.attempts,
    created_at: iso(task.createdAt),
    updated_at: iso(task.updatedAt),
    // Only meaningful while queued.
    next_attempt_at: task.status === 'queued' ? iso(task.nextAttemptAt) : null,
    started_at: iso(task.startedAt),
    finished_at: iso(task.finishedAt),
    last_error: task.lastError ?? null,
    impact:
      task.impact === undefined
        ? null
        : {
            score: task.impact.score,
            before: task.impact.before,
            after: task.impact.after,
            ratio: task.impact.ratio,
            measured_at: iso(task.impact.measuredAt),
          },
    receiver: task.receiver ?? null,
    fingerprint: task.fingerprint ?? null,
  };
}

export function attemptJson(attempt: AttemptRecord) {
  return {
    attempt: attempt.attempt,
    started_at: iso(attempt.startedAt),
    duration_ms: Math.round(attempt.durationMs * 1000) / 1000,
    status_code: attempt.statusCode ?? null,
    outcome: attempt.outcome,
    error: attempt.error ?? null,
  };
}

export function incidentJson(incident: IncidentRecord) {
  return {
    fingerprint: incident.fingerprint,
    alertname: incident.alertname,
    receiver: incident.receiver,
    starts_at: iso(incident.startsAt),
    ends_at: iso(incident.endsAt),
    status: incident.status,
    first_seen_at: iso(incident.firstSeenAt),
    last_seen_at: iso(incident.lastSeenAt),
  };
}
