// Parses config text (YAML) plus overrides into a frozen Config, or one error listing every bad key.
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { configSchema, type Config } from './schema.js';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[], source: string) {
    super(`invalid configuration in ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

export function formatIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((k) => `${key === '(top level)' ? '' : `${key}.`}${k}: unknown key`).join('\n  - ');
    case 'invalid_type':
      return `${key}: expected ${issue.expected}, got ${describe(issue.input)}`;
    case 'invalid_value':
      return `${key}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describe(issue.input)}`;
    case 'too_small':
    case 'too_big':
    case 'invalid_format':
      return `${key}: ${issue.message.replace(/^Invalid input: /, '')}, got ${describe(issue.input)}`;
    default:
      return `${key}: ${issue.message}`;
  }
}

/** Validates an already-parsed object (YAML document merged with overrides). */
export function parseConfigObject(raw: unknown, source = 'configuration'): Readonly<Config> {
  const result = configSchema.safeParse(withoutNulls(raw ?? {}), { reportInput: true });
  if (!result.success) {
    throw new ConfigError(result.error.issues.map(formatIssue), source);
  }
  return deepFreeze(result.data);
}

/** Parses YAML text into a validated Config. */
export function parseConfigText(text: string, source = 'configuration'): Readonly<Config> {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    throw new ConfigError([`not valid YAML: ${(error as Error).message}`], source);
  }
  if (raw !== null && raw !== undefined && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new ConfigError([`(top level): expected a mapping, got ${describe(raw)}`], source);
  }
  return parseConfigObject(raw, source);
}

/** Sets a dotted key ("web.listen_address") in a plain object, creating parents. */
export function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node: Record<string, unknown> = target;
  for (const key of keys.slice(0, -1)) {
    const next = Object.hasOwn(node, key) ? node[key] : undefined;
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      const created: Record<string, unknown> = {};
      node[key] = created;
      node = created;
    } else {
      node = next as Record<string, unknown>;
    }
  }
  const last = keys[keys.length - 1];
  if (last !== undefined) node[last] = value;
}

/**
 * YAML writes a key whose children are all commented out as null ("auth:" followed by comments);
 * a null means "not set", so the key takes its default.
 */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) if (child !== null) out[key] = withoutNulls(child);
  return out;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
