import { describe, expect, it } from 'vitest';
import { AnalysisCycleError, AnalysisEngine, SLICE_MS } from '../../src/analysis-cycle/analysis-engine.js';
import { AnalysisMetrics } from '../../src/analysis-cycle/analysis-metrics.js';
import { Registry } from '../../src/runtime/prom.js';
import type { Clock } from '../../src/model/clock.js';
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
    stepInSlices: () => inner.stepInSlices(),
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

/** An engine whose pause only counts (and never waits); `pauses()` says how many it took. */
function countingPauses(registry: AgentRegistry, clock: Clock): { engine: AnalysisEngine; pauses: () => number } {
  let pauses = 0;
  const engine = new AnalysisEngine(registry, SETTINGS, clock, undefined, () => {
    pauses += 1;
    return Promise.resolve();
  });
  return { engine, pauses: () => pauses };
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

  it('pauses between swarms, and within a swarm only once a slice has run SLICE_MS', async () => {
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
    const { engine, pauses } = countingPauses(registry, clock);
    // A clock that stands still: no slice ever runs out, so only the pause after each swarm.
    await engine.cycle();
    expect(pauses()).toBe(2);
  });

  it('pauses at every safe point when each one finds the slice used up', async () => {
    // The monotonic clock moves SLICE_MS at every read: every safe point ends a slice.
    const base = new ManualClock();
    const clock = {
      now: () => base.now(),
      monotonic: () => {
        base.advance(SLICE_MS);
        return base.monotonic();
      },
    };
    const registry = newRegistry(base);
    registry.ingest(
      [
        { swarm: 's1', agent: 'a', metric: 'cpu_usage', value: 0.5 },
        { swarm: 's1', agent: 'a', metric: 'queue_depth', value: 1 },
        { swarm: 's1', agent: 'b', metric: 'cpu_usage', value: 0.7 },
      ],
      'push',
    );
    const { engine, pauses } = countingPauses(registry, clock);
    await engine.cycle();
    // At least one safe point after each metric, then between the swarm-wide readers, then the
    // pause between swarms.
    expect(pauses()).toBeGreaterThanOrEqual(2 + 5 + 1);
  });

  it('lets other callbacks run while a large swarm is analysed, and publishes the same snapshot as an unpaused engine', async () => {
    const agents = 1000;
    const runs = await Promise.all(
      [true, false].map(async (sliced) => {
        const clock = new ManualClock(Date.UTC(2026, 0, 1));
        const registry = new AgentRegistry(
          { heartbeatTimeoutMs: 45_000, expireAfterMs: 600_000, maxAgents: 1000, maxCustomMetrics: 4, stepMs: 1000, windowMs: 60_000 },
          clock,
        );
        // Every read of the sliced engine's clock moves it SLICE_MS: it pauses at every safe point.
        let ticks = 0;
        const engineClock = sliced
          ? {
              now: () => clock.now(),
              monotonic: () => {
                ticks += SLICE_MS;
                return ticks;
              },
            }
          : clock;
        let interleaved = 0;
        const engine = new AnalysisEngine(registry, SETTINGS, engineClock, undefined, () => {
          interleaved += 1;
          return new Promise((resolve) => setImmediate(resolve));
        });
        const rng = seeded(5);
        for (let step = 0; step < 62; step += 1) {
          const wave = Math.sin(step / 7);
          registry.ingest(
            Array.from({ length: agents }, (_, i) => ({
              agent: `a${i}`,
              metric: 'response_time',
              value: 0.2 + 0.05 * wave * (i % 3) + 0.01 * rng.gauss(),
            })),
            'push',
          );
          await engine.cycle();
          clock.advance(1000);
        }
        return { snapshot: engine.latest().get('default'), interleaved };
      }),
    );
    const [sliced, whole] = runs;
    // The still clock pauses once a cycle (after the swarm); the moving one inside the kernels too.
    expect(sliced?.interleaved).toBeGreaterThan(5 * (whole?.interleaved ?? 0));
    expect(sliced?.snapshot?.top_pairs).toEqual(whole?.snapshot?.top_pairs);
    expect(sliced?.snapshot?.anomaly_scores).toEqual(whole?.snapshot?.anomaly_scores);
    expect(sliced?.snapshot?.correlation_threshold_abs).toEqual(whole?.snapshot?.correlation_threshold_abs);
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
