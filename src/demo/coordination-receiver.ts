// The demo's orchestrator: a node:http receiver of signed coordination task webhooks that acts on the simulated swarm.
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebhookVerifier } from '../client/webhook-verifier.js';
import { parseDelivery, restartTargets } from './coordination-payload.js';
import type { CoordinationDelivery } from './coordination-payload.js';
import type { SimulatedSwarm } from './simulated-swarm.js';

/** What the receiver needs from the simulator. */
export type ActionTarget = Pick<SimulatedSwarm, 'swarm' | 'restartAgent' | 'applyBalancing' | 'downAgents'>;

export interface CoordinationReceiverOptions {
  readonly simulator: ActionTarget;
  /** Signing secret shared with the exporter's `secret_file` ("whsec_<base64>" or raw text). */
  readonly secret?: string;
  /** Custom signature check over the raw body; wins over `secret`. One of the two is required. */
  readonly verify?: (headers: IncomingHttpHeaders, rawBody: Buffer) => boolean;
  /** Default 127.0.0.1: the demo's orchestrator is local. */
  readonly host?: string;
  /** Default 0: an ephemeral port. */
  readonly port?: number;
  /** URL path of the receiver. Default "/coordination". */
  readonly path?: string;
  /** Larger bodies get 413. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Delivery ids remembered for deduplication (oldest forgotten first). Default 10 000. */
  readonly maxRememberedIds?: number;
  readonly log?: (message: string) => void;
}

/** What happened to one accepted delivery. */
export interface ReceivedTask {
  readonly id: string;
  readonly type: string;
  readonly swarm: string;
  readonly attempt: number;
  /** e.g. "restarted delta", "balanced: 2 moves, 12 tasks moved", "acknowledged"; for a duplicate, the first delivery's. */
  readonly action: string;
  readonly duplicate: boolean;
}

export interface ReceiverStats {
  /** Deliveries answered 2xx, duplicates included. */
  readonly accepted: number;
  readonly duplicates: number;
  /** Deliveries refused with a 4xx (bad signature, malformed body, wrong route). */
  readonly refused: number;
}

export interface CoordinationReceiver {
  /** Full URL to configure as `coordination.actions.default.url`. */
  readonly url: string;
  /** The last 100 accepted deliveries, oldest first. */
  received(): readonly ReceivedTask[];
  stats(): ReceiverStats;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

const HISTORY = 100;

/**
 * Starts the receiver. Each delivery is checked in this order: route and method (404/405), size
 * (413), signature over the raw body (401), `webhook-id` present and the body a valid task
 * (400); then deduplicated by `webhook-id` (the task id, the same on every retry: a repeat gets
 * 200 without acting again) and acted on:
 * - `cross_system_healing`: restart the agents the plan marks `restart` (or the task's agents, or
 *   any down agent) that are down in the simulator;
 * - `resource_balancing`: apply the plan's moves;
 * - any other type: acknowledged, no action (the demo orchestrator has none).
 * A task for another swarm is acknowledged and ignored. Answers are 2xx as soon as the action is
 * applied (it is synchronous and quick), so the exporter marks the task succeeded.
 */
export async function startCoordinationReceiver(options: CoordinationReceiverOptions): Promise<CoordinationReceiver> {
  const verify = options.verify ?? (options.secret === undefined ? undefined : createWebhookVerifier(options.secret));
  if (verify === undefined)
    throw new TypeError(
      "coordination receiver: expected a secret or a verify function; an unsigned receiver would act on anyone's request",
    );
  const route = options.path ?? '/coordination';
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const maxIds = options.maxRememberedIds ?? 10_000;
  const log = options.log ?? (() => undefined);
  const sim = options.simulator;

  // Insertion-ordered: the first key is the oldest, evicted when full.
  const seen = new Map<string, string>();
  const history: ReceivedTask[] = [];
  let accepted = 0;
  let duplicates = 0;
  let refused = 0;

  const remember = (task: ReceivedTask): void => {
    history.push(task);
    if (history.length > HISTORY) history.shift();
  };

  const refuse = (res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}, after?: () => void): void => {
    refused += 1;
    send(res, status, { error: message }, headers, after);
  };
  // Stop reading an oversized body, but only once the 413 is on the wire.
  const tooLarge = (req: IncomingMessage, res: ServerResponse): void =>
    refuse(res, 413, `body: expected at most ${maxBody} bytes`, { connection: 'close' }, () => req.destroy());

