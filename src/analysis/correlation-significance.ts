// Which cross-agent correlations are significant: a p-value per pair from Pearson's t test with an
// effective sample size for autocorrelation, and Benjamini–Hochberg over every defined pair of a swarm
// and metric at a false-discovery rate q (docs/analysis-correlation.md).
//
// p-value: Fisher's z, atanh(r)·√(n_eff − 3) ~ N(0, 1) under independence, two-sided.
// n_eff (Bartlett 1935; Bayley & Hammersley 1946) for two series whose changes are AR(1) with lag-1
// autocorrelations ρ_a, ρ_b: n_eff = n·(1 − ρ_a·ρ_b)/(1 + ρ_a·ρ_b), never above n (a negative product
// would inflate n; we keep n, which is conservative).
//
// BH without sorting N² p-values: every rejected pair has p ≤ τ* = k*·q/m ≤ q, and p of a pair is at
// least p(|r|, n_max) (n_eff ≤ n_max), so only pairs with |r| ≥ r_crit(τ, n_max) can be rejected.
// Starting from τ = q, the count c of such pairs bounds k* ≤ c, hence τ* ≤ c·q/m: a few compare-only
// passes over the matrix shrink τ, and only the survivors get an exact p-value and a sort.
import type { CorrelatedPair } from './top-pairs.js';

/** |ρ| of a row's changes is clamped to this before n_eff (a unit root would make n_eff 0). */
const MAX_ABS_RHO = 0.95;
/** Prefilter passes at most (each O(pairs) with row skipping); the survivors are exact anyway. */
const MAX_PASSES = 6;

/**
 * Two-sided p-value of r over n_eff effective points by Fisher's z: z = atanh|r|·√(n_eff − 3) is
 * standard normal under independence, p = erfc(z/√2). (1 when n_eff ≤ 3 or r undefined.) Chosen
 * over the exact t test because it costs a log and an erfc, not an incomplete beta function: a
 * coupled swarm can have 10⁵ candidate pairs per step.
 */
export function pearsonPValue(r: number, nEff: number): number {
  if (!(nEff > 3) || !Number.isFinite(r)) return 1;
  const abs = Math.min(1, Math.abs(r));
  if (abs === 1) return 0;
  const z = 0.5 * Math.log((1 + abs) / (1 - abs)) * Math.sqrt(nEff - 3);
  return Math.min(1, erfc(z / Math.SQRT2));
}

/**
 * Complementary error function for x ≥ 0, relative error below 1.2e-7 everywhere (the Chebyshev
 * fit of Numerical Recipes, 2nd ed., §6.2, erfcc): enough for a p-value compared against a bar.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const y =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? y : 2 - y;
}

/** Bartlett's effective sample size of a pair over n common points (see the module comment). */
export function effectiveSampleSize(n: number, rhoA: number, rhoB: number): number {
  const a = Number.isFinite(rhoA) ? Math.max(-MAX_ABS_RHO, Math.min(MAX_ABS_RHO, rhoA)) : 0;
  const b = Number.isFinite(rhoB) ? Math.max(-MAX_ABS_RHO, Math.min(MAX_ABS_RHO, rhoB)) : 0;
  const product = a * b;
  return product <= 0 ? n : (n * (1 - product)) / (1 + product);
}

