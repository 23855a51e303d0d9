// The bottleneck ranking: the agents most likely to constrain the swarm, with the components of each score.

import { h, note, replaceKeepingFocus } from './dom.js';
import { formatScore, humanise } from './format.js';

/**
 * @typedef {import('./model.js').SwarmAnalysis} SwarmAnalysis
 */

/** Rows shown: the head of the ranking is what an operator acts on. */
const MAX_ROWS = 5;
/** The bottleneck score's components (server: analysis/bottleneck.ts), in display order. */
const COMPONENTS = ['utilization', 'queue_growth', 'latency_inflation', 'upstream_impact'];

/**
 * @param {number} value  in [0, 1]
 * @param {string} label
 */
function bar(value, label) {
  const clamped = Math.max(0, Math.min(1, Number.isFinite(value) ? value : 0));
  return h('meter', { min: '0', max: '1', low: '0.4', high: '0.7', optimum: '0', value: String(clamped), 'aria-label': label });
}

/**
 * @param {Element} container
 * @param {{ analysis: SwarmAnalysis }} view
 */
export function renderBottlenecks(container, view) {
  const ranked = [...view.analysis.bottlenecks].sort((a, b) => b.score - a.score).slice(0, MAX_ROWS);
  if (ranked.length === 0) {
    replaceKeepingFocus(container, [note('No bottleneck candidates yet.')]);
    return;
  }
  const head = h('tr', {}, [
    h('th', { scope: 'col', text: '#' }),
    h('th', { scope: 'col', text: 'Agent' }),
    h('th', { scope: 'col', text: 'Score' }),
    ...COMPONENTS.map((c) => h('th', { scope: 'col', class: 'num', text: humanise(c) })),
  ]);
  const rows = ranked.map((entry, i) =>
    h('tr', { 'data-agent': entry.agent }, [
      h('td', { class: 'num', text: String(i + 1) }),
      h('th', { scope: 'row' }, [h('span', { text: entry.agent }), h('span', { class: 'sub', text: entry.type })]),
      h('td', { class: 'score-cell' }, [
        bar(entry.score, `bottleneck score of ${entry.agent}`),
        h('span', { class: 'num', text: formatScore(entry.score) }),
      ]),
      ...COMPONENTS.map((c) => h('td', { class: 'num', text: formatScore(entry.components[c]) })),
    ]),
  );
  replaceKeepingFocus(container, [
    h('div', { class: 'table-scroll', tabindex: '0', role: 'group', 'aria-label': 'Bottleneck ranking' }, [
      h('table', { class: 'ranking' }, [
        h('caption', { text: 'Higher score = more likely the constraint (0 to 1); components in [0, 1]' }),
        h('thead', {}, [head]),
        h('tbody', {}, rows),
      ]),
    ]),
  ]);
}
