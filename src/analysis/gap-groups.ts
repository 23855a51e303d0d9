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
  const groupOf = new Int32Array(rows);
  const slots: Int32Array[] = [new Int32Array(0)];
  const byHash = new Map<number, number[]>();
  const members: number[] = [];
  const scratch = new Int32Array(window);
  for (let i = 0; i < rows; i += 1) {
    if (candidate[i] !== 1) continue;
    members.push(i);
    const base = i * window;
    let length = 0;
    // FNV-1a over the slot numbers: equal patterns hash equally, collisions are checked below.
    let hash = 0x811c9dc5;
    for (let t = 0; t < window; t += 1) {
      if (countable[t] !== 1) continue;
      const x = ring[base + t] as number;
      if (x === x) continue;
      scratch[length] = t;
      length += 1;
      hash = Math.imul(hash ^ t, 0x01000193);
    }
    const candidates = byHash.get(hash);
    let id = -1;
    if (candidates !== undefined) {
      for (const g of candidates) {
        if (samePattern(slots[g] as Int32Array, scratch, length)) {
          id = g;
          break;
        }
      }
    }
    if (id < 0) {
      id = slots.length;
      slots.push(scratch.slice(0, length));
      if (candidates === undefined) byHash.set(hash, [id]);
      else candidates.push(id);
    }
    groupOf[i] = id;
  }
  return { count: slots.length, groupOf, slots, shared: sharedCounts(slots, window), rows: Int32Array.from(members) };
}

function samePattern(a: Int32Array, b: Int32Array, length: number): boolean {
  if (a.length !== length) return false;
  for (let k = 0; k < length; k += 1) if (a[k] !== b[k]) return false;
  return true;
}

/** |gaps(g) ∩ gaps(h)| for every pair of groups, from bitsets of their slots. */
function sharedCounts(slots: readonly Int32Array[], window: number): Int32Array {
  const g = slots.length;
  const words = Math.ceil(window / 32);
  const bits = new Uint32Array(g * words);
  slots.forEach((list, id) => {
    for (const t of list) bits[id * words + (t >>> 5)] = (bits[id * words + (t >>> 5)] as number) | (1 << (t & 31));
  });
  const shared = new Int32Array(g * g);
  for (let a = 1; a < g; a += 1) {
    shared[a * g + a] = (slots[a] as Int32Array).length;
    for (let b = a + 1; b < g; b += 1) {
      let common = 0;
      for (let w = 0; w < words; w += 1) common += popcount((bits[a * words + w] as number) & (bits[b * words + w] as number));
      shared[a * g + b] = common;
      shared[b * g + a] = common;
    }
  }
  return shared;
}
