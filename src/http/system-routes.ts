// GET /api/v1/analysis/system: the swarm as a system (docs/swarm-system.md) — collective totals,
// the fitted scalability law, recovery times and each agent's baseline band, per swarm.
import { Router, type RequestHandler } from 'express';
import { RECOVERY_BUCKETS, type SwarmSystem, type SwarmSystemSnapshot } from '../analysis-cycle/swarm-system.js';
import type { Clock } from '../model/clock.js';
import { SWARM_NAME_PATTERN } from '../model/canonical-metrics.js';
import { sendProblem } from './problem.js';

/** JSON has no NaN: what no agent reports is null. */
function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

export function systemView(s: SwarmSystemSnapshot): Record<string, unknown> {
  const fit = s.scalability;
  return {
    swarm: s.swarm,
    agents_up: s.totals.agentsUp,
    throughput_tasks_per_second: finite(s.totals.throughput),
    coordination_overhead_ratio: finite(s.totals.coordinationOverhead),
    messages_per_second: finite(s.totals.messagesPerSecond),
    scalability: fit
      ? {
          lambda: fit.lambda,
          contention: fit.sigma,
          contention_std_err: finite(fit.sigmaStdErr),
          coherency: fit.kappa,
          coherency_std_err: finite(fit.kappaStdErr),
          peak_agents: fit.peakAgents ?? null,
          fit_r2: finite(fit.r2),
          points: fit.points,
          distinct_agent_counts: fit.distinctAgents,
        }
      : null,
    recovery: {
      count: s.recovery.count,
      mean_seconds: s.recovery.count > 0 ? s.recovery.sum / s.recovery.count : null,
      buckets: RECOVERY_BUCKETS.map((le, i) => ({ le, count: s.recovery.cumulative[i] ?? 0 })),
    },
    baselines: s.baselines,
  };
}

export function createSystemRoutes(deps: { readonly system: SwarmSystem; readonly clock: Clock; readonly auth: RequestHandler }): Router {
  const router = Router();
  router.get('/api/v1/analysis/system', deps.auth, (req, res) => {
    const swarm = req.query.swarm;
    if (swarm !== undefined && (typeof swarm !== 'string' || !SWARM_NAME_PATTERN.test(swarm))) {
      return sendProblem(res, 400, `swarm: expected one swarm name matching ${SWARM_NAME_PATTERN.source}`);
    }
    const latest = deps.system.latest();
    if (typeof swarm === 'string' && !latest.has(swarm)) return sendProblem(res, 404, `swarm: no swarm named ${JSON.stringify(swarm)}`);
    const swarms = [...latest.values()]
      .filter((s) => swarm === undefined || s.swarm === swarm)
      .sort((a, b) => (a.swarm < b.swarm ? -1 : a.swarm > b.swarm ? 1 : 0));
    res.json({ generated_at: new Date(deps.clock.now()).toISOString(), swarms: swarms.map(systemView) });
  });
  return router;
}
