// Reading a coordination task delivery (docs/design.md#outgoing-task-deliveries) as a receiver: tolerant of extra fields, strict on types (pure).
import type { LoadMove } from './swarm-model.js';

/** The fields of a task delivery the demo receiver acts on. */
export interface CoordinationDelivery {
  readonly id: string;
  readonly type: string;
  readonly priority: string;
  readonly swarm: string;
  /** Agents the task targets; empty = the whole swarm. */
  readonly agents: readonly string[];
  readonly reason: string;
  /** The type's proposal; `{}` when the exporter computed none. */
  readonly plan: Readonly<Record<string, unknown>>;
  /** 1-based delivery attempt. */
  readonly attempt: number;
}

export type ParsedDelivery =
  { readonly ok: true; readonly delivery: CoordinationDelivery } | { readonly ok: false; readonly reason: string };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Validates the body of a delivery: `id`, `type` and `swarm` must be non-empty strings, `agents`
 * an array of strings when present, `plan` an object when present. Unknown fields are ignored so
 * newer exporters keep working (the Standard Webhooks forward-compatibility rule).
 */
export function parseDelivery(body: unknown): ParsedDelivery {
  if (!isRecord(body)) return { ok: false, reason: 'body: expected a JSON object' };
  const text = (key: string, required: boolean): string | undefined | false => {
    const value = body[key];
    if (value === undefined && !required) return undefined;
    return typeof value === 'string' && (value.length > 0 || !required) ? value : false;
  };
  const id = text('id', true);
  const type = text('type', true);
  const swarm = text('swarm', true);
  for (const [key, value] of [
    ['id', id],
    ['type', type],
    ['swarm', swarm],
  ] as const) {
    if (value === false || value === undefined) return { ok: false, reason: `${key}: expected a non-empty string` };
  }
  const agents = body['agents'] ?? [];
  if (!Array.isArray(agents) || !agents.every((a): a is string => typeof a === 'string'))
    return { ok: false, reason: 'agents: expected an array of strings' };
  const plan = body['plan'] ?? {};
  if (!isRecord(plan)) return { ok: false, reason: 'plan: expected an object' };
  const attempt = body['attempt'];
  const priority = text('priority', false);
  const reason = text('reason', false);
  return {
    ok: true,
    delivery: {
      id: id as string,
      type: type as string,
      swarm: swarm as string,
      priority: typeof priority === 'string' ? priority : '',
      reason: typeof reason === 'string' ? reason : '',
      agents,
      plan,
      attempt: typeof attempt === 'number' && Number.isInteger(attempt) && attempt > 0 ? attempt : 1,
    },
  };
}

/**
 * The moves of a resource_balancing plan: `plan.moves[] = {from, to, load}` with string ends and a
 * positive finite load (tasks). Malformed entries are skipped, not fatal.
 */
export function balancingMoves(plan: unknown): LoadMove[] {
  if (!isRecord(plan) || !Array.isArray(plan['moves'])) return [];
  const moves: LoadMove[] = [];
  for (const item of plan['moves'] as unknown[]) {
    if (!isRecord(item)) continue;
    const { from, to, load } = item;
    if (typeof from === 'string' && typeof to === 'string' && typeof load === 'number' && Number.isFinite(load) && load > 0)
      moves.push({ from, to, load });
  }
  return moves;
}

/**
 * Agents a cross_system_healing task asks to restart: those with `action: "restart"` in
 * `plan.actions`; when the plan has no actions (an older exporter, a hand-made task), the task's
 * `agents`. An empty result means "whichever agents are down".
 */
export function restartTargets(delivery: CoordinationDelivery): string[] {
  const actions = delivery.plan['actions'];
  if (Array.isArray(actions)) {
    const restarts: string[] = [];
    for (const item of actions as unknown[]) {
      if (isRecord(item) && item['action'] === 'restart' && typeof item['agent'] === 'string') restarts.push(item['agent']);
    }
    return restarts;
  }
  return [...delivery.agents];
}
