// Validation of push request bodies (pure): heartbeat metadata, one agent's metrics, sample batches.
// Failures name the field and the rule; per-sample problems are reported by index, not thrown.
import { DEFAULT_SWARM, TYPE_NAME_PATTERN } from '../model/canonical-metrics.js';
import type { AgentMetadataUpdate } from '../store/agent-registry.js';
import type { SampleLike } from '../store/agent-registry.js';
import { checkSwarm, preview } from '../model/sample-rules.js';

export const MAX_LABELS = 32;
export const MAX_LABEL_VALUE_BYTES = 1024;
const LABEL_NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]{0,127}$/;
/** Keys that are meaningful to JavaScript objects; refused so no code path can ever be confused by them. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Upper bound of declared capacity (task slots). */
export const MAX_CAPACITY = 1_000_000;

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(body: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(body, key) ? body[key] : undefined;
}

export interface HeartbeatBody {
  readonly swarm: string;
  readonly update: AgentMetadataUpdate;
}

function parseName(value: unknown, name: string): Parsed<string | undefined> {
  if (value === undefined) return { ok: true, value: undefined };
  if (value === '' && name === 'variant') return { ok: true, value: '' };
  if (typeof value !== 'string' || !TYPE_NAME_PATTERN.test(value)) {
    return { ok: false, error: `${name}: expected a name matching ${TYPE_NAME_PATTERN.source}, got ${preview(value)}` };
  }
  return { ok: true, value };
}

function parseLabels(value: unknown): Parsed<Readonly<Record<string, string>> | undefined> {
  if (value === undefined) return { ok: true, value: undefined };
  if (!isPlainObject(value)) return { ok: false, error: `labels: expected an object of string values, got ${preview(value)}` };
  const keys = Object.keys(value);
  if (keys.length > MAX_LABELS) return { ok: false, error: `labels: expected at most ${MAX_LABELS} labels, got ${keys.length}` };
  const labels = Object.create(null) as Record<string, string>;
  for (const key of keys) {
    if (RESERVED_KEYS.has(key)) return { ok: false, error: `labels.${key}: reserved key, not allowed` };
    if (!LABEL_NAME_PATTERN.test(key))
      return { ok: false, error: `labels: expected label names matching ${LABEL_NAME_PATTERN.source}, got ${preview(key)}` };
    const v = value[key];
    if (typeof v !== 'string') return { ok: false, error: `labels.${key}: expected a string, got ${preview(v)}` };
    if (Buffer.byteLength(v, 'utf8') > MAX_LABEL_VALUE_BYTES)
      return { ok: false, error: `labels.${key}: expected at most ${MAX_LABEL_VALUE_BYTES} bytes, got ${Buffer.byteLength(v, 'utf8')}` };
    labels[key] = v;
  }
  return { ok: true, value: labels };
}

function parseSwarmField(value: unknown): Parsed<string> {
  if (value === undefined) return { ok: true, value: DEFAULT_SWARM };
  const problem = checkSwarm(value, 'swarm');
  return problem === undefined ? { ok: true, value: value as string } : { ok: false, error: problem };
}

/** Heartbeat body, all fields optional: `{"swarm","type","variant","capacity","labels":{}}`. */
export function parseHeartbeatBody(body: unknown): Parsed<HeartbeatBody> {
  if (body === undefined || (isPlainObject(body) && Object.keys(body).length === 0)) {
    return { ok: true, value: { swarm: DEFAULT_SWARM, update: {} } };
  }
  if (!isPlainObject(body)) return { ok: false, error: `body: expected a JSON object, got ${preview(body)}` };
  const swarm = parseSwarmField(field(body, 'swarm'));
  if (!swarm.ok) return swarm;
  const type = parseName(field(body, 'type'), 'type');
  if (!type.ok) return type;
  const variant = parseName(field(body, 'variant'), 'variant');
  if (!variant.ok) return variant;
  const capacityRaw = field(body, 'capacity');
  if (
    capacityRaw !== undefined &&
    (typeof capacityRaw !== 'number' || !Number.isInteger(capacityRaw) || capacityRaw < 1 || capacityRaw > MAX_CAPACITY)
  ) {
    return { ok: false, error: `capacity: expected an integer in [1, ${MAX_CAPACITY}], got ${preview(capacityRaw)}` };
  }
  const labels = parseLabels(field(body, 'labels'));
  if (!labels.ok) return labels;
  const update: AgentMetadataUpdate = {
    ...(type.value !== undefined && { type: type.value }),
    ...(variant.value !== undefined && { variant: variant.value }),
    ...(capacityRaw !== undefined && { capacity: capacityRaw }),
    ...(labels.value !== undefined && { labels: labels.value }),
  };
  return { ok: true, value: { swarm: swarm.value, update } };
}

export interface AgentMetricsBody {
  readonly swarm: string;
  readonly samples: readonly SampleLike[];
  /** metric name of each sample, for field names in rejections. */
  readonly names: readonly string[];
}

/** One agent's sample: `{"swarm"?, "timestamp"?, "metrics": {"cpu_usage": 0.4, ...}}`. Values are checked by the registry. */
export function parseAgentMetricsBody(agent: string, body: unknown): Parsed<AgentMetricsBody> {
  if (!isPlainObject(body)) return { ok: false, error: `body: expected a JSON object, got ${preview(body)}` };
  const swarm = parseSwarmField(field(body, 'swarm'));
  if (!swarm.ok) return swarm;
  const metrics = field(body, 'metrics');
  if (!isPlainObject(metrics)) return { ok: false, error: `metrics: expected an object of metric name to number, got ${preview(metrics)}` };
  const names = Object.keys(metrics);
  if (names.length === 0) return { ok: false, error: 'metrics: expected at least one metric' };
  const timestamp = field(body, 'timestamp');
  const samples: SampleLike[] = names.map((metric) => ({ swarm: swarm.value, agent, metric, value: metrics[metric], timestamp }));
  return { ok: true, value: { swarm: swarm.value, samples, names } };
}

/** Batch envelope: `{"samples":[...]}`; each item is checked by the registry (by index). */
export function parseBatchEnvelope(body: unknown): Parsed<readonly unknown[]> {
  if (!isPlainObject(body)) return { ok: false, error: `body: expected a JSON object, got ${preview(body)}` };
  const list = field(body, 'samples');
  if (!Array.isArray(list)) return { ok: false, error: `samples: expected a list of samples, got ${preview(list)}` };
  return { ok: true, value: list };
}
