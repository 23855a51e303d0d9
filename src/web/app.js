// Status page entry: polls the JSON API at the analysis step and redraws every section from the answers.

import { createApiClient } from './api.js';
import { h, note, replaceKeepingFocus } from './dom.js';
import { formatClock, formatDuration } from './format.js';
import { History } from './history.js';
import { defaultCorrelationMetric, groupBySwarm, swarmNames } from './model.js';
import { renderBottlenecks } from './render-bottlenecks.js';
import { renderClusters } from './render-clusters.js';
import { renderVariants } from './render-variants.js';
import { renderCorrelations, renderMetricOptions } from './render-correlations.js';
import { createForecastView } from './render-forecast.js';
import { agentKey, renderAgentDetail, renderHealthGrid, renderLegend } from './render-health.js';
import { renderTasks } from './render-tasks.js';
import { createTokenDialog } from './token-dialog.js';
import { readSelection, selectionQuery } from './url-state.js';

/**
 * @typedef {import('./model.js').AgentView} AgentView
 * @typedef {import('./model.js').AnalysisResponse} AnalysisResponse
 * @typedef {import('./model.js').TaskJson} TaskJson
 * @typedef {import('./render-health.js').AgentRef} AgentRef
 * @typedef {import('./render-health.js').Trend} Trend
 * @typedef {import('./model.js').AgentWindow} AgentWindow
 */
/**
 * @template T
 * @typedef {import('./api.js').Result<T>} Result
 */

/** Poll bounds: the analysis step is 1 s .. 5 min; polling faster than 1 s gains nothing. */
const POLL_MIN_MS = 1_000;
const POLL_MAX_MS = 60_000;
/** Points of recent values kept per agent metric and per swarm load (120 steps). */
const HISTORY_POINTS = 120;
/** Tasks fetched per poll. */
const TASK_LIMIT = 50;

/**
 * @template {HTMLElement} E
 * @param {string} id
 * @param {new () => E} type
 * @returns {E}
 */
function byId(id, type) {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`status page: #${id} is missing`);
  return el;
}

/**
 * sessionStorage, or an in-memory stand-in when the browser refuses storage (the token then lasts
 * as long as the page).
 * @returns {import('./api.js').TokenStorage}
 */
function tokenStorage() {
  try {
    sessionStorage.getItem('probe');
    return sessionStorage;
  } catch {
    /** @type {Map<string, string>} */
    const memory = new Map();
    return { getItem: (k) => memory.get(k) ?? null, setItem: (k, v) => void memory.set(k, v), removeItem: (k) => void memory.delete(k) };
  }
}

/**
 * @template T
 * @param {Result<T>} result
 * @param {string} what
 */
function unavailableText(result, what) {
  switch (result.kind) {
    case 'missing':
      return `${what} not available yet.`;
    case 'unauthorized':
      return `${what}: the API token is needed.`;
    case 'error':
      return `${what} could not be loaded (${result.message}).`;
    default:
      return '';
  }
}

