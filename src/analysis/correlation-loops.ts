// The plain-JavaScript twins of the WebAssembly correlation loops (wasm/correlation-wasm.ts): same
// arguments (byte addresses into one buffer), same results. They run where WebAssembly SIMD is
// unavailable and serve as the executable definition the SIMD kernels are tested against.
import type { CorrelationWasmExports } from './wasm/correlation-wasm.js';

/** Builds the JS kernels over an arena whose buffer may be replaced when it grows. */
export function jsCorrelationKernels(buffer: () => ArrayBuffer): CorrelationWasmExports {
  return {
    gemm_packed(z, stride, n, i0, i1, j0, j1, out) {
      const m = new Float64Array(buffer());
      const w = stride >> 3;
      const z8 = z >> 3;
      const o8 = out >> 3;
      for (let i = i0; i < i1 && i < n; i += 1) {
        const ri = z8 + i * w;
        const base = o8 + (i * (2 * n - i - 1)) / 2 - i - 1;
        for (let j = Math.max(j0, i + 1); j < j1 && j < n; j += 1) {
          const rj = z8 + j * w;
          // Even and odd t summed apart, then added: the order of the two f64x2 lanes, so both
          // backends give bit-identical results. The stride is even (zero padded).
          let s0 = 0;
          let s1 = 0;
          for (let t = 0; t < w; t += 2) {
            s0 += (m[ri + t] as number) * (m[rj + t] as number);
            s1 += (m[ri + t + 1] as number) * (m[rj + t + 1] as number);
          }
          m[base + j] = s0 + s1;
        }
      }
    },
    stream_update(s, a, b, n) {
      const m = new Float64Array(buffer());
      const s8 = s >> 3;
      const a8 = a >> 3;
      const b8 = b >> 3;
      let k = s8;
      for (let i = 0; i < n - 1; i += 1) {
        const ai = m[a8 + i] as number;
        const bi = m[b8 + i] as number;
        for (let j = i + 1; j < n; j += 1, k += 1) {
          m[k] = (m[k] as number) + ai * (m[a8 + j] as number) - bi * (m[b8 + j] as number);
        }
      }
    },
    stream_update_r(s, a, b, n, sx, inv, nObs, r, stats, from, to, thresholds, scale, bins, candidateBars, candidates, candidateRoom) {
      const buf = buffer();
      const m = new Float64Array(buf);
      const sx8 = sx >> 3;
      const inv8 = inv >> 3;
      fusedUpdate(buf, { s, a, b, n, r, stats, from, to, thresholds, scale, bins, candidateBars, candidates, candidateRoom }, (i) => {
        const sxi = m[sx8 + i] as number;
        const invi = m[inv8 + i] as number;
        return (j, v) => (nObs * v - sxi * (m[sx8 + j] as number)) * invi * (m[inv8 + j] as number);
      });
    },
    stream_update_groups(
      s,
      a,
      b,
      n,
      groupOf,
      g,
      corr,
      r,
      stats,
      from,
      to,
      thresholds,
      scale,
      bins,
      candidateBars,
      candidates,
      candidateRoom,
    ) {
      const buf = buffer();
      const m = new Float64Array(buf);
      const ints = new Int32Array(buf);
      const groupOf4 = groupOf >> 2;
      const sq = n * g;
      fusedUpdate(buf, { s, a, b, n, r, stats, from, to, thresholds, scale, bins, candidateBars, candidates, candidateRoom }, (i) => {
        const gi = ints[groupOf4 + i] as number;
        const col = (corr >> 3) + gi * n;
        const own = (corr >> 3) + 2 * sq + 2 * g * i;
        return (j, v) => {
          const h = ints[groupOf4 + j] as number;
          return ((m[own + 2 * h] as number) * v - (m[own + 2 * h + 1] as number) * (m[col + j] as number)) * (m[col + sq + j] as number);
        };
      });
    },
    pair_r_run(s, sx, inv, count, nObs, sxi, invi, r) {
      const m = new Float64Array(buffer());
      const s8 = s >> 3;
      const sx8 = sx >> 3;
      const inv8 = inv >> 3;
      const r8 = r >> 3;
      for (let t = 0; t < count; t += 1) {
        const raw = (nObs * (m[s8 + t] as number) - sxi * (m[sx8 + t] as number)) * invi * (m[inv8 + t] as number);
        m[r8 + t] = Math.min(1, Math.max(-1, raw));
      }
    },
    pair_r_gather(s, sx, inv, groupOf, list, count, own, r) {
      const buf = buffer();
      const m = new Float64Array(buf);
      const groups = new Int32Array(buf);
      const s8 = s >> 3;
      const sx8 = sx >> 3;
      const inv8 = inv >> 3;
      const r8 = r >> 3;
      const list4 = list >> 2;
      const groupOf4 = groupOf >> 2;
      const own8 = own >> 3;
      for (let k = 0; k < count; k += 1) {
        const j = groups[list4 + k] as number;
        const h = groups[groupOf4 + j] as number;
        const raw =
          ((m[own8 + 2 * h] as number) * (m[s8 + j] as number) - (m[own8 + 2 * h + 1] as number) * (m[sx8 + j] as number)) *
          (m[inv8 + j] as number);
        m[r8 + j] = Math.min(1, Math.max(-1, raw));
      }
    },
    abs_scan(r, count, threshold, scale, bins, totals) {
      const buf = buffer();
      const sums = new Float64Array(buf, totals, 2);
      return absScan(new Float64Array(buf, r, count), 0, count, threshold, scale, new Int32Array(buf, bins, scale + 1), sums);
    },
    abs_collect(r, count, bar, out) {
      const buf = buffer();
      return absCollect(new Float64Array(buf, r, count), 0, count, bar, new Int32Array(buf, out, count));
    },
  };
}

