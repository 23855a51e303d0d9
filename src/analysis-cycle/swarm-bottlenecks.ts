// Bottleneck ranking of one swarm: reads each agent's utilisation, queue trend, throughput and
// latency from the windows and scores them (kernel and its operational-law model: analysis/bottleneck.ts).
import { bottleneckScores, type LeadEdge } from '../analysis/bottleneck.js';
import { WINDOWS_PER_SLICE, type Sliced } from '../analysis/sliced.js';
import type { AgentRecord } from '../store/agent-record.js';
import type { AlignedWindows } from '../store/aligned-windows.js';
import { LEAD_MIN_ABS_R } from './swarm-lead-lag.js';
import type { BottleneckEntry, LeadLag } from './swarm-analysis.js';
import { utilisationOf } from './utilisation.js';
import { finiteMean, finiteMedian, ringOf, ringSlope } from './window-reads.js';

export interface BottleneckInputs {
  readonly windows: AlignedWindows;
  readonly agents: readonly AgentRecord[];
  readonly stepMs: number;
  /** Lead/lag findings of the step, or null when none were searched (the component is then unknown). */
  readonly leads: readonly LeadLag[] | null;
  /** Two buffers of at least the window's capacity. */
  readonly scratch: readonly [Float64Array, Float64Array];
  /** An all-NaN ring of the window's capacity, for agents without a series. */
  readonly missing: Float64Array;
  /**
   * The median of an agent's response_time window when already known (the anomaly track keeps it
   * sorted: O(1)), else undefined and it is computed here.
   */
  readonly latencyMedian?: (agent: string) => number | undefined;
}

/** Scores every agent; strongest first (ties by agent id). Agents with no known component are left out. */

/** The ranking, in slices (analysis/sliced.ts): a safe point every WINDOWS_PER_SLICE agents read. */
export function* swarmBottlenecks(inputs: BottleneckInputs): Sliced<BottleneckEntry[]> {
  const { windows, agents, scratch, missing } = inputs;
  const n = agents.length;
  const index = new Map(agents.map((a, i) => [a.id, i]));
  const queueSlope = new Float64Array(n);
  const throughput = new Float64Array(n);
  const queueDepth = new Float64Array(n);
  const latency = new Float64Array(n);
  const stepSeconds = inputs.stepMs / 1000;
  for (let i = 0; i < n; i += 1) {
    if (i % WINDOWS_PER_SLICE === WINDOWS_PER_SLICE - 1) yield;
    const agent = agents[i] as AgentRecord;
    // The slope reads the ring in step order; means and medians do not care about the order.
    const queue = windows.view('queue_depth', agent.id);
    queueSlope[i] = queue === undefined ? Number.NaN : ringSlope(queue.values, queue.head, queue.filled) / stepSeconds;
    queueDepth[i] = finiteMean(ringOf(windows, 'queue_depth', agent.id, missing));
    throughput[i] = finiteMean(ringOf(windows, 'throughput', agent.id, missing));
    latency[i] = inputs.latencyMedian?.(agent.id) ?? finiteMedian(ringOf(windows, 'response_time', agent.id, missing), scratch[1]);
  }
  yield;
  // A leader's latency or queue preceding a follower's is upstream impact.
  const edges: LeadEdge[] | null =
    inputs.leads === null
      ? null
      : inputs.leads
          .filter((l) => l.metric === 'response_time' || l.metric === 'queue_depth')
          .flatMap((l) => {
            const leader = index.get(l.leader);
            const follower = index.get(l.follower);
            return leader === undefined || follower === undefined ? [] : [{ leader, follower, lagSteps: l.lag_steps, r: l.r }];
          });
  const scores = bottleneckScores({
    utilisation: Float64Array.from(agents, utilisationOf),
    queueSlope,
    throughput,
    queueDepth,
    windowSeconds: windows.filled * stepSeconds,
    latency,
    leads: edges,
    minLeadR: LEAD_MIN_ABS_R,
  });
  const named: readonly [string, Float64Array][] = [
    ['utilization', scores.utilisation],
    ['queue_growth', scores.queueGrowth],
    ['latency_inflation', scores.latencyInflation],
    ['upstream_impact', scores.upstreamImpact],
  ];
  const entries: BottleneckEntry[] = [];
  agents.forEach((agent, i) => {
    const score = scores.score[i] ?? Number.NaN;
    if (!Number.isFinite(score)) return;
    const components: Record<string, number> = {};
    for (const [name, values] of named) {
      const v = values[i] ?? Number.NaN;
      if (Number.isFinite(v)) components[name] = v;
    }
    entries.push({ agent: agent.id, type: agent.type, score, components });
  });
  return entries.sort((a, b) => b.score - a.score || (a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0));
}
