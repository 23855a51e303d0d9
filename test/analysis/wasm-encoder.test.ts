import { describe, expect, it } from 'vitest';
import { correlationModuleBytes } from '../../src/analysis/wasm/correlation-wasm.js';
import { encodeModule, F64, I32, ins, sleb, uleb } from '../../src/analysis/wasm/wasm-encoder.js';
import { wasmApi, type WasmApi } from '../../src/analysis/wasm/wasm-runtime.js';

/** The runtime's WebAssembly object through the kernels' own typed accessor (lib ES2022 has no WebAssembly values). */
function requireWasm(): WasmApi {
  const api = wasmApi();
  if (api === null) throw new Error('this Node has no WebAssembly');
  return api;
}

describe('wasm encoder', () => {
  it.each([
    [0, [0x00]],
    [127, [0x7f]],
    [128, [0x80, 0x01]],
    [624485, [0xe5, 0x8e, 0x26]],
  ])('encodes %i as unsigned LEB128', (value, bytes) => {
    expect(uleb(value)).toEqual(bytes);
  });

  it.each([
    [0, [0x00]],
    [-1, [0x7f]],
    [63, [0x3f]],
    [64, [0xc0, 0x00]],
    [-64, [0x40]],
    [-65, [0xbf, 0x7f]],
    [-123456, [0xc0, 0xbb, 0x78]],
  ])('encodes %i as signed LEB128', (value, bytes) => {
    expect(sleb(value)).toEqual(bytes);
  });

  it('emits a module that runs: f(a, b) = a·b + 1 reads and writes shared memory', () => {
    const bytes = encodeModule([
      {
        name: 'f',
        params: [I32, F64],
        results: [F64],
        locals: [F64],
        body: [
          ...ins.get(0),
          ...ins.f64Load(),
          ...ins.get(1),
          ...ins.f64Mul(),
          ...ins.f64(1),
          ...ins.f64Add(),
          ...ins.tee(2),
          ...ins.get(0),
          ...ins.get(2),
          ...ins.f64Store(8),
        ],
      },
    ]);
    const wasm = requireWasm();
    const memory = new wasm.Memory({ initial: 1 });
    const instance = new wasm.Instance(new wasm.Module(bytes), { env: { memory } });
    const view = new Float64Array(memory.buffer);
    view[2] = 3;
    const { f } = instance.exports as { readonly f: (address: number, b: number) => number };
    expect(f(16, 4)).toBe(13);
    expect(view[3]).toBe(13);
  });

  it('builds a correlation module the runtime validates', () => {
    expect(requireWasm().validate(correlationModuleBytes())).toBe(true);
  });
});
