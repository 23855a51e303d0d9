// A task's measured impact in words: which way the measured quantity moved, by how much, and
// whether that is better or worse for it (the server's ratio is signed by improvement, not by size).

import { formatPercent } from './format.js';

/**
 * @typedef {NonNullable<import('../coordination/task-json.js').TaskJson['impact']>} ImpactJson
 * @typedef {{ noun: string, up: string, down: string, higherIsBetter: boolean }} Quantity
 */

/**
 * Every score the default probe measures (src/coordination/impact.ts) with the direction that is
 * better for it. Keep in step with planContextProbe.
 * @type {Readonly<Record<string, Quantity>>}
 */
export const QUANTITIES = {
  health: { noun: 'health', up: 'higher', down: 'lower', higherIsBetter: true },
  balance_index: { noun: 'load balance', up: 'more even', down: 'less even', higherIsBetter: true },
  anomaly_cluster_size: { noun: 'anomaly cluster', up: 'larger', down: 'smaller', higherIsBetter: false },
  unhealthy_agents: { noun: 'unhealthy agents', up: 'more', down: 'fewer', higherIsBetter: false },
  saturation_seconds: { noun: 'time to saturation', up: 'longer', down: 'shorter', higherIsBetter: true },
};

/**
 * The quantity of a score; an unknown one (a newer server) gets its direction from the signs:
 * the ratio is positive when the change was an improvement.
 * @param {ImpactJson} impact
 * @returns {Quantity}
 */
function quantityOf(impact) {
  const known = QUANTITIES[impact.score];
  if (known !== undefined) return known;
  const rose = impact.after > impact.before;
  return {
    noun: impact.score.replace(/_/g, ' '),
    up: 'higher',
    down: 'lower',
    higherIsBetter: impact.ratio === 0 ? true : rose === impact.ratio > 0,
  };
}

/** @param {number} v */
function plain(v) {
  return Number.isInteger(v) ? String(v) : v.toPrecision(3).replace(/\.?0+$/, '');
}

/**
 * "anomaly cluster 50 % smaller: better", "health 12 % lower: worse", "unhealthy agents unchanged";
 * from a zero baseline (no percentage exists) the values themselves: "anomaly cluster 0 → 2: worse".
 * @param {ImpactJson} impact
 * @returns {{ text: string, verdict: 'better' | 'worse' | 'unchanged' }}
 */
export function impactWords(impact) {
  const q = quantityOf(impact);
  const { before, after } = impact;
  if (!Number.isFinite(before) || !Number.isFinite(after) || after === before) return { text: `${q.noun} unchanged`, verdict: 'unchanged' };
  const rose = after > before;
  const verdict = rose === q.higherIsBetter ? 'better' : 'worse';
  if (Math.abs(before) < 1e-9) return { text: `${q.noun} ${plain(before)} → ${plain(after)}: ${verdict}`, verdict };
  const change = formatPercent(Math.abs(after - before) / Math.abs(before));
  return { text: `${q.noun} ${change} ${rose ? q.up : q.down}: ${verdict}`, verdict };
}

/**
 * The values behind the words, for a tooltip: "anomaly cluster size 4 → 2".
 * @param {ImpactJson} impact
 */
export function impactDetail(impact) {
  return `${impact.score.replace(/_/g, ' ')} ${plain(impact.before)} → ${plain(impact.after)}`;
}
