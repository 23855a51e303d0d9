// The agent health grid: one tile per agent and swarm (status by colour, icon and word), its legend,
// and the detail panel of the selected agent (health components and recent values).

import { h, note, replaceKeepingFocus, svg } from './dom.js';
import { STATUSES, formatAgo, formatMetricValue, formatScore, humanise, statusInfo } from './format.js';
import { sparklinePoints } from './history.js';
import { countsSentence } from './model.js';

/**
 * @typedef {import('./model.js').AgentView} AgentView
 * @typedef {import('./model.js').SwarmGroup} SwarmGroup
 * @typedef {{ caption: string, empty: string, values: (metric: string) => readonly (number | null)[] }} Trend
 *   The detail's trends: the exporter's window, or what this page saw when the exporter has no window route.
 * @typedef {{ swarm: string, agent: string }} AgentRef
 */

/** Order of the health components in the detail panel (the server's formula, docs/analysis.md#health-model). */
const COMPONENTS = ['errors', 'latency', 'resources', 'liveness'];

/** Canonical metrics first in this order (docs/design.md#domain-model), custom metrics after them by name. */
const METRIC_ORDER = [
  'cpu_usage',
  'memory_usage',
  'response_time',
  'throughput',
  'error_rate',
  'queue_depth',
  'active_tasks',
  'coordination_load',
];

/**
 * @param {AgentRef} ref
 */
export function agentKey(ref) {
  return `${ref.swarm}/${ref.agent}`;
}

/** The legend: every status with its icon, so colour is never the only cue. */
export function renderLegend() {
  return h(
    'ul',
    { class: 'legend', 'aria-label': 'Status legend' },
    STATUSES.map((s) =>
      h('li', {}, [h('span', { class: `badge status-${s.key}` }, [h('span', { 'aria-hidden': 'true', text: s.icon }), ` ${s.label}`])]),
    ),
  );
}

/**
 * @param {AgentView} agent
 * @param {boolean} selected
 * @param {(ref: AgentRef) => void} onSelect
 */
function tile(agent, selected, onSelect) {
  const info = statusInfo(agent.status);
  const score = formatScore(agent.health_score);
  return h('li', {}, [
    h(
      'button',
      {
        type: 'button',
        class: `tile status-${info.key}`,
        'data-key': `tile:${agentKey(agent)}`,
        'data-agent': agent.agent,
        'data-swarm': agent.swarm,
        'data-status': info.key,
        'aria-expanded': selected ? 'true' : 'false',
        'aria-controls': 'agent-detail',
        title: `${agent.agent}: ${info.label.toLowerCase()}, health score ${score}`,
        onclick: () => onSelect({ swarm: agent.swarm, agent: agent.agent }),
      },
      [
        h('span', { class: 'tile-name', text: agent.agent }),
        h('span', { class: `badge status-${info.key}` }, [h('span', { 'aria-hidden': 'true', text: info.icon }), ` ${info.label}`]),
        h('span', { class: 'tile-type', text: agent.variant ? `${agent.type} · ${agent.variant}` : agent.type }),
        // Revealed on hover and keyboard focus (CSS); always part of the button's accessible name.
        h('span', { class: 'tile-score', text: `score ${score}` }),
      ],
    ),
  ]);
}

/**
 * Draws the grids of every swarm into `container`.
 * @param {Element} container
 * @param {{ groups: readonly SwarmGroup[], selected: AgentRef | null, onSelect: (ref: AgentRef) => void }} view
 */
export function renderHealthGrid(container, view) {
  if (view.groups.length === 0) {
    replaceKeepingFocus(container, [note('No agents yet: agents appear here after their first heartbeat or sample.')]);
    return;
  }
  const selectedKey = view.selected === null ? null : agentKey(view.selected);
  replaceKeepingFocus(
    container,
    view.groups.map((group) => {
      const headingId = `swarm-${cssId(group.swarm)}`;
      return h('section', { class: 'swarm', 'aria-labelledby': headingId }, [
        h('h3', { id: headingId }, [
          h('span', { text: `Swarm ${group.swarm}` }),
          h('span', { class: 'counts', text: countsSentence(group.counts) }),
        ]),
        h(
          'ul',
          { class: 'tiles', role: 'list' },
          group.agents.map((agent) => tile(agent, agentKey(agent) === selectedKey, view.onSelect)),
        ),
      ]);
    }),
  );
}

/**
 * An id-safe form of a swarm name (ids must not contain spaces; swarm names never do, but the
 * page does not rely on it).
 * @param {string} name
 */