/** Least |r| with pearsonPValue(|r|, nEff) ≤ p (bisection; 1 when none below 1 reaches it). */
export function criticalAbsR(p: number, nEff: number): number {
  if (!(nEff > 3) || !(p > 0)) return 1;
  if (p >= 1) return 0;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 60; i += 1) {
    const mid = (lo + hi) / 2;
    if (pearsonPValue(mid, nEff) <= p) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** What the test needs to know of a candidate pair: its common points and its rows' lag-1 autocorrelations. */
export interface PairFacts {
  readonly n: number;
  readonly rhoA: number;
  readonly rhoB: number;
}

export interface SignificanceInput {
  /** Packed upper triangle of r over `rows` rows (NaN = undefined pair). */
  readonly r: Float64Array;
  readonly rows: number;
  /** Number of defined pairs (m of BH); 0 computes it. */
  readonly tests?: number;
  /** Least upper bound of any pair's common points (the window's changes). */
  readonly nMax: number;
  /** False-discovery rate q in (0, 1). */
  readonly fdr: number;
  /** Keep only this many of the strongest significant pairs in `significant` (default: all). */
  readonly limit?: number;
  /** Common points and autocorrelations of a pair; called for prefilter survivors only. */
  readonly facts: (a: number, b: number) => PairFacts;
}

export interface SignificanceResult {
  /** BH cutoff τ* (pairs with p ≤ τ* are significant); 0 when none is. */
  readonly cutoff: number;
  /** Significant pairs, strongest |r| first (ties by (a, b)); at most `limit` of them when given. */
  readonly significant: readonly CorrelatedPair[];
  /**
   * The |r| bar in force: the least |r| a pair with nMax common points and uncorrelated changes
   * needs, at τ* (or at q/m, the first BH step, when nothing is significant). NaN without tests.
   */
  readonly barAbs: number;
  readonly tests: number;
}

/** p-value of one pair from its facts. */
export function pairPValue(r: number, facts: PairFacts): number {
  return pearsonPValue(r, effectiveSampleSize(facts.n, facts.rhoA, facts.rhoB));
}

/** Benjamini–Hochberg over every defined pair of `r` (see the module comment). */
export function significantPairs(input: SignificanceInput): SignificanceResult {
  const { r, rows: n, nMax, fdr } = input;
  const q = fdr;
  const rowMax = new Float64Array(Math.max(0, n));
  let m = 0;
  for (let a = 0; a < n - 1; a += 1) {
    const base = (a * (2 * n - a - 1)) / 2 - a - 1;
    let max = 0;
    for (let b = a + 1; b < n; b += 1) {
      const v = r[base + b] as number;
      if (v === v) {
        m += 1;
        const abs = v < 0 ? -v : v;
        if (abs > max) max = abs;
      }
    }
    rowMax[a] = max;
  }
  if (input.tests !== undefined && input.tests > 0) m = input.tests;
  if (m === 0) return { cutoff: 0, significant: [], barAbs: Number.NaN, tests: 0 };

  // Shrink τ: c(τ) pairs reach r_crit(τ, nMax), so k* ≤ c and τ* ≤ c·q/m.
  let tau = q;
  let bar = criticalAbsR(tau, nMax);
  for (let pass = 0; pass < MAX_PASSES; pass += 1) {
    const c = countAtLeast(r, n, rowMax, bar);
    const next = Math.min(tau, (c * q) / m);
    if (c === 0) {
      tau = 0;
      break;
    }
    const shrunk = next < tau * 0.9;
    tau = next;
    bar = criticalAbsR(tau, nMax);
    if (!shrunk) break;
  }

  // Candidates in parallel arrays: in a swarm moved by one load wave nearly every pair is one.
  const ca: number[] = [];
  const cb: number[] = [];
  const cr: number[] = [];
  const cp: number[] = [];
  if (tau > 0) {
    for (let a = 0; a < n - 1; a += 1) {
      if ((rowMax[a] as number) < bar) continue;
      const base = (a * (2 * n - a - 1)) / 2 - a - 1;
      for (let b = a + 1; b < n; b += 1) {
        const v = r[base + b] as number;
        if (!(Math.abs(v) >= bar)) continue;
        const p = pairPValue(v, input.facts(a, b));
        if (p <= tau) {
          ca.push(a);
          cb.push(b);
          cr.push(v);
          cp.push(p);
        }
      }
    }
  }
  // Step-up: the largest k with p_(k) ≤ k·q/m, over the p-values sorted as numbers (a typed sort,
  // no comparator calls).
  const sortedP = Float64Array.from(cp).sort();
  let k = 0;
  for (let i = 0; i < sortedP.length; i += 1) if ((sortedP[i] as number) <= ((i + 1) * q) / m) k = i + 1;
  const cutoff = (k * q) / m;
  // p ≤ cutoff selects exactly the k smallest: p_(k+1) > (k+1)·q/m > cutoff.
  let chosen: number[] = [];
  if (k > 0) for (let i = 0; i < cp.length; i += 1) if ((cp[i] as number) <= cutoff) chosen.push(i);
  const limit = input.limit;
  if (limit !== undefined && chosen.length > limit) {
    // Only the `limit` strongest are wanted: keep those at or above the limit-th |r|, then sort them.
    const abs = Float64Array.from(chosen, (i) => Math.abs(cr[i] as number)).sort();
    const least = abs[abs.length - Math.max(1, limit)] as number;
    chosen = limit === 0 ? [] : chosen.filter((i) => Math.abs(cr[i] as number) >= least);
  }
  const significant = chosen
    .map((i) => ({ a: ca[i] as number, b: cb[i] as number, r: cr[i] as number }))
    .sort((x, y) => Math.abs(y.r) - Math.abs(x.r) || x.a - y.a || x.b - y.b)
    .slice(0, limit ?? chosen.length);
  return { cutoff, significant, barAbs: criticalAbsR(k > 0 ? cutoff : q / m, nMax), tests: m };
}

/** Pairs with |r| ≥ bar, skipping rows whose largest |r| is below it. */
function countAtLeast(r: Float64Array, n: number, rowMax: Float64Array, bar: number): number {
  let c = 0;
  for (let a = 0; a < n - 1; a += 1) {
    if ((rowMax[a] as number) < bar) continue;
    const base = (a * (2 * n - a - 1)) / 2 - a - 1;
    for (let b = a + 1; b < n; b += 1) {
      const v = r[base + b] as number;
      if (v >= bar || -v >= bar) c += 1;
    }
  }
  return c;
}

/** Whether (a, b) with correlation r is significant at the cutoff of a previous test. */
export function isSignificant(r: number, facts: PairFacts, cutoff: number): boolean {
  return cutoff > 0 && Number.isFinite(r) && pairPValue(r, facts) <= cutoff;
}
