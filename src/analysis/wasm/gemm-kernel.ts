// gemm_packed: the blocked row-by-row dot products of the exact correlation matrix and of a resync
// (correlation-matrix.ts, streaming-correlation.ts), in WebAssembly SIMD (f64x2).
import { I32, V128, ins, type WasmFunction } from './wasm-encoder.js';
import { Locals, forLoop, get, i32, set, tee } from './kernel-builder.js';

/** Rows of the `i` side of the register block (see gemmBlock). */
export const BLOCK_ROWS = 2;
/** Rows of the `j` side of the register block. */
export const BLOCK_COLS = 4;

/**
 * gemm_packed(z, stride, n, i0, i1, j0, j1, out): for every pair i in [i0, i1), j in [j0, j1) with
 * i < j < n, stores dot(row_i, row_j) at the packed index of (i, j).
 * Rows are `stride` bytes apart (a multiple of 16, zero padded), so the dot product runs over
 * whole f64x2 lanes. i0 must be a multiple of BLOCK_ROWS, j0 and j1 multiples of BLOCK_COLS, and
 * rows up to the padded count must exist (zero rows past n).
 * Register block: BLOCK_ROWS × BLOCK_COLS f64x2 accumulators (8) + 3 operands fit the 16 XMM
 * registers V8 uses on x64, so the inner loop does 6 loads for 8 multiplies and 8 adds.
 */
export function gemmPacked(): WasmFunction {
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
