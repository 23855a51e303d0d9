// Parses config text (YAML) plus overrides into a frozen Config, or one error listing every bad key.
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { configSchema, type Config } from './schema.js';
import { suggestKey } from './did-you-mean.js';

export class ConfigError extends Error {
  constructor(
    readonly problems: readonly string[],
    source: string,
  ) {
    // One problem, one line; several, one per line under the heading.
    const where = source === 'configuration' ? 'invalid configuration' : `invalid configuration in ${source}`;
    super(problems.length === 1 ? `${where}: ${problems[0] ?? ''}` : `${where}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
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

/** The keys a (possibly wrapped) zod object schema accepts at `path`, for "did you mean". */
function knownKeysAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  let node: z.core.$ZodType | undefined = schema;
  const unwrap = (n: z.core.$ZodType | undefined): z.core.$ZodType | undefined => {
    let current = n;
    for (let i = 0; i < 10 && current !== undefined; i += 1) {
      const def = current._zod.def as unknown as {
        type: string;
        innerType?: z.core.$ZodType;
        in?: z.core.$ZodType;
        valueType?: z.core.$ZodType;
        element?: z.core.$ZodType;
      };
      if (
        def.type === 'default' ||
        def.type === 'prefault' ||
        def.type === 'optional' ||
        def.type === 'nullable' ||
        def.type === 'readonly'
      )
        current = def.innerType;
      else if (def.type === 'pipe') current = def.in;
      else return current;
    }
    return current;
  };
  for (const step of path) {
    node = unwrap(node);
    if (node === undefined) return [];
    const def = node._zod.def as unknown as {
      type: string;
      shape?: Record<string, z.core.$ZodType>;
      element?: z.core.$ZodType;
      valueType?: z.core.$ZodType;
    };
    if (def.type === 'object') node = def.shape?.[String(step)];
    else if (def.type === 'array') node = def.element;
    else if (def.type === 'record') node = def.valueType;
    else return [];
  }
  node = unwrap(node);
  const def = node?._zod.def as unknown as { type: string; shape?: Record<string, z.core.$ZodType> } | undefined;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/** "at least 1", "at most 100", "more than 0": a bound in words. */
function bound(kind: 'min' | 'max', value: unknown, inclusive: boolean | undefined, origin: string): string {
  const words = kind === 'min' ? (inclusive === false ? 'more than' : 'at least') : inclusive === false ? 'less than' : 'at most';
  const unit = origin === 'string' ? ' characters' : origin === 'array' || origin === 'set' ? ' entries' : '';
  return `${words} ${String(value)}${unit}`;
}

/** One message style for every problem: "<key>: expected <what>, got <value>". */
export function formatIssue(issue: z.core.$ZodIssue, schema: z.core.$ZodType = configSchema): string {
  const key = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  switch (issue.code) {
    case 'unrecognized_keys': {
      // Suggestions come from the schema the document was checked against (config file or web config).
      const known = knownKeysAt(schema, issue.path);
      return issue.keys
        .map((k) => {
          const suggestion = suggestKey(k, known);
          return `${key === '(top level)' ? '' : `${key}.`}${k}: unknown key${suggestion === undefined ? '' : `; did you mean ${key === '(top level)' ? '' : `${key}.`}${suggestion}?`}`;
        })
        .join('\n  - ');
    }
    case 'invalid_type':
      return `${key}: expected ${issue.expected}, got ${describe(issue.input)}`;
    case 'invalid_value':
      return `${key}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describe(issue.input)}`;
    case 'too_small': {
      const origin = String(issue.origin);
      if ((origin === 'string' || origin === 'array') && issue.minimum === 1)
        return `${key}: expected a non-empty ${origin === 'string' ? 'string' : 'list'}, got ${describe(issue.input)}`;
      return `${key}: expected ${bound('min', issue.minimum, issue.inclusive, origin)}, got ${describe(issue.input)}`;
    }
    case 'too_big': {
      const origin = String(issue.origin);
      return `${key}: expected ${bound('max', issue.maximum, issue.inclusive, origin)}, got ${describe(issue.input)}`;
    }
    case 'invalid_format': {
      // Our own regex messages already say "expected ..."; zod's built-in formats do not.
      const message = issue.message.startsWith('expected')
        ? issue.message
        : issue.format === 'url'
          ? 'expected an http(s) URL such as "http://127.0.0.1:8080/hook"'
          : `expected a valid ${issue.format}`;
      return `${key}: ${message}, got ${describe(issue.input)}`;
    }
    default:
      return `${key}: ${issue.message.replace(/^Invalid input: /, '')}`;
  }
}

/** Validates an already-parsed object (YAML document merged with overrides). */
export function parseConfigObject(raw: unknown, source = 'configuration'): Readonly<Config> {
  const result = configSchema.safeParse(withoutNulls(raw ?? {}), { reportInput: true });
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => formatIssue(issue)),
      source,
    );
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