/** The addresses every fused update takes (see wasm/correlation-wasm.ts, streamUpdate). */
interface FusedAddresses {
  readonly s: number;
  readonly a: number;
  readonly b: number;
  readonly n: number;
  readonly r: number;
  readonly stats: number;
  readonly from: number;
  readonly to: number;
  readonly thresholds: number;
  readonly scale: number;
  readonly bins: number;
  readonly candidateBars: number;
  readonly candidates: number;
  readonly candidateRoom: number;
}

/**
 * stream_update_r and stream_update_groups: S += a·aᵀ − b·bᵀ over rows [from, to), r of each pair
 * from `rowR(i)(j, S_ij)` clamped to [−1, 1], each row's statistics in the SIMD kernel's two lanes
 * and tail, the histogram of the |r| at or above the row's threshold, and the candidates among them
 * (at or above both rows' candidate bars).
 */
function fusedUpdate(buf: ArrayBuffer, at: FusedAddresses, rowR: (i: number) => (j: number, v: number) => number): void {
  const { n, from, to, scale } = at;
  const m = new Float64Array(buf);
  const counts = new Int32Array(buf, at.bins, scale + 1);
  const s8 = at.s >> 3;
  const a8 = at.a >> 3;
  const b8 = at.b >> 3;
  const r8 = at.r >> 3;
  const st8 = at.stats >> 3;
  const thr8 = at.thresholds >> 3;
  const bar8 = at.candidateBars >> 3;
  const ints = new Int32Array(buf);
  const cand4 = at.candidates >> 2;
  let found = ints[cand4] as number;
  let k = 0; // s and r point at row from's first pair
  for (let i = from; i < to; i += 1) {
    const ai = m[a8 + i] as number;
    const bi = m[b8 + i] as number;
    const threshold = m[thr8 + i] as number;
    const candidateBar = m[bar8 + i] as number;
    const rOf = rowR(i);
    // Two lanes (j − i − 1 even / odd) and a tail, summed in the SIMD kernel's order.
    const max = [0, 0, 0];
    const sum = [0, 0, 0];
    const count = [0, 0, 0];
    const pairsInRow = n - 1 - i;
    for (let j = i + 1; j < n; j += 1, k += 1) {
      const v = (m[s8 + k] as number) + ai * (m[a8 + j] as number) - bi * (m[b8 + j] as number);
      m[s8 + k] = v;
      const rr = Math.min(1, Math.max(-1, rOf(j, v)));
      m[r8 + k] = rr;
      const offset = j - i - 1;
      const lane = offset === pairsInRow - 1 && pairsInRow % 2 === 1 ? 2 : offset % 2;
      const abs = Math.abs(rr);
      if (abs > (max[lane] as number)) max[lane] = abs;
      if (rr === rr) {
        sum[lane] = (sum[lane] as number) + abs;
        count[lane] = (count[lane] as number) + 1;
      }
      if (abs >= threshold) {
        binOf(abs, scale, counts);
        if (abs >= candidateBar && abs >= (m[bar8 + j] as number)) {
          if (found < at.candidateRoom) {
            ints[cand4 + 1 + 2 * found] = i;
            ints[cand4 + 2 + 2 * found] = j;
          }
          found += 1;
        }
      }
    }
    const m01 = (max[1] as number) > (max[0] as number) ? (max[1] as number) : (max[0] as number);
    m[st8 + i] = (max[2] as number) > m01 ? (max[2] as number) : m01;
    m[st8 + n + i] = (sum[0] as number) + (sum[1] as number) + (sum[2] as number);
    m[st8 + 2 * n + i] = (count[0] as number) + (count[1] as number) + (count[2] as number);
  }
  ints[cand4] = found;
}

