// Lead/lag of the exposed pairs: for each metric's top pairs, the shift (within analysis.max_lag
// steps) at which their first differences correlate best (kernel: analysis/lead-lag.ts).
import { leadLag } from '../analysis/lead-lag.js';
import type { CorrelatedPair } from '../analysis/top-pairs.js';
import type { AlignedWindows } from '../store/aligned-windows.js';
import type { LeadLag } from './swarm-analysis.js';

/** |r| a lagged pair needs to count as a lead (exposed, and used by the bottleneck score). */
export const LEAD_MIN_ABS_R = 0.5;

export interface LeadLagInputs {
  readonly windows: AlignedWindows;
  /** Per metric: its exposed pairs, as slot indexes. */
  readonly topSlots: ReadonlyMap<string, readonly CorrelatedPair[]>;
  readonly agentAt: (slot: number) => string | undefined;
  readonly maxLag: number;
  readonly stepSeconds: number;
  /** Two buffers of at least the window's capacity, reused for every pair. */
  readonly scratch: readonly [Float64Array, Float64Array];
}

/**
 * Differences, not levels: levels of smooth or trending series correlate at every lag, while their
 * changes show when things happen. Lag 0 is not a lead and is left out.
 */
export function swarmLeadLags(inputs: LeadLagInputs): LeadLag[] {
  const out: LeadLag[] = [];
  const [x, y] = inputs.scratch;
  for (const [metric, pairs] of inputs.topSlots) {
    for (const p of pairs) {
      const a = inputs.agentAt(p.a);
      const b = inputs.agentAt(p.b);
      if (a === undefined || b === undefined) continue;
      const found = leadLag(inputs.windows.chronological(metric, a, x), inputs.windows.chronological(metric, b, y), inputs.maxLag, { difference: true });
      if (found === null || found.lag === 0 || !(Math.abs(found.r) >= LEAD_MIN_ABS_R)) continue;
      const [leader, follower] = found.lag > 0 ? [a, b] : [b, a];
      const steps = Math.abs(found.lag);
      out.push({ metric, leader, follower, lag_steps: steps, lag_seconds: steps * inputs.stepSeconds, r: found.r });
    }
  }
  return out;
}
