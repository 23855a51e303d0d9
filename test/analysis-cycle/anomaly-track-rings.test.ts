// AnomalyTrack fed the store's rings (only each window's order kept) scores exactly as the track fed
// columns (a sorted copy of every window kept), driven the way the swarm analyzer drives it: slots
// that empty and are handed to newcomers, joiners loaded with their history, late samples revising
// past cells, missed pushes, and the slot space growing.
import { describe, expect, it } from 'vitest';
import { AnomalyTrack } from '../../src/analysis-cycle/anomaly-track.js';
import { complete } from '../../src/analysis/sliced.js';
import { AlignedWindows } from '../../src/store/aligned-windows.js';
import { seeded } from '../analysis/support/random.js';

const THRESHOLD = 3.5;

function run(width: number, seed: number, steps: number): void {
  const rng = seeded(seed);
  let capacity = 8;
  const windows = new AlignedWindows(width, { stepMs: 1000, newestEnd: 0, carryForward: 1 });
  const agentAt: (string | undefined)[] = new Array<string | undefined>(capacity).fill(undefined);
  const missing = new Float64Array(width).fill(Number.NaN);
  // Both tracks are created after a few steps from the windows' history, as the analyzer's plan() does.
  let columnFed: AnomalyTrack | null = null;
  let ringFed: AnomalyTrack | null = null;
  // Created without history: a ring-fed track reads every window from the rings at its first advance.
  let bare: AnomalyTrack | null = null;
  const historyOf = (slot: number): Float64Array | null => {
    const agent = agentAt[slot];
    const points = windows.filled - 1;
    if (agent === undefined || points <= 0 || !windows.view('m', agent)) return null;
    return windows.chronological('m', agent).subarray(0, points);
  };
  let next = 0;
  let spikes = 0;
  for (let step = 1; step <= steps; step += 1) {
    const joined: number[] = [];
    for (let s = 0; s < capacity; s += 1) {
      const agent = agentAt[s];
      if (agent !== undefined && rng.next() < 0.01) {
        windows.removeAgent(agent);
        agentAt[s] = undefined;
        columnFed?.clearSlot(s);
        ringFed?.clearSlot(s);
        bare?.clearSlot(s);
      } else if (agent === undefined && rng.next() < 0.1) {
        const id = `a${next++}`;
        windows.ensure('m', id);
        agentAt[s] = id;
        joined.push(s);
        // A joiner that backfills its last steps (its ring holds earlier steps when it is first analysed).
        if (step > 4 && rng.next() < 0.5)
          for (let back = 1; back <= 3; back += 1) windows.writePast('m', id, (step - 1 - back) * 1000 + 500, 10 + rng.gauss());
      }
    }
    if (step === 120 && capacity === 8) {
      capacity = 13;
      agentAt.length = capacity;
      agentAt.fill(undefined, 8);
      columnFed?.resize(capacity);
      ringFed?.resize(capacity);
      bare?.resize(capacity);
    }
    // Late samples: a spike or an ordinary value written into a past step of a known agent.
    if (step > 3 && rng.next() < 0.4) {
      const s = Math.floor(rng.next() * capacity);
      const agent = agentAt[s];
      const back = Math.floor(rng.next() * Math.min(step - 2, 6));
      const spike = rng.next() < 0.3;
      if (agent !== undefined && !joined.includes(s)) {
        windows.writePast('m', agent, (step - 1 - back) * 1000 + 500, spike ? 60 + rng.gauss() : 10 + rng.gauss());
        if (spike) spikes += 1;
      }
    }
    const revisions = windows.drainRevisions();
    expect(revisions.overflow).toBe(false);
    windows.advance(
      () => (rng.next() < 0.05 ? Number.NaN : rng.next() < 0.01 ? 40 + rng.gauss() : 10 + rng.gauss() + (step % 50 < 20 ? 0 : 0.5)),
      step * 1000,
    );
    const at = (windows.head - 1 + width) % width;
    const rows = agentAt.map((agent) => (agent === undefined ? missing : (windows.seriesOf('m').get(agent) ?? missing)));
    const column = Float64Array.from(rows, (ring) => ring[at] ?? Number.NaN);
    if (columnFed === null || ringFed === null || bare === null) {
      if (step < 5) continue;
      const history = Array.from({ length: capacity }, (_, s) => historyOf(s));
      columnFed = new AnomalyTrack(capacity, width);
      complete(columnFed.loadHistory(history));
      ringFed = new AnomalyTrack(capacity, width);
      complete(ringFed.loadHistory(history));
      bare = new AnomalyTrack(capacity, width);
    } else {
      const rewritten = new Set<number>();
      for (const cell of revisions.cells) {
        const s = agentAt.indexOf(cell.agent);
        if (s >= 0 && !Object.is(cell.previous, cell.value)) rewritten.add(s);
      }
      for (const s of joined) {
        const history = historyOf(s);
        if (history === null || !history.some(Number.isFinite)) continue;
        columnFed.load(s, history);
        ringFed.load(s, history);
        bare.load(s, history);
      }
      for (const s of rewritten) {
        if (joined.includes(s)) continue;
        columnFed.revise(s, historyOf(s));
        ringFed.revise(s, historyOf(s));
        bare.revise(s, historyOf(s));
      }
    }
    columnFed.advance(column);
    ringFed.advance(column, rows, at);
    bare.advance(column, rows, at);
    expect(Array.from(bare.z)).toEqual(Array.from(ringFed.z));
    for (let s = 0; s < capacity; s += 1) {
      expect(
        Object.is(ringFed.z[s], columnFed.z[s]) ||
          Math.abs((ringFed.z[s] as number) - (columnFed.z[s] as number)) <= 1e-9 * Math.max(1, Math.abs(columnFed.z[s] as number)),
      ).toBe(true);
      expect(ringFed.median(s)).toBe(columnFed.median(s));
    }
    const a = ringFed.layer('m', THRESHOLD).anomalous;
    const b = columnFed.layer('m', THRESHOLD).anomalous;
    expect(Array.from(a)).toEqual(Array.from(b));
  }
  expect(spikes).toBeGreaterThan(10);
  expect(ringFed?.bankBytes).toBe(capacity * width + capacity * 4);
  expect(columnFed?.bankBytes).toBe(capacity * width * 9 + capacity * 4);
}

describe('AnomalyTrack fed the store rings', () => {
  it.each([
    [30, 1, 1500],
    [60, 2, 1500],
  ])('scores, medians and recent anomalies equal the column-fed track (W = %i, seed %i)', (width, seed, steps) => {
    run(width, seed, steps);
  });
});