  const act = (delivery: CoordinationDelivery): string => {
    if (delivery.swarm !== sim.swarm) return `ignored: swarm ${delivery.swarm} is not ${sim.swarm}`;
    switch (delivery.type) {
      case 'cross_system_healing': {
        const named = restartTargets(delivery);
        const candidates = named.length > 0 ? named : delivery.agents.length > 0 ? [...delivery.agents] : sim.downAgents();
        const restarted = candidates.filter((id) => sim.restartAgent(id));
        return restarted.length > 0 ? `restarted ${restarted.join(', ')}` : 'nothing to restart';
      }
      case 'resource_balancing': {
        const outcome = sim.applyBalancing(delivery.plan);
        return `balanced: ${outcome.moves} moves, ${outcome.movedTasks} tasks moved`;
      }
      default:
        return 'acknowledged';
    }
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: Buffer): void => {
    if (!verify(req.headers, raw)) {
      refuse(res, 401, 'webhook signature: no valid v1 signature for this body, id and timestamp');
      return;
    }
    const id = headerValue(req.headers['webhook-id']);
    if (id === undefined || id.length === 0) {
      refuse(res, 400, 'webhook-id: expected the header');
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8')) as unknown;
    } catch {
      refuse(res, 400, 'body: expected JSON');
      return;
    }
    const parsed = parseDelivery(body);
    if (!parsed.ok) {
      refuse(res, 400, parsed.reason);
      return;
    }
    const delivery = parsed.delivery;
    const previous = seen.get(id);
    if (previous !== undefined) {
      accepted += 1;
      duplicates += 1;
      remember({ id, type: delivery.type, swarm: delivery.swarm, attempt: delivery.attempt, action: previous, duplicate: true });
      log(`coordination receiver: duplicate delivery ${id} (attempt ${delivery.attempt}), already handled: ${previous}`);
      send(res, 200, { status: 'duplicate', action: previous });
      return;
    }
    let action: string;
    try {
      action = act(delivery);
    } catch (error) {
      // Not remembered: the exporter's retry gets another chance.
      log(`coordination receiver: ${delivery.type} task ${id} failed: ${error instanceof Error ? error.message : String(error)}`);
      send(res, 500, { error: 'action failed' });
      return;
    }
    seen.set(id, action);
    if (seen.size > maxIds) {
      const oldest = seen.keys().next();
      if (oldest.done !== true) seen.delete(oldest.value);
    }
    accepted += 1;
    remember({ id, type: delivery.type, swarm: delivery.swarm, attempt: delivery.attempt, action, duplicate: false });
    log(`coordination receiver: ${delivery.priority} ${delivery.type} task ${id} (attempt ${delivery.attempt}): ${action}`);
    send(res, 200, { status: 'done', action });
  };

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    // Liveness for a container healthcheck (the compose stack's simulator serves only this port).
    if (path === '/-/healthy' && (req.method === 'GET' || req.method === 'HEAD')) {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : 'Healthy\n');
      return;
    }
    if (path !== route) {
      req.resume();
      refuse(res, 404, `no route ${path ?? ''}; deliveries go to ${route}`);
      return;
    }
    if (req.method !== 'POST') {
      req.resume();
      refuse(res, 405, 'method: expected POST', { allow: 'POST' });
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBody) {
      tooLarge(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let overflow = false;
    req.on('data', (chunk: Buffer) => {
      if (overflow) return;
      size += chunk.length;
      if (size > maxBody) {
        overflow = true;
        chunks.length = 0;
        tooLarge(req, res);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!overflow) handle(req, res, Buffer.concat(chunks));
    });
    req.on('error', () => res.destroy());
  });
  // docs/reliability.md#facts-the-design-rests-on: Node's defaults (60 s headers, 300 s request) are too loose.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}${route}`;
  log(`coordination receiver: listening on ${url}`);

  return {
    url,
    received: () => [...history],
    stats: () => ({ accepted, duplicates, refused }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, after?: () => void): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body), after);
}
