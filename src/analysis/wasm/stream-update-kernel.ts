// stream_update, stream_update_r and stream_update_groups: the streaming correlation's fused pass
// over the packed cross-products (streaming-correlation.ts), with r, its row statistics, the
// significance test's first pass and its candidates, in WebAssembly SIMD (f64x2).
import { F64, I32, V128, ins, type ValType, type WasmFunction } from './wasm-encoder.js';
import {
  Locals,
  absStatsLocals,
  addAbsLanes,
  addAbsScalar,
  binIncrement,
  clearAbsStats,
  forLoop,
  get,
  i32,
  ifAnyLaneAtLeast,
  maxOfLanes,
  set,
  sumOfLanes,
  tee,
  vectorLoop,
} from './kernel-builder.js';

/**
 * stream_update(s, a, b, n): for all i < j < n, S[p(i,j)] += a_i·a_j − b_i·b_j, where `a` is the
 * entering column and `b` the leaving one (both shifted, gaps as 0). The packed rows are
 * consecutive, so one running offset walks S from start to end.
 *
 * stream_update_r(s, a, b, n, sx, inv, nObs, r, stats, from, to, thresholds, scale, bins,
 * candidateBars, candidates, candidateRoom) also
 * writes, in the same pass, r_ij = clamp((nObs·S_ij − sx_i·sx_j)·inv_i·inv_j, −1, 1) (NaN stays
 * NaN), and per row i < n − 1 the largest |r| (0 if none is finite), the sum of the finite |r| and
 * their count at stats[i], stats[n + i] and stats[2n + i], each summed as abs_scan sums a row; and
 * for each |r| ≥ thresholds[i] (f64 per row) increments the i32 bins[trunc(min(|r|, 1)·scale)]:
 * everything the significance test's first pass (abs_scan over every row) reads, without that pass.
 * Such a pair whose |r| also reaches candidateBars[i] and candidateBars[j] (f64 per row, never below
 * thresholds) is a candidate of the test's second pass: the i32 candidates[0] counts them (on past
 * the room), and the first candidateRoom are stored as (i, j) at candidates[1 + 2·c], in (i, j) order.
 * It covers rows [from, to) only (to ≤ n − 1), with `s` and `r` pointing at row from's first pair:
 * a caller can run the triangle in slices and let other work run between them.
 *
 * stream_update_groups(s, a, b, n, groupOf, g, corr, r, stats, from, to, thresholds, scale, bins,
 * candidateBars, candidates, candidateRoom) is stream_update_r for a window with private gaps, r from
 * the gap groups' corrected sums (streaming-correlation.ts, gapTables): with h_i = groupOf[i] (i32),
 * r_ij = clamp((p_i[h_j]·S_ij − q_i[h_j]·col(h_i)[j])·col′(h_i)[j]), where col(h) and col′(h) are
 * corr[h·n …] and corr[n·g + h·n …] (every row's corrected sum and 1/σ over the steps it shares with
 * group h) and (p_i[h], q_i[h]) the pair at corr[2·n·g + 2·(g·i + h)] (row i's own factors for
 * partners in group h): pair_r_gather's formula for every pair, in the update's pass, so that no
 * repair pass and no scan follow.
 */
type UpdateKind = 'plain' | 'r' | 'groups';

