// The canonical metric vocabulary of docs/design.md#domain-model: names, units, ranges and their exposition names.

/** Canonical metrics the analysis understands. Any other valid name is a custom metric. */
export const CANONICAL_METRICS = [
  'cpu_usage',
  'memory_usage',
  'response_time',
  'throughput',
  'error_rate',
  'queue_depth',
  'active_tasks',
  'coordination_load',
  'messages_per_second',
] as const;

export type CanonicalMetric = (typeof CANONICAL_METRICS)[number];

export interface CanonicalMetricSpec {
  /** Exposed gauge name (docs/design.md#metrics). */
  readonly gauge: string;
  readonly help: string;
  /** Inclusive lower bound of a valid value. */
  readonly min: number;
  /** Inclusive upper bound of a valid value (Infinity = unbounded). */
  readonly max: number;
}

export const CANONICAL_METRIC_SPECS: Readonly<Record<CanonicalMetric, CanonicalMetricSpec>> = {
  cpu_usage: { gauge: 'agentswarm_agent_cpu_usage_ratio', help: 'Latest share of allotted CPU used by the agent (0..1).', min: 0, max: 1 },
  memory_usage: {
    gauge: 'agentswarm_agent_memory_usage_ratio',
    help: 'Latest share of allotted memory used by the agent (0..1).',
    min: 0,
    max: 1,
  },
  response_time: {
    gauge: 'agentswarm_agent_response_time_seconds',
    help: 'Latest task completion / response latency of the agent in seconds.',
    min: 0,
    max: Infinity,
  },
  throughput: {
    gauge: 'agentswarm_agent_throughput_tasks_per_second',
    help: 'Latest rate of completed tasks of the agent in tasks per second.',
    min: 0,
    max: Infinity,
  },
  error_rate: { gauge: 'agentswarm_agent_error_ratio', help: 'Latest share of failed tasks of the agent (0..1).', min: 0, max: 1 },
  queue_depth: { gauge: 'agentswarm_agent_queue_depth_tasks', help: 'Latest number of tasks waiting at the agent.', min: 0, max: Infinity },
  active_tasks: { gauge: 'agentswarm_agent_active_tasks', help: 'Latest number of tasks in progress at the agent.', min: 0, max: Infinity },
  coordination_load: {
    gauge: 'agentswarm_agent_coordination_load_ratio',
    help: 'Latest share of time the agent spends coordinating with other agents (0..1).',
    min: 0,
    max: 1,
  },
  messages_per_second: {
    gauge: 'agentswarm_agent_messages_per_second',
    help: 'Latest rate of messages the agent sends to other agents, per second.',
    min: 0,
    max: Infinity,
  },
};

const CANONICAL_SET: ReadonlySet<string> = new Set(CANONICAL_METRICS);

export function isCanonicalMetric(name: string): name is CanonicalMetric {
  return CANONICAL_SET.has(name);
}

/** Agent ids: docs/design.md#domain-model. */
export const AGENT_ID_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.:-]{0,127}$/;
/** Metric names (canonical or custom): docs/design.md#domain-model. Bounded to keep label values short. */
export const METRIC_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,99}$/;
/** Swarm names share the agent id alphabet so they are safe as label values and URL parts. */
export const SWARM_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.:-]{0,127}$/;
/** Agent types and variants: short, label-safe identifiers. */
export const TYPE_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.:-]{0,63}$/;

export const DEFAULT_SWARM = 'default';
export const DEFAULT_AGENT_TYPE = 'agent';
