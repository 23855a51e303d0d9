// Load balance of a swarm: Jain's fairness index J = (Σx)² / (n·Σx²) of agent utilisations
// (Jain, Chiu & Hawe, "A Quantitative Measure of Fairness and Discrimination", DEC-TR-301, 1984).
// J = 1 when every agent carries the same load and 1/n when one agent carries it all.

export interface LoadBalance {
  /** Jain's index in [1/n, 1]; 1 when n = 0 or every load is 0 (nothing is unfair). */
  readonly index: number;
  /** Agents counted (finite, ≥ 0 loads). */
  readonly count: number;
  /** Mean load of the counted agents (0 when none). */
  readonly mean: number;
  /** Per agent: load − mean (same unit as the input); NaN for agents not counted. */
  readonly deviations: Float64Array;
}

/**
 * `loads[i]`: agent i's utilisation (0..1) or any non-negative load. NaN, infinite and negative
 * entries are not loads and are left out (their deviation is NaN). O(n).
 */
export function loadBalance(loads: ArrayLike<number>): LoadBalance {
  let n = 0;
  let max = 0;
  let total = 0;
  for (let i = 0; i < loads.length; i += 1) {
    const x = loads[i] as number;
    if (!(Number.isFinite(x) && x >= 0)) continue;
    n += 1;
    total += x;
    if (x > max) max = x;
  }
  // Sums of x / max: the index is scale-free, and squares of huge loads cannot overflow.
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < loads.length && max > 0; i += 1) {
    const x = loads[i] as number;
    if (!(Number.isFinite(x) && x >= 0)) continue;
    const y = x / max;
    sum += y;
    sumSq += y * y;
  }
  const mean = n === 0 ? 0 : total / n;
  const deviations = new Float64Array(loads.length);
  for (let i = 0; i < loads.length; i += 1) {
    const x = loads[i] as number;
    deviations[i] = Number.isFinite(x) && x >= 0 ? x - mean : NaN;
  }
  const index = n === 0 || sumSq === 0 ? 1 : Math.min(1, (sum * sum) / (n * sumSq));
  return { index, count: n, mean, deviations };
}

/**
 * Jain's index of the counted loads (loadBalance's `index`), undefined when no load counts: the
 * value of agentswarm_load_balance_index, whose snapshot field is null then.
 */
export function jainIndex(loads: ArrayLike<number>): number | undefined {
  const balance = loadBalance(loads);
  return balance.count > 0 ? balance.index : undefined;
}
