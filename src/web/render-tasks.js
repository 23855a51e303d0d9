// The coordination task feed: newest tasks with status, attempts and measured impact.

import { h, note, replaceKeepingFocus } from './dom.js';
import { formatAgo, humanise, taskStatusInfo } from './format.js';
import { impactDetail, impactWords } from './impact-words.js';
import { recentTasks } from './model.js';

/**
 * @typedef {import('./model.js').TaskJson} TaskJson
 */

/** Rows shown; the JSON API has the full history. */
export const FEED_LENGTH = 15;

/**
 * The impact cell: the direction in words ("anomaly cluster 50 % smaller: better"), the values behind
 * it in the tooltip; `data-verdict` lets the style mark better and worse.
 * @param {TaskJson} task
 */
function impactCell(task) {
  if (task.impact === null) return h('td', { class: 'impact', text: task.status === 'succeeded' ? 'pending' : '—' });
  const words = impactWords(task.impact);
  return h('td', {
    class: `impact impact-${words.verdict}`,
    'data-verdict': words.verdict,
    title: impactDetail(task.impact),
    text: words.text,
  });
}

/**
 * @param {TaskJson} task
 */
function targetText(task) {
  const agents =
    task.agents.length === 0
      ? 'whole swarm'
      : task.agents.length <= 3
        ? task.agents.join(', ')
        : `${task.agents.slice(0, 3).join(', ')} +${task.agents.length - 3}`;
  return `${task.swarm}: ${agents}`;
}

/**
 * @param {Element} container
 * @param {{ tasks: readonly TaskJson[], nowMs: number }} view
 */
export function renderTasks(container, view) {
  const tasks = recentTasks(view.tasks, FEED_LENGTH);
  if (tasks.length === 0) {
    replaceKeepingFocus(container, [note('No coordination tasks yet: they are created from Alertmanager alerts, schedules or by hand.')]);
    return;
  }
  const head = h(
    'tr',
    {},
    ['Created', 'Type', 'Priority', 'Status', 'Attempts', 'Impact', 'Target', 'Reason'].map((c) =>
      h('th', { scope: 'col', class: c === 'Attempts' ? 'num' : undefined, text: c }),
    ),
  );
  const rows = tasks.map((task) => {
    const status = taskStatusInfo(task.status);
    return h('tr', { 'data-task-id': task.id, 'data-status': task.status }, [
      h('td', { title: task.created_at ?? '', text: formatAgo(task.created_at, view.nowMs) }),
      h('th', { scope: 'row', text: humanise(task.type) }),
      h('td', {}, [h('span', { class: `priority priority-${task.priority}`, text: task.priority })]),
      h('td', {}, [
        h('span', { class: `task-status task-${task.status}` }, [
          h('span', { 'aria-hidden': 'true', text: status.icon }),
          ` ${status.label}`,
        ]),
      ]),
      h('td', { class: 'num', text: String(task.attempt_count) }),
      impactCell(task),
      h('td', { text: targetText(task) }),
      h('td', { class: 'reason', title: task.last_error ?? task.reason, text: task.reason || '—' }),
    ]);
  });
  replaceKeepingFocus(container, [
    h('div', { class: 'table-scroll', tabindex: '0', role: 'group', 'aria-label': 'Coordination tasks, newest first' }, [
      h('table', { class: 'tasks' }, [
        h('caption', { class: 'visually-hidden', text: 'Coordination tasks, newest first' }),
        h('thead', {}, [head]),
        h('tbody', {}, rows),
      ]),
    ]),
  ]);
}
