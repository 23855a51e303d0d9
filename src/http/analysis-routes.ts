// GET /api/v1/analysis (latest snapshot per swarm) and /api/v1/analysis/correlations (one full matrix,
// of changes like the exposed pairs, or of levels on request).
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Router, type RequestHandler, type Response } from 'express';
import { exactCorrelation } from '../analysis/correlation-matrix.js';
import { differenceRing } from '../analysis/difference-row.js';
import { pairIndex } from '../analysis/packed-triangle.js';
import type { AnalysisEngine } from '../analysis-cycle/analysis-engine.js';
import { minOverlapFor } from '../analysis-cycle/correlation-track.js';
import type { AnalysisResponse, CorrelationBasis, CorrelationMatrixResponse } from '../analysis-cycle/swarm-analysis.js';
import { ringOf } from '../analysis-cycle/window-reads.js';
import type { Clock } from '../model/clock.js';
import { METRIC_NAME_PATTERN, SWARM_NAME_PATTERN } from '../model/canonical-metrics.js';
import type { AgentRegistry } from '../store/agent-registry.js';
import { drainedOrClosed } from './drained-or-closed.js';
import { sendProblem } from './problem.js';

/**
 * Beyond this many agents the full matrix (N² numbers, ~80 MB of JSON at 2,000) is refused with 422;
 * the top pairs are on /metrics and in GET /api/v1/analysis.
 */
export const MAX_MATRIX_AGENTS = 2000;
/** ?basis= of the matrix route: changes (default, what /metrics exposes) or levels. */
const BASIS_PATTERN = /^(changes|levels)$/;
/** Matrix rows written between yields to the event loop (a 2,000-row body takes a few hundred ms). */
const ROWS_PER_SLICE = 64;

export interface AnalysisRouteDeps {
  readonly engine: AnalysisEngine;
  readonly registry: AgentRegistry;
  readonly auth: RequestHandler;
  /** For `generated_at`; default the engine's clock. */
  readonly clock?: Clock;
}

/** A single query parameter: undefined when absent, an error message when repeated or not matching `pattern`. */
function queryParam(value: unknown, name: string, pattern: RegExp, what: string): { value?: string; error?: string } {
  if (value === undefined) return {};
  if (typeof value !== 'string')
    return { error: `${name}: expected one ${what}, got ${Array.isArray(value) ? `${value.length} values` : typeof value}` };
  if (!pattern.test(value))
    return { error: `${name}: expected a ${what} matching ${pattern.source}, got ${JSON.stringify(value.slice(0, 64))}` };
  return { value };
}

