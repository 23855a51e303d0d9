import { describe, expect, it } from 'vitest';
import { seeded } from '../analysis/support/random.js';
import { engineHarness } from '../support/engine-harness.js';

const AGENTS = 1000;
const WINDOW = 120;
const SEEDS = 10;
const TOP_PAIRS = 20;
const FDR = 0.05;
/**
 * Documented margin (docs/analysis-scores.md): under the complete null BH keeps P(any exposed pair)
 * ≤ q, so the mean count is about q·E[R | R > 0] ≈ 0.05–0.1, far below top_pairs × q = 1; the margin
 * only absorbs the spread of a 10-seed mean.
 */
const MARGIN = 0.5;

/**
 * 1,000 independent agents (registry ingest, no HTTP: 10 × 1,000 agents × 125 cycles), W = 120:
 * AR(0.5) noise around each agent's level; 200 of them trend (a linear drift), 100 join late (step
 * 40), each agent misses about one step in thirty (a gap: the heartbeat timeout is below the step).
 * No pair is coupled: every exposed pair is a false discovery.
 */
function exposedNullPairs(seed: number): Promise<number> {
  const h = engineHarness({ windowPoints: WINDOW, topPairs: TOP_PAIRS, limits: { heartbeatTimeoutMs: 500 } });
  const rng = seeded(seed);
  const noise = new Float64Array(AGENTS);
  const level = Float64Array.from({ length: AGENTS }, () => 2 + rng.next());
  const ids = Array.from({ length: AGENTS }, (_, i) => `agent-${String(i).padStart(4, '0')}`);
  return (async () => {
    let exposed = 0;
    for (let t = 0; t < WINDOW + 5; t += 1) {
      const step: Record<string, Record<string, number>> = {};
      for (let i = 0; i < AGENTS; i += 1) {
        noise[i] = 0.5 * (noise[i] ?? 0) + rng.gauss();
        if (i >= 900 && t < 40) continue; // late joiners
        if (rng.next() < 1 / 30) continue; // a missed step
        const drift = i < 200 ? 0.02 * t : 0;
        step[ids[i] ?? ''] = { response_time: (level[i] ?? 0) + drift + 0.1 * (noise[i] ?? 0) };
      }
      const analysis = await h.step(step);
      if (t === WINDOW + 4) exposed = analysis?.top_pairs.response_time?.length ?? 0;
    }
    return exposed;
  })();
}

describe(`exposed pairs of ${AGENTS} independent agents, W = ${WINDOW}, over ${SEEDS} seeds`, () => {
  it(`averages at most top_pairs × FDR + ${MARGIN} exposed (null) pairs`, async () => {
    const counts: number[] = [];
    for (let seed = 0; seed < SEEDS; seed += 1) counts.push(await exposedNullPairs(500 + seed));
    const mean = counts.reduce((s, x) => s + x, 0) / SEEDS;
    expect(mean, JSON.stringify(counts)).toBeLessThanOrEqual(TOP_PAIRS * FDR + MARGIN);
  }, 1_200_000);
});
