// The OTLP mapping (zod): which OpenTelemetry metrics become which agent metrics, and how agents are named.
import { z } from 'zod';
import { METRIC_NAME_PATTERN } from '../model/canonical-metrics.js';

/**
 * How a data point series becomes a value over the interval since the previous export:
 * - `value`: the gauge or sum value as reported (summed over the agent's series);
 * - `rate`: per second — observations (histograms, summaries) or increase (monotonic sums);
 * - `sum_rate`: increase of a histogram's/summary's sum per second (e.g. tokens per second); for a
 *   monotonic sum, its increase per second (a counter of tokens is its own sum);
 * - `mean`: increase of sum / increase of count (mean observation, e.g. mean latency);
 * - `error_ratio`: share of observations whose point carries the error attribute (`error.type`);
 * - `p50`, `p90`, `p95`, `p99`, ... (`p` + percent): quantile of the observations from explicit
 *   histogram buckets, or the summary's reported quantile.
 */
const STAT_PATTERN = /^(value|rate|sum_rate|mean|error_ratio|p(?:[1-9][0-9]?(?:\.[0-9]+)?|0\.[0-9]+))$/;

export type OtlpStat = 'value' | 'rate' | 'sum_rate' | 'mean' | 'error_ratio' | `p${string}`;

const entrySchema = z
  .object({
    /** OpenTelemetry metric name, e.g. `gen_ai.invoke_agent.duration`. */
    source: z.string().min(1).max(255),
    /** Data point attributes that must equal these values (strings compare with the attribute's text). */
    match: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).default({}),
    /** Target metric (canonical or custom) → statistic. */
    outputs: z
      .record(
        z.string().regex(METRIC_NAME_PATTERN, 'expected a canonical or custom metric name ([a-z_][a-z0-9_]*)'),
        z.string().regex(STAT_PATTERN, 'expected value, rate, sum_rate, mean, error_ratio or pNN (e.g. p95)'),
      )
      .refine((o) => Object.keys(o).length > 0, { message: 'expected at least one output' }),
  })
  .strict();

/**
 * Defaults follow the OpenTelemetry GenAI semantic conventions (semantic-conventions-genai:
 * gen-ai-metrics.md, all still "Development") and the names real emitters send today: agent
 * invocations give response time, throughput and error rate; workflows, tools, model calls, token
 * usage and cost give custom metrics. docs/ingest.md "OTLP" has the table per framework and which attribute
 * carries the agent. An agent that sends two aliases of one target (say gen_ai.client.token.usage
 * and strands.event_loop.input.tokens) reports that target twice per export: map only one.
 */
