// GET /api/v1/analysis (latest snapshot per swarm) and /api/v1/analysis/correlations (one full matrix).
import { Router, type RequestHandler } from 'express';
import { exactCorrelation } from '../analysis/correlation-matrix.js';
import { pairIndex } from '../analysis/packed-triangle.js';
import type { AnalysisEngine } from '../analysis-cycle/analysis-engine.js';
import type { AnalysisResponse, CorrelationMatrixResponse } from '../analysis-cycle/swarm-analysis.js';
import { seriesOf } from '../analysis-cycle/window-reads.js';
import type { AgentRegistry } from '../store/agent-registry.js';
import { sendProblem } from './problem.js';

/** Beyond this many agents the full matrix (N² numbers) is refused; top pairs are on /metrics. */
export const MAX_MATRIX_AGENTS = 2000;

export interface AnalysisRouteDeps {
  readonly engine: AnalysisEngine;
  readonly registry: AgentRegistry;
  readonly auth: RequestHandler;
}

export function createAnalysisRoutes(deps: AnalysisRouteDeps): Router {
  const router = Router();
  router.get('/api/v1/analysis', deps.auth, (req, res) => {
    const swarm = typeof req.query.swarm === 'string' ? req.query.swarm : undefined;
    const swarms = [...deps.engine.latest().values()].filter((s) => swarm === undefined || s.swarm === swarm).sort((a, b) => (a.swarm < b.swarm ? -1 : 1));
    const body: AnalysisResponse = { generated_at: new Date().toISOString(), swarms };
    res.json(body);
  });
  router.get('/api/v1/analysis/correlations', deps.auth, (req, res) => {
    const swarmName = req.query.swarm;
    const metric = req.query.metric;
    if (typeof swarmName !== 'string' || swarmName === '') return sendProblem(res, 400, 'swarm: expected a swarm name as a query parameter');
    if (typeof metric !== 'string' || metric === '') return sendProblem(res, 400, 'metric: expected a metric name as a query parameter');
    const swarm = deps.registry.swarm(swarmName);
    if (!swarm) return sendProblem(res, 404, `swarm: no swarm named ${JSON.stringify(swarmName)}`);
    const agents = [...swarm.windows.seriesOf(metric).keys()].sort();
    if (agents.length === 0) return sendProblem(res, 404, `metric: swarm ${JSON.stringify(swarmName)} has no series of ${JSON.stringify(metric)}`);
    if (agents.length > MAX_MATRIX_AGENTS) return sendProblem(res, 422, `swarm: ${agents.length} agents exceed the full-matrix limit of ${MAX_MATRIX_AGENTS}; use the top pairs on /metrics`);
    const n = agents.length;
    const matrix: (number | null)[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : null)));
    if (n >= 2 && swarm.windows.filled >= 2) {
      const result = exactCorrelation(agents.map((a) => seriesOf(swarm.windows, metric, a)));
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          const r = result.r[pairIndex(n, i, j)] ?? Number.NaN;
          const v = Number.isFinite(r) ? r : null;
          const row = matrix[i];
          const col = matrix[j];
          if (row) row[j] = v;
          if (col) col[i] = v;
        }
        if (result.rowValid[i] !== 1) {
          const row = matrix[i];
          if (row) row[i] = null;
        }
      }
    }
    const body: CorrelationMatrixResponse = { swarm: swarmName, metric, agents, matrix };
    res.json(body);
  });
  return router;
}
