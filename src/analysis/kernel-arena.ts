// One block of memory shared by the correlation kernels, with the kernels bound to it: a
// WebAssembly.Memory driving the SIMD loops when the runtime validates them, else a plain
// ArrayBuffer driving their JavaScript twins. Blocks are f64 arrays addressed by byte offset.
import { jsCorrelationKernels } from './correlation-loops.js';
import { correlationModuleBytes, type CorrelationWasmExports } from './wasm/correlation-wasm.js';
import { wasmApi, type WasmMemory } from './wasm/wasm-runtime.js';

export type KernelBackend = 'wasm' | 'js';

const PAGE = 65_536;
/** wasm32 addresses: 4 GiB; kept below 2^31 so byte offsets stay positive i32 values. */
const MAX_BYTES = 2 ** 31 - PAGE;

/** Fresh blocks up to this size have their pages committed at allocation (see alloc): a fill of a few milliseconds. */
const EAGER_COMMIT_MAX_BYTES = 16 * 1024 * 1024;

interface CompiledModule {
  readonly module: object | null;
}

/**
 * Compiled once per process and reused: a compiled module is an immutable value, so caching it
 * is not shared mutable state (each arena gets its own instance and memory).
 */
let compiled: CompiledModule | undefined;

function compiledModule(): object | null {
  if (compiled === undefined) {
    const api = wasmApi();
    const bytes = correlationModuleBytes();
    compiled = { module: api !== null && api.validate(bytes) ? new api.Module(bytes) : null };
  }
  return compiled.module;
}

/** Whether this runtime runs the WebAssembly SIMD kernels (Node 16.4+ does). */
export function wasmSimdAvailable(): boolean {
  return compiledModule() !== null;
}

interface FreeBlock {
  offset: number;
  bytes: number;
}

/**
 * A growable arena. `alloc` returns a 16-byte aligned byte offset; `f64(offset, length)` a view on
 * the current buffer — re-take views after any `alloc`, since growing replaces the buffer.
 */
export class KernelArena {
  readonly backend: KernelBackend;
  readonly kernels: CorrelationWasmExports;
  private memory: WasmMemory | null = null;
  private plain: ArrayBuffer | null = null;
  private top = 16; // offset 0 is never handed out, so 0 can mean "no block"
  private readonly freeList: FreeBlock[] = [];
  private readonly sizes = new Map<number, number>();
  private readonly scratchBlocks = new Map<string, { offset: number; length: number }>();

  /** @param backend 'auto' picks WebAssembly SIMD when available. */
  constructor(backend: 'auto' | KernelBackend = 'auto') {
    const module = backend === 'js' ? null : compiledModule();
    const api = wasmApi();
    if (backend === 'wasm' && module === null) throw new Error('WebAssembly SIMD is not available in this runtime');
    if (module !== null && api !== null) {
      const memory = new api.Memory({ initial: 1, maximum: MAX_BYTES / PAGE });
      this.memory = memory;
      const instance = new api.Instance(module, { env: { memory } });
      this.kernels = instance.exports as unknown as CorrelationWasmExports;
      this.backend = 'wasm';
    } else {
      this.plain = new ArrayBuffer(PAGE);
      this.kernels = jsCorrelationKernels(() => this.buffer);
      this.backend = 'js';
    }
  }

  /** The current backing buffer (replaced when the arena grows). */
  get buffer(): ArrayBuffer {
    if (this.memory !== null) return this.memory.buffer;
    return this.plain as ArrayBuffer;
  }

  /** Bytes currently reserved by the arena (high-water mark, including freed blocks). */
  get reservedBytes(): number {
    return this.top;
  }

  /**
   * Allocates `length` f64 values; returns the byte offset. Zeroed unless `zeroed` is false (for
   * blocks the caller overwrites entirely anyway).
   */
  alloc(length: number, zeroed = true): number {
    const bytes = Math.max(16, Math.ceil((length * 8) / 16) * 16);
    const fit = this.freeList.findIndex((b) => b.bytes >= bytes);
    if (fit >= 0) {
      const block = this.freeList[fit] as FreeBlock;
      this.freeList.splice(fit, 1);
      if (block.bytes > bytes) this.freeList.push({ offset: block.offset + bytes, bytes: block.bytes - bytes });
      if (zeroed) new Uint8Array(this.buffer, block.offset, bytes).fill(0);
      this.sizes.set(block.offset, bytes);
      return block.offset;
    }
    const offset = this.top;
    const end = offset + bytes;
    if (end > MAX_BYTES) throw new RangeError(`kernel arena: ${end} bytes exceed the ${MAX_BYTES}-byte limit`);
    this.ensure(end);
    this.top = end;
    this.sizes.set(offset, bytes);
    // Fresh memory reads as zero but its pages are committed on first touch. Touched here in one
    // sequential pass instead of inside the first kernel that writes them: after a wave of joiners
    // grew a 1,000-agent swarm's states (10 × 5 MiB), the first streaming update took 199 ms with
    // the faults and 57 ms without, for 38 ms of filling here (bench/analysis-scenarios, staggered).
    // Not for large blocks: this fill is one piece of work, and a 5,000-agent state (~100 MiB) would
    // hold the event loop for tens of milliseconds; the sliced kernels commit those as they go.
    if (bytes <= EAGER_COMMIT_MAX_BYTES) new Uint8Array(this.buffer, offset, bytes).fill(0);
    return offset;
  }

  /**
   * A named block shared by every user of this arena (one matrix buffer for all the metrics of a
   * swarm, say), at least `length` f64 long; grown (moved) when a user needs more. Contents are
   * unspecified between uses. Re-take the offset before each use.
   *
   * A grown block at least doubles: the freed one never fits a larger request, so growing a step at
   * a time (the gap corrections' table grows with the number of gap groups, one more at a time in a
   * churning swarm) left a hole per step, 95 of 169 MiB at 1,000 agents. Doubling bounds the holes
   * by the final size.
   */
  scratch(name: string, length: number): number {
    const have = this.scratchBlocks.get(name);
    if (have !== undefined && have.length >= length) return have.offset;
    if (have !== undefined) this.free(have.offset);
    const size = have === undefined ? length : Math.max(length, 2 * have.length);
    const offset = this.alloc(size, false);
    this.scratchBlocks.set(name, { offset, length: size });
    return offset;
  }

  /** Returns a block to the arena (its memory is reused by later allocations, never shrunk). */
  free(offset: number): void {
    const bytes = this.sizes.get(offset);
    if (bytes === undefined) return;
    this.sizes.delete(offset);
    this.freeList.push({ offset, bytes });
  }

  /** A Float64Array view of `length` values at byte `offset` on the current buffer. */
  f64(offset: number, length: number): Float64Array {
    return new Float64Array(this.buffer, offset, length);
  }

  private ensure(bytes: number): void {
    if (this.memory !== null) {
      const have = this.memory.buffer.byteLength;
      if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / PAGE));
      return;
    }
    const old = this.plain as ArrayBuffer;
    if (bytes <= old.byteLength) return;
    const next = new ArrayBuffer(Math.max(bytes, Math.min(MAX_BYTES, old.byteLength * 2)));
    new Uint8Array(next).set(new Uint8Array(old));
    this.plain = next;
  }
}
