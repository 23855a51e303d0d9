// Where the window rings of one swarm live: carved out of shared chunks, CHUNK_SERIES series to an
// allocation, instead of two typed arrays (values and ages) per series. A typed array of its own
// costs a backing store, its bookkeeping and an allocator chunk, about 600 bytes beside 1.9 KB of
// values at W = 240 (measured: 48,000 small arrays take 27 MiB more than the same bytes in slabs).
//
// Invariants:
//  - every cell is `width` values (Float64) and `width` ages (Float32) inside one chunk, never moved,
//    so a ring handed out stays valid for as long as its series lives;
//  - a released cell is not handed out again before the next settle() (the next step): a reader
//    that took the rings at the previous cycle never sees another series' values in a ring it holds;
//  - a chunk whose cells are all free after settle() is dropped (unless it is the only spare one),
//    so a swarm that shrinks gives its memory back.

/** Series per chunk: at W = 240, 64 series are 184 KB (one allocation of its own, above malloc's mmap threshold). */
export const CHUNK_SERIES = 64;

/** One series' storage: its value ring, the age of each cell's observation, and the open step's observation. */
export interface RingCell {
  readonly values: Float64Array;
  readonly ages: Float32Array;
  /**
   * The series' newest observation in the open step (the one the next advance() closes), NaN when
   * it has none yet, and that observation's timestamp (ms since the epoch; −Infinity with none).
   * Ingest writes it in place, so closing a step reads every series without a lookup.
   */
  open: number;
  openAt: number;
}

/** Holds an observation for the open step in a series' cell: the newest timestamp wins, on a tie the later call. */
export function holdOpen(cell: RingCell, value: number, at: number): void {
  if (at < cell.openAt) return;
  cell.open = value;
  cell.openAt = at;
}

interface Chunk {
  readonly values: Float64Array;
  readonly ages: Float32Array;
  used: number;
}

/** A cell as the slab keeps it: with the chunk it belongs to. */
interface SlabCell extends RingCell {
  readonly chunk: Chunk;
}

export class RingSlab {
  private chunks: Chunk[] = [];
  private free: SlabCell[] = [];
  private quarantine: SlabCell[] = [];

  /** @param width points per ring (W ≥ 1) */
  constructor(
    readonly width: number,
    private readonly chunkSeries: number = CHUNK_SERIES,
  ) {
    if (!Number.isInteger(width) || width < 1) throw new RangeError(`width: expected an integer >= 1, got ${width}`);
    if (!Number.isInteger(chunkSeries) || chunkSeries < 1)
      throw new RangeError(`chunkSeries: expected an integer >= 1, got ${chunkSeries}`);
  }

  /** Chunks allocated now. */
  get chunkCount(): number {
    return this.chunks.length;
  }

  /** Bytes held by the chunks (values and ages, used or not). */
  get byteLength(): number {
    let bytes = 0;
    for (const c of this.chunks) bytes += c.values.byteLength + c.ages.byteLength;
    return bytes;
  }

  /** A NaN-filled cell (values and ages). */
  take(): RingCell {
    let cell = this.free.pop();
    if (cell === undefined) {
      this.addChunk();
      cell = this.free.pop();
    }
    if (cell === undefined) throw new Error('ring slab: no cell after adding a chunk');
    cell.chunk.used += 1;
    cell.values.fill(Number.NaN);
    cell.ages.fill(Number.NaN);
    cell.open = Number.NaN;
    cell.openAt = -Infinity;
    return cell;
  }

  /** Gives back a cell this slab handed out (take()); it is reused after the next settle(). */
  release(cell: RingCell): void {
    // Only cells from take() come back (AlignedWindows owns both ends), and those are SlabCells.
    this.quarantine.push(cell as SlabCell);
  }

  /** Makes the cells released before now reusable, and drops chunks left empty (one spare is kept). */
  settle(): void {
    if (this.quarantine.length === 0) return;
    for (const cell of this.quarantine) {
      cell.chunk.used -= 1;
      this.free.push(cell);
    }
    this.quarantine = [];
    const empty = this.chunks.filter((c) => c.used === 0);
    if (empty.length <= 1) return;
    const dropped = new Set(empty.slice(1));
    this.chunks = this.chunks.filter((c) => !dropped.has(c));
    this.free = this.free.filter((cell) => !dropped.has(cell.chunk));
  }

  private addChunk(): void {
    const w = this.width;
    const n = this.chunkSeries;
    const values = new Float64Array(n * w);
    const ages = new Float32Array(n * w);
    const chunk: Chunk = { values, ages, used: 0 };
    this.chunks.push(chunk);
    // Handed out from the chunk's start (the free list is a stack).
    for (let k = n - 1; k >= 0; k -= 1)
      this.free.push({
        values: values.subarray(k * w, (k + 1) * w),
        ages: ages.subarray(k * w, (k + 1) * w),
        open: Number.NaN,
        openAt: -Infinity,
        chunk,
      });
  }
}
