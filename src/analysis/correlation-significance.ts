// Which cross-agent correlations are significant: a p-value per pair from Pearson's t test with an
// effective sample size for autocorrelation, and Benjamini–Hochberg over every defined pair of a swarm
// and metric at a false-discovery rate q (docs/analysis-scores.md#cross-agent-correlation).
//
// p-value: Fisher's z, atanh(r)·√(n_eff − 3) ~ N(0, 1) under independence, two-sided.
// n_eff (Bartlett 1935; Bayley & Hammersley 1946) for two series whose changes are AR(1) with lag-1
// autocorrelations ρ_a, ρ_b: n_eff = n·(1 − ρ_a·ρ_b)/(1 + ρ_a·ρ_b), never above n (a negative product
// would inflate n; we keep n, which is conservative).
//
// BH without sorting N² p-values: every rejected pair has p ≤ τ* = k*·q/m ≤ q, and p of a pair is at
// least p(|r|, n_max) (n_eff ≤ n_max), so only pairs with |r| ≥ r_crit(τ, n_max) can be rejected.
// Starting from τ = q, the count c of such pairs bounds k* ≤ c, hence τ* ≤ c·q/m: a histogram of |r|
// built in the one pass over the matrix shrinks τ, and only the survivors get an exact p-value.
import type { KernelArena } from './kernel-arena.js';
import { HISTOGRAM_BINS, PackedRowScan, type FirstPassBars, type RowScanResult } from './packed-row-scan.js';
import { complete, SLICE_WORK, WINDOWS_PER_SLICE, type Sliced } from './sliced.js';
import type { CorrelatedPair } from './top-pairs.js';

/** |ρ| of a row's changes is clamped to this before n_eff (a unit root would make n_eff 0). */
const MAX_ABS_RHO = 0.95;
/** Prefilter steps at most (each a histogram lookup); the survivors are tested exactly anyway. */
const MAX_PASSES = 12;

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
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
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

/** What a row alone says about its pairs (see SignificanceInput.rowFacts). */
export interface RowFacts {
  readonly points: number;
  readonly rho: number;
}

export interface SignificanceInput {
  /** Packed upper triangle of r over `rows` rows (NaN = undefined pair). */
  readonly r: Float64Array;
  readonly rows: number;
  /** Least upper bound of any pair's common points (the window's changes). */
  readonly nMax: number;
  /** False-discovery rate q in (0, 1). */
  readonly fdr: number;
  /** Common points and autocorrelations of a pair; called for prefilter survivors only. */
  readonly facts: (a: number, b: number) => PairFacts;
  /**
   * A row's observed points (an upper bound of the common points of any pair it is in) and the
   * lag-1 autocorrelation `facts` gives it; called at most once per row. Without it every pair is
   * bounded by nMax and ρ = 0 only.
   */
  readonly rowFacts?: (a: number) => RowFacts;
  /** At most this many significant pairs are returned (the strongest); default all. */
  readonly limit?: number;
  /**
   * The kernel arena `r` lies in, if it does: its vector kernels then scan the rows (reserveRowScan
   * must have reserved room for `rows` before `r` was taken). Without it, the same scans in JS.
   */
  readonly arena?: KernelArena;
  /**
   * The first pass, already done by whoever computed `r` (StreamingCorrelation.rowScan), at the
   * bars of firstPassBars for this input: the test then reads the matrix only where a row can hold a
   * significant pair, or not at all when the candidates listed with it are enough.
   */
  readonly scanned?: RowScanResult | null;
}