function cssId(name) {
  return name.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`);
}

/**
 * The sparkline of one series: decorative (the numbers sit next to it), so hidden from assistive tech.
 * @param {readonly (number | null)[]} values
 * @param {string} empty  said when there are fewer than two points
 */
function sparkline(values, empty) {
  const points = sparklinePoints(values, 120, 24);
  if (points === '') return h('span', { class: 'note', text: empty });
  return svg(
    'svg',
    { class: 'sparkline', viewBox: '-2 -2 124 28', width: '124', height: '28', 'aria-hidden': 'true', focusable: 'false' },
    [svg('polyline', { points, fill: 'none', 'stroke-width': '1.5', 'vector-effect': 'non-scaling-stroke' })],
  );
}

/**
 * @param {readonly (number | null)[]} values
 * @returns {[number, number] | null}
 */
function range(values) {
  const finite = /** @type {number[]} */ (values.filter((v) => typeof v === 'number' && Number.isFinite(v)));
  return finite.length === 0 ? null : [Math.min(...finite), Math.max(...finite)];
}

/**
 * Draws the detail panel of the selected agent (or hides it).
 * @param {HTMLElement} panel
 * @param {{ agent: AgentView | null, trend: Trend, nowMs: number, onClose: () => void }} view
 */
export function renderAgentDetail(panel, view) {
  const { agent } = view;
  if (agent === null) {
    panel.hidden = true;
    panel.replaceChildren();
    return;
  }
  panel.hidden = false;
  const info = statusInfo(agent.status);
  const components = COMPONENTS.map((name) => {
    const value = agent.health_components[name];
    return h('tr', {}, [
      h('th', { scope: 'row', text: name }),
      h('td', {}, [
        typeof value === 'number'
          ? h('meter', {
              min: '0',
              max: '1',
              low: '0.5',
              high: '0.75',
              optimum: '1',
              value: String(value),
              'aria-label': `${name} component`,
            })
          : null,
      ]),
      h('td', { class: 'num', text: formatScore(value) }),
    ]);
  });
  const metrics = Object.keys(agent.metrics).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const metricRows = metrics.map((metric) => {
    const recent = view.trend.values(metric);
    const span = range(recent);
    return h('tr', {}, [
      h('th', { scope: 'row', text: humanise(metric) }),
      h('td', { class: 'num', text: formatMetricValue(metric, agent.metrics[metric]) }),
      h('td', {}, [sparkline(recent, view.trend.empty)]),
      h('td', {
        class: 'num',
        text: span === null ? '—' : `${formatMetricValue(metric, span[0])} – ${formatMetricValue(metric, span[1])}`,
      }),
    ]);
  });
  const facts = [
    ['Swarm', agent.swarm],
    ['Type', agent.type],
    ['Variant', agent.variant || '—'],
    ['Capacity', agent.capacity === null ? '—' : `${agent.capacity} slots`],
    ['Up', agent.up ? 'yes' : 'no'],
    ['Last seen', formatAgo(agent.last_seen, view.nowMs)],
  ];
  panel.setAttribute('aria-label', `Details of agent ${agent.agent}`);
  replaceKeepingFocus(panel, [
    h('div', { class: 'detail-head' }, [
      h('h3', {}, [
        h('span', { text: agent.agent }),
        ' ',
        h('span', { class: `badge status-${info.key}` }, [h('span', { 'aria-hidden': 'true', text: info.icon }), ` ${info.label}`]),
      ]),
      h('button', { type: 'button', class: 'close', 'data-key': 'detail-close', onclick: view.onClose }, [
        'Close',
        h('span', { class: 'visually-hidden', text: ` details of ${agent.agent}` }),
      ]),
    ]),
    h('p', { class: 'score-line' }, [`Health score `, h('strong', { text: formatScore(agent.health_score) }), ' (1 = healthy)']),
    h(
      'dl',
      { class: 'facts' },
      facts.flatMap(([term, value]) => [h('dt', { text: term }), h('dd', { text: value })]),
    ),
    h('div', { class: 'detail-tables' }, [
      h('table', { class: 'components' }, [h('caption', { text: 'Health components (0 to 1, 1 = nominal)' }), h('tbody', {}, components)]),
      metricRows.length === 0
        ? note('No metric values yet.')
        : h('table', { class: 'recent' }, [
            h('caption', { text: view.trend.caption }),
            h('thead', {}, [
              h('tr', {}, [
                h('th', { scope: 'col', text: 'Metric' }),
                h('th', { scope: 'col', text: 'Latest' }),
                h('th', { scope: 'col', text: 'Trend' }),
                h('th', { scope: 'col', text: 'Range' }),
              ]),
            ]),
            h('tbody', {}, metricRows),
          ]),
    ]),
  ]);
}

/** @param {string} metric */
function rank(metric) {
  const i = METRIC_ORDER.indexOf(metric);
  return i === -1 ? METRIC_ORDER.length : i;
}
