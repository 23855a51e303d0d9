// GET /api/v1/agents: every agent with its status, health score and components, last seen, latest values.
import { Router, type RequestHandler } from 'express';
import type { AgentRecord } from '../store/agent-record.js';
import type { AgentRegistry } from '../store/agent-registry.js';

export interface AgentView {
  readonly swarm: string;
  readonly agent: string;
  readonly type: string;
  readonly variant: string;
  readonly capacity: number | null;
  readonly labels: Readonly<Record<string, string>>;
  readonly up: boolean;
  readonly status: string | null;
  readonly health_score: number | null;
  readonly health_components: Readonly<Record<string, number>>;
  readonly first_seen: string;
  readonly last_seen: string;
  readonly metrics: Readonly<Record<string, number>>;
}

export function agentView(agent: AgentRecord): AgentView {
  const metrics: Record<string, number> = {};
  for (const [name, held] of agent.latest) metrics[name] = held.value;
  return {
    swarm: agent.swarm,
    agent: agent.id,
    type: agent.type,
    variant: agent.variant,
    capacity: agent.capacity ?? null,
    labels: { ...agent.labels },
    up: agent.up,
    status: agent.health?.status ?? null,
    health_score: agent.health?.score ?? null,
    health_components: agent.health ? { ...agent.health.components } : {},
    first_seen: new Date(agent.firstSeen).toISOString(),
    last_seen: new Date(agent.lastSeen).toISOString(),
    metrics,
  };
}

export function createAgentsRoutes(deps: { readonly registry: AgentRegistry; readonly auth: RequestHandler }): Router {
  const router = Router();
  router.get('/api/v1/agents', deps.auth, (req, res) => {
    const swarm = typeof req.query.swarm === 'string' ? req.query.swarm : undefined;
    const agents = [...deps.registry.agents()]
      .filter((a) => swarm === undefined || a.swarm === swarm)
      .sort((a, b) => (a.swarm === b.swarm ? (a.id < b.id ? -1 : 1) : a.swarm < b.swarm ? -1 : 1))
      .map(agentView);
    res.json({ agents });
  });
  return router;
}
