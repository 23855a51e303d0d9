// The one metric catalogue (docs/design.md#conventions 5): every exposed name, its type, help text and label set, as in docs/design.md#metrics.
import { CANONICAL_METRICS, CANONICAL_METRIC_SPECS } from './canonical-metrics.js';

export type MetricType = 'gauge' | 'counter' | 'histogram';

export interface MetricSpec {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly labels: readonly string[];
}

function gauge(name: string, labels: readonly string[], help: string): MetricSpec {
  return { name, type: 'gauge', labels, help };
}
function counter(name: string, labels: readonly string[], help: string): MetricSpec {
  return { name, type: 'counter', labels, help };
}
function histogram(name: string, labels: readonly string[], help: string): MetricSpec {
  return { name, type: 'histogram', labels, help };
}

const AGENT = ['swarm', 'agent'] as const;

export const METRICS = {
  buildInfo: gauge(
    'agentswarm_build_info',
    ['version', 'revision', 'nodeversion'],
    'A metric with a constant 1 value labelled by version, revision and Node.js version of the exporter.',
  ),
  agentInfo: gauge(
    'agentswarm_agent_info',
    ['swarm', 'agent', 'type', 'variant'],
    'Constant 1 per known agent, labelled with its type and variant.',
  ),
  agentUp: gauge('agentswarm_agent_up', AGENT, '1 while the agent sends heartbeats or samples within agents.heartbeat_timeout, else 0.'),
  agentLastSeen: gauge('agentswarm_agent_last_seen_timestamp_seconds', AGENT, 'Unix time of the last heartbeat or sample from the agent.'),
  agentCustomMetric: gauge(
    'agentswarm_agent_custom_metric',
    ['swarm', 'agent', 'metric'],
    'Latest value of a custom (non-canonical) metric pushed by the agent.',
  ),
  agentHealthScore: gauge('agentswarm_agent_health_score', AGENT, 'Health score of the agent in [0, 1], 1 = healthy.'),
  agentHealthComponent: gauge(
    'agentswarm_agent_health_component',
    ['swarm', 'agent', 'component'],
    'Health score ingredient in [0, 1], 1 = nominal, per component.',
  ),
  agentHealthStatus: gauge(
    'agentswarm_agent_health_status',
    ['swarm', 'agent', 'status'],
    '1 for the current health status of the agent, 0 for the four others.',
  ),
  agents: gauge('agentswarm_agents', ['swarm', 'status'], 'Number of agents per health status.'),
  agentAnomalyScore: gauge(
    'agentswarm_agent_anomaly_score',
    ['swarm', 'agent', 'metric'],
    'Robust |z| (median/MAD) of the latest value against the window.',
  ),
  agentBottleneckScore: gauge(
    'agentswarm_agent_bottleneck_score',
    AGENT,
    'Bottleneck score in [0, 1], higher = more likely the constraint of the swarm.',
  ),
  agentUtilisation: gauge(
    'agentswarm_agent_utilization_ratio',
    AGENT,
    'Utilisation of the agent: active_tasks / capacity, or cpu_usage without a capacity.',
  ),
  agentCorrelation: gauge(
    'agentswarm_agent_correlation',
    ['swarm', 'metric', 'agent_a', 'agent_b'],
    'Pearson correlation of the step-to-step changes of one metric between two agents over the window (the strongest pairs significant at analysis.correlation_fdr, agent_a < agent_b).',
  ),
  agentLeadLag: gauge(
    'agentswarm_agent_lead_lag_seconds',
    ['swarm', 'metric', 'leader', 'follower'],
    'Lag in seconds by which the leader leads the follower at the best cross-correlation.',
  ),
  metricCorrelation: gauge(
    'agentswarm_metric_correlation',
    ['swarm', 'agent', 'metric_a', 'metric_b'],
    'Pearson correlation between two metrics of the same agent over the window.',
  ),
  correlationMeanAbs: gauge(
    'agentswarm_correlation_mean_abs',
    ['swarm', 'metric'],
    'Mean |r| of changes over all agent pairs of the swarm for the metric.',
  ),
  correlationThresholdAbs: gauge(
    'agentswarm_correlation_threshold_abs',
    ['swarm', 'metric'],
    'Least |r| of changes a pair with full window overlap needs to be exposed: the Benjamini-Hochberg bar in force at analysis.correlation_fdr.',
  ),
  anomalyClusterMaxSize: gauge(
    'agentswarm_anomaly_cluster_max_size',
    ['swarm'],
    'Number of agents in the largest correlated-anomaly cluster.',
  ),
  agentAnomalyClusterPeers: gauge(
    'agentswarm_agent_anomaly_cluster_peers',
    AGENT,
    'Number of other agents in the correlated-anomaly cluster of this agent.',
  ),
  loadBalanceIndex: gauge(
    'agentswarm_load_balance_index',
    ['swarm'],
    "Jain's fairness index of agent utilisation in [1/n, 1], 1 = perfectly even.",
  ),
  forecastLoad: gauge('agentswarm_forecast_load', ['swarm', 'horizon'], 'Predicted swarm load (sum of active tasks) at the horizon.'),
  forecastValid: gauge('agentswarm_forecast_valid', ['swarm'], '1 when the forecast has enough data to be trusted, else 0.'),
  forecastSaturation: gauge(
    'agentswarm_forecast_saturation_seconds',
    ['swarm'],
    'Predicted seconds until swarm load reaches total capacity (absent if never).',
  ),
  scalingRecommended: gauge(
    'agentswarm_scaling_recommended_agents',
    ['swarm', 'type'],
    'Agents of the type needed to stay at or below the target utilisation at the longest served forecast horizon, stabilised (highest of the last 5 minutes).',
  ),
  forecastConfidence: gauge(
    'agentswarm_forecast_confidence',
    ['swarm'],
    'Confidence of the forecast at the longest served horizon in [0, 1]: 1 minus the 95 % band half-width over the forecast.',
  ),
  variantEffect: gauge(
    'agentswarm_variant_effect_ratio',
    ['swarm', 'metric', 'variant'],
    'Mean of the metric for the variant divided by the baseline variant mean, minus 1.',
  ),
  variantPValue: gauge(
    'agentswarm_variant_p_value',
    ['swarm', 'metric', 'variant'],
    "Holm-adjusted p-value (over the swarm's variant comparisons) of the difference between the variant and the baseline, agents as the unit; absent with too few agents.",
  ),
  swarmThroughput: gauge(
    'agentswarm_swarm_throughput_tasks_per_second',
    ['swarm'],
    'Collective throughput: sum of the latest throughput of the live agents, in tasks per second.',
  ),
  swarmCoordinationOverhead: gauge(
    'agentswarm_swarm_coordination_overhead_ratio',
    ['swarm'],
    'Capacity-weighted share of agent time spent coordinating (0..1), over live agents reporting coordination_load.',
  ),
  swarmMessages: gauge(
    'agentswarm_swarm_messages_per_second',
    ['swarm'],
    'Sum of the latest messages_per_second of the live agents that report it.',
  ),
  agentRecovery: histogram(
    'agentswarm_agent_recovery_seconds',
    ['swarm'],
    'Time from an agent turning failed to its return to good or optimal health, in seconds.',
  ),
  swarmScalabilityContention: gauge(
    'agentswarm_swarm_scalability_contention',
    ['swarm'],
    'Universal Scalability Law contention sigma fitted to (agents up, collective throughput); absent while not identifiable.',
  ),
  swarmScalabilityCoherency: gauge(
    'agentswarm_swarm_scalability_coherency',
    ['swarm'],
    'Universal Scalability Law coherency kappa fitted to (agents up, collective throughput); absent while not identifiable.',
  ),
  swarmScalabilityPeakAgents: gauge(
    'agentswarm_swarm_scalability_peak_agents',
    ['swarm'],
    'Agent count beyond which the fitted collective throughput falls, sqrt((1 - sigma) / kappa); absent when kappa is not significant.',
  ),
  swarmScalabilityFitR2: gauge(
    'agentswarm_swarm_scalability_fit_r2',
    ['swarm'],
    'Coefficient of determination of the Universal Scalability Law fit on collective throughput.',
  ),
  agentBaseline: gauge(
    'agentswarm_agent_baseline',
    ['swarm', 'agent', 'metric', 'bound'],
    "The agent's learned normal for the metric now: bound lower, center or upper of its 95 % baseline band.",
  ),
  coordinationTasks: counter(
    'agentswarm_coordination_tasks_total',
    ['coordination_type', 'priority', 'outcome'],
    'Coordination tasks by type, priority and outcome.',
  ),
  coordinationQueueDepth: gauge('agentswarm_coordination_queue_depth', ['priority'], 'Coordination tasks waiting to run, per priority.'),
  coordinationTaskDuration: histogram(
    'agentswarm_coordination_task_duration_seconds',
    ['coordination_type'],
    'Time from a task start to its final outcome, in seconds.',
  ),
  coordinationImpact: gauge(
    'agentswarm_coordination_impact_ratio',
    ['coordination_type'],
    'Relative improvement of the targeted score after the latest succeeded task of the type.',
  ),
  alertsReceived: counter(
    'agentswarm_alerts_received_total',
    ['status', 'result'],
    'Alertmanager alerts received, by alert status and result (accepted, duplicate, invalid, unauthorized).',
  ),
  ingestSamples: counter(
    'agentswarm_ingest_samples_total',
    ['source', 'result'],
    'Samples ingested, by source (push, scrape, query, otlp) and result (accepted, rejected).',
  ),
  scrapeTargetUp: gauge('agentswarm_scrape_target_up', ['target'], '1 if the last scrape of the target succeeded, else 0.'),
  scrapeDuration: gauge('agentswarm_scrape_duration_seconds', ['target'], 'Duration of the last scrape of the target in seconds.'),
  analysisDuration: histogram('agentswarm_analysis_duration_seconds', [], 'Duration of one analysis cycle in seconds.'),
  analysisLastSuccess: gauge('agentswarm_analysis_last_success_timestamp_seconds', [], 'Unix time of the last successful analysis cycle.'),
} as const satisfies Record<string, MetricSpec>;

