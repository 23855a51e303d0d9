// The `query:` config section (zod): read canonical metrics from a Prometheus-compatible query API.
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { METRIC_NAME_PATTERN } from '../model/canonical-metrics.js';

function duration(min: number, max = Number.MAX_SAFE_INTEGER) {
  return z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined || ms < min || ms > max) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a Prometheus duration between ${min} ms and ${max} ms such as "15s", got ${JSON.stringify(text)}`,
      });
      return z.NEVER;
    }
    return ms;
  });
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Header names (RFC 9110 token) — custom headers such as X-Scope-OrgID for Mimir/Cortex/Thanos tenants. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const authSchema = z
  .object({
    /** File holding a bearer token (trimmed). */
    bearer_token_file: z.string().min(1).optional(),
    basic_auth: z
      .object({ username: z.string().min(1), password_file: z.string().min(1) })
      .strict()
      .optional(),
  })
  .strict()
  .refine((a) => !(a.bearer_token_file && a.basic_auth), { message: 'expected either bearer_token_file or basic_auth, got both' });

export const queryConfigSchema = z
  .object({
    /** The API flavour; Prometheus' HTTP API is what Thanos, Mimir, Cortex and VictoriaMetrics serve. */
    source: z.literal('prometheus').default('prometheus'),
    /** Base URL, path prefix included when the API lives under one (Mimir: .../prometheus). */
    url: z.url({ protocol: /^https?$/ }),
    /** Per-request deadline. */
    timeout: duration(100, 600_000).prefault('10s'),
    /** Evaluation step; absent = analysis.step, so each query lands on the aligned windows' grid. */
    step: duration(1000, 300_000).optional(),
    /** How much history to load at start with query_range; absent = analysis.window; "0s" = none. */
    backfill: duration(0).optional(),
    /** Swarm of series without a swarm label. */
    swarm: z
      .string()
      .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.:-]{0,127}$/, 'expected a swarm name')
      .default('default'),
    agent_label: z.string().regex(LABEL_NAME, 'expected a label name').default('agent'),
    swarm_label: z.string().regex(LABEL_NAME, 'expected a label name').default('swarm'),
    auth: authSchema.optional(),
    headers: z.record(z.string().regex(HEADER_NAME, 'expected an HTTP header name'), z.string()).default({}),
    /** Canonical or custom metric → PromQL expression returning one series per agent. */
    queries: z
      .record(z.string().regex(METRIC_NAME_PATTERN, 'expected a canonical or custom metric name ([a-z_][a-z0-9_]*)'), z.string().min(1))
      .refine((q) => Object.keys(q).length > 0, { message: 'expected at least one query' }),
  })
  .strict();

/** Parsed `query:` section. Durations are milliseconds. */
export type QueryConfig = z.output<typeof queryConfigSchema>;

export type QueryConfigParse =
  { readonly ok: true; readonly config: QueryConfig } | { readonly ok: false; readonly problems: readonly string[] };

/** Validates a raw `query:` value; problems name the key under `query.`. */
export function parseQueryConfig(raw: unknown): QueryConfigParse {
  const result = queryConfigSchema.safeParse(raw);
  if (!result.success)
    return { ok: false, problems: result.error.issues.map((i) => `query${i.path.length > 0 ? `.${i.path.join('.')}` : ''}: ${i.message}`) };
  return { ok: true, config: result.data };
}

/**
 * Request headers for the upstream: custom headers, then auth (which wins). Secrets are read
 * through `readText` (the composition root's file reader) and never logged.
 */
export function upstreamHeaders(config: QueryConfig, readText: (path: string) => string): Record<string, string> {
  const auth = config.auth;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.headers)) {
    // Configured auth replaces a hand-written Authorization header rather than joining it.
    if (!(auth && name.toLowerCase() === 'authorization')) headers[name] = value;
  }
  if (auth?.bearer_token_file) headers['authorization'] = `Bearer ${readText(auth.bearer_token_file).trim()}`;
  if (auth?.basic_auth) {
    const password = readText(auth.basic_auth.password_file).trim();
    headers['authorization'] = `Basic ${Buffer.from(`${auth.basic_auth.username}:${password}`).toString('base64')}`;
  }
  return headers;
}
