// The WebAssembly SIMD (f64x2) versions of the O(N²) correlation loops: the blocked row-by-row dot
// products (exact matrix and resync), the fused streaming update, the gap repair's runs, and the
// significance test's two scans of |r| (statistics and histogram; the pairs above a bar).
//
// All work on byte addresses in one shared linear memory; the matrices are packed upper triangles
// without the diagonal (see packed-triangle.ts). Their JS twins in correlation-loops.ts define the
// semantics; tests run both on the same inputs.
import { F64, I32, V128, encodeModule, ins, type ValType, type WasmFunction } from './wasm-encoder.js';

/** Rows of the `i` side of the register block (see gemmBlock). */
export const BLOCK_ROWS = 2;
/** Rows of the `j` side of the register block. */
export const BLOCK_COLS = 4;

/** Allocates locals after the parameters and remembers their types. */
class Locals {
  readonly types: ValType[] = [];
  constructor(private readonly paramCount: number) {}
  add(type: ValType): number {
    this.types.push(type);
    return this.paramCount + this.types.length - 1;
  }
}

const { get, set, tee } = ins;
const i32 = ins.i32;

/** `for (local = start; local < end; local += step) body` where start/end/step are byte sequences. */
function forLoop(local: number, start: number[], end: number[], step: number[], body: number[]): number[] {
  return [
    ...start,
    ...set(local),
    ...ins.block(),
    ...ins.loop(),
    ...get(local),
    ...end,
    ...ins.i32GeU(),
    ...ins.brIf(1),
    ...body,
    ...get(local),
    ...step,
    ...ins.i32Add(),
    ...set(local),
    ...ins.br(0),
    ...ins.end(),
    ...ins.end(),
  ];
}

/**
 * `for (k = 0; k + 16 <= end; k += 16) vec; if (k < end) tail`: a loop over two f64 lanes at a time
 * with a one-value tail, `k` and `end` byte offsets (locals) the bodies read; k starts where it is.
 */
function vectorLoop(k: number, end: number, vec: readonly number[], tail: readonly number[]): number[] {
  return [
    ...ins.block(),
    ...ins.loop(),
    ...get(k),
    ...i32(16),
    ...ins.i32Add(),
    ...get(end),
    ...ins.i32GtS(),
    ...ins.brIf(1),
    ...vec,
    ...get(k),
    ...i32(16),
    ...ins.i32Add(),
    ...set(k),
    ...ins.br(0),
    ...ins.end(),
    ...ins.end(),
    ...get(k),
    ...get(end),
    ...ins.i32LtS(),
    ...ins.if(),
    ...tail,
    ...ins.end(),
  ];
}

/**
 * Leaves max(lane0, lane1, scalar) of the f64x2 local `lanes` and the f64 local `scalar` on the stack
 * (rs = lane1 > lane0 ? lane1 : lane0; then scalar > rs ? scalar : rs), using the f64 local `rs`: a
 * row's largest |r| from the vector loop's lanes and its scalar tail.
 */
function maxOfLanes(lanes: number, scalar: number, rs: number): number[] {
  return [
    ...get(lanes),
    ...ins.f64x2ExtractLane(0),
    ...set(rs),
    ...get(lanes),
    ...ins.f64x2ExtractLane(1),
    ...get(rs),
    ...get(lanes),
    ...ins.f64x2ExtractLane(1),
    ...get(rs),
    ...ins.f64Gt(),
    ...ins.select(),
    ...set(rs),
    ...get(scalar),
    ...get(rs),
    ...get(scalar),
    ...get(rs),
    ...ins.f64Gt(),
    ...ins.select(),
  ];
}

/**
 * gemm_packed(z, stride, n, i0, i1, j0, j1, out): for every pair i in [i0, i1), j in [j0, j1) with
 * i < j < n, stores dot(row_i, row_j) at the packed index of (i, j).
 * Rows are `stride` bytes apart (a multiple of 16, zero padded), so the dot product runs over
 * whole f64x2 lanes. i0 must be a multiple of BLOCK_ROWS, j0 and j1 multiples of BLOCK_COLS, and
 * rows up to the padded count must exist (zero rows past n).
 * Register block: BLOCK_ROWS × BLOCK_COLS f64x2 accumulators (8) + 3 operands fit the 16 XMM
 * registers V8 uses on x64, so the inner loop does 6 loads for 8 multiplies and 8 adds.
 */
