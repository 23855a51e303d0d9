// The swarm as one system at one instant: collective throughput, the share of agent time spent
// coordinating, and the message rate. Pure: per-agent latest values in, totals out.

export interface AgentLoad {
  /** Agent is live (heartbeat or samples within agents.heartbeat_timeout). */
  readonly up: boolean;
  /** Declared concurrent task slots, or undefined (then weighted as 1). */
  readonly capacity: number | undefined;
  /** Latest values; NaN where the agent sent none. */
  readonly throughput: number;
  readonly coordinationLoad: number;
  readonly messagesPerSecond: number;
}

export interface SwarmTotals {
  /** Live agents. */
  readonly agentsUp: number;
  /** Σ throughput over live agents that report it (tasks per second); NaN when none does. */
  readonly throughput: number;
  /**
   * Capacity-weighted share of agent time spent coordinating, in [0, 1]:
   *   Σ wᵢ·coordination_loadᵢ / Σ wᵢ,  wᵢ = capacityᵢ (1 without one),
   * over live agents that report coordination_load; NaN when none does. A ten-slot agent that
   * coordinates half its time costs the swarm ten times the slots of a one-slot agent doing so.
   */
  readonly coordinationOverhead: number;
  /** Σ messages_per_second over live agents that report it; NaN when none does. */
  readonly messagesPerSecond: number;
}

export function swarmTotals(agents: Iterable<AgentLoad>): SwarmTotals {
  let agentsUp = 0;
  let throughput = 0;
  let throughputSeen = false;
  let weighted = 0;
  let weights = 0;
  let messages = 0;
  let messagesSeen = false;
  for (const a of agents) {
    if (!a.up) continue;
    agentsUp += 1;
    if (Number.isFinite(a.throughput)) {
      throughput += a.throughput;
      throughputSeen = true;
    }
    if (Number.isFinite(a.coordinationLoad)) {
      const w = a.capacity !== undefined && a.capacity > 0 ? a.capacity : 1;
      weighted += w * a.coordinationLoad;
      weights += w;
    }
    if (Number.isFinite(a.messagesPerSecond)) {
      messages += a.messagesPerSecond;
      messagesSeen = true;
    }
  }
  return {
    agentsUp,
    throughput: throughputSeen ? throughput : Number.NaN,
    coordinationOverhead: weights > 0 ? weighted / weights : Number.NaN,
    messagesPerSecond: messagesSeen ? messages : Number.NaN,
  };
}
