// The configuration contract of docs/design.md#configuration as a zod schema: YAML keys kept as-is, durations parsed to ms.
import { z } from 'zod';
import { CANONICAL_METRICS } from '../model/canonical-metrics.js';
import { COORDINATION_TYPES, PRIORITIES } from '../model/coordination-vocabulary.js';
import { parseDuration } from './duration.js';
import { queryConfigSchema } from './query-config.js';
import { otlpMappingSchema } from './otlp-mapping.js';

/** A Prometheus duration string, parsed to milliseconds. */
function duration(min = 0, max = Number.MAX_SAFE_INTEGER) {
  return z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a Prometheus duration such as "15s" or "5m", got ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    if (ms < min || ms > max) {
      ctx.addIssue({ code: 'custom', message: `expected a duration between ${min} ms and ${max} ms, got ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    return ms;
  });
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
const LOG_FORMATS = ['logfmt', 'json'] as const;

const authSchema = z
  .object({
    ingest_token_file: z.string().min(1).optional(),
    webhook_token_file: z.string().min(1).optional(),
    api_token_file: z.string().min(1).optional(),
  })
  .strict();

const webSchema = z
  .object({
    listen_address: z
      .string()
      .regex(/^(\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9.-]*):\d{1,5}$/, 'expected host:port such as ":10464" or "127.0.0.1:10464"')
      .default(':10464'),
    telemetry_path: z
      .string()
      .regex(/^\/[A-Za-z0-9/_.-]*$/, 'expected an absolute URL path such as "/metrics"')
      .default('/metrics'),
    auth: authSchema.prefault({}),
    /** exporter-toolkit web configuration file (TLS, basic auth, headers); re-read on change. */
    config_file: z.string().min(1).optional(),
  })
  .strict();

const agentsSchema = z
  .object({
    heartbeat_timeout: duration(1000).prefault('45s'),
    expire_after: duration(1000).prefault('10m'),
    max_agents: z.number().int().min(1).max(100_000).default(5000),
    max_custom_metrics: z.number().int().min(0).max(1000).default(64),
  })
  .strict();

const analysisSchema = z
  .object({
    step: duration(1000, 300_000).prefault('15s'),
    window: duration(1000).prefault('30m'),
    // Steps a value is held into following steps that have no observation of their own (then gaps):
    // one covers an agent whose report lands just after a step closes, more would flatten correlations.
    carry_forward: z.number().int().min(0).max(100).default(1),
    top_pairs: z.number().int().min(0).max(10_000).default(20),
    /** Benjamini–Hochberg false-discovery rate of the exposed agent pairs (docs/analysis-scores.md#cross-agent-correlation). */
    correlation_fdr: z.number().gt(0).lt(1).default(0.05),
    max_lag: z.number().int().min(0).max(1000).default(10),
    anomaly_threshold: z.number().positive().default(3.5),
    // Horizons beyond analysis.window are not served (docs/analysis-scores.md): the defaults fit the 30m window.
    forecast_horizons: z.array(duration(1000)).min(1).max(10).prefault(['5m', '15m', '30m']),
    /** Utilisation the scaling recommendation plans for (docs/analysis-scores.md). */
    scaling_target_utilization: z.number().gt(0).max(1).default(0.7),
    // Canonical metrics whose per-agent baseline band is exposed (agents × metrics × 3 series).
    baseline_metrics: z.array(z.enum(CANONICAL_METRICS)).max(CANONICAL_METRICS.length).prefault(['response_time', 'error_rate']),
  })
  .strict();

const storageSchema = z
  .object({
    path: z.string().min(1).default('data/agentswarm.db'),
    retention: duration(60_000).prefault('7d'),
    /** PostgreSQL instead of SQLite, shared by an HA pair: postgres://user@host:port/db (docs/high-availability.md). */
    url: z
      .string()
      .regex(/^postgres(ql)?:\/\/./, 'expected a postgres:// or postgresql:// URL')
      .optional(),
    /** File holding the PostgreSQL password (overrides one in the URL). */
    password_file: z.string().min(1).optional(),
  })
  .strict();

/** `shard: {index, count}` or `--shard=i/n`: this replica owns the swarms with hashmod(swarm, count) == index. */
const shardSchema = z.preprocess(
  (value) => {
    if (typeof value !== 'string') return value;
    const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
    return match ? { index: Number(match[1]), count: Number(match[2]) } : value;
  },
  z
    .object({ index: z.number().int().min(0), count: z.number().int().min(1).max(1024) })
    .strict()
    .refine((s) => s.index < s.count, { message: 'expected index < count (shards are numbered 0 .. count-1)', path: ['index'] }),
);

const actionSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }),
    secret_file: z.string().min(1).optional(),
    headers: z.record(z.string(), z.string()).optional(),
  })
  .strict();

const scheduleSchema = z
  .object({
    cron: z.string().min(1),
    type: z.enum(COORDINATION_TYPES),
    priority: z.enum(PRIORITIES).default('maintenance'),
    swarm: z.string().optional(),
  })
  .strict();

const coordinationSchema = z
  .object({
    concurrency: z.number().int().min(1).max(100).default(5),
    per_target_concurrency: z.number().int().min(1).max(100).default(2),
    max_attempts: z.number().int().min(1).max(20).default(4),
    backoff: z
      .object({ initial: duration(1).prefault('1s'), max: duration(1).prefault('5m') })
      .strict()
      .prefault({}),
    task_timeout: duration(100, 600_000).prefault('15s'),
    impact_delay: duration(1000).prefault('5m'),
    actions: z.partialRecord(z.union([z.literal('default'), z.enum(COORDINATION_TYPES)]), actionSchema).default({}),
    schedules: z.array(scheduleSchema).default([]),
  })
  .strict();

const scrapeTargetSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }),
    swarm: z.string().optional(),
    agent: z.string().optional(),
    agent_label: z.string().optional(),
    type: z.string().optional(),
  })
  .strict();

const scrapeSchema = z
  .object({
    interval: duration(1000).prefault('15s'),
    timeout: duration(100).prefault('10s'),
    targets: z.array(scrapeTargetSchema).default([]),
    file_sd: z.array(z.string()).default([]),
    /** Canonical/custom metric <- source metric; validated by the scraper's own schema at start. */
    mapping: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

const demoSchema = z
  .object({
    enabled: z.boolean().default(false),
    seed: z.number().int().default(42),
    /** push: the simulated agents push through the HTTP API; scrape: the exporter scrapes them. */
    mode: z.enum(['push', 'scrape']).default('push'),
    /** embedded: the demo's stand-in for Prometheus + Alertmanager posts the pack's alerts; off: a real Alertmanager does. */
    alerting: z.enum(['embedded', 'off']).default('embedded'),
    /** The day's phases and the embedded alerts' hold times are the pack's `for:` times this factor (1 = the pack's own timing). */
    time_scale: z.number().positive().max(1).default(0.1),
  })
  .strict();

const logSchema = z.object({ level: z.enum(LOG_LEVELS).default('info'), format: z.enum(LOG_FORMATS).default('logfmt') }).strict();

export const configSchema = z
  .object({
    web: webSchema.prefault({}),
    agents: agentsSchema.prefault({}),
    analysis: analysisSchema.prefault({}),
    storage: storageSchema.prefault({}),
    /** Sharding (optional): without it this replica owns every swarm. */
    shard: shardSchema.optional(),
    coordination: coordinationSchema.prefault({}),
    scrape: scrapeSchema.prefault({}),
    /** Query mode (optional): read agents' metrics from a Prometheus-compatible HTTP API. */
    query: queryConfigSchema.optional(),
    /** OTLP/HTTP ingest mapping (optional; the GenAI conventions by default). */
    otlp: otlpMappingSchema.optional(),
    demo: demoSchema.prefault({}),
    log: logSchema.prefault({}),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    if (cfg.analysis.window < cfg.analysis.step * 2) {
      ctx.addIssue({
        code: 'custom',
        path: ['analysis', 'window'],
        message: `expected at least two steps (>= ${cfg.analysis.step * 2} ms), got ${cfg.analysis.window} ms`,
      });
    }
    if (cfg.analysis.window / cfg.analysis.step > 100_000) {
      ctx.addIssue({ code: 'custom', path: ['analysis', 'window'], message: 'expected at most 100000 points (window / step)' });
    }
    if (cfg.agents.expire_after < cfg.agents.heartbeat_timeout) {
      ctx.addIssue({ code: 'custom', path: ['agents', 'expire_after'], message: 'expected expire_after >= heartbeat_timeout' });
    }
    if (cfg.coordination.backoff.max < cfg.coordination.backoff.initial) {
      ctx.addIssue({ code: 'custom', path: ['coordination', 'backoff', 'max'], message: 'expected max >= initial' });
    }
  });

/** Parsed, validated configuration. Durations are milliseconds. */
export type Config = z.output<typeof configSchema>;
export type ActionConfig = z.output<typeof actionSchema>;
export type ScrapeTargetConfig = z.output<typeof scrapeTargetSchema>;