export function streamUpdate(kind: UpdateKind): WasmFunction {
  const withR = kind !== 'plain';
  const groups = kind === 'groups';
  // Parameters: s, a, b, n; then sx, inv, nObs (f64) for 'r', groupOf, g, corr for 'groups';
  // then r, stats, from, to, thresholds, scale (f64), bins, candidateBars, candidates, candidateRoom.
  const s = 0,
    a = 1,
    b = 2,
    n = 3,
    sx = 4,
    inv = 5,
    nObs = 6,
    groupOf = 4,
    g = 5,
    corr = 6;
  const rest = 7;
  const rOut = rest,
    stats = rest + 1,
    from = rest + 2,
    to = rest + 3,
    thresholds = rest + 4,
    scale = rest + 5,
    bins = rest + 6,
    candidateBars = rest + 7,
    candidates = rest + 8,
    candidateRoom = rest + 9;
  const tailParams: ValType[] = [I32, I32, I32, I32, I32, F64, I32, I32, I32, I32];
  const params: ValType[] =
    kind === 'plain'
      ? [I32, I32, I32, I32]
      : kind === 'r'
        ? [I32, I32, I32, I32, I32, I32, F64, ...tailParams]
        : [I32, I32, I32, I32, I32, I32, I32, ...tailParams];
  const L = new Locals(params.length);
  const i = L.add(I32);
  const j8 = L.add(I32); // 8·j
  const end8 = L.add(I32); // 8·n
  const k = L.add(I32); // byte offset into S (and R)
  const ai = L.add(V128);
  const bi = L.add(V128);
  const sxi = L.add(V128);
  const invi = L.add(V128);
  const nv = L.add(V128);
  const acc = L.add(V128);
  const minusOne = L.add(V128);
  const rv = L.add(V128);
  const absv = L.add(V128);
  const sSc = L.add(F64);
  const rs = L.add(F64);
  const st = absStatsLocals(L);
  const one = st.one;
  const thv = L.add(V128);
  const thr = L.add(F64);
  const candidateBar = L.add(F64); // row i's candidate bar
  const found = L.add(I32); // candidates so far (counting on past the room: the caller sees the overflow)
  const x = L.add(F64);
  const at = L.add(I32);
  // 'groups': 16·(group of j) and of j + 1; row i's group tables (byte addresses).
  const hA = L.add(I32);
  const hB = L.add(I32);
  const colSum = L.add(I32);
  const colInv = L.add(I32);
  const own = L.add(I32);

  const addr = (base: number, off: number): number[] => [...get(base), ...get(off), ...ins.i32Add()];
  // When x = |r_ij| ≥ the row's threshold (false for NaN): bins[trunc(min(x, 1)·scale)] += 1 (abs_scan's
  // binning); and if x also reaches both candidate bars, row i's and column j's, (i, j) is a candidate,
  // stored at candidates[1 + 2·found] while there is room. `lane` is j − j8/8 (0 or 1).
  const binX = (lane: 0 | 1): number[] => [
    ...get(x),
    ...get(thr),
    ...ins.f64Ge(),
    ...ins.if(),
    ...binIncrement(x, scale, bins, at),
    ...get(x),
    ...get(candidateBar),
    ...ins.f64Ge(),
    ...ins.if(),
    ...get(x),
    ...addr(candidateBars, j8),
    ...ins.f64Load(8 * lane),
    ...ins.f64Ge(),
    ...ins.if(),
    ...get(found),
    ...get(candidateRoom),
    ...ins.i32LtU(),
    ...ins.if(),
    // (i, j) at candidates + 4 + 8·found
    ...get(candidates),
    ...get(found),
    ...i32(3),
    ...ins.i32Shl(),
    ...ins.i32Add(),
    ...tee(at),
    ...get(i),
    ...ins.i32Store(4),
    ...get(at),
    ...get(j8),
    ...i32(3),
    ...ins.i32ShrU(),
    ...i32(lane),
    ...ins.i32Add(),
    ...ins.i32Store(8),
    ...ins.end(),
    ...get(found),
    ...i32(1),
    ...ins.i32Add(),
    ...set(found),
    ...ins.end(),
    ...ins.end(),
    ...ins.end(),
  ];

  // Vector body (two j at a time).
  const vec: number[] = [
    ...addr(s, k),
    ...addr(s, k),
    ...ins.v128Load(),
    ...get(ai),
    ...addr(a, j8),
    ...ins.v128Load(),
    ...ins.f64x2Mul(),
    ...ins.f64x2Add(),
    ...get(bi),
    ...addr(b, j8),
    ...ins.v128Load(),
    ...ins.f64x2Mul(),
    ...ins.f64x2Sub(),
    ...tee(acc),
    ...ins.v128Store(),
  ];
  // Both lanes of row i's own factor at `off` (0: p, 8: q) for the groups of j (hA) and j + 1 (hB).
  const ownLanes = (off: number): number[] => [
    ...get(own),
    ...get(hA),
    ...ins.i32Add(),
    ...ins.f64Load(off),
    ...ins.f64x2Splat(),
    ...get(own),
    ...get(hB),
    ...ins.i32Add(),
    ...ins.f64Load(off),
    ...ins.f64x2ReplaceLane(1),
  ];
  if (kind === 'r') {
    vec.push(
      ...addr(rOut, k),
      ...get(nv),
      ...get(acc),
      ...ins.f64x2Mul(),
      ...get(sxi),
      ...addr(sx, j8),
      ...ins.v128Load(),
      ...ins.f64x2Mul(),
      ...ins.f64x2Sub(),
      ...get(invi),
      ...ins.f64x2Mul(),
      ...addr(inv, j8),
      ...ins.v128Load(),
      ...ins.f64x2Mul(),
    );
  } else if (groups) {
    vec.push(
      // hA = 16·groupOf[j], hB = 16·groupOf[j + 1]
      ...get(groupOf),
      ...get(j8),
      ...i32(1),
      ...ins.i32ShrU(),
      ...ins.i32Add(),
      ...tee(hB),
      ...ins.i32Load(),
      ...i32(4),
      ...ins.i32Shl(),
      ...set(hA),
      ...get(hB),
      ...ins.i32Load(4),
      ...i32(4),
      ...ins.i32Shl(),
      ...set(hB),
      // r = (p·S − q·sum_j)·(1/σ_j)
      ...addr(rOut, k),
      ...ownLanes(0),
      ...get(acc),
      ...ins.f64x2Mul(),
      ...ownLanes(8),
      ...addr(colSum, j8),
      ...ins.v128Load(),
      ...ins.f64x2Mul(),
      ...ins.f64x2Sub(),
      ...addr(colInv, j8),
      ...ins.v128Load(),
      ...ins.f64x2Mul(),
    );
  }
  if (withR) {
    vec.push(
      ...get(minusOne),
      ...ins.f64x2Pmax(),
      ...get(one),
      ...ins.f64x2Pmin(),
      ...tee(rv),
      ...ins.v128Store(),
      // Row statistics and the histogram, as abs_scan has them.
      ...get(rv),
      ...ins.f64x2Abs(),
      ...set(absv),
      ...addAbsLanes(absv, st),
      ...ifAnyLaneAtLeast(absv, thv, x, binX),
    );
  }
  vec.push(...get(k), ...i32(16), ...ins.i32Add(), ...set(k));

  // Scalar tail (one j).
  const scalar: number[] = [
    ...addr(s, k),
    ...addr(s, k),
    ...ins.f64Load(),
    ...get(ai),
    ...ins.f64x2ExtractLane(0),
    ...addr(a, j8),
    ...ins.f64Load(),
    ...ins.f64Mul(),
    ...ins.f64Add(),
    ...get(bi),
    ...ins.f64x2ExtractLane(0),
    ...addr(b, j8),
    ...ins.f64Load(),
    ...ins.f64Mul(),
    ...ins.f64Sub(),
    ...tee(sSc),
    ...ins.f64Store(),
  ];
  if (kind === 'r') {
    scalar.push(
      ...addr(rOut, k),
      ...get(nObs),
      ...get(sSc),
      ...ins.f64Mul(),
      ...get(sxi),
      ...ins.f64x2ExtractLane(0),
      ...addr(sx, j8),
      ...ins.f64Load(),
      ...ins.f64Mul(),
      ...ins.f64Sub(),
      ...get(invi),
      ...ins.f64x2ExtractLane(0),
      ...ins.f64Mul(),
      ...addr(inv, j8),
      ...ins.f64Load(),
      ...ins.f64Mul(),
    );
  } else if (groups) {
    const ownAt = (off: number): number[] => [...get(own), ...get(hA), ...ins.i32Add(), ...ins.f64Load(off)];
    scalar.push(
      ...get(groupOf),
      ...get(j8),
      ...i32(1),
      ...ins.i32ShrU(),
      ...ins.i32Add(),
      ...ins.i32Load(),
      ...i32(4),
      ...ins.i32Shl(),
      ...set(hA),
      ...addr(rOut, k),
      ...ownAt(0),
      ...get(sSc),
      ...ins.f64Mul(),
      ...ownAt(8),
      ...addr(colSum, j8),
      ...ins.f64Load(),
      ...ins.f64Mul(),
      ...ins.f64Sub(),
      ...addr(colInv, j8),
      ...ins.f64Load(),
      ...ins.f64Mul(),
    );
  }
  if (withR) {
    scalar.push(
      ...ins.f64(-1),
      ...ins.f64Max(),
      ...ins.f64(1),
      ...ins.f64Min(),
      ...tee(rs),
      ...ins.f64Store(),
      ...get(rs),
      ...ins.f64Abs(),
      ...set(x),
      ...addAbsScalar(x, st),
      ...binX(0),
    );
  }
  scalar.push(...get(k), ...i32(8), ...ins.i32Add(), ...set(k), ...get(j8), ...i32(8), ...ins.i32Add(), ...set(j8));

  const rowBody: number[] = [
    ...get(i),
    ...i32(3),
    ...ins.i32Shl(),
    ...get(a),
    ...ins.i32Add(),
    ...ins.v128Load64Splat(),
    ...set(ai),
    ...get(i),
    ...i32(3),
    ...ins.i32Shl(),
    ...get(b),
    ...ins.i32Add(),
    ...ins.v128Load64Splat(),
    ...set(bi),
  ];
  if (kind === 'r') {
    rowBody.push(
      ...get(i),
      ...i32(3),
      ...ins.i32Shl(),
      ...get(sx),
      ...ins.i32Add(),
      ...ins.v128Load64Splat(),
      ...set(sxi),
      ...get(i),
      ...i32(3),
      ...ins.i32Shl(),
      ...get(inv),
      ...ins.i32Add(),
      ...ins.v128Load64Splat(),
      ...set(invi),
    );
  } else if (groups) {
    const times = (x: number, y: number): number[] => [...get(x), ...get(y), ...ins.i32Mul()];
    rowBody.push(
      // hA = row i's group; colSum = corr + 8·hA·n; colInv = colSum + 8·n·g; own = corr + 16·(n·g + g·i)
      ...get(i),
      ...i32(2),
      ...ins.i32Shl(),
      ...get(groupOf),
      ...ins.i32Add(),
      ...ins.i32Load(),
      ...set(hA),
      ...get(corr),
      ...times(hA, n),
      ...i32(3),
      ...ins.i32Shl(),
      ...ins.i32Add(),
      ...tee(colSum),
      ...times(n, g),
      ...i32(3),
      ...ins.i32Shl(),
      ...ins.i32Add(),
      ...set(colInv),
      ...get(corr),
      ...times(n, g),
      ...times(g, i),
      ...ins.i32Add(),
      ...i32(4),
      ...ins.i32Shl(),
      ...ins.i32Add(),
      ...set(own),
    );
  }
  if (withR) {
    rowBody.push(
      ...get(i),
      ...i32(3),
      ...ins.i32Shl(),
      ...get(thresholds),
      ...ins.i32Add(),
      ...ins.f64Load(),
      ...tee(thr),
      ...ins.f64x2Splat(),
      ...set(thv),
      ...get(i),
      ...i32(3),
      ...ins.i32Shl(),
      ...get(candidateBars),
      ...ins.i32Add(),
      ...ins.f64Load(),
      ...set(candidateBar),
      ...clearAbsStats(st),
    );
  }
  // for (j8 = 8(i+1); j8 + 16 <= end8; j8 += 16) vec; if (j8 < end8) scalar
  rowBody.push(...get(i), ...i32(1), ...ins.i32Add(), ...i32(3), ...ins.i32Shl(), ...set(j8), ...vectorLoop(j8, end8, vec, scalar));
  if (withR) {
    const statAt = (block: number): number[] => [
      ...get(i),
      ...get(n),
      ...i32(block),
      ...ins.i32Mul(),
      ...ins.i32Add(),
      ...i32(3),
      ...ins.i32Shl(),
      ...get(stats),
      ...ins.i32Add(),
    ];
    rowBody.push(
      ...statAt(0),
      ...maxOfLanes(st.vmax, st.smax, rs),
      ...ins.f64Store(),
      ...statAt(1),
      ...sumOfLanes(st.vsum, st.ssum),
      ...ins.f64Store(),
      ...statAt(2),
      ...sumOfLanes(st.vcnt, st.scnt),
      ...ins.f64Store(),
    );
  }

  const body: number[] = [...get(n), ...i32(3), ...ins.i32Shl(), ...set(end8), ...i32(0), ...set(k)];
  if (kind === 'r') body.push(...get(nObs), ...ins.f64x2Splat(), ...set(nv));
  if (withR) body.push(...ins.f64(1), ...ins.f64x2Splat(), ...set(one), ...ins.f64(-1), ...ins.f64x2Splat(), ...set(minusOne));
  const rows = withR ? { start: get(from), end: get(to) } : { start: i32(0), end: [...get(n), ...i32(1), ...ins.i32Sub()] };
  if (withR) body.push(...get(candidates), ...ins.i32Load(), ...set(found));
  body.push(...forLoop(i, rows.start, rows.end, i32(1), rowBody));
  if (withR) body.push(...get(candidates), ...get(found), ...ins.i32Store());
  const name = kind === 'plain' ? 'stream_update' : kind === 'r' ? 'stream_update_r' : 'stream_update_groups';
  return { name, params, results: [], locals: L.types, body };
}
