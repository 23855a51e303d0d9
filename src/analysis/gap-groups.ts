// Rows of a sliding window grouped by their private gap pattern (the steps a row misses that other
// rows have): rows of one group share every pair's set of common steps with any other row, so the
// pairwise-complete sums of a pair follow from per-(row, group) corrections and per-(group, group)
// counts in O(1) (streaming-correlation.ts). Late joiners of one wave, the leavers of one step and
// agents that missed the same pushes each form one group.
import { popcount } from './popcount.js';

export interface GapGroups {
  /** Groups including group 0, the rows without private gaps. */
  readonly count: number;
  /** Group of each row (0 = no private gap, or not a candidate). */
  readonly groupOf: Int32Array;
  /** Ring slots of each group's private gaps, ascending (group 0: none). */
  readonly slots: readonly Int32Array[];
  /** count × count row-major: private gaps two groups share, |gaps(g) ∩ gaps(h)| (diagonal: |gaps(g)|). */
  readonly shared: Int32Array;
  /** The candidate rows (rows with private gaps), ascending. */
  readonly rows: Int32Array;
}

/**
 * Groups the candidate rows of a row-major `rows × window` ring (NaN = gap) by the set of their
 * gaps among the `countable` slots (1 = a step of the window that is not a gap of every row).
 * O(candidates · window) plus O(groups² · window / 32) for the shared counts.
 */
export function groupGapPatterns(
  ring: Float64Array,
  window: number,
  rows: number,
  candidate: Uint8Array,
  countable: Uint8Array,
): GapGroups {
  const words = Math.ceil(window / 32);
  const countableBits = new Uint32Array(words);
  for (let t = 0; t < window; t += 1) if (countable[t] === 1) countableBits[t >>> 5] = (countableBits[t >>> 5] as number) | (1 << (t & 31));
  const groupOf = new Int32Array(rows);
  // Each group's gaps as a bitset (words per group), group 0 (no private gaps) first.
  let bits = new Uint32Array(4 * words);
  let groups = 1;
  const byHash = new Map<number, number[]>();
  const members: number[] = [];
  const pattern = new Uint32Array(words);
  for (let i = 0; i < rows; i += 1) {
    if (candidate[i] !== 1) continue;
    members.push(i);
    const hash = gapBits(ring, i * window, window, countableBits, pattern);
    const candidates = byHash.get(hash);
    let id = -1;
    if (candidates !== undefined) {
      for (const g of candidates) {
        if (samePattern(bits, g * words, pattern)) {
          id = g;
          break;
        }
      }
    }
    if (id < 0) {
      id = groups;
      groups += 1;
      if (bits.length < groups * words) {
        const grown = new Uint32Array(2 * bits.length);
        grown.set(bits);
        bits = grown;
      }
      bits.set(pattern, id * words);
      if (candidates === undefined) byHash.set(hash, [id]);
      else candidates.push(id);
    }
    groupOf[i] = id;
  }
  const slots: Int32Array[] = [new Int32Array(0)];
  for (let g = 1; g < groups; g += 1) slots.push(slotsOf(bits, g * words, window));
  return { count: groups, groupOf, slots, shared: sharedCounts(bits, groups, words), rows: Int32Array.from(members) };
}

/**
 * The gaps of the row at ring[base, base + window) among the countable slots, as bits in `out`;
 * returns a hash of them (FNV-1a over the words: equal patterns hash equally, collisions are checked).
 */
function gapBits(ring: Float64Array, base: number, window: number, countableBits: Uint32Array, out: Uint32Array): number {
  let hash = 0x811c9dc5;
  for (let word = 0; word < out.length; word += 1) {
    let set = 0;
    const end = Math.min(window, 32 * word + 32);
    for (let t = 32 * word; t < end; t += 1) {
      const x = ring[base + t] as number;
      if (x !== x) set |= 1 << (t & 31);
    }
    set &= countableBits[word] as number;
    out[word] = set;
    hash = Math.imul(hash ^ set, 0x01000193);
  }
  return hash;
}

function samePattern(bits: Uint32Array, at: number, pattern: Uint32Array): boolean {
  for (let k = 0; k < pattern.length; k += 1) if (bits[at + k] !== pattern[k]) return false;
  return true;
}

/** The set bits of bits[at, at + ⌈window/32⌉) as ascending slots. */
function slotsOf(bits: Uint32Array, at: number, window: number): Int32Array {
  const words = Math.ceil(window / 32);
  let count = 0;
  for (let k = 0; k < words; k += 1) count += popcount(bits[at + k] as number);
  const out = new Int32Array(count);
  let n = 0;
  for (let t = 0; t < window; t += 1) {
    if (((bits[at + (t >>> 5)] as number) & (1 << (t & 31))) !== 0) {
      out[n] = t;
      n += 1;
    }
  }
  return out;
}

/** |gaps(g) ∩ gaps(h)| for every pair of groups, from their bitsets. */
function sharedCounts(bits: Uint32Array, g: number, words: number): Int32Array {
  const shared = new Int32Array(g * g);
  for (let a = 1; a < g; a += 1) {
    let own = 0;
    for (let w = 0; w < words; w += 1) own += popcount(bits[a * words + w] as number);
    shared[a * g + a] = own;
    for (let b = a + 1; b < g; b += 1) {
      let common = 0;
      for (let w = 0; w < words; w += 1) common += popcount((bits[a * words + w] as number) & (bits[b * words + w] as number));
      shared[a * g + b] = common;
      shared[b * g + a] = common;
    }
  }
  return shared;
}
