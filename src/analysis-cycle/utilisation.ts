// An agent record's utilisation, the input of the load-balance index and of the bottleneck score.
import { agentUtilisation } from '../analysis/agent-utilisation.js';
import type { AgentRecord } from '../store/agent-record.js';

/** agentUtilisation (analysis/agent-utilisation.ts) of the record's latest values. */
export function utilisationOf(agent: AgentRecord): number {
  return agentUtilisation(agent.value('active_tasks'), agent.capacity, agent.value('cpu_usage'));
}