export function createAnalysisRoutes(deps: AnalysisRouteDeps): Router {
  const router = Router();
  const clock = deps.clock ?? deps.engine.clock;

  router.get('/api/v1/analysis', deps.auth, (req, res) => {
    const swarm = queryParam(req.query.swarm, 'swarm', SWARM_NAME_PATTERN, 'swarm name');
    if (swarm.error !== undefined) return sendProblem(res, 400, swarm.error);
    const latest = deps.engine.latest();
    if (swarm.value !== undefined && !latest.has(swarm.value) && deps.registry.swarm(swarm.value) === undefined) {
      return sendProblem(res, 404, `swarm: no swarm named ${JSON.stringify(swarm.value)}`);
    }
    // A swarm known to the registry but not analysed yet (before its first cycle) gives an empty list.
    const swarms = [...latest.values()]
      .filter((s) => swarm.value === undefined || s.swarm === swarm.value)
      .sort((a, b) => (a.swarm < b.swarm ? -1 : a.swarm > b.swarm ? 1 : 0));
    const body: AnalysisResponse = { generated_at: new Date(clock.now()).toISOString(), swarms };
    res.json(body);
  });

  router.get('/api/v1/analysis/correlations', deps.auth, async (req, res) => {
    const swarmName = queryParam(req.query.swarm, 'swarm', SWARM_NAME_PATTERN, 'swarm name');
    const metric = queryParam(req.query.metric, 'metric', METRIC_NAME_PATTERN, 'metric name');
    const basisParam = queryParam(req.query.basis, 'basis', BASIS_PATTERN, 'basis ("changes" or "levels")');
    if (swarmName.error !== undefined) return sendProblem(res, 400, swarmName.error);
    if (metric.error !== undefined) return sendProblem(res, 400, metric.error);
    if (basisParam.error !== undefined) return sendProblem(res, 400, basisParam.error);
    const basis: CorrelationBasis = basisParam.value === 'levels' ? 'levels' : 'changes';
    if (swarmName.value === undefined) return sendProblem(res, 400, 'swarm: expected a swarm name as a query parameter');
    if (metric.value === undefined) return sendProblem(res, 400, 'metric: expected a metric name as a query parameter');
    const swarm = deps.registry.swarm(swarmName.value);
    if (!swarm) return sendProblem(res, 404, `swarm: no swarm named ${JSON.stringify(swarmName.value)}`);
    const { windows } = swarm;
    const agents = [...windows.seriesOf(metric.value).keys()].sort();
    if (agents.length === 0)
      return sendProblem(res, 404, `metric: swarm ${JSON.stringify(swarmName.value)} has no series of ${JSON.stringify(metric.value)}`);
    if (agents.length > MAX_MATRIX_AGENTS) {
      return sendProblem(
        res,
        422,
        `swarm: ${agents.length} agents have ${metric.value}, more than the full-matrix limit of ${MAX_MATRIX_AGENTS}; use the top pairs (GET /api/v1/analysis or /metrics)`,
      );
    }
    // The rings as they lie (every ring shares one head; r does not depend on step order), with the
    // cycle's least overlap, so the matrix of changes agrees with the exposed pairs. Changes are the
    // rings differenced in ring order (the analyzer's change-rows.ts does the same).
    const missing = new Float64Array(windows.capacity).fill(Number.NaN);
    // Ring index of the oldest step: head − filled (not stepCount: a backfill re-lays the rings out).
    const oldest = (((windows.head - windows.filled) % windows.capacity) + windows.capacity) % windows.capacity;
    const rowOf = (agent: string): Float64Array => {
      if (basis === 'levels') return ringOf(windows, metric.value ?? '', agent, missing);
      const ring = windows.seriesOf(metric.value ?? '').get(agent) ?? missing;
      return differenceRing(ring, oldest, new Float64Array(windows.capacity));
    };
    const result = windows.filled >= 2 ? exactCorrelation(agents.map(rowOf), { minOverlap: minOverlapFor(windows.capacity) }) : undefined;
    const n = agents.length;
    const row = (i: number): (number | null)[] => {
      const out = new Array<number | null>(n);
      for (let j = 0; j < n; j++) {
        if (result === undefined) out[j] = null;
        else if (i === j) out[j] = result.rowValid[i] === 1 ? 1 : null;
        else {
          const r = result.r[pairIndex(n, i, j)] ?? Number.NaN;
          out[j] = Number.isFinite(r) ? r : null;
        }
      }
      return out;
    };
    await streamMatrix(res, { swarm: swarmName.value, metric: metric.value, basis, agents }, n, row);
  });
  return router;
}

/**
 * Writes the CorrelationMatrixResponse (swarm-analysis.ts) row by row, yielding to the event loop between slices and
 * waiting for the socket to drain: no N²-number string in memory, no long block of the loop.
 */
async function streamMatrix(
  res: Response,
  head: Omit<CorrelationMatrixResponse, 'matrix'>,
  n: number,
  row: (i: number) => (number | null)[],
): Promise<void> {
  res.status(200).type('application/json');
  const write = async (chunk: string): Promise<void> => {
    if (!res.write(chunk)) await drainedOrClosed(res);
  };
  await write(`${JSON.stringify(head).slice(0, -1)},"matrix":[`);
  for (let i = 0; i < n; i++) {
    if (res.destroyed) return;
    await write(`${i === 0 ? '' : ','}${JSON.stringify(row(i))}`);
    if ((i + 1) % ROWS_PER_SLICE === 0) await nextTurn();
  }
  res.end(']}');
}
