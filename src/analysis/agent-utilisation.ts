// An agent's utilisation, the one formula behind agentswarm_agent_utilization_ratio, the load-balance
// index, the bottleneck score and the plans' balance index (pure).

/**
 * active_tasks / capacity in [0, 1] when the agent declared a capacity (> 0) and reports
 * active_tasks (the utilisation law's busy share of its slots), else its cpu_usage; NaN when
 * neither is known. Inputs are the latest values, NaN when absent.
 */
export function agentUtilisation(activeTasks: number, capacity: number | undefined, cpuUsage: number): number {
  if (capacity !== undefined && capacity > 0 && Number.isFinite(activeTasks)) return Math.min(1, Math.max(0, activeTasks / capacity));
  return cpuUsage;
}
