// Swarm as a system dashboard ($swarm): collective throughput against agent count with the fitted
// scalability law, coordination overhead, recovery times, and the interaction topology.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboard, type Row } from './dashboard.js';
import { PRESSURE_STEPS, TASKS_PER_SECOND, nodeGraph, stat, timeseries } from './panels.js';
import { datasourceVariable, swarmVariable } from './variables.js';

const S = 'swarm="$swarm"';

function scalabilityRow(): Row {
  return {
    title: 'Throughput and scalability',
    panels: [
      timeseries({
        title: 'Collective throughput and agents up',
        description:
          'Tasks per second of the whole swarm (agentswarm_swarm_throughput_tasks_per_second) next to the agents up (swarm:agentswarm_agent_up:sum), and what the fitted Universal Scalability Law predicts at that agent count: X(N) = λN / (1 + σ(N−1) + κN(N−1)), with λ estimated as throughput per agent at the best fit. A measured line far below the law is the swarm under-loaded, not a scaling limit.',
        unit: TASKS_PER_SECOND,
        queries: [
          { expr: `agentswarm_swarm_throughput_tasks_per_second{${S}}`, legend: 'throughput' },
          { expr: `swarm:agentswarm_agent_up:sum{${S}}`, legend: 'agents up' },
        ],
        min: 0,
        width: 12,
        height: 9,
      }),
      stat(
        {
          title: 'Contention σ',
          description:
            "Serial share of the work (agentswarm_swarm_scalability_contention): with σ alone, throughput approaches 1/σ agents' worth and never falls. Absent while the history has too few distinct agent counts to identify the law.",
          unit: 'none',
          decimals: 4,
          queries: [{ expr: `agentswarm_swarm_scalability_contention{${S}}`, instant: true }],
          width: 3,
          height: 9,
        },
        { noValue: 'not identified' },
      ),
      stat(
        {
          title: 'Coherency κ',
          description:
            'Cost of keeping agents consistent with each other, growing with N² (agentswarm_swarm_scalability_coherency). κ > 0 means adding agents eventually lowers throughput.',
          unit: 'none',
          decimals: 5,
          queries: [{ expr: `agentswarm_swarm_scalability_coherency{${S}}`, instant: true }],
          width: 3,
          height: 9,
        },
        { noValue: 'not identified' },
      ),
      stat(
        {
          title: 'Peak agents N*',
          description:
            'Agent count beyond which the fitted throughput falls, √((1 − σ)/κ) (agentswarm_swarm_scalability_peak_agents); absent while κ is not significantly above 0 (more than two standard errors).',
          unit: 'short',
          decimals: 0,
          queries: [{ expr: `agentswarm_swarm_scalability_peak_agents{${S}}`, instant: true }],
          width: 3,
          height: 9,
        },
        { noValue: 'no peak' },
      ),
      stat({
        title: 'Fit R²',
        description:
          'Share of the variance of collective throughput the law explains (agentswarm_swarm_scalability_fit_r2); below 0.8 read σ and κ with care.',
        unit: 'percentunit',
        queries: [{ expr: `agentswarm_swarm_scalability_fit_r2{${S}}`, instant: true }],
        steps: [
          { value: null, color: 'orange' },
          { value: 0.8, color: 'green' },
        ],
        width: 3,
        height: 9,
      }),
    ],
  };
}

function coordinationRow(): Row {
  return {
    title: 'Coordination and communication',
    panels: [
      timeseries({
        title: 'Coordination overhead',
        description:
          'Capacity-weighted share of agent time spent coordinating instead of working, 0..1 shown as % (agentswarm_swarm_coordination_overhead_ratio). Rising with the agent count is the coherency cost κ at work.',
        unit: 'percentunit',
        queries: [{ expr: `agentswarm_swarm_coordination_overhead_ratio{${S}}`, legend: 'overhead' }],
        min: 0,
        max: 1,
        steps: PRESSURE_STEPS,
        width: 12,
      }),
      timeseries({
        title: 'Messages per second',
        description:
          "Messages the swarm's agents exchange per second (agentswarm_swarm_messages_per_second), per live agent, and the busiest agent (agentswarm_agent_messages_per_second); absent when no agent reports messages_per_second.",
        unit: 'short',
        queries: [
          { expr: `agentswarm_swarm_messages_per_second{${S}}`, legend: 'messages/s' },
          { expr: `agentswarm_swarm_messages_per_second{${S}} / swarm:agentswarm_agent_up:sum{${S}}`, legend: 'per agent' },
          { expr: `max by (swarm) (agentswarm_agent_messages_per_second{${S}})`, legend: 'busiest agent' },
        ],
        min: 0,
        width: 12,
      }),
    ],
  };
}

function recoveryRow(): Row {
  return {
    title: 'Fault tolerance',
    panels: [
      timeseries({
        title: 'Mean time to recovery',
        description:
          'Mean time from an agent turning failed to its return to good or optimal health over the last hour (agentswarm_agent_recovery_seconds sum / count).',
        unit: 's',
        queries: [
          {
            expr: `sum by (swarm) (increase(agentswarm_agent_recovery_seconds_sum{${S}}[1h])) / (sum by (swarm) (increase(agentswarm_agent_recovery_seconds_count{${S}}[1h])) > 0)`,
            legend: 'MTTR',
          },
        ],
        min: 0,
        width: 12,
      }),
      timeseries({
        title: 'Recoveries by duration',
        description:
          'Recoveries per hour by how long they took (agentswarm_agent_recovery_seconds buckets): most should land in the shortest buckets.',
        unit: 'short',
        queries: [{ expr: `sum by (le) (increase(agentswarm_agent_recovery_seconds_bucket{${S}}[1h]))`, legend: '≤ {{le}} s' }],
        min: 0,
        width: 12,
      }),
    ],
  };
}

function topologyRow(): Row {
  return {
    title: 'Interaction topology',
    panels: [
      nodeGraph({
        title: 'Who moves with whom',
        description:
          'Agents as nodes (main stat: health score) and their significant links as edges: lead/lag from leader to follower (agentswarm_agent_lead_lag_seconds, main stat in seconds) and exposed correlations of changes (agentswarm_agent_correlation, main stat r).',
        unit: 'none',
        queries: [
          {
            refId: 'nodes',
            table: true,
            instant: true,
            expr: `label_replace(agentswarm_agent_health_score{${S}}, "id", "$1", "agent", "(.+)")`,
          },
          {
            refId: 'edges',
            table: true,
            instant: true,
            expr: `label_join(label_replace(label_replace(agentswarm_agent_lead_lag_seconds{${S}}, "source", "$1", "leader", "(.+)"), "target", "$1", "follower", "(.+)") or label_replace(label_replace(agentswarm_agent_correlation{${S}}, "source", "$1", "agent_a", "(.+)"), "target", "$1", "agent_b", "(.+)"), "id", "/", "__name__", "metric", "source", "target")`,
          },
        ],
        width: 24,
        height: 14,
      }),
    ],
  };
}

/** Swarm as a system: does it scale, what does coordination cost, how fast does it heal, who drives whom? */
export function swarmSystemDashboard(): Dashboard {
  return buildDashboard({
    uid: 'agentswarm-system',
    title: 'Agent swarm / Swarm as a system',
    description:
      'Collective throughput and the Universal Scalability Law fitted to it, coordination overhead and messages, recovery times, and the interaction topology of one swarm.',
    variables: [datasourceVariable(), swarmVariable(false)],
    rows: [scalabilityRow(), coordinationRow(), recoveryRow(), topologyRow()],
  });
}
