// An agent's utilisation, the input of the load-balance index and of the bottleneck score.
import type { AgentRecord } from '../store/agent-record.js';

/**
 * active_tasks / capacity in [0, 1] when the agent declared a capacity (the utilisation law's busy
 * share of its slots), else its cpu_usage; NaN when neither is known.
 */
export function utilisationOf(agent: AgentRecord): number {
  const active = agent.value('active_tasks');
  if (agent.capacity !== undefined && agent.capacity > 0 && Number.isFinite(active)) return Math.min(1, Math.max(0, active / agent.capacity));
  return agent.value('cpu_usage');
}
