// Universal Scalability Law fit: how a swarm's collective throughput X grows with its agent count N,
//   X(N) = λ·N / (1 + σ·(N − 1) + κ·N·(N − 1))            (Gunther, "Guerrilla Capacity Planning", 2007)
// σ (contention: the serial share) and κ (coherency: the cost of keeping N agents consistent) are
// bounded below by 0; when κ > 0 throughput peaks at N* = √((1 − σ)/κ) and falls beyond it.
//
// Method: bounded non-linear least squares on the raw throughput (what scipy's curve_fit with bounds
// solves, checked against it in test/fixtures/analysis/make_swarm_fixtures.py). λ enters linearly, so
// it is eliminated (variable projection, Golub & Pereyra 1973): for given (σ, κ) the best λ is
// Σ X·f / Σ f² with f = N / (1 + σ(N−1) + κN(N−1)); the remaining two-parameter problem is solved
// by projected Levenberg–Marquardt from several starts (the linearised fit N/X = a + b(N−1) + cN(N−1)
// and a small grid), keeping the least residual. Pure: no clock, no I/O.

export interface UslPoint {
  /** Agents running (N ≥ 1). */
  readonly agents: number;
  /** Collective throughput at that N (tasks per second, ≥ 0). */
  readonly throughput: number;
}

export interface UslFit {
  /** Throughput of one agent alone (λ, tasks per second). */
  readonly lambda: number;
  /** Contention σ ≥ 0. */
  readonly sigma: number;
  /** Coherency κ ≥ 0. */
  readonly kappa: number;
  /** Standard errors of σ and κ from the Jacobian at the optimum (NaN when singular). */
  readonly sigmaStdErr: number;
  readonly kappaStdErr: number;
  /** N* = √((1 − σ)/κ) when κ is significantly above 0 (more than two standard errors), else undefined. */
  readonly peakAgents: number | undefined;
  /** Coefficient of determination of the fit on throughput, 1 − SSE/SST. */
  readonly r2: number;
  /** Points and distinct agent counts the fit used. */
  readonly points: number;
  readonly distinctAgents: number;
}

/** Fewest distinct agent counts that identify three parameters with a residual to judge them by. */
export const MIN_DISTINCT_AGENTS = 4;

/**
 * Fits the USL to (N, X) points; undefined when the history cannot identify σ and κ: fewer than
 * MIN_DISTINCT_AGENTS distinct N, no positive throughput, or a degenerate fit. Non-finite points,
 * N < 1 and negative throughput are ignored.
 */
export function fitUsl(points: readonly UslPoint[]): UslFit | undefined {
  const n: number[] = [];
  const x: number[] = [];
  for (const p of points) {
    if (!Number.isFinite(p.agents) || !Number.isFinite(p.throughput) || p.agents < 1 || p.throughput < 0) continue;
    n.push(p.agents);
    x.push(p.throughput);
  }
  const distinct = new Set(n).size;
  if (distinct < MIN_DISTINCT_AGENTS || !x.some((v) => v > 0)) return undefined;

  let best: { sigma: number; kappa: number; sse: number } | undefined;
  for (const start of starts(n, x)) {
    const fit = levenbergMarquardt(n, x, start[0], start[1]);
    if (!best || fit.sse < best.sse) best = fit;
  }
  if (!best) return undefined;
  const { sigma, kappa, sse } = best;
  const lambda = bestLambda(n, x, sigma, kappa);
  if (!(lambda > 0)) return undefined;

  let mean = 0;
  for (const v of x) mean += v;
  mean /= x.length;
  let sst = 0;
  for (const v of x) sst += (v - mean) ** 2;
  const r2 = sst > 0 ? 1 - sse / sst : Number.NaN;

  const [sigmaStdErr, kappaStdErr] = standardErrors(n, lambda, sigma, kappa, sse);
  const peakAgents = kappa > 0 && kappa > 2 * kappaStdErr && sigma < 1 ? Math.sqrt((1 - sigma) / kappa) : undefined;
  return { lambda, sigma, kappa, sigmaStdErr, kappaStdErr, peakAgents, r2, points: n.length, distinctAgents: distinct };
}

/** Predicted throughput at N for a fit. */
export function uslThroughput(fit: Pick<UslFit, 'lambda' | 'sigma' | 'kappa'>, agents: number): number {
  return (fit.lambda * agents) / (1 + fit.sigma * (agents - 1) + fit.kappa * agents * (agents - 1));
}

