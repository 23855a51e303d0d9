// The dashboards of the rules pack and the JSON file each one is generated into (grafana/dashboards/).
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { agentDetailDashboard } from './agent-detail.js';
import { capacityForecastDashboard } from './capacity-forecast.js';
import { coordinationDashboard } from './coordination.js';
import { correlationBottlenecksDashboard } from './correlation-bottlenecks.js';
import { swarmOverviewDashboard } from './swarm-overview.js';
import { swarmSystemDashboard } from './swarm-system.js';

export interface DashboardFile {
  /** File name under grafana/dashboards/. */
  readonly file: string;
  readonly build: () => Dashboard;
}

export const DASHBOARD_FILES: readonly DashboardFile[] = [
  { file: 'agentswarm-overview.json', build: swarmOverviewDashboard },
  { file: 'agentswarm-agent-detail.json', build: agentDetailDashboard },
  { file: 'agentswarm-correlation-bottlenecks.json', build: correlationBottlenecksDashboard },
  { file: 'agentswarm-capacity-forecast.json', build: capacityForecastDashboard },
  { file: 'agentswarm-coordination.json', build: coordinationDashboard },
  { file: 'agentswarm-system.json', build: swarmSystemDashboard },
];

/** The exact text written for a dashboard: 2-space JSON and a final newline. */
export function renderDashboard(dashboard: Dashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}
