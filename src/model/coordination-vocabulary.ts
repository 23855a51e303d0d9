// Coordination task vocabulary of docs/design.md#domain-model: types, priorities (most urgent first) and statuses.

export const COORDINATION_TYPES = [
  'performance_sync',
  'anomaly_correlation',
  'resource_balancing',
  'optimization_sharing',
  'predictive_scaling',
  'cross_system_healing',
] as const;
export type CoordinationType = (typeof COORDINATION_TYPES)[number];

/** Most urgent first: the index is the queue rank. */
export const PRIORITIES = ['emergency', 'high', 'medium', 'low', 'maintenance'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const TASK_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
