import { describe, expect, it } from 'vitest';
import { AnalysisCycleError, AnalysisEngine } from '../../src/analysis-cycle/analysis-engine.js';
import { AnalysisMetrics } from '../../src/analysis-cycle/analysis-metrics.js';
import { Registry } from '../../src/runtime/prom.js';
import { ManualClock } from '../fakes/manual-clock.js';
import { AgentRegistry, type SwarmState } from '../../src/store/agent-registry.js';
import { seeded } from '../analysis/support/random.js';
import { engineHarness } from '../support/engine-harness.js';

const SETTINGS = { stepMs: 1000, windowPoints: 60, topPairs: 20, maxLag: 5, anomalyThreshold: 3.5, forecastHorizonsMs: [300_000] };

function newRegistry(clock: ManualClock): AgentRegistry {
  return new AgentRegistry(
    { heartbeatTimeoutMs: 45_000, expireAfterMs: 600_000, maxAgents: 100, maxCustomMetrics: 4, stepMs: 1000, windowMs: 60_000 },
    clock,
  );
}

/** The registry as the engine sees it, with one swarm whose state throws when read. */
function withBrokenSwarm(inner: AgentRegistry, broken: { name: string; failing: boolean }): AgentRegistry {
  const fake = {
    limits: inner.limits,
    step: () => inner.step(),
    *swarms(): IterableIterator<SwarmState> {
      for (const s of inner.swarms()) {
        if (s.name !== broken.name || !broken.failing) yield s;
        else
          yield {
            name: s.name,
            windows: s.windows,
            get agents(): Map<string, never> {
              throw new Error('state unreadable');
            },
          };
      }
    },
  };
  return fake as unknown as AgentRegistry;
}

async function lastSuccess(prom: Registry): Promise<number | undefined> {
  const metric = prom.getSingleMetric('agentswarm_analysis_last_success_timestamp_seconds');
  const value = (await metric?.get())?.values[0]?.value;
  return value;
}

describe('AnalysisEngine', () => {
  it('runs overlapping calls one after the other, never two cycles at once', async () => {
    const clock = new ManualClock();
    const registry = newRegistry(clock);
    registry.ingest([{ agent: 'a', metric: 'cpu_usage', value: 0.5 }], 'push');
    const gates: (() => void)[] = [];
    const engine = new AnalysisEngine(registry, SETTINGS, clock, undefined, () => new Promise<void>((resolve) => gates.push(resolve)));
    const first = engine.cycle();
    const second = engine.cycle();
    // The first cycle waits at its first pause; the second has not stepped the windows yet.
    await new Promise((resolve) => setImmediate(resolve));
    expect(registry.swarm('default')?.windows.stepCount).toBe(1);
    while ((registry.swarm('default')?.windows.stepCount ?? 0) < 2 || gates.length > 0) {
      gates.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all([first, second]);
    expect(registry.swarm('default')?.windows.stepCount).toBe(2);
  });

  it('pauses between the metrics of a swarm and between swarms', async () => {
    const clock = new ManualClock();
    const registry = newRegistry(clock);
    registry.ingest(
      [
        { swarm: 's1', agent: 'a', metric: 'cpu_usage', value: 0.5 },
        { swarm: 's1', agent: 'a', metric: 'queue_depth', value: 1 },
        { swarm: 's2', agent: 'b', metric: 'cpu_usage', value: 0.5 },
      ],
      'push',
    );
    let pauses = 0;
    const engine = new AnalysisEngine(registry, SETTINGS, clock, undefined, () => {
      pauses += 1;
      return Promise.resolve();
    });
    await engine.cycle();
    // s1: 2 metrics + 1 between swarms; s2: 1 metric + 1.
    expect(pauses).toBe(5);
  });

  it('publishes the other swarms, keeps the failed swarm’s previous snapshot and does not move the last-success time when one swarm fails', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const inner = newRegistry(clock);
    const broken = { name: 'bad', failing: false };
    const prom = new Registry();
    const engine = new AnalysisEngine(withBrokenSwarm(inner, broken), SETTINGS, clock, new AnalysisMetrics(prom), () => Promise.resolve());
    const push = (): void => {
      inner.ingest(
        [
          { swarm: 'good', agent: 'a', metric: 'cpu_usage', value: 0.5 },
          { swarm: 'bad', agent: 'b', metric: 'cpu_usage', value: 0.5 },
        ],
        'push',
      );
    };
    push();
    await engine.cycle();
    const before = engine.latest().get('bad');
    expect(await lastSuccess(prom)).toBe(clock.now() / 1000);
    const successAt = clock.now() / 1000;

    clock.advance(1000);
    push();
    broken.failing = true;
    const failed = engine.cycle();
    await expect(failed).rejects.toBeInstanceOf(AnalysisCycleError);
    await expect(failed).rejects.toThrow(/bad.*state unreadable/);
    expect(engine.latest().get('good')?.computed_at).toBe(clock.now());
    expect(engine.latest().get('bad')).toBe(before);
    expect(await lastSuccess(prom)).toBe(successAt);

    clock.advance(1000);
    push();
    broken.failing = false;
    await engine.cycle();
    expect(engine.latest().get('bad')?.computed_at).toBe(clock.now());
    expect(await lastSuccess(prom)).toBe(clock.now() / 1000);
  });

  it('returns a departed swarm’s memory budget and drops its snapshot', async () => {
    const h = engineHarness({ windowPoints: 30, limits: { expireAfterMs: 5000, heartbeatTimeoutMs: 2000 } });
    const rng = seeded(5);
    for (let t = 0; t < 3; t += 1) await h.step({ a: { cpu_usage: rng.next() }, b: { cpu_usage: rng.next() } }, 'short-lived');
    expect(h.engine.budget.usedBytes).toBeGreaterThan(0);
    for (let t = 0; t < 8; t += 1) {
      await h.engine.cycle();
      h.clock.advance(1000);
    }
    expect(h.engine.latest().has('short-lived')).toBe(false);
    expect(h.engine.budget.usedBytes).toBe(0);
  });
});
