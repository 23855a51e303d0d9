// A minimal WebAssembly binary encoder: just enough (one imported memory, exported functions, SIMD
// opcodes) to emit the correlation kernels at run time without a toolchain or a checked-in binary.
//
// Encoding reference: WebAssembly Core Specification 2.0 §5 (binary format) and the SIMD proposal's
// BinarySIMD.md (0xFD prefix + LEB128 sub-opcode).

/** Value types (spec §5.3.1). */
export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F64 | typeof V128;

/** Unsigned LEB128. */
export function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 for 32-bit integers. */
export function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function f64Bytes(value: number): number[] {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, value, true);
  return Array.from(new Uint8Array(buf.buffer));
}

/** memarg: alignment as log2 bytes, then a constant byte offset. */
function memarg(alignLog2: number, offset: number): number[] {
  return [...uleb(alignLog2), ...uleb(offset)];
}

function simd(op: number, ...imm: number[]): number[] {
  return [0xfd, ...uleb(op), ...imm];
}

/** Instruction helpers: each returns the bytes of one instruction. */
export const ins = {
  block: (): number[] => [0x02, 0x40],
  loop: (): number[] => [0x03, 0x40],
  if: (): number[] => [0x04, 0x40],
  else: (): number[] => [0x05],
  end: (): number[] => [0x0b],
  br: (depth: number): number[] => [0x0c, ...uleb(depth)],
  brIf: (depth: number): number[] => [0x0d, ...uleb(depth)],
  get: (local: number): number[] => [0x20, ...uleb(local)],
  set: (local: number): number[] => [0x21, ...uleb(local)],
  tee: (local: number): number[] => [0x22, ...uleb(local)],
  i32: (value: number): number[] => [0x41, ...sleb(value)],
  f64: (value: number): number[] => [0x44, ...f64Bytes(value)],
  i32Eqz: (): number[] => [0x45],
  i32Eq: (): number[] => [0x46],
  i32LtS: (): number[] => [0x48],
  i32LtU: (): number[] => [0x49],
  i32GtS: (): number[] => [0x4a],
  i32GeU: (): number[] => [0x4f],
  i32Add: (): number[] => [0x6a],
  i32Sub: (): number[] => [0x6b],
  i32Mul: (): number[] => [0x6c],
  i32And: (): number[] => [0x71],
  i32Shl: (): number[] => [0x74],
  i32ShrS: (): number[] => [0x75],
  i32ShrU: (): number[] => [0x76],
  i32Load: (offset = 0): number[] => [0x28, ...memarg(2, offset)],
  i32Store: (offset = 0): number[] => [0x36, ...memarg(2, offset)],
  /** i32.trunc_sat_f64_s: never traps (NaN → 0, out of range → the nearest i32). */
  i32TruncSatF64S: (): number[] => [0xfc, ...uleb(0x02)],
  f64Ge: (): number[] => [0x66],
  select: (): number[] => [0x1b],
  f64Add: (): number[] => [0xa0],
  f64Sub: (): number[] => [0xa1],
  f64Mul: (): number[] => [0xa2],
  f64Abs: (): number[] => [0x99],
  f64Eq: (): number[] => [0x61],
  f64Gt: (): number[] => [0x64],
  f64Min: (): number[] => [0xa4],
  f64Max: (): number[] => [0xa5],
  f64Load: (offset = 0): number[] => [0x2b, ...memarg(3, offset)],
  f64Store: (offset = 0): number[] => [0x39, ...memarg(3, offset)],
  v128Load: (offset = 0): number[] => simd(0x00, ...memarg(3, offset)),
  v128Store: (offset = 0): number[] => simd(0x0b, ...memarg(3, offset)),
  v128Load64Splat: (offset = 0): number[] => simd(0x0a, ...memarg(3, offset)),
  f64x2Splat: (): number[] => simd(0x14),
  f64x2ExtractLane: (lane: 0 | 1): number[] => simd(0x21, lane),
  f64x2ReplaceLane: (lane: 0 | 1): number[] => simd(0x22, lane),
  f64x2Eq: (): number[] => simd(0x47),
  f64x2Ge: (): number[] => simd(0x4c),
  v128AnyTrue: (): number[] => simd(0x53),
  v128And: (): number[] => simd(0x4e),
  f64x2Abs: (): number[] => simd(0xec),
  f64x2Add: (): number[] => simd(0xf0),
  f64x2Sub: (): number[] => simd(0xf1),
  f64x2Mul: (): number[] => simd(0xf2),
  /** Pseudo-minimum b < a ? b : a (one minpd on x64; keeps a NaN first operand). */
  f64x2Pmin: (): number[] => simd(0xf6),
  /** Pseudo-maximum a < b ? b : a (one maxpd on x64; keeps a NaN first operand). */
  f64x2Pmax: (): number[] => simd(0xf7),
};

/** One exported function: signature, extra locals (after the parameters) and body without the final `end`. */
export interface WasmFunction {
  readonly name: string;
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
  readonly locals: readonly ValType[];
  readonly body: readonly number[];
}

function vec(items: readonly number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, payload: number[]): number[] {
  return [id, ...uleb(payload.length), ...payload];
}

function utf8(name: string): number[] {
  const bytes = Array.from(new TextEncoder().encode(name));
  return [...uleb(bytes.length), ...bytes];
}

/** Groups consecutive equal local types, as the code section's local declarations require. */
function localDecls(locals: readonly ValType[]): number[][] {
  const groups: number[][] = [];
  let i = 0;
  while (i < locals.length) {
    const type = locals[i] as ValType;
    let count = 0;
    while (i < locals.length && locals[i] === type) {
      count += 1;
      i += 1;
    }
    groups.push([...uleb(count), type]);
  }
  return groups;
}

/**
 * Encodes a module that imports its linear memory as `env.memory` (so several instances can share
 * one arena) and exports every function by name.
 */
export function encodeModule(functions: readonly WasmFunction[]): Uint8Array {
  const types = functions.map((f) => [0x60, ...vec(f.params.map((p) => [p])), ...vec(f.results.map((r) => [r]))]);
  const importMemory = [...utf8('env'), ...utf8('memory'), 0x02, 0x00, ...uleb(0)];
  const funcs = functions.map((_, i) => uleb(i));
  const exports = functions.map((f, i) => [...utf8(f.name), 0x00, ...uleb(i)]);
  const codes = functions.map((f) => {
    const body = [...vec(localDecls(f.locals)), ...f.body, 0x0b];
    return [...uleb(body.length), ...body];
  });
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec(types)),
    ...section(2, vec([importMemory])),
    ...section(3, vec(funcs)),
    ...section(7, vec(exports)),
    ...section(10, vec(codes)),
  ];
  return Uint8Array.from(bytes);
}