function gemmPacked(): WasmFunction {
  const [z, stride, n, i0, i1, j0, j1, out] = [0, 1, 2, 3, 4, 5, 6, 7];
  const L = new Locals(8);
  const i = L.add(I32);
  const jb = L.add(I32);
  const t = L.add(I32);
  const rowPtr = Array.from({ length: BLOCK_ROWS }, () => L.add(I32));
  const colPtr = Array.from({ length: BLOCK_COLS }, () => L.add(I32));
  const rowBase = Array.from({ length: BLOCK_ROWS }, () => L.add(I32));
  const acc = Array.from({ length: BLOCK_ROWS * BLOCK_COLS }, () => L.add(V128));
  const x = Array.from({ length: BLOCK_ROWS }, () => L.add(V128));
  const y = L.add(V128);

  const accAt = (r: number, c: number): number => acc[r * BLOCK_COLS + c] as number;

  // Inner loop over t: x_r = row_r[t..t+1]; for each c: y = col_c[t..t+1]; acc_rc += x_r * y.
  const inner: number[] = [];
  for (let r = 0; r < BLOCK_ROWS; r += 1) {
    inner.push(...get(rowPtr[r] as number), ...get(t), ...ins.i32Add(), ...ins.v128Load(), ...set(x[r] as number));
  }
  for (let c = 0; c < BLOCK_COLS; c += 1) {
    inner.push(...get(colPtr[c] as number), ...get(t), ...ins.i32Add(), ...ins.v128Load(), ...set(y));
    for (let r = 0; r < BLOCK_ROWS; r += 1) {
      inner.push(...get(accAt(r, c)), ...get(x[r] as number), ...get(y), ...ins.f64x2Mul(), ...ins.f64x2Add(), ...set(accAt(r, c)));
    }
  }

  // Block body: zero accumulators, run t, then store the lanes' sums where i < j < n.
  const blockBody: number[] = [];
  for (let c = 0; c < BLOCK_COLS; c += 1) {
    blockBody.push(
      ...get(jb),
      ...i32(c),
      ...ins.i32Add(),
      ...get(stride),
      ...ins.i32Mul(),
      ...get(z),
      ...ins.i32Add(),
      ...set(colPtr[c] as number),
    );
  }
  for (const a of acc) blockBody.push(...ins.f64(0), ...ins.f64x2Splat(), ...set(a));
  blockBody.push(...forLoop(t, i32(0), get(stride), i32(16), inner));
  for (let r = 0; r < BLOCK_ROWS; r += 1) {
    for (let c = 0; c < BLOCK_COLS; c += 1) {
      // if ((jb + c) > (i + r) && (jb + c) < n) out[(rowBase_r + jb + c)] = lane0 + lane1
      blockBody.push(
        ...get(jb),
        ...i32(c),
        ...ins.i32Add(),
        ...get(i),
        ...i32(r),
        ...ins.i32Add(),
        ...ins.i32GtS(),
        ...get(jb),
        ...i32(c),
        ...ins.i32Add(),
        ...get(n),
        ...ins.i32LtS(),
        ...ins.i32And(),
        ...ins.if(),
        ...get(rowBase[r] as number),
        ...get(jb),
        ...ins.i32Add(),
        ...i32(c),
        ...ins.i32Add(),
        ...i32(3),
        ...ins.i32Shl(),
        ...get(out),
        ...ins.i32Add(),
        ...get(accAt(r, c)),
        ...ins.f64x2ExtractLane(0),
        ...get(accAt(r, c)),
        ...ins.f64x2ExtractLane(1),
        ...ins.f64Add(),
        ...ins.f64Store(),
        ...ins.end(),
      );
    }
  }

  // Row-pair body: row pointers, packed row bases, and the j blocks that can hold j > i.
  const rowBody: number[] = [];
  for (let r = 0; r < BLOCK_ROWS; r += 1) {
    rowBody.push(
      ...get(i),
      ...i32(r),
      ...ins.i32Add(),
      ...get(stride),
      ...ins.i32Mul(),
      ...get(z),
      ...ins.i32Add(),
      ...set(rowPtr[r] as number),
    );
    // rowBase(k) = k*(2n - k - 1)/2 - k - 1, so that packed(k, j) = rowBase(k) + j; the product is
    // always even, and below 2^31 for n <= MAX_CAPACITY.
    const k = [...get(i), ...i32(r), ...ins.i32Add()];
    rowBody.push(
      ...k,
      ...get(n),
      ...get(n),
      ...ins.i32Add(),
      ...k,
      ...ins.i32Sub(),
      ...i32(1),
      ...ins.i32Sub(),
      ...ins.i32Mul(),
      ...i32(1),
      ...ins.i32ShrS(),
      ...k,
      ...ins.i32Sub(),
      ...i32(1),
      ...ins.i32Sub(),
      ...set(rowBase[r] as number),
    );
  }
  // First j block: max(j0, floor((i + 1) / BLOCK_COLS) * BLOCK_COLS)
  const jStart = [
    ...get(i),
    ...i32(1),
    ...ins.i32Add(),
    ...i32(~(BLOCK_COLS - 1)),
    ...ins.i32And(),
    ...tee(jb),
    ...get(j0),
    ...get(jb),
    ...get(j0),
    ...ins.i32GtS(),
    ...ins.select(), // jb > j0 ? jb : j0
  ];
  rowBody.push(...forLoop(jb, jStart, get(j1), i32(BLOCK_COLS), blockBody));

  const body = forLoop(i, get(i0), get(i1), i32(BLOCK_ROWS), rowBody);
  return { name: 'gemm_packed', params: [I32, I32, I32, I32, I32, I32, I32, I32], results: [], locals: L.types, body };
}

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

