// Lead/lag of the exposed pairs (and of every pair in a small swarm): the shift (within
// analysis.max_lag steps) at which their first differences correlate best (kernel: analysis/lead-lag.ts).
import { criticalAbsR } from '../analysis/correlation-significance.js';
import { leadLag } from '../analysis/lead-lag.js';
import type { CorrelatedPair } from '../analysis/top-pairs.js';
import type { AlignedWindows } from '../store/aligned-windows.js';
import type { LeadLag } from './swarm-analysis.js';

/** |r| a lagged pair needs to count as a lead (exposed, and used by the bottleneck score). */
export const LEAD_MIN_ABS_R = 0.5;

/**
 * A swarm with at most this many agents has every pair of a metric searched for a lead, not only its
 * exposed pairs. The exposed pairs are those whose changes move together at the same step; a coupling
 * with a delay (a stage's latency reaching the next one 4 steps later) has a same-step correlation of
 * changes near 0 and would never be searched. Cost O(pairs·W·(2·max_lag + 1)) per metric: 190 pairs
 * at W = 120 and max_lag = 10 is about 0.5 M multiply-adds.
 */
export const LEAD_SCAN_MAX_AGENTS = 20;

/** Family-wise error rate of the leads found by the whole-swarm search (Bonferroni over pairs and lags). */
export const LEAD_SCAN_ALPHA = 0.01;

export interface LeadLagInputs {
  readonly windows: AlignedWindows;
  /** Per metric: its exposed pairs, as slot indexes. */
  readonly topSlots: ReadonlyMap<string, readonly CorrelatedPair[]>;
  readonly agentAt: (slot: number) => string | undefined;
  readonly maxLag: number;
  readonly stepSeconds: number;
  /** Slots in use (agentAt answers for them), for the whole-swarm search of a small swarm. */
  readonly slots: readonly number[];
  /** Two buffers of at least the window's capacity, reused for every pair. */
  readonly scratch: readonly [Float64Array, Float64Array];
}

/**
 * Differences, not levels: levels of smooth or trending series correlate at every lag, while their
 * changes show when things happen. Lag 0 is not a lead and is left out. Searched: each metric's
 * exposed pairs, and every pair when the swarm has at most LEAD_SCAN_MAX_AGENTS agents.
 */
export function swarmLeadLags(inputs: LeadLagInputs): LeadLag[] {
  const out: LeadLag[] = [];
  const [x, y] = inputs.scratch;
  const scan = inputs.slots.length <= LEAD_SCAN_MAX_AGENTS ? allPairs(inputs.slots) : null;
  // A searched pair that is not exposed needs |r| beyond chance over every pair and lag searched:
  // Fisher's z bar at LEAD_SCAN_ALPHA / (pairs · lags) over the window's changes.
  const changes = Math.max(0, inputs.windows.filled - 1);
  const searchedBar = scan === null ? 1 : criticalAbsR(LEAD_SCAN_ALPHA / Math.max(1, scan.length * 2 * inputs.maxLag), changes);
  for (const [metric, exposed] of inputs.topSlots) {
    const isExposed = new Set(exposed.map((p) => key(p.a, p.b)));
    const pairs = scan === null ? exposed : [...exposed, ...scan.filter((p) => !isExposed.has(key(p.a, p.b)))];
    for (const p of pairs) {
      const a = inputs.agentAt(p.a);
      const b = inputs.agentAt(p.b);
      if (a === undefined || b === undefined) continue;
      const found = leadLag(inputs.windows.chronological(metric, a, x), inputs.windows.chronological(metric, b, y), inputs.maxLag, {
        difference: true,
      });
      if (found === null || found.lag === 0 || !(Math.abs(found.r) >= LEAD_MIN_ABS_R)) continue;
      if (!isExposed.has(key(p.a, p.b)) && !(Math.abs(found.r) >= searchedBar)) continue;
      const [leader, follower] = found.lag > 0 ? [a, b] : [b, a];
      const steps = Math.abs(found.lag);
      out.push({ metric, leader, follower, lag_steps: steps, lag_seconds: steps * inputs.stepSeconds, r: found.r });
    }
  }
  return out;
}

function key(a: number, b: number): number {
  return a < b ? a * 0x100000 + b : b * 0x100000 + a;
}

/** Every unordered pair of `slots`. */
function allPairs(slots: readonly number[]): { a: number; b: number }[] {
  const out: { a: number; b: number }[] = [];
  for (let i = 0; i < slots.length; i += 1)
    for (let j = i + 1; j < slots.length; j += 1) out.push({ a: slots[i] as number, b: slots[j] as number });
  return out;
}
