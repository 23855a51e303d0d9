// The incident and dedup rules of docs/reliability.md as one pure decision per incoming alert.
import type { TaskStatus } from './coordination-vocabulary.js';
import type { IncidentStatus } from './task-records.js';

/** What the store knows about an alert's incident, read inside the same transaction. */
export interface IncidentState {
  /** The incident (fingerprint, startsAt), if known. */
  readonly incident: { readonly status: IncidentStatus; readonly taskId: string | undefined } | undefined;
  /** A later incident (same fingerprint, later startsAt) is known. */
  readonly newerIncidentExists: boolean;
  /** The open task of this receiver+fingerprint, if any (only read for new firing incidents). */
  readonly openTaskId: string | undefined;
  /**
   * For a resolve: the status of the incident's task and how many OTHER firing incidents are
   * attached to it (a re-fire linked to a still-open task must keep that task alive).
   */
  readonly incidentTask: { readonly status: TaskStatus; readonly otherFiringIncidents: number } | undefined;
}

export type AlertDecision =
  /** Known incident or a stale resend: touch last-seen only. */
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'stale' }
  /** New firing incident: create its task, attach it to the open one, or record only. */
  | { readonly kind: 'open'; readonly task: 'create' | 'link' | 'none' }
  /** Known firing incident resolved; `cancelTask` when its task is queued and nothing else needs it. */
  | { readonly kind: 'resolve'; readonly cancelTask: boolean }
  /** Resolve of an unknown incident: record it resolved so a late firing retry cannot open it. */
  | { readonly kind: 'tombstone' };

/**
 * The rules (docs/reliability.md, its facts and tests 3–5):
 * - an incident is (fingerprint, startsAt); Alertmanager resends whole groups, from every HA
 *   replica, so a known incident is a duplicate whatever its state;
 * - a firing alert older than a known later incident of the same fingerprint is stale (a late
 *   retry of a previous firing period): it must not open a task;
 * - at most one open task per receiver+fingerprint: a new incident while one is open is attached
 *   to it rather than doubling the action;
 * - a resolve cancels the incident's task only while it is queued (a running delivery finishes)
 *   and no other firing incident is attached to it;
 * - a resolve for an unknown incident creates no task but is remembered, so that the firing
 *   notification it overtook, arriving late, finds the incident already resolved.
 */
export function decideAlert(status: IncidentStatus, wantsTask: boolean, state: IncidentState): AlertDecision {
  if (status === 'firing') {
    if (state.incident !== undefined) return { kind: 'duplicate' };
    if (state.newerIncidentExists) return { kind: 'stale' };
    if (!wantsTask) return { kind: 'open', task: 'none' };
    return { kind: 'open', task: state.openTaskId === undefined ? 'create' : 'link' };
  }
  if (state.incident === undefined) return { kind: 'tombstone' };
  if (state.incident.status === 'resolved') return { kind: 'duplicate' };
  const task = state.incidentTask;
  return { kind: 'resolve', cancelTask: task !== undefined && task.status === 'queued' && task.otherFiringIncidents === 0 };
}
