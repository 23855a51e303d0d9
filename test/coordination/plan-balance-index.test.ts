import { describe, expect, it } from 'vitest';
import { toPlanAnalysis } from '../../src/analysis-cycle/plan-analysis.js';
import { planContextProbe } from '../../src/coordination/impact.js';
import type { PlanContext } from '../../src/coordination/plan-context.js';
import { buildPlan } from '../../src/coordination/plans.js';
import { registryPlanContext } from '../../src/coordination/registry-plan-context.js';
import { renderAnalysisFamilies } from '../../src/exposition/analysis-families.js';
import { parseExposition } from '../../src/ingest/text-format/parse-exposition.js';
import { engineHarness, type EngineHarness } from '../support/engine-harness.js';

const NOW = Date.UTC(2026, 0, 1, 12);
const STEPS = 60;
const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

/**
 * A swarm with every case the two definitions could part on: agents over their capacity (clamped),
 * queued work (not utilisation), an agent without capacity (cpu_usage stands in), one with neither
 * (not counted), a late joiner, a trending load, and an agent that stops reporting and goes down
 * (its last utilisation still counts in the metric while it is registered).
 */
async function runSwarm(): Promise<EngineHarness> {
  const h = engineHarness();
  for (const id of ['w1', 'w2', 'w3', 'quitter']) h.registry.heartbeat('default', id, { type: 'worker', capacity: 4 });
  for (let t = 0; t < STEPS; t += 1) {
    const values: Record<string, Record<string, number>> = {
      w1: { active_tasks: 5, queue_depth: 7 },
      w2: { active_tasks: 1 + (t % 3), queue_depth: 2 },
      w3: { active_tasks: Math.min(4, t / 15) },
      cpu: { cpu_usage: 0.35, queue_depth: 1 },
      blind: { response_time: 0.2 },
    };
    if (t < 5) values.quitter = { active_tasks: 3 };
    if (t >= 20) values.late = { cpu_usage: 0.9 };
    await h.step(values);
  }
  return h;
}

function metricValue(h: EngineHarness): number {
  const page = [...renderAnalysisFamilies(h.engine.latest())].join('');
  const parsed = parseExposition(page);
  if (!parsed.ok) throw new Error(`${parsed.error.message} (line ${parsed.error.line})`);
  const line = parsed.families
    .flatMap((f) => f.samples)
    .find((s) => s.name === 'agentswarm_load_balance_index' && s.labels.swarm === 'default');
  if (line === undefined) throw new Error('no agentswarm_load_balance_index{swarm="default"}');
  return line.value;
}

function balanceIndexes(context: PlanContext): { performanceSync: unknown; resourceBalancing: unknown; probe: number | undefined } {
  const sync = buildPlan({ type: 'performance_sync', swarm: 'default', agents: [] }, context, NOW);
  const balancing = buildPlan({ type: 'resource_balancing', swarm: 'default', agents: [] }, context, NOW);
  if (sync.kind !== 'performance_sync' || balancing.kind !== 'resource_balancing') throw new Error('kind');
  return {
    performanceSync: sync.summary.balance_index,
    resourceBalancing: balancing.balance_index_now,
    probe: planContextProbe(context).read({ type: 'resource_balancing', swarm: 'default', agents: [] })?.value,
  };
}

describe("a plan's balance index and agentswarm_load_balance_index on the same data", () => {
  it('agree when the plan reads the registry alone (no analysis snapshot yet)', async () => {
    const h = await runSwarm();
    expect(h.registry.get('default', 'quitter')?.up).toBe(false);
    const metric = metricValue(h);
    expect(metric).toBeGreaterThan(0.5);
    expect(metric).toBeLessThan(0.99);
    const got = balanceIndexes(registryPlanContext(h.registry));
    expect(got.performanceSync).toBe(round4(metric));
    expect(got.resourceBalancing).toBe(round4(metric));
    expect(got.probe).toBeCloseTo(metric, 12);
  });

  it('agree when the plan reads the analysis snapshot', async () => {
    const h = await runSwarm();
    const metric = metricValue(h);
    const context = registryPlanContext(h.registry, (swarm) => {
      const snapshot = h.engine.latest().get(swarm);
      return snapshot === undefined ? undefined : toPlanAnalysis(snapshot);
    });
    const got = balanceIndexes(context);
    expect(got.performanceSync).toBe(round4(metric));
    expect(got.resourceBalancing).toBe(round4(metric));
    expect(got.probe).toBe(metric);
  });
});
