// Correlation & bottlenecks dashboard ($swarm, $metric): top correlated pairs, lead/lag, bottleneck ranking, anomaly clusters.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboard, type Row } from './dashboard.js';
import { PRESSURE_STEPS, barGauge, table, timeseries } from './panels.js';
import { datasourceVariable, metricVariable, swarmVariable } from './variables.js';

function correlationRow(): Row {
  return {
    title: 'Cross-agent correlation of $metric',
    panels: [
      table(
        {
          title: 'Top correlated pairs',
          description:
            'Pearson r of the step-to-step changes of $metric between two agents over the analysis window, -1..1 (agentswarm_agent_correlation): only pairs significant at the analysis.correlation_fdr false-discovery rate (Benjamini-Hochberg) are exported, at most the analysis.top_pairs strongest. Agents whose changes move together share a cause or depend on each other; a shared trend or load wave alone does not correlate changes.',
          unit: 'none',
          decimals: 3,
          queries: [{ expr: 'agentswarm_agent_correlation{swarm="$swarm", metric="$metric"}', instant: true, table: true }],
          min: -1,
          max: 1,
          width: 12,
          height: 10,
        },
        { column: 'Value', desc: true },
      ),
      table(
        {
          title: 'Lead / lag',
          description:
            "For the strongest lagged pairs, how many seconds the leader's $metric moves before the follower's (agentswarm_agent_lead_lag_seconds): fix leaders first.",
          unit: 's',
          queries: [{ expr: 'agentswarm_agent_lead_lag_seconds{swarm="$swarm", metric="$metric"}', instant: true, table: true }],
          width: 12,
          height: 10,
        },
        { column: 'Value', desc: true },
      ),
      timeseries(
        {
          title: 'Mean |r| per metric and the significance bar',
          description:
            "Mean absolute correlation of changes over all agent pairs of the swarm, per metric, 0..1 (agentswarm_correlation_mean_abs): a rising value means agents' changes move together. The significance bar line: the least |r| a pair of $metric needs to be exported (agentswarm_correlation_threshold_abs, the Benjamini-Hochberg bar in force).",
          unit: 'none',
          queries: [
            { expr: 'agentswarm_correlation_mean_abs{swarm="$swarm"}', legend: '{{metric}}' },
            { expr: 'agentswarm_correlation_threshold_abs{swarm="$swarm", metric="$metric"}', legend: 'significance bar ($metric)' },
          ],
          min: 0,
          max: 1,
          width: 24,
        },
        { legendTable: true },
      ),
    ],
  };
}

function bottleneckRow(): Row {
  return {
    title: 'Bottlenecks',
    panels: [
      barGauge({
        title: 'Bottleneck ranking',
        description:
          'The 10 agents most likely to constrain the swarm, bottleneck score 0..1 shown as % (agentswarm_agent_bottleneck_score). AgentSwarmBottleneck fires above 80% for 10 minutes.',
        unit: 'percentunit',
        queries: [{ expr: 'topk(10, agentswarm_agent_bottleneck_score{swarm="$swarm"})', legend: '{{agent}}', instant: true }],
        min: 0,
        max: 1,
        steps: PRESSURE_STEPS,
        width: 8,
        height: 9,
      }),
      timeseries(
        {
          title: 'Highest bottleneck score',
          description: 'Highest bottleneck score in the swarm over time, 0..1 shown as % (swarm:agentswarm_agent_bottleneck_score:max).',
          unit: 'percentunit',
          queries: [{ expr: 'swarm:agentswarm_agent_bottleneck_score:max{swarm="$swarm"}', legend: 'max' }],
          min: 0,
          max: 1,
          steps: PRESSURE_STEPS,
          width: 8,
          height: 9,
        },
        { thresholdLines: true },
      ),
      timeseries({
        title: 'Deepest queues',
        description:
          'Queue depth of the 5 agents with the most waiting tasks (agentswarm_agent_queue_depth_tasks): work piles up in front of a bottleneck.',
        unit: 'short',
        queries: [{ expr: 'topk(5, agentswarm_agent_queue_depth_tasks{swarm="$swarm"})', legend: '{{agent}}' }],
        min: 0,
        width: 8,
        height: 9,
      }),
    ],
  };
}

function anomalyRow(): Row {
  return {
    title: 'Anomalies',
    panels: [
      timeseries(
        {
          title: 'Largest correlated-anomaly cluster',
          description:
            'Agents in the largest cluster of agents that are anomalous together (agentswarm_anomaly_cluster_max_size). AgentSwarmCorrelatedAnomaly fires at 3 or more for 5 minutes (dashed).',
          unit: 'short',
          queries: [{ expr: 'agentswarm_anomaly_cluster_max_size{swarm="$swarm"}', legend: 'largest cluster' }],
          min: 0,
          steps: [
            { value: null, color: 'green' },
            { value: 3, color: 'red' },
          ],
          width: 8,
        },
        { thresholdLines: true },
      ),
      barGauge({
        title: 'Cluster peers per agent',
        description:
          'For each agent, how many other agents share its anomaly cluster (agentswarm_agent_anomaly_cluster_peers); 0 = not in a cluster.',
        unit: 'short',
        queries: [{ expr: 'topk(10, agentswarm_agent_anomaly_cluster_peers{swarm="$swarm"})', legend: '{{agent}}', instant: true }],
        min: 0,
        width: 8,
      }),
      timeseries(
        {
          title: 'Highest anomaly scores',
          description:
            'The 5 highest robust |z| (agent, metric) of the swarm, and the swarm maximum (swarm:agentswarm_agent_anomaly_score:max). Above analysis.anomaly_threshold (3.5 by default, dashed) a value is anomalous.',
          unit: 'none',
          queries: [
            { expr: 'topk(5, agentswarm_agent_anomaly_score{swarm="$swarm"})', legend: '{{agent}} {{metric}}' },
            { expr: 'swarm:agentswarm_agent_anomaly_score:max{swarm="$swarm"}', legend: 'swarm max' },
          ],
          min: 0,
          steps: [
            { value: null, color: 'green' },
            { value: 3.5, color: 'red' },
          ],
          width: 8,
        },
        { thresholdLines: true },
      ),
    ],
  };
}

/** Correlation & bottlenecks: how the agents of a swarm interact and which one holds the others back. */
export function correlationBottlenecksDashboard(): Dashboard {
  return buildDashboard({
    uid: 'agentswarm-correlation',
    title: 'Agent swarm / Correlation & bottlenecks',
    description: 'Cross-agent correlation with lead/lag, bottleneck ranking and correlated-anomaly clusters of one swarm.',
    variables: [datasourceVariable(), swarmVariable(false), metricVariable()],
    rows: [correlationRow(), bottleneckRow(), anomalyRow()],
  });
}
