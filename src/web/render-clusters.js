// Anomaly clusters: agents anomalous together and tied by correlation, with the evidence; plus the
// strongest single anomalies of the latest step.

import { h, note, replaceKeepingFocus } from './dom.js';
import { formatCorrelation, humanise, trimNumber } from './format.js';

/**
 * @typedef {import('./model.js').SwarmAnalysis} SwarmAnalysis
 */

/** Clusters, evidence lines per cluster and single anomalies shown. */
const MAX_CLUSTERS = 4;
const MAX_EVIDENCE = 3;
const MAX_ANOMALIES = 5;

/**
 * @param {readonly number[]} steps  steps ago, 0 = latest
 */
function whenText(steps) {
  if (steps.length === 0) return '';
  const latest = Math.min(...steps);
  const when = latest === 0 ? 'now' : `${latest} step${latest === 1 ? '' : 's'} ago`;
  return `together in ${steps.length} step${steps.length === 1 ? '' : 's'}, latest ${when}`;
}

/**
 * @param {Element} container
 * @param {{ analysis: SwarmAnalysis }} view
 */
export function renderClusters(container, view) {
  const { analysis } = view;
  const clusters = [...analysis.clusters].sort((a, b) => b.agents.length - a.agents.length).slice(0, MAX_CLUSTERS);
  const anomalies = [...analysis.anomalies].sort((a, b) => b.score - a.score).slice(0, MAX_ANOMALIES);
  const clusterList =
    clusters.length === 0
      ? note('No correlated anomalies in the window.')
      : h(
          'ol',
          { class: 'clusters' },
          clusters.map((c) =>
            h('li', { class: 'cluster', 'data-size': String(c.agents.length) }, [
              h('p', { class: 'cluster-head' }, [h('strong', { text: `${c.agents.length} agents: ${c.agents.join(', ')}` })]),
              h('p', { class: 'sub', text: `${c.metrics.map(humanise).join(', ')}; ${whenText(c.steps)}` }),
              c.evidence.length === 0
                ? null
                : h(
                    'ul',
                    { class: 'evidence', 'aria-label': 'Evidence' },
                    c.evidence
                      .slice(0, MAX_EVIDENCE)
                      .map((e) => h('li', { text: `${e.agent_a} ~ ${e.agent_b} on ${humanise(e.metric)}: r ${formatCorrelation(e.r)}` })),
                  ),
            ]),
          ),
        );
  replaceKeepingFocus(container, [
    clusterList,
    h('h3', { class: 'minor', text: 'Anomalous now' }),
    anomalies.length === 0
      ? note('No value above the anomaly threshold at the latest step.')
      : h(
          'ul',
          { class: 'anomalies' },
          anomalies.map((a) =>
            h('li', {}, [
              h('span', { text: `${a.agent} · ${humanise(a.metric)}` }),
              h('span', { class: 'num', text: `|z| ${trimNumber(a.score, 3)}` }),
            ]),
          ),
        ),
  ]);
}