function streamUpdate(kind: UpdateKind): WasmFunction {
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
  const one = L.add(V128);
  const minusOne = L.add(V128);
  const rv = L.add(V128);
  const absv = L.add(V128);
  const mask = L.add(V128);
  const vmax = L.add(V128);
  const vsum = L.add(V128);
  const vcnt = L.add(V128);
  const sSc = L.add(F64);
  const rs = L.add(F64);
  const smax = L.add(F64);
  const ssum = L.add(F64);
  const scnt = L.add(F64);
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
    ...get(x),
    ...ins.f64(1),
    ...ins.f64Min(),
    ...get(scale),
    ...ins.f64Mul(),
    ...ins.i32TruncSatF64S(),
    ...i32(2),
    ...ins.i32Shl(),
    ...get(bins),
    ...ins.i32Add(),
    ...tee(at),
    ...get(at),
    ...ins.i32Load(),
    ...i32(1),
    ...ins.i32Add(),
    ...ins.i32Store(),
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
      // Row statistics: pmax ignores a NaN second operand; the eq mask zeroes NaN lanes.
      ...get(rv),
      ...ins.f64x2Abs(),
      ...set(absv),
      ...get(vmax),
      ...get(absv),
      ...ins.f64x2Pmax(),
      ...set(vmax),
      ...get(rv),
      ...get(rv),
      ...ins.f64x2Eq(),
      ...set(mask),
      ...get(vsum),
      ...get(absv),
      ...get(mask),
      ...ins.v128And(),
      ...ins.f64x2Add(),
      ...set(vsum),
      ...get(vcnt),
      ...get(one),
      ...get(mask),
      ...ins.v128And(),
      ...ins.f64x2Add(),
      ...set(vcnt),
      // Most pairs are below the row's threshold: one comparison, no branch taken.
      ...get(absv),
      ...get(thv),
      ...ins.f64x2Ge(),
      ...ins.v128AnyTrue(),
      ...ins.if(),
      ...get(absv),
      ...ins.f64x2ExtractLane(0),
      ...set(x),
      ...binX(0),
      ...get(absv),
      ...ins.f64x2ExtractLane(1),
      ...set(x),
      ...binX(1),
      ...ins.end(),
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
      // smax = |r| > smax ? |r| : smax (false for NaN); finite r adds to sum and count.
      ...get(rs),
      ...ins.f64Abs(),
      ...get(smax),
      ...get(rs),
      ...ins.f64Abs(),
      ...get(smax),
      ...ins.f64Gt(),
      ...ins.select(),
      ...set(smax),
      ...get(rs),
      ...get(rs),
      ...ins.f64Eq(),
      ...ins.if(),
      ...get(ssum),
      ...get(rs),
      ...ins.f64Abs(),
      ...ins.f64Add(),
      ...set(ssum),
      ...get(scnt),
      ...ins.f64(1),
      ...ins.f64Add(),
      ...set(scnt),
      ...ins.end(),
      ...get(rs),
      ...ins.f64Abs(),
      ...set(x),
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
      ...ins.f64(0),
      ...ins.f64x2Splat(),
      ...tee(vmax),
      ...tee(vsum),
      ...set(vcnt),
      ...ins.f64(0),
      ...tee(smax),
      ...tee(ssum),
      ...set(scnt),
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
    // Each comparison is false for NaN (none reach here: pmax kept them out).
    const lanesMax = maxOfLanes(vmax, smax, rs);
    rowBody.push(
      ...statAt(0),
      ...lanesMax,
      ...ins.f64Store(),
      ...statAt(1),
      ...get(vsum),
      ...ins.f64x2ExtractLane(0),
      ...get(vsum),
      ...ins.f64x2ExtractLane(1),
      ...ins.f64Add(),
      ...get(ssum),
      ...ins.f64Add(),
      ...ins.f64Store(),
      ...statAt(2),
      ...get(vcnt),
      ...ins.f64x2ExtractLane(0),
      ...get(vcnt),
      ...ins.f64x2ExtractLane(1),
      ...ins.f64Add(),
      ...get(scnt),
      ...ins.f64Add(),
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

/**
 * pair_r_run(s, sx, inv, count, nObs, sxi, invi, r): for t < count,
 * r[t] = clamp((nObs·s[t] − sxi·sx[t])·invi·inv[t], −1, 1) (NaN stays NaN) — stream_update_r's
 * formula for one run of one row's pairs whose partners share one gap group, with that group's
 * corrected sums: the gap repair of streaming-correlation.ts as a vector loop. Addresses need
 * only 8-byte alignment.
 */
function pairRRun(): WasmFunction {
  const s = 0,
    sx = 1,
    inv = 2,
    count = 3,
    nObs = 4,
    sxi = 5,
    invi = 6,
    rOut = 7;
  const L = new Locals(8);
  const k = L.add(I32); // byte offset into every array
  const end = L.add(I32); // 8·count
  const nv = L.add(V128);
  const sxv = L.add(V128);
  const invv = L.add(V128);
  const one = L.add(V128);
  const minusOne = L.add(V128);
  const addr = (base: number): number[] => [...get(base), ...get(k), ...ins.i32Add()];
  const vec: number[] = [
    ...addr(rOut),
    ...get(nv),
    ...addr(s),
    ...ins.v128Load(),
    ...ins.f64x2Mul(),
    ...get(sxv),
    ...addr(sx),
    ...ins.v128Load(),
    ...ins.f64x2Mul(),
    ...ins.f64x2Sub(),
    ...get(invv),
    ...ins.f64x2Mul(),
    ...addr(inv),
    ...ins.v128Load(),
    ...ins.f64x2Mul(),
    ...get(minusOne),
    ...ins.f64x2Pmax(),
    ...get(one),
    ...ins.f64x2Pmin(),
    ...ins.v128Store(),
  ];
  const scalar: number[] = [
    ...addr(rOut),
    ...get(nObs),
    ...addr(s),
    ...ins.f64Load(),
    ...ins.f64Mul(),
    ...get(sxi),
    ...addr(sx),
    ...ins.f64Load(),
    ...ins.f64Mul(),
    ...ins.f64Sub(),
    ...get(invi),
    ...ins.f64Mul(),
    ...addr(inv),
    ...ins.f64Load(),
    ...ins.f64Mul(),
    ...ins.f64(-1),
    ...ins.f64Max(),
    ...ins.f64(1),
    ...ins.f64Min(),
    ...ins.f64Store(),
  ];
  const body: number[] = [
    ...get(count),
    ...i32(3),
    ...ins.i32Shl(),
    ...set(end),
    ...get(nObs),
    ...ins.f64x2Splat(),
    ...set(nv),
    ...get(sxi),
    ...ins.f64x2Splat(),
    ...set(sxv),
    ...get(invi),
    ...ins.f64x2Splat(),
    ...set(invv),
    ...ins.f64(1),
    ...ins.f64x2Splat(),
    ...set(one),
    ...ins.f64(-1),
    ...ins.f64x2Splat(),
    ...set(minusOne),
    ...i32(0),
    ...set(k),
    ...vectorLoop(k, end, vec, scalar),
  ];
  return { name: 'pair_r_run', params: [I32, I32, I32, I32, F64, F64, F64, I32], results: [], locals: L.types, body };
}

/**
 * pair_r_gather(s, sx, inv, groupOf, list, count, own, r): for k < count, with j = list[k] (i32) and
 * its group h = groupOf[j] (i32), r[j] = clamp((own[2h]·s[j] − own[2h + 1]·sx[j])·inv[j], −1, 1):
 * one row's partners scattered over many gap groups, with the row's own factors for each group
 * (own: f64 pairs p = n·(1/σ), q = sum·(1/σ) over the steps it shares with that group, as
 * stream_update_groups reads them). A churning swarm's joiners and leavers sit in scattered slots,
 * so its runs of one group are a slot or two long. Addresses need only natural alignment.
 */
function pairRGather(): WasmFunction {
  const s = 0,
    sx = 1,
    inv = 2,
    groupOf = 3,
    list = 4,
    count = 5,
    own = 6,
    rOut = 7;
  const L = new Locals(8);
  const k = L.add(I32); // byte offset into list
  const end = L.add(I32); // 4·count
  const j8 = L.add(I32); // 8·j
  const h16 = L.add(I32); // 16·h
  const body: number[] = [
    ...get(count),
    ...i32(2),
    ...ins.i32Shl(),
    ...set(end),
    ...i32(0),
    ...set(k),
    ...ins.block(),
    ...ins.loop(),
    ...get(k),
    ...get(end),
    ...ins.i32GeU(),
    ...ins.brIf(1),
    // j8 = 8·list[k]; h16 = 16·groupOf[j]
    ...get(list),
    ...get(k),
    ...ins.i32Add(),
    ...ins.i32Load(),
    ...tee(j8),
    ...i32(2),
    ...ins.i32Shl(),
    ...get(groupOf),
    ...ins.i32Add(),
    ...ins.i32Load(),
    ...i32(4),
    ...ins.i32Shl(),
    ...set(h16),
    ...get(j8),
    ...i32(3),
    ...ins.i32Shl(),
    ...set(j8),
    // r[j] = clamp((own[2h]·s[j] − own[2h + 1]·sx[j])·inv[j])
    ...get(rOut),
    ...get(j8),
    ...ins.i32Add(),
    ...get(own),
    ...get(h16),
    ...ins.i32Add(),
    ...ins.f64Load(),
    ...get(s),
    ...get(j8),
    ...ins.i32Add(),
    ...ins.f64Load(),
    ...ins.f64Mul(),
    ...get(own),
    ...get(h16),
    ...ins.i32Add(),
    ...ins.f64Load(8),
    ...get(sx),
    ...get(j8),
    ...ins.i32Add(),
    ...ins.f64Load(),
    ...ins.f64Mul(),
    ...ins.f64Sub(),
    ...get(inv),
    ...get(j8),
    ...ins.i32Add(),
    ...ins.f64Load(),
    ...ins.f64Mul(),
    ...ins.f64(-1),
    ...ins.f64Max(),
    ...ins.f64(1),
    ...ins.f64Min(),
    ...ins.f64Store(),
    ...get(k),
    ...i32(4),
    ...ins.i32Add(),
    ...set(k),
    ...ins.br(0),
    ...ins.end(),
    ...ins.end(),
  ];
  return { name: 'pair_r_gather', params: [I32, I32, I32, I32, I32, I32, I32, I32], results: [], locals: L.types, body };
}

/**
 * abs_scan(r, count, threshold, scale, bins, totals) → max: over r[0, count), the largest |r| (0 when
 * none is finite); adds the count of finite values and the sum of their |r| to the f64 totals[0] and
 * totals[1] (summed in two lanes, even and odd positions, then the odd tail: lane0 + lane1 + tail);
 * and for each |r| ≥ threshold increments the i32 bins[trunc(min(|r|, 1)·scale)] (bins holds
 * scale + 1 counts). The significance test's first pass over one row of the packed matrix: a value
 * below the threshold (most pairs) costs a few vector operations and no branch.
 */
function absScan(): WasmFunction {
  const r = 0,
    count = 1,
    threshold = 2,
    scale = 3,
    bins = 4,
    totals = 5;
  const L = new Locals(6);
  const k = L.add(I32);
  const end = L.add(I32);
  const at = L.add(I32);
  const absv = L.add(V128);
  const thr = L.add(V128);
  const one = L.add(V128);
  const mask = L.add(V128);
  const vmax = L.add(V128);
  const vsum = L.add(V128);
  const vcnt = L.add(V128);
  const x = L.add(F64);
  const smax = L.add(F64);
  const ssum = L.add(F64);
  const scnt = L.add(F64);
  const rs = L.add(F64);

  // bins[trunc(min(x, 1)·scale)] += 1 when x ≥ threshold (false for NaN).
  const binX: number[] = [
    ...get(x),
    ...get(threshold),
    ...ins.f64Ge(),
    ...ins.if(),
    ...get(x),
    ...ins.f64(1),
    ...ins.f64Min(),
    ...get(scale),
    ...ins.f64Mul(),
    ...ins.i32TruncSatF64S(),
    ...i32(2),
    ...ins.i32Shl(),
    ...get(bins),
    ...ins.i32Add(),
    ...tee(at),
    ...get(at),
    ...ins.i32Load(),
    ...i32(1),
    ...ins.i32Add(),
    ...ins.i32Store(),
    ...ins.end(),
  ];
  const vec: number[] = [
    ...get(r),
    ...get(k),
    ...ins.i32Add(),
    ...ins.v128Load(),
    ...ins.f64x2Abs(),
    ...set(absv),
    ...get(vmax),
    ...get(absv),
    ...ins.f64x2Pmax(),
    ...set(vmax),
    ...get(absv),
    ...get(absv),
    ...ins.f64x2Eq(),
    ...set(mask),
    ...get(vsum),
    ...get(absv),
    ...get(mask),
    ...ins.v128And(),
    ...ins.f64x2Add(),
    ...set(vsum),
    ...get(vcnt),
    ...get(one),
    ...get(mask),
    ...ins.v128And(),
    ...ins.f64x2Add(),
    ...set(vcnt),
    ...get(absv),
    ...get(thr),
    ...ins.f64x2Ge(),
    ...ins.v128AnyTrue(),
    ...ins.if(),
    ...get(absv),
    ...ins.f64x2ExtractLane(0),
    ...set(x),
    ...binX,
    ...get(absv),
    ...ins.f64x2ExtractLane(1),
    ...set(x),
    ...binX,
    ...ins.end(),
  ];
  const tail: number[] = [
    ...get(r),
    ...get(k),
    ...ins.i32Add(),
    ...ins.f64Load(),
    ...ins.f64Abs(),
    ...set(x),
    // smax = x > smax ? x : smax; a finite x adds to the sum and the count.
    ...get(x),
    ...get(smax),
    ...get(x),
    ...get(smax),
    ...ins.f64Gt(),
    ...ins.select(),
    ...set(smax),
    ...get(x),
    ...get(x),
    ...ins.f64Eq(),
    ...ins.if(),
    ...get(ssum),
    ...get(x),
    ...ins.f64Add(),
    ...set(ssum),
    ...get(scnt),
    ...ins.f64(1),
    ...ins.f64Add(),
    ...set(scnt),
    ...ins.end(),
    ...binX,
  ];
  const lanes = (v: number): number[] => [...get(v), ...ins.f64x2ExtractLane(0), ...get(v), ...ins.f64x2ExtractLane(1), ...ins.f64Add()];
  const body: number[] = [
    ...get(count),
    ...i32(3),
    ...ins.i32Shl(),
    ...set(end),
    ...get(threshold),
    ...ins.f64x2Splat(),
    ...set(thr),
    ...ins.f64(1),
    ...ins.f64x2Splat(),
    ...set(one),
    ...ins.f64(0),
    ...ins.f64x2Splat(),
    ...tee(vmax),
    ...tee(vsum),
    ...set(vcnt),
    ...i32(0),
    ...set(k),
    ...vectorLoop(k, end, vec, tail),
    // totals[0] += (lane0 + lane1) + tail count; totals[1] += (lane0 + lane1) + tail sum
    ...get(totals),
    ...get(totals),
    ...ins.f64Load(),
    ...lanes(vcnt),
    ...get(scnt),
    ...ins.f64Add(),
    ...ins.f64Add(),
    ...ins.f64Store(),
    ...get(totals),
    ...get(totals),
    ...ins.f64Load(8),
    ...lanes(vsum),
    ...get(ssum),
    ...ins.f64Add(),
    ...ins.f64Add(),
    ...ins.f64Store(8),
    ...maxOfLanes(vmax, smax, rs),
  ];
  return { name: 'abs_scan', params: [I32, I32, F64, F64, I32, I32], results: [F64], locals: L.types, body };
}

/**
 * abs_collect(r, count, bar, out) → found: writes the positions t < count with |r[t]| ≥ bar, in
 * order, to the i32 array out and returns how many there are (NaN never qualifies). The
 * significance test's second pass over one row: most values are below the bar.
 */
function absCollect(): WasmFunction {
  const r = 0,
    count = 1,
    bar = 2,
    out = 3;
  const L = new Locals(4);
  const k = L.add(I32);
  const end = L.add(I32);
  const found = L.add(I32);
  const absv = L.add(V128);
  const thr = L.add(V128);
  // if (x ≥ bar) { out[found] = position; found += 1 }
  const keep = (value: number[], position: number[]): number[] => [
    ...value,
    ...get(bar),
    ...ins.f64Ge(),
    ...ins.if(),
    ...get(found),
    ...i32(2),
    ...ins.i32Shl(),
    ...get(out),
    ...ins.i32Add(),
    ...position,
    ...ins.i32Store(),
    ...get(found),
    ...i32(1),
    ...ins.i32Add(),
    ...set(found),
    ...ins.end(),
  ];
  const position = (lane: number): number[] => [...get(k), ...i32(3), ...ins.i32ShrU(), ...i32(lane), ...ins.i32Add()];
  const vec: number[] = [
    ...get(r),
    ...get(k),
    ...ins.i32Add(),
    ...ins.v128Load(),
    ...ins.f64x2Abs(),
    ...tee(absv),
    ...get(thr),
    ...ins.f64x2Ge(),
    ...ins.v128AnyTrue(),
    ...ins.if(),
    ...keep([...get(absv), ...ins.f64x2ExtractLane(0)], position(0)),
    ...keep([...get(absv), ...ins.f64x2ExtractLane(1)], position(1)),
    ...ins.end(),
  ];
  const body: number[] = [
    ...get(count),
    ...i32(3),
    ...ins.i32Shl(),
    ...set(end),
    ...get(bar),
    ...ins.f64x2Splat(),
    ...set(thr),
    ...i32(0),
    ...set(k),
    ...i32(0),
    ...set(found),
    ...vectorLoop(k, end, vec, keep([...get(r), ...get(k), ...ins.i32Add(), ...ins.f64Load(), ...ins.f64Abs()], position(0))),
    ...get(found),
  ];
  return { name: 'abs_collect', params: [I32, I32, F64, I32], results: [I32], locals: L.types, body };
}

/** The module's bytes (built once per process). */
export function correlationModuleBytes(): Uint8Array {
  return encodeModule([
    gemmPacked(),
    streamUpdate('plain'),
    streamUpdate('r'),
    streamUpdate('groups'),
    pairRRun(),
    pairRGather(),
    absScan(),
    absCollect(),
  ]);
}

/** The exports of an instance, typed. Addresses are byte offsets into the shared memory. */
export interface CorrelationWasmExports {
  gemm_packed(z: number, stride: number, n: number, i0: number, i1: number, j0: number, j1: number, out: number): void;
  stream_update(s: number, a: number, b: number, n: number): void;
  stream_update_r(
    s: number,
    a: number,
    b: number,
    n: number,
    sx: number,
    inv: number,
    nObs: number,
    r: number,
    stats: number,
    from: number,
    to: number,
    thresholds: number,
    scale: number,
    bins: number,
    candidateBars: number,
    candidates: number,
    candidateRoom: number,
  ): void;
  stream_update_groups(
    s: number,
    a: number,
    b: number,
    n: number,
    groupOf: number,
    g: number,
    corr: number,
    r: number,
    stats: number,
    from: number,
    to: number,
    thresholds: number,
    scale: number,
    bins: number,
    candidateBars: number,
    candidates: number,
    candidateRoom: number,
  ): void;
  pair_r_run(s: number, sx: number, inv: number, count: number, nObs: number, sxi: number, invi: number, r: number): void;
  pair_r_gather(s: number, sx: number, inv: number, groupOf: number, list: number, count: number, own: number, r: number): void;
  abs_scan(r: number, count: number, threshold: number, scale: number, bins: number, totals: number): number;
  abs_collect(r: number, count: number, bar: number, out: number): number;
}
