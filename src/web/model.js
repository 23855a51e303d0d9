// Pure shaping of the JSON API's answers into what the status page draws (no DOM, no fetch).

/**
 * The API contracts, checked against the server's own types (type-only imports: nothing loads at run time).
 * @typedef {import('../http/agents-routes.js').AgentView} AgentView
 * @typedef {import('../http/agent-window-route.js').AgentWindowResponse} AgentWindow
 * @typedef {import('../analysis-cycle/swarm-analysis.js').SwarmAnalysis} SwarmAnalysis
 * @typedef {import('../analysis-cycle/swarm-analysis.js').AnalysisResponse} AnalysisResponse
 * @typedef {import('../analysis-cycle/swarm-analysis.js').CorrelationPair} CorrelationPair
 * @typedef {import('../analysis-cycle/swarm-analysis.js').Forecast} Forecast
 * @typedef {import('../coordination/task-json.js').TaskJson} TaskJson
 * @typedef {import('./format.js').StatusKey} StatusKey
 */

import { STATUSES, statusInfo } from './format.js';

/**
 * @typedef {{ swarm: string, agents: AgentView[], counts: Record<StatusKey, number> }} SwarmGroup
 */

/**
 * Agents grouped per swarm, swarms by name and agents by id (a tile keeps its place between
 * polls), with the count of agents per status.
 * @param {readonly AgentView[]} agents
 * @returns {SwarmGroup[]}
 */
export function groupBySwarm(agents) {
  /** @type {Map<string, AgentView[]>} */
  const bySwarm = new Map();
  for (const agent of agents) {
    const list = bySwarm.get(agent.swarm) ?? [];
    list.push(agent);
    bySwarm.set(agent.swarm, list);
  }
  return [...bySwarm.entries()]
    .sort(([a], [b]) => compare(a, b))
    .map(([swarm, list]) => {
      const counts = /** @type {Record<StatusKey, number>} */ (Object.fromEntries(STATUSES.map((s) => [s.key, 0])));
      for (const agent of list) counts[statusInfo(agent.status).key] += 1;
      return { swarm, agents: [...list].sort((a, b) => compare(a.agent, b.agent)), counts };
    });
}

/**
 * @param {string} a
 * @param {string} b
 */