export interface SignificanceResult {
  /** BH cutoff τ* (pairs with p ≤ τ* are significant); 0 when none is. */
  readonly cutoff: number;
  /** Significant pairs, strongest |r| first (ties by (a, b)); the first `limit` of them. */
  readonly significant: readonly CorrelatedPair[];
  /**
   * The |r| bar in force: the least |r| a pair with nMax common points and uncorrelated changes
   * needs, at τ* (or at q/m, the first BH step, when nothing is significant). NaN without tests.
   */
  readonly barAbs: number;
  /** Defined pairs: m of BH. */
  readonly tests: number;
  /**
   * τ of the second pass' bars (the first pass' histogram bound); 0 when no pair could be
   * significant. A good guess for the next step's candidate bars (firstPassBars).
   */
  readonly secondPassTau: number;
  /**
   * Mean |r| over the defined pairs, summed row by row in the scan's two vector lanes (equal to
   * summariseCorrelations' full pass within rounding); NaN without tests. Read here so that no other
   * pass over the matrix is needed.
   */
  readonly meanAbs: number;
}

/** p-value of one pair from its facts. */
export function pairPValue(r: number, facts: PairFacts): number {
  return pearsonPValue(r, effectiveSampleSize(facts.n, facts.rhoA, facts.rhoB));
}

/** Benjamini–Hochberg over every defined pair of `r` (see the module comment). */
export function significantPairs(input: SignificanceInput): SignificanceResult {
  return complete(significantPairsSliced(input));
}

/** Exact p-values (a facts lookup, a log and an erfc each) between two safe points. */
const PAIRS_PER_EXACT_SLICE = SLICE_WORK / 64;

/**
 * `significantPairs` in slices (sliced.ts): a safe point every SLICE_WORK pairs of each pass over
 * the matrix. `r` and whatever `facts` reads must not change until it has completed.
 */