/** Per-agent latest-value gauges of the canonical metrics. */
export const CANONICAL_GAUGES: readonly MetricSpec[] = CANONICAL_METRICS.map((m) =>
  gauge(CANONICAL_METRIC_SPECS[m].gauge, AGENT, CANONICAL_METRIC_SPECS[m].help),
);

/** Every metric name the exporter can expose (for rules-pack and dashboard checks). */
export function allMetricSpecs(): readonly MetricSpec[] {
  return [...Object.values(METRICS), ...CANONICAL_GAUGES];
}

/**
 * The exporter's own process and runtime families (prom-client defaults, src/exposition/process-metrics.ts):
 * not part of allMetricSpecs() because their names are prom-client's, not ours. process_open_fds,
 * process_max_fds, process_virtual_memory_bytes and process_heap_bytes exist on Linux only.
 */
export const PROCESS_METRICS: readonly MetricSpec[] = [
  counter('process_cpu_user_seconds_total', [], 'Total user CPU time spent in seconds.'),
  counter('process_cpu_system_seconds_total', [], 'Total system CPU time spent in seconds.'),
  counter('process_cpu_seconds_total', [], 'Total user and system CPU time spent in seconds.'),
  gauge('process_start_time_seconds', [], 'Start time of the process since unix epoch in seconds.'),
  gauge('process_resident_memory_bytes', [], 'Resident memory size in bytes.'),
  gauge('process_virtual_memory_bytes', [], 'Virtual memory size in bytes.'),
  gauge('process_heap_bytes', [], 'Process heap size in bytes.'),
  gauge('process_open_fds', [], 'Number of open file descriptors.'),
  gauge('process_max_fds', [], 'Maximum number of open file descriptors.'),
  gauge('nodejs_eventloop_lag_seconds', [], 'Lag of event loop in seconds.'),
  gauge('nodejs_eventloop_lag_min_seconds', [], 'The minimum recorded event loop delay.'),
  gauge('nodejs_eventloop_lag_max_seconds', [], 'The maximum recorded event loop delay.'),
  gauge('nodejs_eventloop_lag_mean_seconds', [], 'The mean of the recorded event loop delays.'),
  gauge('nodejs_eventloop_lag_stddev_seconds', [], 'The standard deviation of the recorded event loop delays.'),
  gauge('nodejs_eventloop_lag_p50_seconds', [], 'The 50th percentile of the recorded event loop delays.'),
  gauge('nodejs_eventloop_lag_p90_seconds', [], 'The 90th percentile of the recorded event loop delays.'),
  gauge('nodejs_eventloop_lag_p99_seconds', [], 'The 99th percentile of the recorded event loop delays.'),
  gauge(
    'nodejs_active_resources',
    ['type'],
    'Number of active resources that are currently keeping the event loop alive, grouped by async resource type.',
  ),
  gauge('nodejs_active_handles', ['type'], 'Number of active libuv handles grouped by handle type. Every handle type is C++ class name.'),
  gauge(
    'nodejs_active_requests',
    ['type'],
    'Number of active libuv requests grouped by request type. Every request type is C++ class name.',
  ),
  gauge('nodejs_heap_size_total_bytes', [], 'Process heap size from Node.js in bytes.'),
  gauge('nodejs_heap_size_used_bytes', [], 'Process heap size used from Node.js in bytes.'),
  gauge('nodejs_external_memory_bytes', [], 'Node.js external memory size in bytes.'),
  gauge('nodejs_heap_space_size_total_bytes', ['space'], 'Process heap space size total from Node.js in bytes.'),
  gauge('nodejs_heap_space_size_used_bytes', ['space'], 'Process heap space size used from Node.js in bytes.'),
  gauge('nodejs_heap_space_size_available_bytes', ['space'], 'Process heap space size available from Node.js in bytes.'),
  gauge('nodejs_version_info', ['version', 'major', 'minor', 'patch'], 'Node.js version info.'),
  histogram('nodejs_gc_duration_seconds', ['kind'], 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.'),
];
