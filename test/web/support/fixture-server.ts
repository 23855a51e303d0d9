// A same-origin server for status page tests: the real page routes, the real agents and agent-window routes over a real
// registry (manual clock, steps by hand), and the analysis and task APIs answering fixtures (or 404).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router } from 'express';
import type { AnalysisResponse } from '../../../src/analysis-cycle/swarm-analysis.js';
import type { TaskJson } from '../../../src/coordination/task-json.js';
import { createAgentWindowRoute } from '../../../src/http/agent-window-route.js';
import { createAgentsRoutes } from '../../../src/http/agents-routes.js';
import { bearerAuth } from '../../../src/http/bearer-auth.js';
import { createApp } from '../../../src/http/create-app.js';
import { createStatusPageRoutes } from '../../../src/http/status-page-routes.js';
import { ManualClock } from '../../fakes/manual-clock.js';
import { AgentRegistry } from '../../../src/store/agent-registry.js';
import { AGENTS, SWARM } from './fixtures.js';

export interface FixtureServer {
  readonly url: string;
  readonly registry: AgentRegistry;
  readonly clock: ManualClock;
  /** undefined = the route answers 404 (not wired). */
  analysis: AnalysisResponse | undefined;
  tasks: TaskJson[] | undefined;
  /** Paths requested, in order, with their Authorization header. */
  readonly requests: { path: string; authorization: string | undefined }[];
  /** Pushes one step of samples for every agent (the failing one excepted), then steps the registry. */
  step(overrides?: Readonly<Record<string, Readonly<Record<string, number>>>>): void;
  close(): Promise<void>;
}

export const HEARTBEAT_TIMEOUT_MS = 10_000;

/** Nominal values; the per-agent error rates below give each agent a different status. */
const NOMINAL = {
  cpu_usage: 0.4,
  memory_usage: 0.5,
  response_time: 0.8,
  throughput: 3,
  queue_depth: 2,
  active_tasks: 2,
  coordination_load: 0.1,
};
/** error_rate per agent -> status by the health formula: optimal, good, degraded, critical; epsilon goes silent (failed). */
export const ERROR_RATES: Readonly<Record<string, number>> = { alpha: 0.01, beta: 0.05, gamma: 0.1, delta: 0.9 };
export const EXPECTED_STATUS: Readonly<Record<(typeof AGENTS)[number], string>> = {
  alpha: 'optimal',
  beta: 'good',
  gamma: 'degraded',
  delta: 'critical',
  epsilon: 'failed',
};

export async function startFixtureServer(options: { token?: string; pollIntervalMs?: number } = {}): Promise<FixtureServer> {
  // Starts at the real time so that the page's "seen 3 s ago" texts read naturally.
  const clock = new ManualClock(Date.now());
  const registry = new AgentRegistry(
    {
      heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS,
      expireAfterMs: 600_000,
      maxAgents: 100,
      maxCustomMetrics: 8,
      stepMs: 1_000,
      windowMs: 120_000,
    },
    clock,
  );
  const requests: { path: string; authorization: string | undefined }[] = [];
  const auth = bearerAuth(options.token);
  const fixtures = Router();
  const state: Pick<FixtureServer, 'analysis' | 'tasks'> = { analysis: undefined, tasks: undefined };
  fixtures.use((req, _res, next) => {
    requests.push({ path: req.originalUrl, authorization: req.get('authorization') });
    next();
  });
  fixtures.get('/api/v1/analysis', auth, (_req, res, next) => {
    if (state.analysis === undefined) next();
    else res.json(state.analysis);
  });
  fixtures.get('/api/v1/coordination/tasks', auth, (_req, res, next) => {
    if (state.tasks === undefined) next();
    else res.json({ tasks: state.tasks, next_before: null });
  });
  const app = createApp({
    routers: [
      fixtures,
      createStatusPageRoutes({ version: '9.9.9-test', telemetryPath: '/metrics', pollIntervalMs: options.pollIntervalMs ?? 1_000 }),
      createAgentsRoutes({ registry, auth }),
      createAgentWindowRoute({ registry, auth }),
    ],
    onUnexpectedError: (error) => {
      throw error;
    },
  });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  // epsilon reports once, then falls silent past the heartbeat timeout: failed.
  for (const agent of AGENTS)
    registry.heartbeat(SWARM, agent, {
      type: agent === 'alpha' ? 'planner' : agent === 'delta' || agent === 'epsilon' ? 'reviewer' : 'worker',
      variant: 'v1',
      capacity: 4,
    });
  registry.ingest([{ swarm: SWARM, agent: 'epsilon', metric: 'error_rate', value: 0.02, timestamp: clock.now() }], 'push');

  const step = (overrides: Readonly<Record<string, Readonly<Record<string, number>>>> = {}): void => {
    clock.advance(1_000);
    const samples = Object.entries(ERROR_RATES).flatMap(([agent, errorRate]) =>
      Object.entries({ ...NOMINAL, error_rate: errorRate, ...overrides[agent] }).map(([metric, value]) => ({
        swarm: SWARM,
        agent,
        metric,
        value,
        timestamp: clock.now(),
      })),
    );
    registry.ingest(samples, 'push');
    registry.step();
  };
  clock.advance(HEARTBEAT_TIMEOUT_MS);
  step();

  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    registry,
    clock,
    requests,
    step,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
