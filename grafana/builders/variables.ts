// Template variables: the datasource picker and the swarm / agent / metric selectors, all read from recorded or exported series.
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import { DatasourceVariableBuilder, QueryVariableBuilder, VariableRefresh, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard';
import type { VariableModel } from '@grafana/grafana-foundation-sdk/dashboard';
import { DATASOURCE, DATASOURCE_VARIABLE } from './panels.js';

/** The datasource picker; Grafana preselects the default Prometheus (provisioned uid `prometheus`). */
export function datasourceVariable(): cog.Builder<VariableModel> {
  return new DatasourceVariableBuilder(DATASOURCE_VARIABLE)
    .label('Data source')
    .description('Prometheus that scrapes the agentswarm exporter and evaluates the rules pack.')
    .type('prometheus');
}

function labelValues(name: string, label: string, query: string, description: string): QueryVariableBuilder {
  return new QueryVariableBuilder(name)
    .label(label)
    .description(description)
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc);
}

/**
 * Swarm selector, from the recorded agent count so that it lists every swarm with known
 * agents. `multi` allows several swarms (and All, matching any swarm with `.*`).
 */
export function swarmVariable(multi: boolean): cog.Builder<VariableModel> {
  const builder = labelValues(
    'swarm',
    'Swarm',
    'label_values(swarm:agentswarm_agent_up:count, swarm)',
    'Swarm (group of agents analysed together).',
  );
  return multi ? builder.multi(true).includeAll(true).allValue('.*') : builder;
}

/** Agent selector within the selected swarm. */
export function agentVariable(): cog.Builder<VariableModel> {
  return labelValues('agent', 'Agent', 'label_values(agentswarm_agent_up{swarm="$swarm"}, agent)', 'Agent of the selected swarm.');
}

/** Metric selector for correlation panels: the metrics the exporter correlates in the swarm. */
export function metricVariable(): cog.Builder<VariableModel> {
  return labelValues(
    'metric',
    'Metric',
    'label_values(agentswarm_correlation_mean_abs{swarm="$swarm"}, metric)',
    'Metric whose cross-agent correlations are shown.',
  );
}