function shape(agents: number, sigma: number, kappa: number): number {
  return agents / (1 + sigma * (agents - 1) + kappa * agents * (agents - 1));
}

function bestLambda(n: readonly number[], x: readonly number[], sigma: number, kappa: number): number {
  let sxf = 0;
  let sff = 0;
  for (let i = 0; i < n.length; i++) {
    const f = shape(n[i] as number, sigma, kappa);
    sxf += (x[i] as number) * f;
    sff += f * f;
  }
  return sff > 0 ? sxf / sff : 0;
}

function projectedSse(n: readonly number[], x: readonly number[], sigma: number, kappa: number): number {
  const lambda = bestLambda(n, x, sigma, kappa);
  let sse = 0;
  for (let i = 0; i < n.length; i++) sse += ((x[i] as number) - lambda * shape(n[i] as number, sigma, kappa)) ** 2;
  return sse;
}

/** Starting points: the linearised fit (clamped to the bounds) and a coarse grid. */
function starts(n: readonly number[], x: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  const lin = linearised(n, x);
  if (lin) out.push(lin);
  for (const s of [0, 0.01, 0.1, 0.5]) for (const k of [0, 1e-4, 1e-3, 1e-2]) out.push([s, k]);
  return out;
}

/** Least squares of N/X = a + b(N−1) + cN(N−1) over points with X > 0; (σ, κ) = (b/a, c/a) clamped at 0. */
function linearised(n: readonly number[], x: readonly number[]): [number, number] | undefined {
  const ata = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  const atb = [0, 0, 0];
  for (let i = 0; i < n.length; i++) {
    const xi = x[i] as number;
    if (!(xi > 0)) continue;
    const ni = n[i] as number;
    const row = [1, ni - 1, ni * (ni - 1)];
    const y = ni / xi;
    for (let r = 0; r < 3; r++) {
      atb[r] = (atb[r] as number) + (row[r] as number) * y;
      for (let c = 0; c < 3; c++) ata[r * 3 + c] = (ata[r * 3 + c] as number) + (row[r] as number) * (row[c] as number);
    }
  }
  const sol = solve3(ata, atb);
  if (!sol || !(sol[0] > 0)) return undefined;
  return [Math.max(0, sol[1] / sol[0]), Math.max(0, sol[2] / sol[0])];
}

function solve3(a: number[], b: number[]): [number, number, number] | undefined {
  // Gaussian elimination with partial pivoting on a copy.
  const m = [
    [a[0] as number, a[1] as number, a[2] as number, b[0] as number],
    [a[3] as number, a[4] as number, a[5] as number, b[1] as number],
    [a[6] as number, a[7] as number, a[8] as number, b[2] as number],
  ];
  for (let col = 0; col < 3; col++) {
    let pivot = col;
    for (let r = col + 1; r < 3; r++)
      if (Math.abs((m[r] as number[])[col] as number) > Math.abs((m[pivot] as number[])[col] as number)) pivot = r;
    const pr = m[pivot] as number[];
    if (Math.abs(pr[col] as number) < 1e-300) return undefined;
    m[pivot] = m[col] as number[];
    m[col] = pr;
    for (let r = 0; r < 3; r++) {
      if (r === col) continue;
      const row = m[r] as number[];
      const factor = (row[col] as number) / (pr[col] as number);
      for (let c = col; c < 4; c++) row[c] = (row[c] as number) - factor * (pr[c] as number);
    }
  }
  const r0 = m[0] as number[];
  const r1 = m[1] as number[];
  const r2 = m[2] as number[];
  return [(r0[3] as number) / (r0[0] as number), (r1[3] as number) / (r1[1] as number), (r2[3] as number) / (r2[2] as number)];
}

/**
 * Projected Levenberg–Marquardt on (σ, κ) with λ eliminated; derivatives by central differences on
 * the projected residual (two parameters: cheap, and exact enough for a smooth model).
 */