export function* significantPairsSliced(input: SignificanceInput): Sliced<SignificanceResult> {
  const { r, rows: n, nMax, fdr } = input;
  const q = fdr;
  // One pass (PackedRowScan.stats: a vector kernel when r lies in the kernel arena; or none, when the
  // kernel that computed r did it: input.scanned): the defined pairs (m) and the sum of their |r|,
  // each row's largest |r| (rows below the bar are skipped later) and a histogram of |r| from each
  // row's threshold up (firstPassBars), from which the count of pairs at or above any bar is
  // read as an upper bound (whole bins), so shrinking τ needs no further pass over the matrix.
  const firstBin = binOf(criticalAbsR(q, nMax));
  const rows = new RowBounds(n, input.rowFacts, nMax);
  const scan = new PackedRowScan(r, input.arena, n);
  let work = 0;
  let first = input.scanned ?? null;
  if (first === null) {
    const { thresholds } = yield* firstPassBars(n, nMax, q, input.rowFacts, q);
    const rowMax = new Float64Array(Math.max(0, n));
    for (let a = 0; a < n - 1; a += 1) {
      work += n - a;
      if (work >= SLICE_WORK) {
        work = 0;
        yield;
      }
      rowMax[a] = scan.stats(rowBase(a, n) + a + 1, n - a - 1, thresholds[a] as number);
    }
    const [count = 0, sumAbs = 0] = scan.totals();
    first = { rowMax, count, sumAbs, bins: scan.histogram() };
  }
  const { rowMax, count: m, sumAbs } = first;
  const bins = first.bins.slice(); // summed into counts at or above each bin below
  if (m === 0) return { cutoff: 0, significant: [], barAbs: Number.NaN, tests: 0, meanAbs: Number.NaN, secondPassTau: 0 };
  const meanAbs = sumAbs / m;
  // atLeast[i]: pairs with |r| in bin i or above (bins below firstBin stay 0 and are never read).
  for (let i = HISTOGRAM_BINS - 1; i >= firstBin; i -= 1) bins[i] = (bins[i] as number) + (bins[i + 1] as number);
  // A bar below firstBin (which rounding of criticalAbsR could give) reads m: no shrinking, never an undercount.
  const countAtLeast = (bar: number): number => {
    const bin = binOf(bar);
    return bin < firstBin ? m : (bins[bin] ?? 0);
  };

  // Shrink τ: at most c(τ) pairs reach r_crit(τ, nMax), so k* ≤ c and τ* ≤ c·q/m.
  let tau = q;
  let bar = criticalAbsR(tau, nMax);
  for (let pass = 0; pass < MAX_PASSES; pass += 1) {
    const c = countAtLeast(bar);
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

  // Second bound, per pair: its n_eff is at most n_eff(min of its rows' points, ρ_a, ρ_b), so a pair
  // with |r| below r_crit(τ, that bound) has p > τ. In a coupled swarm whose changes are negatively
  // autocorrelated (differenced noise: ρ ≈ −0.5 per row, n_eff ≈ 0.6·n) or with late joiners, the
  // bar at nMax stops shrinking at 10⁵ candidates of which none is significant: this bound (a few
  // loads and one table lookup per pair) shrinks τ further, by the same argument (every pair with
  // p ≤ τ passes it, so k* ≤ the count of those that do, and τ* ≤ that count·q/m), and only its
  // survivors cost their exact facts and p-value.
  const secondPassTau = tau;
  const survivors = new Survivors();
  if (tau > 0) {
    let bars = new BarTable(tau, bar, nMax);
    // With many candidates, a bar per row first: row a's pairs have n_eff at most its own points
    // with the partner ρ that makes ρ_a·ρ_b least (rows.rowBound), so most pairs cost one comparison.
    const rowBars = countAtLeast(bar) > n ? yield* rows.rowBars(bars) : null;
    const listed = first.candidates ?? null;
    if (listed !== null && tau <= listed.tau) {
      // Every pair that can reach its bar at τ reaches its rows' bars at the listed τ (bars rise as τ
      // falls): the candidates hold them all, and the matrix need not be read again.
      const pairs = listed.pairs;
      for (let from = 0; from < pairs.length; from += 2 * PAIRS_PER_EXACT_SLICE) {
        if (from > 0) yield;
        boundCandidates(pairs, from, Math.min(pairs.length, from + 2 * PAIRS_PER_EXACT_SLICE), r, n, rowBars, bar, rows, bars, survivors);
      }
    } else {
      for (let a = 0; a < n - 1; a += 1) {
        const rowBar = rowBars === null ? bar : Math.max(bar, rowBars[a] as number);
        if ((rowMax[a] as number) < rowBar) continue;
        work += n - a;
        if (work >= SLICE_WORK) {
          work = 0;
          yield;
        }
        boundRow(scan, r, rowBase(a, n), a, n, rowBar, rows, bars, survivors);
      }
    }
    for (let pass = 0; pass < MAX_PASSES; pass += 1) {
      const next = Math.min(tau, (survivors.length * q) / m);
      if (survivors.length === 0) tau = 0;
      if (!(next < tau * 0.9)) break;
      tau = next;
      bars = new BarTable(tau, criticalAbsR(tau, nMax), nMax);
      survivors.keep((v, bound) => Math.abs(v) >= bars.at(bound));
    }
  }
  // Exact p for the survivors, in flat arrays (a coupled swarm has 10⁵ of them per metric and step:
  // objects and comparator sorts cost seconds there; typed-array sorts cost milliseconds).
  const found = new CandidateList();
  if (tau > 0) {
    for (let from = 0; from < survivors.length; from += PAIRS_PER_EXACT_SLICE) {
      if (from > 0) yield;
      testSurvivors(survivors, from, Math.min(survivors.length, from + PAIRS_PER_EXACT_SLICE), input.facts, tau, found);
    }
  }
  // Step-up: the largest k with p_(k) ≤ k·q/m. Pairs with p ≤ p_(k) are exactly the k rejected ones
  // (a tie just past k would satisfy the step-up rule too, so there is none).
  const k = stepUp(found, q, m);
  const cutoff = (k * q) / m;
  const significant = strongest(found, cutoff, k, input.limit ?? Number.POSITIVE_INFINITY);
  return { cutoff, significant, barAbs: criticalAbsR(k > 0 ? cutoff : q / m, nMax), tests: m, meanAbs, secondPassTau };
}

/**
 * The bars of the two passes over the matrix, per row of `rows`, from the rows' facts alone (so a
 * kernel can apply them while it computes the matrix). Asks every row's facts.
 *
 * Thresholds: the histogram counts a row's |r| from there up. τ never exceeds q, so no bar lies below
 * r_crit(q, nMax), and only bins from that one up are ever read: a null pair (most of them) then
 * costs a few vector operations and no branch. A pair whose |r| is below r_crit(q, its n_eff bound)
 * is never significant, so it need not be counted either: the count at a bar stays an upper bound of
 * the pairs with p ≤ τ (τ ≤ q) that reach it. Each row's pairs are binned from the bar of the row's
 * own bound at q (RowBounds.rowBars: a late joiner's short rows need a far larger |r| than nMax
 * points do, and a wave of joiners put a third of all pairs above r_crit(q, nMax)).
 *
 * Candidate bars: the same at `candidateTau` (at most q; so never below the thresholds). A pair that
 * reaches its bar at a τ ≤ candidateTau in the second pass reaches both its rows' candidate bars (a
 * pair's n_eff bound is at most each row's), so a list of the pairs reaching them is all that pass
 * needs to read.
 */
export function* firstPassBars(
  rows: number,
  nMax: number,
  fdr: number,
  rowFacts: ((a: number) => RowFacts) | undefined,
  candidateTau: number,
): Sliced<FirstPassBars> {
  // Bin edges are multiples of 1/HISTOGRAM_BINS (exact: a power of 2).
  const firstThreshold = binOf(criticalAbsR(fdr, nMax)) / HISTOGRAM_BINS;
  const tau = Math.min(fdr, candidateTau);
  const bounds = new RowBounds(rows, rowFacts, nMax);
  const thresholdTable = new BarTable(fdr, criticalAbsR(fdr, nMax), nMax);
  const thresholds = yield* bounds.rowBars(thresholdTable);
  // At τ = q (the first step, and the test's own scan) the candidate bars are the same row bars.
  const candidateTable = tau === fdr ? thresholdTable : new BarTable(tau, criticalAbsR(tau, nMax), nMax);
  const candidateBars = tau === fdr ? thresholds.slice() : yield* bounds.rowBars(candidateTable);
  // No pair's n_eff exceeds nMax: its bar is at least the one there (all a row bar says without facts).
  const least = candidateTable.at(nMax);
  for (let a = 0; a < rows; a += 1) {
    thresholds[a] = Math.max(firstThreshold, thresholds[a] as number);
    candidateBars[a] = Math.max(thresholds[a] as number, least, candidateBars[a] as number);
  }
  return { thresholds, candidateBars, candidateTau: tau };
}

/** Relative slack of the per-pair bar: the bound skips a pair only when it is clearly below it. */
const BAR_SLACK = 1e-9;

/** Each row's points and ρ, asked once per row; the per-pair bound of n_eff from them. */
class RowBounds {
  private readonly points: Float64Array;
  private readonly rho: Float64Array;

  constructor(
    n: number,
    private readonly rowFacts: ((a: number) => RowFacts) | undefined,
    private readonly nMax: number,
  ) {
    this.points = new Float64Array(n).fill(Number.NaN);
    this.rho = new Float64Array(n);
  }

  /** An upper bound of n_eff of the pair (a, b): Bartlett's formula at the lesser of the rows' points. */
  bound(a: number, b: number): number {
    if (this.rowFacts === undefined) return this.nMax;
    this.ask(a);
    this.ask(b);
    const points = Math.min(this.nMax, this.points[a] as number, this.points[b] as number);
    return effectiveSampleSize(points, this.rho[a] as number, this.rho[b] as number);
  }

  /**
   * Per row a, r_crit at an upper bound of n_eff of any pair (a, b): a's points, and the ρ_b among
   * all rows that makes ρ_a·ρ_b least (n_eff falls as that product grows above 0). Asks every row.
   */
  *rowBars(bars: BarTable): Sliced<Float64Array> {
    const n = this.points.length;
    let maxRho = 0;
    let minRho = 0;
    for (let a = 0; a < n; a += 1) {
      // A row's facts may cost O(W) (its changes read from the window): a safe point every so many.
      if (a % WINDOWS_PER_SLICE === WINDOWS_PER_SLICE - 1) yield;
      this.ask(a);
      // effectiveSampleSize reads a NaN ρ as 0, which the bounds 0 ≤ maxRho, minRho ≤ 0 cover.
      const rho = this.rho[a] as number;
      if (rho > maxRho) maxRho = rho;
      if (rho < minRho) minRho = rho;
    }
    const out = new Float64Array(n);
    for (let a = 0; a < n; a += 1) {
      const rho = this.rho[a] as number;
      const points = Math.min(this.nMax, this.points[a] as number);
      out[a] = bars.at(effectiveSampleSize(points, rho, rho < 0 ? maxRho : minRho));
    }
    return out;
  }

  private ask(a: number): void {
    if (this.points[a] === this.points[a] || this.rowFacts === undefined) return;
    const facts = this.rowFacts(a);
    this.points[a] = facts.points;
    this.rho[a] = facts.rho;
  }
}

/**
 * r_crit(τ, x) for any x ≤ nMax, from a table by ⌈x⌉ (r_crit falls as n grows, so the value at ⌈x⌉
 * is a lower bound). p depends on r and n only through z = atanh|r|·√(n − 3), so with z_τ read off
 * the bar at nMax, r_crit(τ, n) = tanh(z_τ / √(n − 3)); the slack covers the rounding of that
 * identity. No pair with n_eff ≤ 3 can reach p < 1 (the bar is then above any |r|).
 */
class BarTable {
  private readonly table: Float64Array;
  private readonly zTau: number;

  constructor(tau: number, barAtMax: number, nMax: number) {
    this.table = new Float64Array(Math.max(0, Math.ceil(nMax)) + 1).fill(Number.NaN);
    this.zTau = tau > 0 && nMax > 3 && barAtMax < 1 ? Math.atanh(barAtMax) * Math.sqrt(nMax - 3) : Number.POSITIVE_INFINITY;
  }

  at(bound: number): number {
    const n = Math.ceil(bound);
    const cached = this.table[n];
    if (cached === undefined) return 0; // above nMax: no bound (cannot happen; never skip on it)
    if (cached === cached) return cached;
    const bar = n > 3 ? Math.tanh(this.zTau / Math.sqrt(n - 3)) * (1 - BAR_SLACK) : Number.POSITIVE_INFINITY;
    this.table[n] = bar;
    return bar;
  }
}

/** Growable flat arrays of the pairs that pass the per-pair bound (a, b, r, n_eff bound), in (a, b) order. */
class Survivors {
  a = new Int32Array(256);
  b = new Int32Array(256);
  r = new Float64Array(256);
  bound = new Float64Array(256);
  length = 0;

  push(a: number, b: number, r: number, bound: number): void {
    if (this.length === this.a.length) {
      const size = this.length * 2;
      this.a = grown(this.a, new Int32Array(size));
      this.b = grown(this.b, new Int32Array(size));
      this.r = grown(this.r, new Float64Array(size));
      this.bound = grown(this.bound, new Float64Array(size));
    }
    const i = this.length;
    this.a[i] = a;
    this.b[i] = b;
    this.r[i] = r;
    this.bound[i] = bound;
    this.length = i + 1;
  }

  /** Keeps the pairs `pass` accepts, in order. */
  keep(pass: (r: number, bound: number) => boolean): void {
    let kept = 0;
    for (let i = 0; i < this.length; i += 1) {
      if (!pass(this.r[i] as number, this.bound[i] as number)) continue;
      this.a[kept] = this.a[i] as number;
      this.b[kept] = this.b[i] as number;
      this.r[kept] = this.r[i] as number;
      this.bound[kept] = this.bound[i] as number;
      kept += 1;
    }
    this.length = kept;
  }
}

/** Growable flat arrays of candidate pairs (a, b, r, p), in (a, b) order. */
class CandidateList {
  a = new Int32Array(256);
  b = new Int32Array(256);
  r = new Float64Array(256);
  p = new Float64Array(256);
  length = 0;

  push(a: number, b: number, r: number, p: number): void {
    if (this.length === this.a.length) {
      const size = this.length * 2;
      this.a = grown(this.a, new Int32Array(size));
      this.b = grown(this.b, new Int32Array(size));
      this.r = grown(this.r, new Float64Array(size));
      this.p = grown(this.p, new Float64Array(size));
    }
    const i = this.length;
    this.a[i] = a;
    this.b[i] = b;
    this.r[i] = r;
    this.p[i] = p;
    this.length = i + 1;
  }
}

function grown<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/**
 * BH's k* over the candidates (every pair with p ≤ τ, τ ≥ τ*, so k* ≤ their count c). When the
 * largest candidate p is already ≤ c·q/m, k* = c (a coupled swarm: 10⁵ pairs, all significant);
 * otherwise by counting, without a sort.
 */
function stepUp(found: CandidateList, q: number, m: number): number {
  const c = found.length;
  let largest = 0;
  for (let i = 0; i < c; i += 1) if ((found.p[i] as number) > largest) largest = found.p[i] as number;
  if (largest <= (c * q) / m) return c;
  // p_(k) ≤ k·q/m ⟺ at least k candidates have rank bar j = ⌈p·m/q⌉ ≤ k: count the bars (O(c), no sort).
  const atRank = new Int32Array(c + 2);
  for (let i = 0; i < c; i += 1) {
    const p = found.p[i] as number;
    let j = Math.max(1, Math.ceil((p * m) / q));
    // Rounding: make j the least k with p ≤ k·q/m as the step-up rule compares it.
    while (j > 1 && p <= ((j - 1) * q) / m) j -= 1;
    while (j <= c && p > (j * q) / m) j += 1;
    const at = Math.min(c + 1, j);
    atRank[at] = (atRank[at] ?? 0) + 1;
  }
  let k = 0;
  let within = 0;
  for (let j = 1; j <= c; j += 1) {
    within += atRank[j] ?? 0;
    if (within >= j) k = j;
  }
  return k;
}

/** Histogram bin of |r| in [0, 1] (|r| = 1 in the extra last bin; NaN → 0). */
function binOf(abs: number): number {
  return Math.min(HISTOGRAM_BINS, Math.max(0, (abs * HISTOGRAM_BINS) | 0));
}

/** Offset such that r[rowBase(a, n) + b] is the pair (a, b), a < b (integer arithmetic: n ≤ 10⁴). */
function rowBase(a: number, n: number): number {
  return ((a * (2 * n - a - 1)) >> 1) - a - 1;
}

// The per-row loops of the passes are plain functions, not inlined in the generator: V8 runs a loop in
// a generator's body about 3× slower (measured on the first pass: 8.2 vs 2.7 ms over 5×10⁵ pairs).

/** Survivors [from, to) with their exact p-value; those with p ≤ tau are found. */
function testSurvivors(
  survivors: Survivors,
  from: number,
  to: number,
  facts: (a: number, b: number) => PairFacts,
  tau: number,
  found: CandidateList,
): void {
  for (let i = from; i < to; i += 1) {
    const a = survivors.a[i] as number;
    const b = survivors.b[i] as number;
    const v = survivors.r[i] as number;
    const p = pairPValue(v, facts(a, b));
    if (p <= tau) found.push(a, b, v, p);
  }
}

/** Second pass over row a's pairs (a, b > a): those that pass the row's bar and their own bound survive. */
/**
 * boundRow for the listed pairs pairs[from, to) (a, b, a, b …): each that reaches its row's bar
 * (`bar`, and `rowBars[a]` when there are row bars) and its own bound's bar survives.
 */
function boundCandidates(
  pairs: Int32Array,
  from: number,
  to: number,
  r: Float64Array,
  n: number,
  rowBars: Float64Array | null,
  bar: number,
  rows: RowBounds,
  bars: BarTable,
  survivors: Survivors,
): void {
  for (let c = from; c < to; c += 2) {
    const a = pairs[c] as number;
    const b = pairs[c + 1] as number;
    const v = r[rowBase(a, n) + b] as number;
    if (!(Math.abs(v) >= (rowBars === null ? bar : Math.max(bar, rowBars[a] as number)))) continue;
    const bound = rows.bound(a, b);
    if (Math.abs(v) >= bars.at(bound)) survivors.push(a, b, v, bound);
  }
}

function boundRow(
  scan: PackedRowScan,
  r: Float64Array,
  base: number,
  a: number,
  n: number,
  rowBar: number,
  rows: RowBounds,
  bars: BarTable,
  survivors: Survivors,
): void {
  const above = scan.collect(base + a + 1, n - a - 1, rowBar);
  for (let t = 0; t < above.length; t += 1) {
    const b = a + 1 + (above[t] as number);
    const v = r[base + b] as number;
    const bound = rows.bound(a, b);
    if (Math.abs(v) >= bars.at(bound)) survivors.push(a, b, v, bound);
  }
}

/**
 * The `limit` strongest |r| among the candidates with p ≤ cutoff, strongest first, ties by (a, b):
 * exactly the first `limit` of all of them sorted that way. A bounded heap (its root the weakest kept)
 * keeps the cost O(k·log limit) without materialising the k significant pairs.
 */
function strongest(found: CandidateList, cutoff: number, k: number, limit: number): CorrelatedPair[] {
  if (k === 0 || !(limit > 0)) return [];
  const size = Math.min(k, limit);
  const heap = new Int32Array(size);
  let filled = 0;
  // Candidates are in (a, b) order, so a smaller index wins a tie of |r|.
  const weaker = (i: number, j: number): boolean => {
    const x = Math.abs(found.r[i] as number);
    const y = Math.abs(found.r[j] as number);
    return x < y || (x === y && i > j);
  };
  const siftDown = (from: number): void => {
    let at = from;
    for (;;) {
      const left = 2 * at + 1;
      const right = left + 1;
      let least = at;
      if (left < filled && weaker(heap[left] as number, heap[least] as number)) least = left;
      if (right < filled && weaker(heap[right] as number, heap[least] as number)) least = right;
      if (least === at) return;
      const t = heap[at] as number;
      heap[at] = heap[least] as number;
      heap[least] = t;
      at = least;
    }
  };
  for (let i = 0; i < found.length; i += 1) {
    if (!((found.p[i] as number) <= cutoff)) continue;
    if (filled < size) {
      heap[filled] = i;
      filled += 1;
      for (let at = filled - 1; at > 0;) {
        const parent = (at - 1) >> 1;
        if (!weaker(heap[at] as number, heap[parent] as number)) break;
        const t = heap[at] as number;
        heap[at] = heap[parent] as number;
        heap[parent] = t;
        at = parent;
      }
    } else if (weaker(heap[0] as number, i)) {
      heap[0] = i;
      siftDown(0);
    }
  }
  const out: CorrelatedPair[] = [];
  for (let h = 0; h < filled; h += 1) {
    const i = heap[h] as number;
    out.push({ a: found.a[i] as number, b: found.b[i] as number, r: found.r[i] as number });
  }
  return out.sort((x, y) => Math.abs(y.r) - Math.abs(x.r) || x.a - y.a || x.b - y.b);
}

/** Whether (a, b) with correlation r is significant at the cutoff of a previous test. */
export function isSignificant(r: number, facts: PairFacts, cutoff: number): boolean {
  return cutoff > 0 && Number.isFinite(r) && pairPValue(r, facts) <= cutoff;
}