export const DEFAULT_OTLP_METRICS: readonly z.input<typeof entrySchema>[] = [
  // OpenTelemetry GenAI agent spans' metric; gen_ai.agent.name on the point names the agent.
  { source: 'gen_ai.invoke_agent.duration', outputs: { response_time: 'mean', throughput: 'rate', error_rate: 'error_ratio' } },
  // OpenLIT's agent-operation histogram (seconds): the same agent-level work under its own name.
  { source: 'gen_ai.agent.operation.duration', outputs: { response_time: 'mean', throughput: 'rate', error_rate: 'error_ratio' } },
  // Workflows: the conventions' name and Google ADK's.
  ...['gen_ai.workflow.duration', 'gen_ai.invoke_workflow.duration'].map((source) => ({
    source,
    outputs: { workflow_duration_seconds: 'mean', workflow_runs_per_second: 'rate', workflow_error_ratio: 'error_ratio' },
  })),
  {
    source: 'gen_ai.execute_tool.duration',
    outputs: { tool_duration_seconds: 'mean', tool_calls_per_second: 'rate', tool_error_ratio: 'error_ratio' },
  },
  // Model calls (chat, embeddings, ...): custom, so a model's latency never poses as the agent's.
  {
    source: 'gen_ai.client.operation.duration',
    outputs: { model_call_duration_seconds: 'mean', model_calls_per_second: 'rate', model_call_error_ratio: 'error_ratio' },
  },
  { source: 'gen_ai.client.token.usage', match: { 'gen_ai.token.type': 'input' }, outputs: { input_tokens_per_second: 'sum_rate' } },
  { source: 'gen_ai.client.token.usage', match: { 'gen_ai.token.type': 'output' }, outputs: { output_tokens_per_second: 'sum_rate' } },
  // Cost, when an emitter sends it (OpenLIT: a histogram of USD per request).
  { source: 'gen_ai.usage.cost', outputs: { cost_usd_per_second: 'sum_rate' } },
  // Strands Agents (strands.telemetry.metrics_constants): no agent attribute on the points; the
  // resource's service.name names the agent.
  { source: 'strands.event_loop.cycle_duration', outputs: { event_loop_cycle_seconds: 'mean', event_loop_cycles_per_second: 'rate' } },
  { source: 'strands.event_loop.input.tokens', outputs: { input_tokens_per_second: 'sum_rate' } },
  { source: 'strands.event_loop.output.tokens', outputs: { output_tokens_per_second: 'sum_rate' } },
  { source: 'strands.tool.duration', outputs: { tool_duration_seconds: 'mean', tool_calls_per_second: 'rate' } },
  { source: 'strands.tool.error_count', outputs: { tool_errors_per_second: 'rate' } },
  // Semantic Kernel (Microsoft.SemanticKernel meters): functions and OpenAI connector token counters.
  {
    source: 'semantic_kernel.function.invocation.duration',
    outputs: { function_duration_seconds: 'mean', function_calls_per_second: 'rate', function_error_ratio: 'error_ratio' },
  },
  { source: 'semantic_kernel.connectors.openai.tokens.prompt', outputs: { input_tokens_per_second: 'sum_rate' } },
  { source: 'semantic_kernel.connectors.openai.tokens.completion', outputs: { output_tokens_per_second: 'sum_rate' } },
];

export const otlpMappingSchema = z
  .object({
    /**
     * Attribute keys naming the agent, in order of preference. Any of them on the data point wins
     * over any on the resource (a point's gen_ai.agent.name beats a resource's gen_ai.agent.id):
     * one process (one resource) often hosts several agents.
     */
    agent_attributes: z.array(z.string().min(1)).min(1).default(['gen_ai.agent.id', 'gen_ai.agent.name', 'service.name']),
    /** Attribute keys naming the swarm, same lookup; absent = default_swarm. */
    swarm_attributes: z.array(z.string().min(1)).default(['agentswarm.swarm', 'service.namespace']),
    default_swarm: z
      .string()
      .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.:-]{0,127}$/, 'expected a swarm name')
      .default('default'),
    /** Its presence on a data point marks the observations as failed (`error_ratio`). */
    error_attribute: z.string().min(1).default('error.type'),
    metrics: z.array(entrySchema).default(() => DEFAULT_OTLP_METRICS.map((e) => entrySchema.parse(e))),
    /** Cumulative series remembered to compute deltas; least recently seen are forgotten beyond it. */
    max_series: z.number().int().min(100).max(1_000_000).default(50_000),
  })
  .strict();

export type OtlpMapping = z.output<typeof otlpMappingSchema>;
export type OtlpMappingEntry = OtlpMapping['metrics'][number];

export type OtlpMappingParse =
  { readonly ok: true; readonly mapping: OtlpMapping } | { readonly ok: false; readonly problems: readonly string[] };

/** Validates a raw `otlp:` config value (absent = all defaults); problems name the key under `otlp.`. */
export function parseOtlpMapping(raw: unknown): OtlpMappingParse {
  const result = otlpMappingSchema.safeParse(raw ?? {});
  if (!result.success)
    return { ok: false, problems: result.error.issues.map((i) => `otlp${i.path.length > 0 ? `.${i.path.join('.')}` : ''}: ${i.message}`) };
  return { ok: true, mapping: result.data };
}

/** The default mapping. */
export function defaultOtlpMapping(): OtlpMapping {
  return otlpMappingSchema.parse({});
}

/** The quantile in [0, 1] of a `pNN` statistic, else undefined. */
export function statQuantile(stat: string): number | undefined {
  if (!stat.startsWith('p')) return undefined;
  const percent = Number(stat.slice(1));
  return Number.isFinite(percent) && percent > 0 && percent < 100 ? percent / 100 : undefined;
}