/**
 * abs_scan over r[from, from + count) of a plain array (see wasm/correlation-wasm.ts, absScan): the
 * largest |r|; the count and the sum of the finite |r| added to totals[0] and totals[1], summed as
 * the two vector lanes do (even and odd positions apart, then lane0 + lane1 + the odd tail); the
 * |r| ≥ threshold counted in bins[trunc(min(|r|, 1)·scale)].
 */
export function absScan(
  r: Float64Array,
  from: number,
  count: number,
  threshold: number,
  scale: number,
  bins: Int32Array,
  totals: Float64Array,
): number {
  let max0 = 0;
  let max1 = 0;
  let sum0 = 0;
  let sum1 = 0;
  let n0 = 0;
  let n1 = 0;
  const pairs = from + count - (count % 2);
  for (let k = from; k < pairs; k += 2) {
    const a = Math.abs(r[k] as number);
    const b = Math.abs(r[k + 1] as number);
    // pmax: a NaN value never replaces the maximum.
    if (max0 < a) max0 = a;
    if (max1 < b) max1 = b;
    if (a === a) {
      sum0 += a;
      n0 += 1;
    }
    if (b === b) {
      sum1 += b;
      n1 += 1;
    }
    if (a >= threshold) binOf(a, scale, bins);
    if (b >= threshold) binOf(b, scale, bins);
  }
  let tailMax = 0;
  let tailSum = 0;
  let tailCount = 0;
  if (count % 2 === 1) {
    const x = Math.abs(r[pairs] as number);
    if (x > tailMax) tailMax = x;
    if (x === x) {
      tailSum += x;
      tailCount += 1;
    }
    if (x >= threshold) binOf(x, scale, bins);
  }
  totals[0] = (totals[0] as number) + (n0 + n1 + tailCount);
  totals[1] = (totals[1] as number) + (sum0 + sum1 + tailSum);
  const lanes = max1 > max0 ? max1 : max0;
  return tailMax > lanes ? tailMax : lanes;
}

function binOf(x: number, scale: number, bins: Int32Array): void {
  const bin = Math.trunc(Math.min(x, 1) * scale);
  bins[bin] = (bins[bin] as number) + 1;
}

/**
 * abs_collect over r[from, from + count) of a plain array: writes the positions t (from 0) with
 * |r[from + t]| ≥ bar to out, in order, and returns how many.
 */
export function absCollect(r: Float64Array, from: number, count: number, bar: number, out: Int32Array): number {
  let found = 0;
  for (let t = 0; t < count; t += 1) {
    if (Math.abs(r[from + t] as number) >= bar) {
      out[found] = t;
      found += 1;
    }
  }
  return found;
}
