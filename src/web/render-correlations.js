// The top correlated pairs of one metric as a heatmap matrix (a real table: readable cell by cell),
// with the strongest lead/lag relations of that metric underneath.

import { heatColour, parseHex } from './colour.js';
import { h, note, replaceKeepingFocus } from './dom.js';
import { formatCorrelation, formatDuration, humanise } from './format.js';
import { correlationMatrix } from './model.js';

/**
 * @typedef {import('./model.js').SwarmAnalysis} SwarmAnalysis
 * @typedef {import('./colour.js').Rgb} Rgb
 */

/** Agents shown in the matrix: 10 x 10 cells stay readable on a laptop screen. */
const MAX_AGENTS = 10;
/** Lead/lag lines listed under the matrix. */
const MAX_LEADS = 3;

/**
 * The heatmap scale from the theme's CSS custom properties (light and dark differ).
 * @returns {{ negative: Rgb, neutral: Rgb, positive: Rgb }}
 */
function themeScale() {
  const css = getComputedStyle(document.documentElement);
  /** @param {string} name @param {Rgb} fallback */
  const read = (name, fallback) => parseHex(css.getPropertyValue(name)) ?? fallback;
  return {
    negative: read('--heat-negative', [33, 102, 172]),
    neutral: read('--heat-neutral', [247, 247, 247]),
    positive: read('--heat-positive', [179, 88, 6]),
  };
}

/**
 * Fills the metric picker with the metrics that have pairs, keeping the current choice.
 * @param {HTMLSelectElement} select
 * @param {readonly string[]} metrics
 * @param {string | null} current
 */
export function renderMetricOptions(select, metrics, current) {
  const same = select.options.length === metrics.length && metrics.every((m, i) => select.options[i]?.value === m);
  if (!same) {
    select.replaceChildren(...metrics.map((m) => h('option', { value: m, text: humanise(m) })));
  }
  select.disabled = metrics.length === 0;
  if (current !== null && select.value !== current) select.value = current;
}

/**
 * @param {Element} container
 * @param {{ analysis: SwarmAnalysis, metric: string | null }} view
 */
export function renderCorrelations(container, view) {
  const { analysis, metric } = view;
  const pairs = metric === null ? [] : (analysis.top_pairs[metric] ?? []);
  if (metric === null || pairs.length === 0) {
    const text =
      analysis.filled_points < 3
        ? 'Collecting data: correlations need a few steps of history.'
        : metric === null
          ? 'No pair whose changes correlate significantly in this window.'
          : // The chosen metric stays chosen (it may have pairs again next step): say so rather than switch.
            `No pair whose changes of ${humanise(metric)} correlate significantly in this window; ${humanise(metric)} stays selected until you choose another metric.`;
    replaceKeepingFocus(container, [note(text)]);
    return;
  }
  const matrix = correlationMatrix(pairs, MAX_AGENTS);
  const scale = themeScale();
  const head = h('tr', {}, [h('td', {}), ...matrix.agents.map((a) => h('th', { scope: 'col', text: a }))]);
  const rows = matrix.agents.map((rowAgent, i) =>
    h('tr', {}, [
      h('th', { scope: 'row', text: rowAgent }),
      ...matrix.agents.map((colAgent, j) => {
        const r = matrix.cells[i]?.[j] ?? null;
        if (i === j) return h('td', { class: 'diag', 'aria-label': `${rowAgent} with itself` }, []);
        if (r === null)
          return h('td', { class: 'empty', title: `${rowAgent} × ${colAgent}: not among the top pairs` }, [
            h('span', { 'aria-hidden': 'true', text: '·' }),
            h('span', { class: 'visually-hidden', text: 'not in top pairs' }),
          ]);
        const colour = heatColour(r, scale);
        const cell = h('td', {
          class: 'heat',
          title: `${rowAgent} × ${colAgent}: r = ${formatCorrelation(r)}`,
          text: formatCorrelation(r),
        });
        // Run-time colours go through CSSOM, which the CSP allows (style attributes are not).
        cell.style.backgroundColor = colour.background;
        cell.style.color = colour.ink;
        return cell;
      }),
    ]),
  );
  const mean = analysis.correlation_mean_abs[metric];
  const leads = analysis.lead_lag.filter((l) => l.metric === metric).slice(0, MAX_LEADS);
  replaceKeepingFocus(container, [
    h('div', { class: 'matrix-scroll', tabindex: '0', role: 'group', 'aria-label': `Correlation matrix of ${humanise(metric)}` }, [
      h('table', { class: 'matrix' }, [
        h('caption', {
          text: `Pearson r of the step-to-step changes of ${humanise(metric)} between agents: the ${pairs.length} strongest significant pairs${typeof mean === 'number' ? `; mean |r| over all pairs ${mean.toFixed(2)}` : ''}`,
        }),
        h('thead', {}, [head]),
        h('tbody', {}, rows),
      ]),
    ]),
    h('p', { class: 'scale', 'aria-hidden': 'true' }, [
      h('span', { class: 'scale-neg', text: '−1 moves opposite' }),
      h('span', { class: 'scale-bar' }),
      h('span', { class: 'scale-pos', text: '+1 moves together' }),
    ]),
    leads.length === 0
      ? null
      : h(
          'ul',
          { class: 'leads', 'aria-label': 'Lead and lag' },
          leads.map((l) =>
            h('li', { text: `${l.leader} leads ${l.follower} by ${formatDuration(l.lag_seconds)} (r ${formatCorrelation(l.r)})` }),
          ),
        ),
  ]);
}