function compare(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Names of every swarm known to either source, sorted.
 * @param {readonly AgentView[]} agents
 * @param {readonly SwarmAnalysis[]} analyses
 */
export function swarmNames(agents, analyses) {
  return [...new Set([...agents.map((a) => a.swarm), ...analyses.map((a) => a.swarm)])].sort(compare);
}

/**
 * @typedef {{ agents: string[], cells: (number | null)[][] }} Matrix
 */

/**
 * A symmetric matrix of the strongest pairs: agents ordered by the strength of their strongest
 * pair (so the heaviest cells gather top-left), at most `maxAgents` of them; r = 1 on the
 * diagonal, null where the pair is not among the top pairs.
 * @param {readonly CorrelationPair[]} pairs
 * @param {number} maxAgents
 * @returns {Matrix}
 */
export function correlationMatrix(pairs, maxAgents) {
  const strongestFirst = [...pairs].filter((p) => Number.isFinite(p.r)).sort((a, b) => Math.abs(b.r) - Math.abs(a.r));
  /** @type {string[]} */
  const agents = [];
  for (const pair of strongestFirst) {
    for (const agent of [pair.agent_a, pair.agent_b]) {
      if (agents.length < maxAgents && !agents.includes(agent)) agents.push(agent);
    }
  }
  const index = new Map(agents.map((a, i) => [a, i]));
  /** @type {(number | null)[][]} */
  const cells = agents.map((_, i) => agents.map((__, j) => (i === j ? 1 : null)));
  for (const pair of strongestFirst) {
    const i = index.get(pair.agent_a);
    const j = index.get(pair.agent_b);
    if (i === undefined || j === undefined) continue;
    const row = cells[i];
    const col = cells[j];
    if (row === undefined || col === undefined) continue;
    // Strongest first: keep the first value met for a pair (a duplicate cannot overwrite it).
    if (row[j] === null) row[j] = pair.r;
    if (col[i] === null) col[i] = pair.r;
  }
  return { agents, cells };
}

/**
 * The metric the correlation view opens on: the one with the highest mean |r| among those with
 * pairs; null when no metric has any.
 * @param {SwarmAnalysis} analysis
 * @returns {string | null}
 */
export function defaultCorrelationMetric(analysis) {
  const metrics = Object.keys(analysis.top_pairs).filter((m) => (analysis.top_pairs[m]?.length ?? 0) > 0);
  if (metrics.length === 0) return null;
  const strength = (/** @type {string} */ m) => analysis.correlation_mean_abs[m] ?? 0;
  return metrics.sort((a, b) => strength(b) - strength(a) || compare(a, b))[0] ?? null;
}

/**
 * @typedef {{
 *   data: [number[], (number | null)[], (number | null)[], (number | null)[], (number | null)[], (number | null)[]],
 *   capacity: number | null,
 *   saturationAt: number | null,
 * }} ForecastChart
 */

/**
 * uPlot data of the forecast chart, x in seconds since the epoch: [x, observed load, forecast,
 * lower bound, upper bound, capacity]. Observed points are the loads the page saw (oldest
 * first); the forecast starts at `nowSec` from the current load and continues at each horizon.
 * @param {Forecast} forecast
 * @param {number} nowSec  the snapshot's time, seconds since the epoch
 * @param {{ times: readonly number[], values: readonly (number | null)[] }} observed  times in ms
 * @returns {ForecastChart}
 */
export function forecastChart(forecast, nowSec, observed) {
  /** @type {Map<number, { observed: number | null, load: number | null, lower: number | null, upper: number | null }>} */
  const rows = new Map();
  const row = (/** @type {number} */ x) => {
    let r = rows.get(x);
    if (r === undefined) {
      r = { observed: null, load: null, lower: null, upper: null };
      rows.set(x, r);
    }
    return r;
  };
  observed.times.forEach((t, i) => {
    const v = observed.values[i];
    const x = Math.round(t / 1000);
    if (typeof v === 'number' && Number.isFinite(v) && x <= nowSec) row(x).observed = v;
  });
  if (forecast.valid && typeof forecast.load_now === 'number') {
    const start = row(nowSec);
    start.observed = forecast.load_now;
    start.load = forecast.load_now;
    start.lower = forecast.load_now;
    start.upper = forecast.load_now;
    for (const h of forecast.horizons) {
      if (![h.load, h.lower, h.upper, h.horizon_seconds].every(Number.isFinite)) continue;
      const r = row(nowSec + h.horizon_seconds);
      r.load = h.load;
      r.lower = h.lower;
      r.upper = h.upper;
    }
  }
  const xs = [...rows.keys()].sort((a, b) => a - b);
  const pick = (/** @type {'observed' | 'load' | 'lower' | 'upper'} */ k) => xs.map((x) => rows.get(x)?.[k] ?? null);
  const capacity = typeof forecast.capacity === 'number' && Number.isFinite(forecast.capacity) ? forecast.capacity : null;
  const saturationAt = forecast.valid && typeof forecast.saturation_seconds === 'number' ? nowSec + forecast.saturation_seconds : null;
  return {
    data: [xs, pick('observed'), pick('load'), pick('lower'), pick('upper'), xs.map(() => capacity)],
    capacity,
    saturationAt,
  };
}

/**
 * The newest `limit` tasks, newest first (by creation time, then id for a stable order).
 * @param {readonly TaskJson[]} tasks
 * @param {number} limit
 * @returns {TaskJson[]}
 */
export function recentTasks(tasks, limit) {
  const time = (/** @type {TaskJson} */ t) => (t.created_at === null ? 0 : Date.parse(t.created_at) || 0);
  return [...tasks].sort((a, b) => time(b) - time(a) || compare(b.id, a.id)).slice(0, limit);
}

/**
 * Status counts as a sentence for the swarm heading: "3 optimal, 1 degraded, 1 failed".
 * @param {Record<StatusKey, number>} counts
 */
export function countsSentence(counts) {
  const parts = STATUSES.filter((s) => counts[s.key] > 0).map((s) => `${counts[s.key]} ${s.label.toLowerCase()}`);
  return parts.length === 0 ? 'no agents' : parts.join(', ');
}
