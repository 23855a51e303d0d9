// The `scrape.mapping` config shape (zod): which source series become which canonical/custom metric.
import { z } from 'zod';
import { CANONICAL_METRICS, METRIC_NAME_PATTERN } from '../../model/canonical-metrics.js';
import { type LabelMatcher, makeMatcher, parseMatcher } from './label-matcher.js';

/**
 * How a source metric becomes a value:
 * - `auto`: from the family's TYPE: counter → `counter`, gauge/unknown → `gauge` (default);
 * - `gauge`: the value as scraped;
 * - `counter`: per-second rate between two scrapes, reset-aware (a drop means a restart);
 * - `histogram_quantile`: the `quantile` of the observations made between two scrapes, from the
 *   `<metric>_bucket` series (like `histogram_quantile(q, rate(m_bucket[...]))`);
 * - `summary_quantile`: the sample whose `quantile` label equals `quantile`.
 */
export const MAPPING_KINDS = ['auto', 'gauge', 'counter', 'histogram_quantile', 'summary_quantile'] as const;
export type MappingKind = (typeof MAPPING_KINDS)[number];

/** How several matching series of one agent are combined into one value. */
export const AGGREGATIONS = ['sum', 'avg', 'min', 'max'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

const SOURCE_METRIC_PATTERN = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Matchers: a list of PromQL matcher strings, or a mapping of label → exact value. */
const matchersSchema = z
  .union([z.array(z.string()), z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a label name'), z.string())])
  .default([])
  .transform((raw, ctx): LabelMatcher[] => {
    const out: LabelMatcher[] = [];
    const entries = Array.isArray(raw)
      ? raw.map((text) => parseMatcher(text))
      : Object.entries(raw).map(([name, value]) => makeMatcher(name, '=', value));
    entries.forEach((parsed, i) => {
      if (parsed.ok) out.push(parsed.matcher);
      else ctx.addIssue({ code: 'custom', path: Array.isArray(raw) ? [i] : [], message: parsed.reason });
    });
    return out;
  });

const seriesSchema = z
  .object({
    metric: z.string().regex(SOURCE_METRIC_PATTERN, 'expected a Prometheus metric name'),
    matchers: matchersSchema,
  })
  .strict();

const entrySchema = z
  .object({
    /** Source sample name, e.g. `process_cpu_seconds_total` or the histogram base name. */
    metric: z.string().regex(SOURCE_METRIC_PATTERN, 'expected a Prometheus metric name'),
    kind: z.enum(MAPPING_KINDS).default('auto'),
    matchers: matchersSchema,
    /** In [0, 1]; required by the quantile kinds. */
    quantile: z.number().min(0).max(1).optional(),
    /** Default: `sum` for gauges and counters, `max` for quantiles. */
    aggregate: z.enum(AGGREGATIONS).optional(),
    /** Multiplies the result, e.g. 0.01 for a percentage, 0.001 for milliseconds. */
    scale: z.number().refine(Number.isFinite, 'expected a finite number').default(1),
    /** Optional denominator series (same kind rules): the result is numerator / denominator. */
    divide_by: seriesSchema.optional(),
  })
  .strict()
  .superRefine((entry, ctx) => {
    const needsQuantile = entry.kind === 'histogram_quantile' || entry.kind === 'summary_quantile';
    if (needsQuantile && entry.quantile === undefined)
      ctx.addIssue({ code: 'custom', path: ['quantile'], message: `expected a quantile in [0, 1] for kind ${entry.kind}` });
    if (!needsQuantile && entry.quantile !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['quantile'],
        message: `quantile only applies to histogram_quantile and summary_quantile, not ${entry.kind}`,
      });
    if (needsQuantile && entry.divide_by !== undefined)
      ctx.addIssue({ code: 'custom', path: ['divide_by'], message: 'divide_by only applies to gauge, counter and auto kinds' });
  });

/** `scrape.mapping`: target metric name (canonical or custom) → source. */
export const scrapeMappingSchema = z.record(
  z.string().regex(METRIC_NAME_PATTERN, 'expected a canonical or custom metric name ([a-z_][a-z0-9_]*)'),
  entrySchema,
);

export type MappingEntry = z.output<typeof entrySchema>;
export type ScrapeMapping = Readonly<Record<string, MappingEntry>>;

/**
 * The mapping used when `scrape.mapping` is empty: each canonical metric from a source metric of
 * the same name (`cpu_usage`, `queue_depth`, ...), kind `auto`. Agents that already expose our
 * vocabulary need no configuration.
 */
export function defaultScrapeMapping(): ScrapeMapping {
  const out: Record<string, MappingEntry> = {};
  for (const metric of CANONICAL_METRICS) out[metric] = { metric, kind: 'auto', matchers: [], scale: 1 };
  return out;
}

export type MappingParse =
  { readonly ok: true; readonly mapping: ScrapeMapping } | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Validates the raw `scrape.mapping` value (the main config keeps it as `record(string, unknown)`).
 * Problems name the key path under `scrape.mapping`, expected vs got.
 */
export function parseScrapeMapping(raw: unknown): MappingParse {
  const result = scrapeMappingSchema.safeParse(raw ?? {});
  if (!result.success) {
    return { ok: false, problems: result.error.issues.map((issue) => `scrape.mapping.${issue.path.join('.')}: ${issue.message}`) };
  }
  return { ok: true, mapping: Object.keys(result.data).length === 0 ? defaultScrapeMapping() : result.data };
}
