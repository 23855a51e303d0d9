// The five health statuses of DESIGN §2, best first.

export const HEALTH_STATUSES = ['optimal', 'good', 'degraded', 'critical', 'failed'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];
