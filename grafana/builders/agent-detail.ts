// Agent detail dashboard ($swarm, $agent): status, work, resources, the health model's view, correlations and custom metrics.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboard, type Row } from './dashboard.js';
import { HEALTH_STEPS, PRESSURE_STEPS, TASKS_PER_SECOND, stat, stateTimeline, table, timeseries, valueMappings } from './panels.js';
import { agentVariable, datasourceVariable, swarmVariable } from './variables.js';

/** Selects the one agent of the dashboard. */
const A = 'swarm="$swarm", agent="$agent"';

function statusRow(): Row {
  return {
    title: 'Status',
    panels: [
      stat(
        {
          title: 'Up',
          description:
            'Whether the agent sent a heartbeat or a sample within agents.heartbeat_timeout (agentswarm_agent_up). AgentSwarmAgentDown fires after 1 minute down.',
          unit: 'none',
          queries: [{ expr: `agentswarm_agent_up{${A}}`, instant: true }],
          width: 4,
          height: 5,
        },
        {
          background: true,
          mappings: [valueMappings({ '1': { text: 'UP', color: 'green' }, '0': { text: 'DOWN', color: 'red' } })],
        },
      ),
      stat(
        {
          title: 'Health score',
          description:
            'Health score of the agent, 0..1 shown as %, 100% = nominal (agentswarm_agent_health_score). Red below 50% (critical), orange below 75% (degraded), yellow below 90% (good).',
          unit: 'percentunit',
          queries: [{ expr: `agentswarm_agent_health_score{${A}}`, instant: true }],
          min: 0,
          max: 1,
          steps: HEALTH_STEPS,
          width: 4,
          height: 5,
        },
        { background: true },
      ),
      stat({
        title: 'Last seen',
        description: 'Seconds since the last heartbeat or sample from the agent (time() - agentswarm_agent_last_seen_timestamp_seconds).',
        unit: 's',
        queries: [{ expr: `time() - agentswarm_agent_last_seen_timestamp_seconds{${A}}`, instant: true }],
        steps: [
          { value: null, color: 'green' },
          { value: 45, color: 'red' },
        ],
        width: 4,
        height: 5,
      }),
      table(
        {
          title: 'Identity',
          description: 'Type (role) and variant (configuration version) of the agent (agentswarm_agent_info).',
          unit: 'none',
          queries: [{ expr: `agentswarm_agent_info{${A}}`, instant: true, table: true }],
          width: 12,
          height: 5,
        },
        { column: 'type', desc: false },
      ),
      stateTimeline(
        {
          title: 'Health status',
          description:
            'Health status over time: one lane per status, filled while it is the current one (agentswarm_agent_health_status). Status changes follow the score with hysteresis.',
          unit: 'none',
          queries: [{ expr: `agentswarm_agent_health_status{${A}}`, legend: '{{status}}' }],
          width: 24,
          height: 6,
        },
        [valueMappings({ '1': { text: 'current', color: 'blue' }, '0': { text: ' ', color: 'transparent' } })],
      ),
    ],
  };
}

function workRow(): Row {
  return {
    title: 'Work',
    panels: [
      timeseries({
        title: 'Throughput',
        description: 'Completed tasks per second of the agent (agentswarm_agent_throughput_tasks_per_second).',
        unit: TASKS_PER_SECOND,
        queries: [{ expr: `agentswarm_agent_throughput_tasks_per_second{${A}}`, legend: 'throughput' }],
        min: 0,
        width: 8,
      }),
      timeseries({
        title: 'Error ratio',
        description: "Share of the agent's tasks that fail, 0..1 shown as % (agentswarm_agent_error_ratio).",
        unit: 'percentunit',
        queries: [{ expr: `agentswarm_agent_error_ratio{${A}}`, legend: 'errors' }],
        min: 0,
        width: 8,
      }),
      timeseries(
        {
          title: 'Response time and its normal',
          description:
            "Task completion / response latency of the agent in seconds (agentswarm_agent_response_time_seconds) inside the agent's own learned normal: its 95 % baseline band (agentswarm_agent_baseline, by hour of day when it has a daily pattern). AgentSwarmAgentAbnormal fires after 10 minutes more than 4 spreads outside.",
          unit: 's',
          queries: [
            { expr: `agentswarm_agent_response_time_seconds{${A}}`, legend: 'response time' },
            { expr: `agentswarm_agent_baseline{${A}, metric="response_time", bound="upper"}`, legend: 'normal upper' },
            { expr: `agentswarm_agent_baseline{${A}, metric="response_time", bound="lower"}`, legend: 'normal lower' },
            { expr: `agentswarm_agent_baseline{${A}, metric="response_time", bound="center"}`, legend: 'normal' },
          ],
          min: 0,
          width: 8,
        },
        { band: { upper: 'normal upper', lower: 'normal lower' } },
      ),
      timeseries({
        title: 'Queued and active tasks',
        description: 'Tasks waiting at the agent (agentswarm_agent_queue_depth_tasks) and in progress (agentswarm_agent_active_tasks).',
        unit: 'short',
        queries: [
          { expr: `agentswarm_agent_queue_depth_tasks{${A}}`, legend: 'queued' },
          { expr: `agentswarm_agent_active_tasks{${A}}`, legend: 'active' },
        ],
        min: 0,
        width: 12,
      }),
      timeseries(
        {
          title: 'Utilisation',
          description:
            'Active tasks / capacity, or CPU usage for an agent without a capacity, 0..1 shown as % (agentswarm_agent_utilization_ratio).',
          unit: 'percentunit',
          queries: [{ expr: `agentswarm_agent_utilization_ratio{${A}}`, legend: 'utilisation' }],
          min: 0,
          max: 1,
          steps: PRESSURE_STEPS,
          width: 12,
        },
        { thresholdLines: true },
      ),
    ],
  };
}