function levenbergMarquardt(
  n: readonly number[],
  x: readonly number[],
  sigma0: number,
  kappa0: number,
): { sigma: number; kappa: number; sse: number } {
  let p = [sigma0, kappa0];
  let sse = projectedSse(n, x, p[0] as number, p[1] as number);
  let mu = 1e-3;
  const m = n.length;
  const r = new Float64Array(m);
  const j0 = new Float64Array(m);
  const j1 = new Float64Array(m);
  const residuals = (s: number, k: number, out: Float64Array): void => {
    const lambda = bestLambda(n, x, s, k);
    for (let i = 0; i < m; i++) out[i] = (x[i] as number) - lambda * shape(n[i] as number, s, k);
  };
  const plus = new Float64Array(m);
  const minus = new Float64Array(m);
  for (let iter = 0; iter < 200; iter++) {
    const s = p[0] as number;
    const k = p[1] as number;
    residuals(s, k, r);
    const hs = 1e-6 * Math.max(1e-3, Math.abs(s));
    const hk = 1e-6 * Math.max(1e-6, Math.abs(k));
    residuals(s + hs, k, plus);
    residuals(Math.max(0, s - hs), k, minus);
    const ds = s + hs - Math.max(0, s - hs);
    for (let i = 0; i < m; i++) j0[i] = ((plus[i] as number) - (minus[i] as number)) / ds;
    residuals(s, k + hk, plus);
    residuals(s, Math.max(0, k - hk), minus);
    const dk = k + hk - Math.max(0, k - hk);
    for (let i = 0; i < m; i++) j1[i] = ((plus[i] as number) - (minus[i] as number)) / dk;
    // Normal equations of min |r + J·δ|²: (JᵀJ + μ·diag(JᵀJ)) δ = −Jᵀr.
    let a00 = 0;
    let a01 = 0;
    let a11 = 0;
    let g0 = 0;
    let g1 = 0;
    for (let i = 0; i < m; i++) {
      const u = j0[i] as number;
      const v = j1[i] as number;
      const ri = r[i] as number;
      a00 += u * u;
      a01 += u * v;
      a11 += v * v;
      g0 += u * ri;
      g1 += v * ri;
    }
    let improved = false;
    for (let tries = 0; tries < 30; tries++) {
      const b00 = a00 * (1 + mu) + 1e-300;
      const b11 = a11 * (1 + mu) + 1e-300;
      const det = b00 * b11 - a01 * a01;
      if (!(Math.abs(det) > 0)) {
        mu *= 10;
        continue;
      }
      const d0 = (-g0 * b11 + g1 * a01) / det;
      const d1 = (-g1 * b00 + g0 * a01) / det;
      const next = [Math.max(0, s + d0), Math.max(0, k + d1)];
      const nextSse = projectedSse(n, x, next[0] as number, next[1] as number);
      if (nextSse < sse) {
        const gain = sse - nextSse;
        p = next;
        sse = nextSse;
        mu = Math.max(1e-12, mu / 3);
        improved = true;
        if (gain <= 1e-15 * Math.max(sse, 1e-300)) return { sigma: p[0] as number, kappa: p[1] as number, sse };
        break;
      }
      mu *= 4;
    }
    if (!improved) break;
  }
  return { sigma: p[0] as number, kappa: p[1] as number, sse };
}

/** Standard errors of (σ, κ) from the full three-parameter Jacobian: s²·(JᵀJ)⁻¹ with s² = SSE/(m − 3). */
function standardErrors(n: readonly number[], lambda: number, sigma: number, kappa: number, sse: number): [number, number] {
  const m = n.length;
  if (m <= 3) return [Number.NaN, Number.NaN];
  const jtj = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < m; i++) {
    const ni = n[i] as number;
    const d = 1 + sigma * (ni - 1) + kappa * ni * (ni - 1);
    const row = [ni / d, (-lambda * ni * (ni - 1)) / (d * d), (-lambda * ni * ni * (ni - 1)) / (d * d)];
    for (let r = 0; r < 3; r++)
      for (let c = 0; c < 3; c++) jtj[r * 3 + c] = (jtj[r * 3 + c] as number) + (row[r] as number) * (row[c] as number);
  }
  const s2 = sse / (m - 3);
  const col1 = solve3(jtj, [0, 1, 0]);
  const col2 = solve3(jtj, [0, 0, 1]);
  const v11 = col1 ? col1[1] * s2 : Number.NaN;
  const v22 = col2 ? col2[2] * s2 : Number.NaN;
  return [v11 >= 0 ? Math.sqrt(v11) : Number.NaN, v22 >= 0 ? Math.sqrt(v22) : Number.NaN];
}
