// AnomalyTrack.revise: a sample that arrives after its step was analysed (a late, timestamped push)
// rewrites that step's cell; the track rescores the recent steps so the anomaly still reaches the
// clusters, instead of the value carried in its place hiding it.
import { describe, expect, it } from 'vitest';
import { ANOMALY_STEPS, AnomalyTrack } from '../../src/analysis-cycle/anomaly-track.js';
import { seeded } from '../analysis/support/random.js';

const W = 30;
const THRESHOLD = 3.5;

/** Slot-major anomalous flags of the latest ANOMALY_STEPS steps (step ANOMALY_STEPS − 1 = latest). */
function flags(track: AnomalyTrack, slots: number): number[][] {
  const layer = track.layer('response_time', THRESHOLD);
  return Array.from({ length: slots }, (_, slot) => Array.from(layer.anomalous.subarray(slot * ANOMALY_STEPS, (slot + 1) * ANOMALY_STEPS)));
}

describe('AnomalyTrack.revise', () => {
  it('flags a spike that arrived after its step was analysed, at the step it belongs to', () => {
    const rng = seeded(11);
    const track = new AnomalyTrack(2, W);
    const history: number[][] = [[], []];
    const column = new Float64Array(2);
    for (let t = 0; t < 40; t += 1) {
      for (let slot = 0; slot < 2; slot += 1) {
        column[slot] = 100 + rng.gauss();
        history[slot]?.push(column[slot] ?? 0);
      }
      track.advance(column);
    }
    // The last analysed step of slot 1 held a carried value; its real sample (a spike) arrives now.
    const revised = Float64Array.from((history[1] ?? []).slice(-W));
    revised[W - 1] = 100 + 40;
    expect(flags(track, 2)[1]).toEqual([0, 0, 0, 0, 0]);
    track.revise(1, revised);
    expect(flags(track, 2)).toEqual([
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 1],
    ]);
    // A window without the spike (a revision that changed an ordinary value) flags nothing.
    track.revise(1, Float64Array.from((history[1] ?? []).slice(-W)));
    expect(flags(track, 2)[1]).toEqual([0, 0, 0, 0, 0]);
  });
});
