// Capacity & forecast dashboard ($swarm): load with its forecast band, saturation, scaling recommendation, load balance.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboard, type Row } from './dashboard.js';
import { PRESSURE_STEPS, barGauge, stat, timeseries, valueMappings } from './panels.js';
import { datasourceVariable, swarmVariable } from './variables.js';

function forecastRow(): Row {
  return {
    title: 'Load and forecast',
    panels: [
      timeseries(
        {
          title: 'Load and forecast band',
          description:
            'Swarm load now (sum of active tasks, swarm:agentswarm_agent_active_tasks:sum) and the band between the lowest and highest forecast over the horizons of analysis.forecast_horizons (agentswarm_forecast_load). Trust the band only while the forecast is valid.',
          unit: 'short',
          queries: [
            { expr: 'swarm:agentswarm_agent_active_tasks:sum{swarm="$swarm"}', legend: 'load now' },
            { expr: 'max by (swarm) (agentswarm_forecast_load{swarm="$swarm"})', legend: 'forecast upper' },
            { expr: 'min by (swarm) (agentswarm_forecast_load{swarm="$swarm"})', legend: 'forecast lower' },
          ],
          min: 0,
          width: 16,
          height: 9,
        },
        { band: { upper: 'forecast upper', lower: 'forecast lower' } },
      ),
      stat(
        {
          title: 'Forecast valid',
          description:
            'Whether the forecast has enough data to be trusted (agentswarm_forecast_valid); scalers and AgentSwarmSaturationPredicted ignore an invalid forecast.',
          unit: 'none',
          queries: [{ expr: 'agentswarm_forecast_valid{swarm="$swarm"}', instant: true }],
          width: 4,
          height: 9,
        },
        {
          background: true,
          mappings: [valueMappings({ '1': { text: 'valid', color: 'green' }, '0': { text: 'not enough data', color: 'orange' } })],
        },
      ),
      stat(
        {
          title: 'Time to saturation',
          description:
            'Predicted time until the swarm load reaches its total capacity (agentswarm_forecast_saturation_seconds); "never" when no saturation is predicted. AgentSwarmSaturationPredicted fires under 30 minutes.',
          unit: 's',
          queries: [{ expr: 'agentswarm_forecast_saturation_seconds{swarm="$swarm"}', instant: true }],
          steps: [
            { value: null, color: 'red' },
            { value: 1800, color: 'orange' },
            { value: 3600, color: 'green' },
          ],
          width: 4,
          height: 9,
        },
        { noValue: 'never' },
      ),
      stat({
        title: 'Forecast confidence',
        description:
          'Confidence of the forecast at the longest served horizon, 0..1 shown as %: 1 minus the 95 % band half-width over the forecast (agentswarm_forecast_confidence).',
        unit: 'percentunit',
        queries: [{ expr: 'agentswarm_forecast_confidence{swarm="$swarm"}', instant: true }],
        min: 0,
        max: 1,
        width: 4,
      }),
      timeseries(
        {
          title: 'Forecast per horizon',
          description: 'Predicted swarm load at each forecast horizon (agentswarm_forecast_load).',
          unit: 'short',
          queries: [{ expr: 'agentswarm_forecast_load{swarm="$swarm"}', legend: 'in {{horizon}}' }],
          min: 0,
          width: 20,
        },
        { legendTable: true },
      ),
    ],
  };
}

function scalingRow(): Row {
  return {
    title: 'Scaling',
    panels: [
      timeseries(
        {
          title: 'Recommended agents per type',
          description:
            'Agents of each type needed at the longest forecast horizon (agentswarm_scaling_recommended_agents), next to the agents of that type up now (swarm_type:agentswarm_agent_up:sum).',
          unit: 'short',
          queries: [
            { expr: 'agentswarm_scaling_recommended_agents{swarm="$swarm"}', legend: '{{type}} recommended' },
            { expr: 'swarm_type:agentswarm_agent_up:sum{swarm="$swarm"}', legend: '{{type}} up' },
          ],
          min: 0,
          width: 12,
        },
        { legendTable: true },
      ),
      timeseries({
        title: 'Queued tasks',
        description:
          'Tasks waiting in the whole swarm (swarm:agentswarm_agent_queue_depth_tasks:sum): a queue that keeps growing means too little capacity now.',
        unit: 'short',
        queries: [{ expr: 'swarm:agentswarm_agent_queue_depth_tasks:sum{swarm="$swarm"}', legend: 'queued' }],
        min: 0,
        width: 12,
      }),
    ],
  };
}

function balanceRow(): Row {
  return {
    title: 'Balance and utilisation',
    panels: [
      timeseries(
        {
          title: 'Load-balance index',
          description:
            "Jain's fairness index of agent utilisation, 1/n..1 shown as %, 100% = perfectly even (agentswarm_load_balance_index). AgentSwarmLoadImbalance fires below 70% for 15 minutes (dashed).",
          unit: 'percentunit',
          queries: [{ expr: 'agentswarm_load_balance_index{swarm="$swarm"}', legend: 'balance' }],
          min: 0,
          max: 1,
          steps: [
            { value: null, color: 'red' },
            { value: 0.7, color: 'green' },
          ],
          width: 8,
        },
        { thresholdLines: true },
      ),
      timeseries({
        title: 'Utilisation',
        description:
          'Mean and highest agent utilisation of the swarm, 0..1 shown as % (swarm:agentswarm_agent_utilization_ratio:avg and :max): a wide gap is an imbalance.',
        unit: 'percentunit',
        queries: [
          { expr: 'swarm:agentswarm_agent_utilization_ratio:avg{swarm="$swarm"}', legend: 'mean' },
          { expr: 'swarm:agentswarm_agent_utilization_ratio:max{swarm="$swarm"}', legend: 'max' },
        ],
        min: 0,
        max: 1,
        width: 8,
      }),
      barGauge({
        title: 'Busiest agents',
        description: 'The 10 agents with the highest utilisation, active tasks / capacity shown as % (agentswarm_agent_utilization_ratio).',
        unit: 'percentunit',
        queries: [{ expr: 'topk(10, agentswarm_agent_utilization_ratio{swarm="$swarm"})', legend: '{{agent}}', instant: true }],
        min: 0,
        max: 1,
        steps: PRESSURE_STEPS,
        width: 8,
      }),
      timeseries({
        title: 'Resources and coordination',
        description: "Mean CPU and memory usage and mean coordination load of the swarm's agents, 0..1 shown as %.",
        unit: 'percentunit',
        queries: [
          { expr: 'swarm:agentswarm_agent_cpu_usage_ratio:avg{swarm="$swarm"}', legend: 'cpu' },
          { expr: 'swarm:agentswarm_agent_memory_usage_ratio:avg{swarm="$swarm"}', legend: 'memory' },
          { expr: 'swarm:agentswarm_agent_coordination_load_ratio:avg{swarm="$swarm"}', legend: 'coordination' },
        ],
        min: 0,
        max: 1,
        width: 24,
      }),
    ],
  };
}

/** Capacity & forecast: will the swarm keep up, and how many agents of each type does it need? */
export function capacityForecastDashboard(): Dashboard {
  return buildDashboard({
    uid: 'agentswarm-capacity',
    title: 'Agent swarm / Capacity & forecast',
    description: 'Load and its forecast, predicted saturation, scaling recommendation per agent type, and load balance of one swarm.',
    variables: [datasourceVariable(), swarmVariable(false)],
    rows: [forecastRow(), scalingRow(), balanceRow()],
  });
}
