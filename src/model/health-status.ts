// The five health statuses of docs/design.md#domain-model, best first.

export const HEALTH_STATUSES = ['optimal', 'good', 'degraded', 'critical', 'failed'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];
