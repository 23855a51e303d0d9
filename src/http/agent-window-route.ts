// GET /api/v1/agents/{swarm}/{agent}/window: one agent's analysis window per metric, oldest step first,
// so a reader (the status page's detail trends) sees the whole window at once, not only what it polled.
import { Router, type RequestHandler } from 'express';
import { AGENT_ID_PATTERN, METRIC_NAME_PATTERN, SWARM_NAME_PATTERN } from '../model/canonical-metrics.js';
import type { AgentRegistry } from '../store/agent-registry.js';
import { sendProblem } from './problem.js';

/** Metrics one request may name: the canonical eight plus custom metrics (agents.max_custom_metrics) fit. */
export const MAX_WINDOW_METRICS = 64;

export interface AgentWindowResponse {
  readonly swarm: string;
  readonly agent: string;
  /** Nominal analysis step, seconds. */
  readonly step_seconds: number;
  /** End of each step, ms since the epoch, oldest first; every series has one value per timestamp. */
  readonly timestamps: readonly number[];
  /** Value per step (null: a gap, or no series of that metric for this agent). */
  readonly metrics: Readonly<Record<string, readonly (number | null)[]>>;
}

/** ?metrics=a,b: undefined when absent (every metric the window holds for the agent), else the names or an error. */
function parseMetrics(value: unknown): { names?: string[]; error?: string } {
  if (value === undefined) return {};
  if (typeof value !== 'string')
    return { error: `metrics: expected one comma-separated list, got ${Array.isArray(value) ? `${value.length} values` : typeof value}` };
  const names = value.split(',');
  if (names.length > MAX_WINDOW_METRICS) return { error: `metrics: expected at most ${MAX_WINDOW_METRICS} names, got ${names.length}` };
  const bad = names.find((n) => !METRIC_NAME_PATTERN.test(n));
  if (bad !== undefined)
    return { error: `metrics: expected metric names matching ${METRIC_NAME_PATTERN.source}, got ${JSON.stringify(bad.slice(0, 64))}` };
  return { names: [...new Set(names)] };
}

export function createAgentWindowRoute(deps: { readonly registry: AgentRegistry; readonly auth: RequestHandler }): Router {
  const router = Router();
  router.get('/api/v1/agents/:swarm/:agent/window', deps.auth, (req, res) => {
    const swarm = String(req.params.swarm ?? '');
    const agent = String(req.params.agent ?? '');
    if (!SWARM_NAME_PATTERN.test(swarm))
      return sendProblem(
        res,
        400,
        `swarm: expected a swarm name matching ${SWARM_NAME_PATTERN.source}, got ${JSON.stringify(swarm.slice(0, 64))}`,
      );
    if (!AGENT_ID_PATTERN.test(agent))
      return sendProblem(
        res,
        400,
        `agent: expected an agent id matching ${AGENT_ID_PATTERN.source}, got ${JSON.stringify(agent.slice(0, 64))}`,
      );
    const metrics = parseMetrics(req.query.metrics);
    if (metrics.error !== undefined) return sendProblem(res, 400, metrics.error);
    const state = deps.registry.swarm(swarm);
    if (state === undefined) return sendProblem(res, 404, `swarm: no swarm named ${JSON.stringify(swarm)}`);
    if (!state.agents.has(agent))
      return sendProblem(res, 404, `agent: no agent ${JSON.stringify(agent)} in swarm ${JSON.stringify(swarm)}`);
    const { windows } = state;
    const names = metrics.names ?? [...windows.metrics()].filter((m) => windows.seriesOf(m).has(agent)).sort();
    const series: Record<string, (number | null)[]> = {};
    for (const name of names) {
      const values = windows.view(name, agent) ? windows.chronological(name, agent) : new Float64Array(windows.filled).fill(Number.NaN);
      series[name] = Array.from(values, (v) => (Number.isFinite(v) ? v : null));
    }
    const body: AgentWindowResponse = {
      swarm,
      agent,
      step_seconds: deps.registry.limits.stepMs / 1000,
      timestamps: Array.from(windows.stepEnds()),
      metrics: series,
    };
    res.json(body);
  });
  return router;
}
