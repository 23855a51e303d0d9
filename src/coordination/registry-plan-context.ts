// PlanContext over the agent registry (agents now) and an optional analysis source (latest snapshot).
import type { AgentRegistry } from '../store/agent-registry.js';
import type { PlanAgent, PlanAnalysis, PlanContext } from './plan-context.js';

/**
 * Adapts the registry for plans. `analysis` gives the latest analysis results of a swarm, once
 * the analysis engine provides them; without it plans carry what the registry knows.
 */
export function registryPlanContext(
  registry: AgentRegistry,
  analysis: (swarm: string) => PlanAnalysis | undefined = () => undefined,
): PlanContext {
  return {
    swarms: () => [...registry.swarms()].map((s) => s.name).sort(),
    agents: (swarm) => {
      const state = registry.swarm(swarm);
      if (state === undefined) return [];
      const out: PlanAgent[] = [];
      for (const agent of state.agents.values()) {
        const values: Record<string, number> = {};
        for (const [metric, latest] of agent.latest) if (Number.isFinite(latest.value)) values[metric] = latest.value;
        out.push({
          id: agent.id,
          type: agent.type,
          variant: agent.variant,
          status: agent.up ? (agent.health?.status ?? 'good') : 'failed',
          healthScore: agent.up ? agent.health?.score : 0,
          lastSeen: agent.lastSeen,
          capacity: agent.capacity !== undefined && agent.capacity > 0 ? agent.capacity : undefined,
          values,
        });
      }
      return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    analysis,
  };
}
