// Variants (A/B): each variant against the baseline per metric, the effect and its Holm-adjusted
// p-value with agents as the unit; "too few agents" where no p-value is computed.

import { h, note, replaceKeepingFocus } from './dom.js';
import { humanise, trimNumber } from './format.js';

/**
 * @typedef {import('./model.js').SwarmAnalysis} SwarmAnalysis
 * @typedef {import('../analysis-cycle/swarm-analysis.js').VariantComparison} VariantComparison
 */

/** Metrics where higher is better (the AgentSwarmVariantOutperforms rule's reading); lower elsewhere. */
const HIGHER_IS_BETTER = new Set(['throughput']);
/** The rule's bars: p below, effect at least. */
const P_BAR = 0.01;
const EFFECT_BAR = 0.1;
const MAX_ROWS = 12;

/**
 * A verdict word for one comparison, as the alert rule reads it.
 * @param {VariantComparison} v
 */
export function variantVerdict(v) {
  if (v.p_value === null) return 'too few agents';
  const better = HIGHER_IS_BETTER.has(v.metric) ? v.effect_ratio >= EFFECT_BAR : v.effect_ratio <= -EFFECT_BAR;
  const worse = HIGHER_IS_BETTER.has(v.metric) ? v.effect_ratio <= -EFFECT_BAR : v.effect_ratio >= EFFECT_BAR;
  if (v.p_value < P_BAR && better) return 'better';
  if (v.p_value < P_BAR && worse) return 'worse';
  return 'no clear difference';
}

/** @param {number} effect */
function effectText(effect) {
  const pct = effect * 100;
  return `${pct > 0 ? '+' : pct < 0 ? '−' : ''}${trimNumber(Math.abs(pct), 2)} %`;
}

/** @param {number | null} p */
function pText(p) {
  if (p === null) return '—';
  return p < 0.001 ? '< 0.001' : trimNumber(p, 2);
}

/**
 * @param {Element} container
 * @param {{ analysis: SwarmAnalysis }} view
 */
export function renderVariants(container, view) {
  const { analysis } = view;
  const rows = [...analysis.variants]
    .sort((a, b) => (a.p_value ?? 2) - (b.p_value ?? 2) || a.variant.localeCompare(b.variant) || a.metric.localeCompare(b.metric))
    .slice(0, MAX_ROWS);
  if (rows.length === 0) {
    replaceKeepingFocus(container, [
      note('No variants to compare: agents declare a variant in their heartbeat; the most common one is the baseline.'),
    ]);
    return;
  }
  replaceKeepingFocus(container, [
    h('table', { class: 'variants' }, [
      h('caption', { text: `Against baseline ${rows[0]?.baseline ?? ''}: per-agent means, Holm-adjusted p` }),
      h('thead', {}, [
        h('tr', {}, [
          h('th', { scope: 'col', text: 'Variant' }),
          h('th', { scope: 'col', text: 'Metric' }),
          h('th', { scope: 'col', class: 'num', text: 'Effect' }),
          h('th', { scope: 'col', class: 'num', text: 'p' }),
          h('th', { scope: 'col', class: 'num', text: 'Agents' }),
          h('th', { scope: 'col', text: 'Reading' }),
        ]),
      ]),
      h(
        'tbody',
        {},
        rows.map((v) => {
          const verdict = variantVerdict(v);
          return h('tr', { 'data-verdict': verdict.replace(/ /g, '-') }, [
            h('th', { scope: 'row', text: v.variant }),
            h('td', { text: humanise(v.metric) }),
            h('td', { class: 'num', text: effectText(v.effect_ratio) }),
            h('td', { class: 'num', text: pText(v.p_value) }),
            h('td', { class: 'num', text: `${v.n_variant} vs ${v.n_baseline}` }),
            h('td', { text: verdict }),
          ]);
        }),
      ),
    ]),
  ]);
}