function resourcesRow(): Row {
  return {
    title: 'Resources and coordination',
    panels: [
      timeseries({
        title: 'CPU and memory',
        description:
          'Share of allotted CPU and memory the agent uses, 0..1 shown as % (agentswarm_agent_cpu_usage_ratio, agentswarm_agent_memory_usage_ratio).',
        unit: 'percentunit',
        queries: [
          { expr: `agentswarm_agent_cpu_usage_ratio{${A}}`, legend: 'cpu' },
          { expr: `agentswarm_agent_memory_usage_ratio{${A}}`, legend: 'memory' },
        ],
        min: 0,
        max: 1,
        width: 12,
      }),
      timeseries({
        title: 'Coordination load',
        description:
          'Share of time the agent spends coordinating with other agents rather than working, 0..1 shown as % (agentswarm_agent_coordination_load_ratio).',
        unit: 'percentunit',
        queries: [{ expr: `agentswarm_agent_coordination_load_ratio{${A}}`, legend: 'coordination' }],
        min: 0,
        max: 1,
        width: 12,
      }),
    ],
  };
}

function healthModelRow(): Row {
  return {
    title: 'Health model',
    panels: [
      timeseries(
        {
          title: 'Health components',
          description:
            'Each ingredient of the health score, 0..1 shown as %, 100% = nominal (agentswarm_agent_health_component): the lowest one names the symptom.',
          unit: 'percentunit',
          queries: [{ expr: `agentswarm_agent_health_component{${A}}`, legend: '{{component}}' }],
          min: 0,
          max: 1,
          width: 12,
        },
        { legendTable: true },
      ),
      timeseries(
        {
          title: 'Anomaly score per metric',
          description:
            'Robust |z| (median / MAD) of the latest value of each metric against the window (agentswarm_agent_anomaly_score). Above analysis.anomaly_threshold (3.5 by default, dashed) the value is anomalous.',
          unit: 'none',
          queries: [{ expr: `agentswarm_agent_anomaly_score{${A}}`, legend: '{{metric}}' }],
          min: 0,
          steps: [
            { value: null, color: 'green' },
            { value: 3.5, color: 'red' },
          ],
          width: 12,
        },
        { thresholdLines: true, legendTable: true },
      ),
      timeseries(
        {
          title: 'Bottleneck score',
          description:
            'How likely the agent is the constraint of its swarm, 0..1 shown as % (agentswarm_agent_bottleneck_score). AgentSwarmBottleneck fires above 80% for 10 minutes.',
          unit: 'percentunit',
          queries: [{ expr: `agentswarm_agent_bottleneck_score{${A}}`, legend: 'bottleneck' }],
          min: 0,
          max: 1,
          steps: PRESSURE_STEPS,
          width: 12,
        },
        { thresholdLines: true },
      ),
      timeseries({
        title: 'Anomaly cluster peers',
        description:
          'Other agents in the same correlated-anomaly cluster as this one (agentswarm_agent_anomaly_cluster_peers); 0 = not in a cluster.',
        unit: 'short',
        queries: [{ expr: `agentswarm_agent_anomaly_cluster_peers{${A}}`, legend: 'peers' }],
        min: 0,
        width: 12,
      }),
    ],
  };
}

function correlationsRow(): Row {
  return {
    title: 'Metric correlations and custom metrics',
    panels: [
      table(
        {
          title: 'Metric × metric correlation',
          description:
            'Pearson r between two metrics of this agent over the analysis window, -1..1 (agentswarm_metric_correlation): e.g. response time rising with queue depth.',
          unit: 'none',
          decimals: 2,
          queries: [{ expr: `agentswarm_metric_correlation{${A}}`, instant: true, table: true }],
          min: -1,
          max: 1,
          width: 12,
          height: 9,
        },
        { column: 'Value', desc: true },
      ),
      timeseries(
        {
          title: 'Custom metrics',
          description: "Latest values of the agent's custom (non-canonical) metrics, in their own units (agentswarm_agent_custom_metric).",
          unit: 'short',
          queries: [{ expr: `agentswarm_agent_custom_metric{${A}}`, legend: '{{metric}}' }],
          width: 12,
          height: 9,
        },
        { legendTable: true },
      ),
    ],
  };
}

/** Agent detail: everything the exporter knows about one agent. */
export function agentDetailDashboard(): Dashboard {
  return buildDashboard({
    uid: 'agentswarm-agent',
    title: 'Agent swarm / Agent detail',
    description:
      'One agent: status, work, resources, health components, anomaly and bottleneck scores, metric correlations and custom metrics.',
    variables: [datasourceVariable(), swarmVariable(false), agentVariable()],
    rows: [statusRow(), workRow(), resourcesRow(), healthModelRow(), correlationsRow()],
  });
}
