// Push ingest routes of docs/design.md#http-routes: heartbeat, one agent's metrics, sample batches.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Router, type Request, type Response } from 'express';
import type { RegistryIngestOutcome, SampleRejection } from '../model/sample.js';
import { parseAgentMetricsBody, parseBatchEnvelope, parseHeartbeatBody } from '../ingest/push-bodies.js';
import { checkAgentId } from '../model/sample-rules.js';
import type { AgentRegistry, SampleLike } from '../store/agent-registry.js';
import type { ExporterMetrics } from '../exposition/exporter-metrics.js';
import { authorize, bearerAuth, type TokenSource } from './bearer-auth.js';
import { jsonBody, readJsonBody } from './json-body.js';
import { sendJson, sendProblem } from './problem.js';
import type { Shard } from '../model/shard.js';
import { refuseMisdirected, swarmOfRaw } from './shard-guard.js';
import { TurnQueue } from '../runtime/turn-queue.js';

export interface IngestRouteDeps {
  readonly registry: AgentRegistry;
  readonly metrics: ExporterMetrics;
  /** Bearer token for agents; undefined = open. */
  readonly token: TokenSource;
  /** This replica's shard; pushes for other shards' swarms get 421. Undefined = owns every swarm. */
  readonly shard?: Shard | undefined;
}

interface IngestAnswer {
  readonly accepted: number;
  readonly rejected: number;
  readonly errors: readonly SampleRejection[];
}

/**
 * 202 when at least one sample was kept; 429 when nothing was kept because the agent cap refused new
 * agents; 400 when nothing valid was sent.
 */
function answer(res: ServerResponse, outcome: IngestAnswer & { readonly limited: number }): void {
  const body: IngestAnswer = { accepted: outcome.accepted, rejected: outcome.rejected, errors: outcome.errors };
  if (outcome.accepted > 0) {
    sendJson(res, 202, body);
  } else if (outcome.limited > 0 && outcome.limited === outcome.rejected) {
    sendJson(res, 429, { error: outcome.errors[0]?.reason ?? 'agent: max_agents reached', ...body });
  } else {
    sendJson(res, 400, { error: outcome.errors[0]?.reason ?? 'samples: expected at least one sample', ...body });
  }
}

function agentParam(req: Request, res: Response): string | undefined {
  const agent: unknown = req.params.agent;
  const problem = checkAgentId(agent, 'agent');
  if (problem !== undefined || typeof agent !== 'string') {
    sendProblem(res, 400, problem ?? 'agent: expected an agent id');
    return undefined;
  }
  return agent;
}

export const SAMPLES_PATH = '/api/v1/samples';

/** Stores pushed samples and counts them in agentswarm_ingest_samples_total{source="push"}. */
function ingestPushed(deps: IngestRouteDeps, samples: readonly SampleLike[]): RegistryIngestOutcome {
  const outcome = deps.registry.ingest(samples, 'push');
  deps.metrics.countIngest('push', outcome);
  return outcome;
}

/**
 * POST /api/v1/samples outside express: the ingest hot path, where express' router and response
 * helpers cost about a sixth of a 1,000-sample request (measured in CPU time per request). Returns
 * false for any other request, which then goes to the express app.
 */
export function createSamplesFastLane(
  deps: IngestRouteDeps & {
    readonly onError: (error: unknown) => void;
    /** Where bodies wait for their turn (runtime/turn-queue.ts), shared with the OTLP route; default: a queue of its own. */
    readonly turns?: TurnQueue;
  },
): (req: IncomingMessage, res: ServerResponse) => boolean {
  // Bodies are parsed and ingested one per turn of the event loop, in arrival order (turn-queue.ts).
  const turns = deps.turns ?? new TurnQueue();
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!authorize(req, res, deps.token)) return;
    const read = await readJsonBody(req, res, { turns });
    if (!read.ok) return;
    const parsed = parseBatchEnvelope(read.body);
    if (!parsed.ok) {
      sendProblem(res, 400, parsed.error);
      return;
    }
    if (refuseMisdirected(res, deps.shard, (parsed.value as readonly SampleLike[]).map(swarmOfRaw))) return;
    const outcome = ingestPushed(deps, parsed.value as readonly SampleLike[]);
    answer(res, { ...outcome, limited: outcome.agentLimitRejections });
  };
  return (req, res) => {
    if (req.method !== 'POST') return false;
    const url = req.url ?? '';
    if (url !== SAMPLES_PATH && !url.startsWith(`${SAMPLES_PATH}?`)) return false;
    handle(req, res).catch((error: unknown) => {
      deps.onError(error);
      if (!res.headersSent) sendProblem(res, 500, 'internal error');
    });
    return true;
  };
}

/** Heartbeat and single-agent metrics (express routes; the batch route is the fast lane above). */
export function createIngestRoutes(deps: IngestRouteDeps): Router {
  const { registry } = deps;
  const router = Router();
  const auth = bearerAuth(deps.token);
  const ingest = (samples: readonly SampleLike[]): RegistryIngestOutcome => ingestPushed(deps, samples);

  router.post('/api/v1/agents/:agent/heartbeat', auth, jsonBody({ optional: true }), (req, res) => {
    const agent = agentParam(req, res);
    if (agent === undefined) return;
    const parsed = parseHeartbeatBody(req.body);
    if (!parsed.ok) {
      sendProblem(res, 400, parsed.error);
      return;
    }
    if (refuseMisdirected(res, deps.shard, [parsed.value.swarm])) return;
    const result = registry.heartbeat(parsed.value.swarm, agent, parsed.value.update);
    if (!result.ok) {
      sendProblem(res, 429, result.reason);
      return;
    }
    res.status(202).json({ accepted: 1, rejected: 0, errors: [], status: result.agent.health?.status });
  });

  router.post('/api/v1/agents/:agent/metrics', auth, jsonBody(), (req, res) => {
    const agent = agentParam(req, res);
    if (agent === undefined) return;
    const parsed = parseAgentMetricsBody(agent, req.body);
    if (!parsed.ok) {
      sendProblem(res, 400, parsed.error);
      return;
    }
    const { names } = parsed.value;
    if (refuseMisdirected(res, deps.shard, parsed.value.samples.map(swarmOfRaw))) return;
    const outcome = ingest(parsed.value.samples);
    // The registry names generic fields; here the field is the metric key in the body.
    const errors = outcome.errors.map((e) => ({
      index: e.index,
      reason: e.reason.replace(/^(value|metric):/, `metrics.${names[e.index] ?? ''}:`),
    }));
    answer(res, { ...outcome, errors, limited: outcome.agentLimitRejections });
  });

  return router;
}