function start() {
  const els = {
    connection: byId('connection', HTMLElement),
    updated: byId('updated', HTMLElement),
    tokenButton: byId('token-button', HTMLButtonElement),
    swarmSelect: byId('swarm-select', HTMLSelectElement),
    legend: byId('health-legend', HTMLElement),
    grid: byId('health-grid', HTMLElement),
    detail: byId('agent-detail', HTMLElement),
    metricSelect: byId('metric-select', HTMLSelectElement),
    correlations: byId('correlation-matrix', HTMLElement),
    bottlenecks: byId('bottleneck-list', HTMLElement),
    clusters: byId('cluster-list', HTMLElement),
    variants: byId('variant-list', HTMLElement),
    forecastSummary: byId('forecast-summary', HTMLElement),
    forecastChart: byId('forecast-chart', HTMLElement),
    tasks: byId('task-feed', HTMLElement),
  };
  const defaultPollMs = Number(document.body.dataset.pollMs) || 15_000;
  const api = createApiClient({ fetch: (input, init) => window.fetch(input, init), storage: tokenStorage(), timeoutMs: 10_000 });
  /** What this page saw: the forecast's observed load, and the detail's trends when the exporter has no window route. */
  const seen = new History(HISTORY_POINTS);
  const forecast = createForecastView({ summary: els.forecastSummary, chart: els.forecastChart });
  const dark = window.matchMedia('(prefers-color-scheme: dark)');

  // The selection changes only by the user's hand (or a link): read once from the URL, written back on each change.
  const initial = readSelection(window.location.search);
  /** Latest answer per source, and the last good one (kept on screen while the exporter is unreachable). */
  const state = {
    /** @type {Result<{ agents: AgentView[] }> | null} */
    agents: null,
    /** @type {Result<AnalysisResponse> | null} */
    analysis: null,
    /** @type {Result<{ tasks: TaskJson[] }> | null} */
    tasks: null,
    /** @type {AgentView[] | null} */
    lastAgents: null,
    /** @type {AnalysisResponse | null} */
    lastAnalysis: null,
    /** @type {TaskJson[] | null} */
    lastTasks: null,
    /** @type {number | null} */
    lastSuccess: null,
    /** @type {AgentRef | null} */
    selected: initial.agent,
    /** @type {{ key: string, result: Result<AgentWindow> } | null} the selected agent's window, from the exporter */
    window: null,
    /** @type {string | null} null until chosen: by the user, the URL, or once by default (the first analysed swarm) */
    swarm: initial.swarm,
    /** @type {string | null} null until chosen: by the user, the URL, or once by default (the strongest metric); kept when it has no pairs */
    metric: initial.metric,
    pollMs: clampPoll(defaultPollMs),
    tokenDismissed: false,
  };

  const tokenDialog = createTokenDialog(
    {
      dialog: byId('token-dialog', HTMLDialogElement),
      form: byId('token-form', HTMLFormElement),
      input: byId('token-input', HTMLInputElement),
      cancel: byId('token-cancel', HTMLButtonElement),
    },
    {
      onToken: (token) => {
        api.setToken(token);
        state.tokenDismissed = false;
        void tick();
      },
      onDismiss: () => {
        state.tokenDismissed = true;
        render();
      },
    },
  );

  els.legend.replaceChildren(renderLegend());

  els.tokenButton.addEventListener('click', () => {
    if (api.hasToken()) {
      api.clearToken();
      void tick();
    } else {
      state.tokenDismissed = false;
      tokenDialog.open();
    }
  });
  /** Writes the selection into the URL (replaceState: no history entry per click). */
  function keepSelection() {
    const query = selectionQuery({ swarm: state.swarm, metric: state.metric, agent: state.selected });
    const { pathname, search, hash } = window.location;
    if (query !== search) window.history.replaceState(window.history.state, '', `${pathname}${query}${hash}`);
  }

  els.swarmSelect.addEventListener('change', () => {
    state.swarm = els.swarmSelect.value;
    // Another swarm has other metrics: its strongest is chosen once, at the next draw.
    state.metric = null;
    keepSelection();
    render();
  });
  els.metricSelect.addEventListener('change', () => {
    state.metric = els.metricSelect.value;
    keepSelection();
    render();
  });
  dark.addEventListener('change', () => render());
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || state.selected === null || tokenDialog.isOpen()) return;
    const key = `tile:${agentKey(state.selected)}`;
    state.selected = null;
    keepSelection();
    render();
    for (const tile of els.grid.querySelectorAll('[data-key]')) {
      if (tile instanceof HTMLElement && tile.dataset.key === key) tile.focus();
    }
  });

  /** @param {AgentRef} ref */
  const onSelect = (ref) => {
    state.selected = state.selected !== null && agentKey(state.selected) === agentKey(ref) ? null : ref;
    keepSelection();
    render();
    // A drawing bug must not surface as an unhandled rejection: report it like a failed refresh.
    if (state.selected !== null) loadWindow(state.selected).catch((error) => console.error('status page: agent window failed', error));
  };

  /**
   * Fetches the agent's window and redraws, unless the selection moved on meanwhile.
   * @param {AgentRef} ref
   */
  async function loadWindow(ref) {
    const result = await api.agentWindow(ref.swarm, ref.agent);
    if (state.selected === null || agentKey(state.selected) !== agentKey(ref)) return;
    state.window = { key: agentKey(ref), result };
    render();
  }

  /**
   * The selected agent's trends: its window from the exporter; what this page saw when the exporter
   * has no window route (an older version) or did not answer.
   * @param {AgentRef | null} ref
   * @returns {Trend}
   */
  function trendOf(ref) {
    const key = ref === null ? '' : agentKey(ref);
    const result = ref !== null && state.window !== null && state.window.key === key ? state.window.result : null;
    if (result === null) return { caption: 'Latest values; trends loading from the exporter…', empty: 'loading…', values: () => [] };
    if (result.kind === 'ok') {
      const span = result.data.timestamps.length * result.data.step_seconds;
      return {
        caption: `Latest values and the exporter’s window (${formatDuration(span)})`,
        empty: 'no data in the window',
        values: (metric) => result.data.metrics[metric] ?? [],
      };
    }
    return {
      caption: 'Latest and recent values (as seen by this page)',
      empty: 'collecting…',
      values: (metric) => seen.series(key, metric).values,
    };
  }

  let connectionText = '';
  /** @param {string} text  announced politely: set only when it changes */
  function setConnection(text) {
    if (text === connectionText) return;
    connectionText = text;
    els.connection.textContent = text;
  }

  function render() {
    const nowMs = Date.now();
    const results = [state.agents, state.analysis, state.tasks];
    const needsToken = results.some((r) => r?.kind === 'unauthorized');
    const failed = results.find((r) => r?.kind === 'error');
    if (needsToken) setConnection('The API needs a token: choose “Enter API token”.');
    else if (state.agents?.kind === 'error') {
      const since = state.lastSuccess === null ? '' : ` from ${formatClock(state.lastSuccess)}`;
      setConnection(`Cannot reach the exporter (${state.agents.message}); showing the data${since}.`);
    } else if (failed?.kind === 'error') setConnection(`Partly updated: ${failed.message}.`);
    else if (state.agents?.kind === 'ok') setConnection('Live.');
    els.updated.textContent =
      state.lastSuccess === null ? '' : `Updated ${formatClock(state.lastSuccess)}, every ${formatDuration(state.pollMs / 1000)}`;
    els.tokenButton.hidden = !(api.hasToken() || needsToken);
    els.tokenButton.textContent = api.hasToken() ? 'Forget API token' : 'Enter API token';

    // Health grid and detail.
    const agents = state.lastAgents ?? [];
    if (state.lastAgents === null && state.agents !== null && state.agents.kind !== 'ok') {
      replaceKeepingFocus(els.grid, [note(unavailableText(state.agents, 'Agents'))]);
    } else {
      renderHealthGrid(els.grid, { groups: groupBySwarm(agents), selected: state.selected, onSelect });
    }
    const selected =
      state.selected === null ? null : (agents.find((a) => agentKey(a) === agentKey(/** @type {AgentRef} */ (state.selected))) ?? null);
    renderAgentDetail(els.detail, {
      agent: selected,
      trend: trendOf(selected),
      nowMs,
      onClose: () => onSelect(/** @type {AgentRef} */ (state.selected)),
    });

    // Analysis sections for the chosen swarm.
    const analyses = state.lastAnalysis?.swarms ?? [];
    const known = swarmNames(agents, analyses);
    if (state.swarm === null && known.length > 0) {
      state.swarm = analyses[0]?.swarm ?? known[0] ?? null;
      keepSelection();
    }
    // A chosen swarm stays chosen while it is gone (a restart, a link from elsewhere): it is listed and says so.
    const names = state.swarm === null || known.includes(state.swarm) ? known : [...known, state.swarm].sort();
    const swarmOptions = names.map((n) => h('option', { value: n, text: n }));
    if (els.swarmSelect.options.length !== names.length || names.some((n, i) => els.swarmSelect.options[i]?.value !== n))
      els.swarmSelect.replaceChildren(...swarmOptions);
    if (state.swarm !== null) els.swarmSelect.value = state.swarm;
    els.swarmSelect.disabled = names.length < 2;

    const analysis = analyses.find((a) => a.swarm === state.swarm);
    if (analysis === undefined) {
      const text =
        state.lastAnalysis === null && state.analysis !== null && state.analysis.kind !== 'ok'
          ? unavailableText(state.analysis, 'Analysis')
          : state.analysis === null
            ? 'Loading…'
            : `No analysis for swarm ${state.swarm ?? '—'} yet: it runs at each step once agents report.`;
      for (const el of [els.correlations, els.bottlenecks, els.clusters, els.variants]) replaceKeepingFocus(el, [note(text)]);
      renderMetricOptions(els.metricSelect, state.metric === null ? [] : [state.metric], state.metric);
      forecast.unavailable(text);
    } else {
      if (state.metric === null) {
        // Chosen once (when the swarm first has pairs), then kept: it never follows the strongest metric per step.
        state.metric = defaultCorrelationMetric(analysis);
        if (state.metric !== null) keepSelection();
      }
      const metric = state.metric;
      const withPairs = Object.keys(analysis.top_pairs).filter((m) => (analysis.top_pairs[m]?.length ?? 0) > 0);
      const metrics = (metric === null || withPairs.includes(metric) ? withPairs : [...withPairs, metric]).sort();
      renderMetricOptions(els.metricSelect, metrics, metric);
      renderCorrelations(els.correlations, { analysis, metric });
      renderBottlenecks(els.bottlenecks, { analysis });
      renderClusters(els.clusters, { analysis });
      renderVariants(els.variants, { analysis });
      forecast.update({ analysis, observed: seen.series(`swarm:${analysis.swarm}`, 'load'), theme: dark.matches ? 'dark' : 'light' });
    }

    // Task feed.
    if (state.lastTasks === null) {
      replaceKeepingFocus(els.tasks, [
        note(
          state.tasks === null
            ? 'Loading…'
            : state.tasks.kind === 'missing'
              ? 'Coordination task API not available in this exporter.'
              : unavailableText(state.tasks, 'Tasks'),
        ),
      ]);
    } else {
      renderTasks(els.tasks, { tasks: state.lastTasks, nowMs });
    }
    if (needsToken && !state.tokenDismissed) tokenDialog.open();
  }

  /** @param {number} ms */
  function clampPoll(ms) {
    return Math.min(POLL_MAX_MS, Math.max(POLL_MIN_MS, ms));
  }

  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let running = false;
  let again = false;

  /** One poll of every source, then a redraw; never overlaps itself. */
  async function tick() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    clearTimeout(timer);
    try {
      if (!document.hidden) {
        const ref = state.selected;
        const [agents, analysis, tasks, agentWindow] = await Promise.all([
          api.agents(),
          api.analysis(),
          api.tasks(TASK_LIMIT),
          ref === null ? Promise.resolve(null) : api.agentWindow(ref.swarm, ref.agent),
        ]);
        if (ref !== null && agentWindow !== null && state.selected !== null && agentKey(state.selected) === agentKey(ref))
          state.window = { key: agentKey(ref), result: agentWindow };
        const now = Date.now();
        state.agents = agents;
        state.analysis = analysis;
        state.tasks = tasks;
        if (agents.kind === 'ok') {
          state.lastAgents = agents.data.agents;
          state.lastSuccess = now;
          for (const agent of agents.data.agents) seen.push(agentKey(agent), now, agent.metrics);
        }
        if (analysis.kind === 'ok') {
          state.lastAnalysis = analysis.data;
          const step = analysis.data.swarms[0]?.step_seconds;
          if (typeof step === 'number' && step > 0) state.pollMs = clampPoll(step * 1000);
          for (const swarm of analysis.data.swarms) {
            if (typeof swarm.forecast.load_now === 'number')
              seen.push(`swarm:${swarm.swarm}`, swarm.computed_at, { load: swarm.forecast.load_now });
          }
        } else if (analysis.kind === 'missing') {
          state.lastAnalysis = null;
        }
        if (tasks.kind === 'ok') state.lastTasks = tasks.data.tasks;
        else if (tasks.kind === 'missing') state.lastTasks = null;
        const live = new Set([
          ...(state.lastAgents ?? []).map(agentKey),
          ...(state.lastAnalysis?.swarms ?? []).map((s) => `swarm:${s.swarm}`),
        ]);
        seen.retain(live);
        render();
      }
    } catch (error) {
      // A drawing bug must not stop the live updates: report it and keep polling.
      console.error('status page: refresh failed', error);
    } finally {
      running = false;
      timer = setTimeout(() => void tick(), again ? 0 : state.pollMs);
      again = false;
    }
  }

  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) void tick();
  });
  void tick();
}

start();
