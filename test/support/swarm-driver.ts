// Drives a test exporter one analysis step at a time through the real ingest path: POST the step's
// samples, run one cycle, advance the manual clock by one step; and reads the results back over HTTP.
import { expect } from 'vitest';
import type { SwarmAnalysis, AnalysisResponse } from '../../src/analysis-cycle/swarm-analysis.js';
import { parseExposition } from '../../src/ingest/text-format/parse-exposition.js';
import type { ExpositionSample } from '../../src/ingest/text-format/types.js';
import type { TestExporter } from './test-exporter.js';

/** One step's values: agent → metric → value. */
export type StepValues = Readonly<Record<string, Readonly<Record<string, number>>>>;

/** Samples per POST: well under the 1 MiB body limit at ~80 bytes a sample. */
const BATCH = 5000;

export interface HeartbeatBody {
  readonly type?: string;
  readonly variant?: string;
  readonly capacity?: number;
}

export class SwarmDriver {
  constructor(
    readonly exporter: TestExporter,
    readonly swarm = 'default',
  ) {}

  get stepMs(): number {
    return this.exporter.config.analysis.step;
  }

  /** Registers agents with their metadata (type, variant, capacity). */
  async heartbeat(agents: Readonly<Record<string, HeartbeatBody>>): Promise<void> {
    for (const [agent, body] of Object.entries(agents)) {
      const res = await this.exporter.post(`/api/v1/agents/${encodeURIComponent(agent)}/heartbeat`, { swarm: this.swarm, ...body });
      expect(res.status, JSON.stringify(res.json)).toBe(202);
    }
  }

  /** Pushes one step's samples, runs the analysis cycle, then moves the clock one step on. */
  async step(values: StepValues): Promise<void> {
    await this.push(values);
    await advanceStep(this.exporter);
  }

  /** Pushes one step's samples without running the cycle (several swarms sharing one step). */
  async push(values: StepValues): Promise<void> {
    const samples: { swarm: string; agent: string; metric: string; value: number }[] = [];
    for (const [agent, metrics] of Object.entries(values)) {
      for (const [metric, value] of Object.entries(metrics)) samples.push({ swarm: this.swarm, agent, metric, value });
    }
    for (let start = 0; start < samples.length; start += BATCH) {
      const res = await this.exporter.post('/api/v1/samples', { samples: samples.slice(start, start + BATCH) });
      expect(res.status, JSON.stringify(res.json).slice(0, 500)).toBe(202);
      expect(res.json.rejected, JSON.stringify(res.json.errors).slice(0, 500)).toBe(0);
    }
  }

  /** This swarm's snapshot from GET /api/v1/analysis. */
  async analysis(): Promise<SwarmAnalysis> {
    const res = await fetch(`${this.exporter.url}/api/v1/analysis`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as AnalysisResponse;
    const found = body.swarms.find((s) => s.swarm === this.swarm);
    if (found === undefined) throw new Error(`no analysis for swarm ${this.swarm}`);
    return found;
  }

  /** Every sample of one family on /metrics for this swarm (parsed with the project's own parser). */
  async series(name: string): Promise<ExpositionSample[]> {
    return seriesOf(await this.exporter.metricsText(), name, this.swarm);
  }
}

/** Runs one analysis cycle at the current time, then moves the clock one step on. */
export async function advanceStep(exporter: TestExporter): Promise<void> {
  await exporter.engine.cycle();
  exporter.clock.advance(exporter.config.analysis.step);
}

/** Parses a /metrics page and returns the samples of `name` (for `swarm` when given). */
export function seriesOf(page: string, name: string, swarm?: string): ExpositionSample[] {
  const parsed = parseExposition(page);
  if (!parsed.ok) throw new Error(`/metrics does not parse: ${parsed.error.message} (line ${parsed.error.line})`);
  return parsed.families.flatMap((f) => f.samples).filter((s) => s.name === name && (swarm === undefined || s.labels.swarm === swarm));
}

/** Clamps to [lo, hi]: canonical ratios must stay in range or ingest rejects them. */
export function clamp(x: number, lo = 0, hi = 1): number {
  return Math.min(hi, Math.max(lo, x));
}
