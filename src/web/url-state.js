// The page's selection (swarm, correlation metric, selected agent) as a query string, so a reload
// or a shared link shows the same view; written with history.replaceState, never by a refresh.

/**
 * @typedef {{ swarm: string | null, metric: string | null, agent: { swarm: string, agent: string } | null }} Selection
 */

/** Longest value read back from a URL: names are at most 128 characters (server patterns). */
const MAX_VALUE = 200;

/**
 * @param {URLSearchParams} params
 * @param {string} name
 */
function value(params, name) {
  const v = params.get(name);
  return v === null || v === '' || v.length > MAX_VALUE ? null : v;
}

/**
 * The selection a query string names; anything missing or malformed is null (the page's default).
 * @param {string} search  e.g. location.search, "?swarm=prod&metric=queue_depth&agent=prod%2Fplanner-1"
 * @returns {Selection}
 */
export function readSelection(search) {
  const params = new URLSearchParams(search);
  const agentParam = value(params, 'agent');
  const slash = agentParam === null ? -1 : agentParam.indexOf('/');
  // Swarm names and agent ids never contain "/" (server patterns): exactly one splits them.
  const agent =
    agentParam !== null && slash > 0 && slash < agentParam.length - 1 && agentParam.indexOf('/', slash + 1) === -1
      ? { swarm: agentParam.slice(0, slash), agent: agentParam.slice(slash + 1) }
      : null;
  return { swarm: value(params, 'swarm'), metric: value(params, 'metric'), agent };
}

/**
 * The query string of a selection ("" when nothing is selected), in a fixed order.
 * @param {Selection} selection
 */
export function selectionQuery(selection) {
  const params = new URLSearchParams();
  if (selection.swarm !== null) params.set('swarm', selection.swarm);
  if (selection.metric !== null) params.set('metric', selection.metric);
  if (selection.agent !== null) params.set('agent', `${selection.agent.swarm}/${selection.agent.agent}`);
  const query = params.toString();
  return query === '' ? '' : `?${query}`;
}
