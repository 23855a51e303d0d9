// Same-origin JSON API client of the status page: bearer token from sessionStorage, results as data.

/**
 * @typedef {import('./model.js').AgentView} AgentView
 * @typedef {import('./model.js').AgentWindow} AgentWindow
 * @typedef {import('./model.js').AnalysisResponse} AnalysisResponse
 * @typedef {import('./model.js').TaskJson} TaskJson
 */

/**
 * Outcome of one request: the page draws each kind differently and never throws on it.
 * `missing` (404) is a route not wired in this exporter (e.g. analysis not available yet).
 * @template T
 * @typedef {{ kind: 'ok', data: T }
 *   | { kind: 'missing' }
 *   | { kind: 'unauthorized' }
 *   | { kind: 'error', message: string }} Result
 */

/** sessionStorage key of the API token: gone when the tab closes, never in the page or a URL. */
export const TOKEN_KEY = 'agentswarm-exporter.api-token';

/**
 * @typedef {Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>} TokenStorage
 * @typedef {(input: string, init: RequestInit) => Promise<Response>} Fetch
 */

/**
 * @param {{ fetch: Fetch, storage: TokenStorage, timeoutMs: number }} deps
 */
export function createApiClient(deps) {
  /** @returns {string | null} */
  const token = () => {
    try {
      return deps.storage.getItem(TOKEN_KEY);
    } catch {
      // Storage can be disabled (privacy settings): behave as if no token was given.
      return null;
    }
  };

  /**
   * @template T
   * @param {string} path  same-origin absolute path
   * @param {(body: unknown) => body is T} guard  checks the top-level shape
   * @returns {Promise<Result<T>>}
   */
  async function get(path, guard) {
    const sent = token();
    /** @type {Record<string, string>} */
    const headers = { accept: 'application/json' };
    if (sent !== null) headers.authorization = `Bearer ${sent}`;
    /** @type {Response} */
    let res;
    try {
      res = await deps.fetch(path, { headers, credentials: 'same-origin', cache: 'no-store', signal: AbortSignal.timeout(deps.timeoutMs) });
    } catch (error) {
      return { kind: 'error', message: error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'connection failed' };
    }
    if (res.status === 401) {
      // A stored token that is refused is stale (rotated): forget it so the page asks again.
      if (sent !== null) deps.storage.removeItem(TOKEN_KEY);
      return { kind: 'unauthorized' };
    }
    if (res.status === 404) return { kind: 'missing' };
    if (!res.ok) return { kind: 'error', message: `HTTP ${res.status}` };
    /** @type {unknown} */
    let body;
    try {
      body = await res.json();
    } catch {
      return { kind: 'error', message: 'not JSON' };
    }
    return guard(body) ? { kind: 'ok', data: body } : { kind: 'error', message: 'unexpected answer' };
  }

  return {
    /** True when a token is stored for this tab. */
    hasToken: () => token() !== null,
    /** @param {string} value */
    setToken: (value) => deps.storage.setItem(TOKEN_KEY, value.trim()),
    clearToken: () => deps.storage.removeItem(TOKEN_KEY),
    /** @returns {Promise<Result<{ agents: AgentView[] }>>} */
    agents: () => get('/api/v1/agents', isAgentsBody),
    /** @returns {Promise<Result<AnalysisResponse>>} */
    analysis: () => get('/api/v1/analysis', isAnalysisBody),
    /**
     * @param {number} limit
     * @returns {Promise<Result<{ tasks: TaskJson[] }>>}
     */
    tasks: (limit) => get(`/api/v1/coordination/tasks?limit=${limit}`, isTasksBody),
    /**
     * One agent's analysis window per metric, oldest step first.
     * @param {string} swarm
     * @param {string} agent
     * @returns {Promise<Result<AgentWindow>>}
     */
    agentWindow: (swarm, agent) => get(`/api/v1/agents/${encodeURIComponent(swarm)}/${encodeURIComponent(agent)}/window`, isWindowBody),
  };
}

/** @typedef {ReturnType<typeof createApiClient>} ApiClient */

/**
 * @param {unknown} body
 * @returns {body is Record<string, unknown>}
 */
function isObject(body) {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}

/**
 * @param {unknown} body
 * @returns {body is { agents: AgentView[] }}
 */
export function isAgentsBody(body) {
  return (
    isObject(body) &&
    Array.isArray(body.agents) &&
    body.agents.every((a) => isObject(a) && typeof a.agent === 'string' && typeof a.swarm === 'string')
  );
}

/**
 * @param {unknown} body
 * @returns {body is AnalysisResponse}
 */
export function isAnalysisBody(body) {
  return isObject(body) && Array.isArray(body.swarms) && body.swarms.every((s) => isObject(s) && typeof s.swarm === 'string');
}

/**
 * @param {unknown} body
 * @returns {body is { tasks: TaskJson[] }}
 */
export function isTasksBody(body) {
  return (
    isObject(body) &&
    Array.isArray(body.tasks) &&
    body.tasks.every((t) => isObject(t) && typeof t.id === 'string' && typeof t.status === 'string')
  );
}

/**
 * @param {unknown} body
 * @returns {body is AgentWindow}
 */
export function isWindowBody(body) {
  return (
    isObject(body) &&
    typeof body.agent === 'string' &&
    Array.isArray(body.timestamps) &&
    isObject(body.metrics) &&
    Object.values(body.metrics).every((v) => Array.isArray(v))
  );
}
