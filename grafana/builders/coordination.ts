// Coordination dashboard: tasks by type, priority and outcome, the queue, task durations, impact, and alert intake.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboard, type Row } from './dashboard.js';
import { TASKS_PER_SECOND, stat, table, timeseries } from './panels.js';
import { datasourceVariable } from './variables.js';

function tasksRow(): Row {
  return {
    title: 'Tasks',
    panels: [
      timeseries(
        {
          title: 'Finished tasks by type and outcome',
          description:
            'Coordination tasks finishing per second, by type and outcome (coordination_type_outcome:agentswarm_coordination_tasks:rate5m); outcome failed = dead letter after coordination.max_attempts.',
          unit: TASKS_PER_SECOND,
          queries: [
            { expr: 'coordination_type_outcome:agentswarm_coordination_tasks:rate5m', legend: '{{coordination_type}} {{outcome}}' },
          ],
          min: 0,
          width: 12,
        },
        { legendTable: true },
      ),
      timeseries(
        {
          title: 'Finished tasks by priority',
          description:
            'Coordination tasks finishing per second, by priority, all types and outcomes added up (coordination_type_priority_outcome:agentswarm_coordination_tasks:rate5m).',
          unit: TASKS_PER_SECOND,
          queries: [
            { expr: 'sum by (priority) (coordination_type_priority_outcome:agentswarm_coordination_tasks:rate5m)', legend: '{{priority}}' },
          ],
          min: 0,
          width: 8,
        },
        { stacked: true },
      ),
      stat({
        title: 'Dead letters (1h)',
        description:
          'Tasks that failed after all their attempts in the last hour, all types (increase of agentswarm_coordination_tasks_total{outcome="failed"}). AgentSwarmCoordinationFailing pages when they keep coming.',
        unit: 'short',
        queries: [{ expr: 'sum(increase(agentswarm_coordination_tasks_total{outcome="failed"}[1h]))', instant: true }],
        steps: [
          { value: null, color: 'green' },
          { value: 1, color: 'red' },
        ],
        width: 4,
      }),
    ],
  };
}

function queueRow(): Row {
  return {
    title: 'Queue and durations',
    panels: [
      timeseries(
        {
          title: 'Queue depth by priority',
          description:
            'Coordination tasks waiting to run, per priority (priority:agentswarm_coordination_queue_depth:sum); the queue runs emergency first, maintenance last.',
          unit: 'short',
          queries: [{ expr: 'priority:agentswarm_coordination_queue_depth:sum', legend: '{{priority}}' }],
          min: 0,
          width: 12,
        },
        { stacked: true },
      ),
      timeseries(
        {
          title: 'Task duration',
          description:
            'Median, 95th and 99th percentile time from a task start to its final outcome, per type, over 5 minutes (coordination_type_quantile:agentswarm_coordination_task_duration_seconds:histogram_quantile). Includes retries and backoff.',
          unit: 's',
          queries: [
            {
              expr: 'coordination_type_quantile:agentswarm_coordination_task_duration_seconds:histogram_quantile',
              legend: '{{coordination_type}} p{{quantile}}',
            },
          ],
          min: 0,
          width: 12,
        },
        { legendTable: true },
      ),
    ],
  };
}

function impactRow(): Row {
  return {
    title: 'Impact',
    panels: [
      timeseries(
        {
          title: 'Impact per task type',
          description:
            'Relative improvement of the targeted score after the latest succeeded task of each type, shown as % (agentswarm_coordination_impact_ratio): above 0 the action helped.',
          unit: 'percentunit',
          queries: [{ expr: 'agentswarm_coordination_impact_ratio', legend: '{{coordination_type}}' }],
          width: 24,
        },
        { legendTable: true },
      ),
    ],
  };
}

function intakeRow(): Row {
  return {
    title: 'Alert intake',
    panels: [
      timeseries(
        {
          title: 'Alertmanager notifications received',
          description:
            'Alerts received on /api/v1/alerts per second, by alert status and result (status_result:agentswarm_alerts_received:rate5m): duplicates are normal (Alertmanager resends), invalid and unauthorized are not.',
          unit: 'suffix: alerts/s',
          queries: [{ expr: 'status_result:agentswarm_alerts_received:rate5m', legend: '{{status}} {{result}}' }],
          min: 0,
          width: 12,
        },
        { legendTable: true },
      ),
      table(
        {
          title: 'Acting alerts firing',
          description: 'Firing alerts that carry a coordination_type: each one has, or is about to have, a coordination task.',
          unit: 'none',
          queries: [{ expr: 'ALERTS{alertstate="firing", coordination_type!=""}', instant: true, table: true }],
          width: 12,
        },
        { column: 'priority', desc: false },
      ),
    ],
  };
}

/** Coordination: what the exporter does about alerts, and whether it works. */
export function coordinationDashboard(): Dashboard {
  return buildDashboard({
    uid: 'agentswarm-coordination',
    title: 'Agent swarm / Coordination',
    description:
      'Coordination tasks created from alerts and schedules: outcomes, queue, durations, impact, and the Alertmanager notifications that feed them.',
    variables: [datasourceVariable()],
    rows: [tasksRow(), queueRow(), impactRow(), intakeRow()],
  });
}
