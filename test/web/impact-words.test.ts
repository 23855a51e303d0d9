// Task impacts in words: the direction of the measured quantity and whether that is better, agreeing
// with the server's own direction per score and its improvement-signed ratio.
import { describe, expect, it } from 'vitest';
import { impactRatio, SCORE_HIGHER_IS_BETTER } from '../../src/coordination/impact.js';
import { impactDetail, impactWords, QUANTITIES } from '../../src/web/impact-words.js';

/** The impact JSON the server stores for a reading going from `before` to `after`. */
function impact(score: string, before: number, after: number, higherIsBetter: boolean) {
  const ratio = impactRatio({ score, value: before, higherIsBetter }, { score, value: after, higherIsBetter });
  return { score, before, after, ratio, measured_at: null };
}

describe('impactWords', () => {
  it('knows every score the probe measures, with the probe’s direction', () => {
    expect(Object.keys(QUANTITIES).sort()).toEqual(Object.keys(SCORE_HIGHER_IS_BETTER).sort());
    for (const [score, higher] of Object.entries(SCORE_HIGHER_IS_BETTER)) expect(QUANTITIES[score]?.higherIsBetter, score).toBe(higher);
  });

  it('reads a halved anomaly cluster (ratio +0.5: an improvement of a lower-is-better score) as smaller and better, a doubled one as larger and worse', () => {
    const halved = impact('anomaly_cluster_size', 4, 2, false);
    expect(halved.ratio).toBe(0.5);
    expect(impactWords(halved)).toEqual({ text: 'anomaly cluster 50 % smaller: better', verdict: 'better' });
    expect(impactWords(impact('anomaly_cluster_size', 2, 4, false))).toEqual({
      text: 'anomaly cluster 100 % larger: worse',
      verdict: 'worse',
    });
    expect(impactDetail(halved)).toBe('anomaly cluster size 4 → 2');
  });

  it('agrees with the sign of the server’s ratio for every score, both ways, over many values', () => {
    let checked = 0;
    for (const [score, higher] of Object.entries(SCORE_HIGHER_IS_BETTER)) {
      for (const before of [0.25, 1, 3, 900]) {
        for (const factor of [0.1, 0.5, 0.99, 1.01, 2, 7]) {
          const json = impact(score, before, before * factor, higher);
          const words = impactWords(json);
          expect(words.verdict, `${score} ${before} → ${before * factor}`).toBe(json.ratio > 0 ? 'better' : 'worse');
          expect(words.text).toMatch(
            new RegExp(
              `^${QUANTITIES[score]?.noun} [\\d.]+ % ${factor > 1 ? QUANTITIES[score]?.up : QUANTITIES[score]?.down}: ${words.verdict}$`,
            ),
          );
          checked++;
        }
      }
    }
    expect(checked).toBe(5 * 4 * 6);
  });

  it('names the values from a zero baseline, says unchanged, and infers the direction of an unknown score from the signs', () => {
    expect(impactWords(impact('unhealthy_agents', 0, 2, false))).toEqual({ text: 'unhealthy agents 0 → 2: worse', verdict: 'worse' });
    expect(impactWords(impact('health', 0.7, 0.7, true))).toEqual({ text: 'health unchanged', verdict: 'unchanged' });
    expect(impactWords(impact('tokens_per_task', 800, 600, false))).toEqual({
      text: 'tokens per task 25 % lower: better',
      verdict: 'better',
    });
    expect(impactWords(impact('success_rate', 0.5, 0.4, true))).toEqual({ text: 'success rate 20 % lower: worse', verdict: 'worse' });
  });
});
