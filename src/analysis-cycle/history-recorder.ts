// Periodic history for later inspection: a compact analysis snapshot per swarm and downsampled agent
// states, written to the task store (which applies storage.retention).
import type { JsonValue } from '../model/task-records.js';
import { nextTurn } from '../runtime/slice-pauser.js';
import type { AgentRegistry } from '../store/agent-registry.js';
import type { SwarmAnalysis } from './swarm-analysis.js';

/** One agent-state row per agent per bucket: 5 minutes keeps a week of 1,000 agents near 2M rows. */
export const AGENT_STATE_BUCKET_MS = 5 * 60_000;
/** Entries kept per ranked list in a stored snapshot. */
const KEEP = 20;

export interface HistorySink {
  recordAnalysisSnapshot(swarm: string, body: JsonValue, takenAt?: number): void;
  recordAgentStates(
    states: readonly {
      swarm: string;
      agent: string;
      status: string;
      healthScore: number | undefined;
      metrics: Readonly<Record<string, number>>;
    }[],
    bucketMs?: number,
  ): void;
}

/** The snapshot without its per-agent tables (those scale with N; the agent states hold them). */
export function compactSnapshot(s: SwarmAnalysis): JsonValue {
  const { anomaly_scores: _scores, utilization: _utilization, load_balance, ...rest } = s;
  const compact = {
    ...rest,
    bottlenecks: s.bottlenecks.slice(0, KEEP),
    anomalies: s.anomalies.slice(0, KEEP),
    load_balance: { index: load_balance.index, mean_utilization: load_balance.mean_utilization },
  };
  return JSON.parse(JSON.stringify(compact)) as JsonValue;
}

/**
 * Agent states written in one call (one transaction of a synchronous store). 5,000 agents in one
 * SQLite transaction held the event loop 90–130 ms; in parts, scrapes and pushes are served between
 * them. A row per (agent, bucket) is independent of the others, so parts lose nothing.
 */
export const AGENT_STATES_PER_WRITE = 500;

/**
 * Writes the snapshots, then the agent states AGENT_STATES_PER_WRITE at a time with `pause` awaited
 * between two parts (each part reads its agents' states when it is written).
 */
export async function recordHistory(
  sink: HistorySink,
  registry: AgentRegistry,
  latest: ReadonlyMap<string, SwarmAnalysis>,
  pause: () => Promise<void> = nextTurn,
): Promise<void> {
  for (const s of latest.values()) sink.recordAnalysisSnapshot(s.swarm, compactSnapshot(s), s.computed_at);
  const agents = [...registry.agents()];
  for (let from = 0; from < agents.length; from += AGENT_STATES_PER_WRITE) {
    if (from > 0) await pause();
    const states = agents.slice(from, from + AGENT_STATES_PER_WRITE).map((a) => {
      const metrics: Record<string, number> = {};
      for (const [name, held] of a.latest) if (Number.isFinite(held.value)) metrics[name] = held.value;
      return { swarm: a.swarm, agent: a.id, status: a.health?.status ?? 'unknown', healthScore: a.health?.score, metrics };
    });
    sink.recordAgentStates(states, AGENT_STATE_BUCKET_MS);
  }
}
