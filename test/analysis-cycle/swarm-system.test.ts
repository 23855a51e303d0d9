import { describe, expect, it } from 'vitest';
import type { StateRow } from '../../src/analysis/scalability-points.js';
import { uslThroughput } from '../../src/analysis/usl-fit.js';
import { DEFAULT_SWARM_SYSTEM_SETTINGS, SwarmSystem, type AgentStateHistory } from '../../src/analysis-cycle/swarm-system.js';
import { renderSystemFamilies } from '../../src/exposition/system-families.js';
import { ManualClock } from '../fakes/manual-clock.js';
import { AgentRegistry } from '../../src/store/agent-registry.js';
import { seeded } from '../analysis/support/random.js';
import { findBinary, promtoolCheckMetrics } from '../support/promtool.js';

const STEP = 1000;
const TIMEOUT = 5000;

function liveSwarm(start = Date.UTC(2026, 0, 5)) {
  const clock = new ManualClock(start);
  const registry = new AgentRegistry(
    { heartbeatTimeoutMs: TIMEOUT, expireAfterMs: 3_600_000, maxAgents: 100, maxCustomMetrics: 8, stepMs: STEP, windowMs: 60 * STEP },
    clock,
  );
  return { clock, registry };
}

function sampleValue(page: string, series: string): number | undefined {
  const line = page.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('SwarmSystem', () => {
  it('puts each scripted failure-to-recovery in its histogram bucket; sum/count is the mean of the failed periods (churn and a late joiner around it)', () => {
    const { clock, registry } = liveSwarm();
    const system = new SwarmSystem(clock, { ...DEFAULT_SWARM_SYSTEM_SETTINGS, baselineMetrics: [] });
    const healthy = { error_rate: 0.01, response_time: 0.2, cpu_usage: 0.3, memory_usage: 0.3, throughput: 2, coordination_load: 0.1 };
    const outages = [
      { agent: 'b', from: 20, silentFor: 25 }, // failed ~20 s: bucket le=30
      { agent: 'c', from: 70, silentFor: 100 }, // failed ~95 s: bucket le=120
      { agent: 'b', from: 200, silentFor: 405 }, // failed ~400 s: bucket le=600
    ];
    const failedFor: number[] = [];
    const failedAt = new Map<string, number>();
    for (let t = 0; t < 700; t++) {
      const silent = new Set(outages.filter((o) => t >= o.from && t < o.from + o.silentFor).map((o) => o.agent));
      const present = ['a', 'b', 'c', ...(t >= 50 ? ['late'] : [])].filter((a) => !silent.has(a));
      registry.ingest(
        present.flatMap((agent) => Object.entries(healthy).map(([metric, value]) => ({ swarm: 's', agent, metric, value }))),
        'push',
      );
      registry.step();
      system.observe(registry.agents());
      // Ground truth from the registry's own statuses: when each agent turned failed, and back.
      for (const a of registry.agents()) {
        const status = a.health?.status;
        if (status === 'failed' && !failedAt.has(a.id)) failedAt.set(a.id, clock.now());
        if ((status === 'good' || status === 'optimal') && failedAt.has(a.id)) {
          failedFor.push((clock.now() - (failedAt.get(a.id) ?? 0)) / 1000);
          failedAt.delete(a.id);
        }
      }
      clock.advance(STEP);
    }
    expect(failedFor).toHaveLength(3);
    const page = [...renderSystemFamilies(system.latest())].join('');
    const bucket = (le: string): number | undefined => sampleValue(page, `agentswarm_agent_recovery_seconds_bucket{swarm="s",le="${le}"}`);
    expect(bucket('15')).toBe(0);
    expect(bucket('30')).toBe(1);
    expect(bucket('60')).toBe(1);
    expect(bucket('120')).toBe(2);
    expect(bucket('300')).toBe(2);
    expect(bucket('600')).toBe(3);
    expect(bucket('+Inf')).toBe(3);
    const sum = sampleValue(page, 'agentswarm_agent_recovery_seconds_sum{swarm="s"}') ?? Number.NaN;
    const count = sampleValue(page, 'agentswarm_agent_recovery_seconds_count{swarm="s"}') ?? Number.NaN;
    expect(sum / count).toBeCloseTo(failedFor.reduce((x, y) => x + y, 0) / failedFor.length, 9);
    // Collective totals on the same page: four live agents at 2 tasks/s each at the end.
    expect(sampleValue(page, 'agentswarm_swarm_throughput_tasks_per_second{swarm="s"}')).toBe(8);
    expect(sampleValue(page, 'agentswarm_swarm_coordination_overhead_ratio{swarm="s"}')).toBeCloseTo(0.1, 12);
    expect(page).not.toContain('agentswarm_swarm_messages_per_second{'); // nobody sends it
  });

  it('fits the USL to the stored 5-minute history of a swarm whose size varied, and recovers σ, κ within 10 %', () => {
    const truth = { lambda: 2, sigma: 0.05, kappa: 0.002 };
    const rng = seeded(11);
    const start = Date.UTC(2026, 0, 1);
    const rows: StateRow[] = [];
    // Two days of deployment waves and autoscaling: N moves between 2 and 40 agents.
    for (let k = 0; k < 576; k++) {
      const n = 2 + Math.round(19 + 19 * Math.sin(k / 17) * Math.cos(k / 41));
      const x = uslThroughput(truth, n) * (1 + 0.02 * rng.gauss());
      for (let i = 0; i < n; i++)
        rows.push({ agent: `a${i}`, bucketStart: start + k * 300_000, status: 'good', metrics: { throughput: x / n, queue_depth: 3 } });
    }
    const history: AgentStateHistory = {
      listAgentStates: (swarm, agent, since) =>
        rows.filter((r) => swarm === 's' && (agent === undefined || r.agent === agent) && r.bucketStart >= since),
    };
    const { clock, registry } = liveSwarm(start + 577 * 300_000);
    registry.ingest([{ swarm: 's', agent: 'a0', metric: 'throughput', value: 1 }], 'push');
    registry.step();
    const system = new SwarmSystem(clock, { ...DEFAULT_SWARM_SYSTEM_SETTINGS, baselineMetrics: [] }, history);
    system.observe(registry.agents());
    const fit = system.latest().get('s')?.scalability;
    expect(fit).toBeDefined();
    expect(Math.abs((fit?.sigma ?? 0) - truth.sigma)).toBeLessThanOrEqual(0.1 * truth.sigma);
    expect(Math.abs((fit?.kappa ?? 0) - truth.kappa)).toBeLessThanOrEqual(0.1 * truth.kappa);
    const peak = Math.sqrt((1 - truth.sigma) / truth.kappa);
    expect(Math.abs((fit?.peakAgents ?? 0) - peak)).toBeLessThanOrEqual(0.1 * peak);
    const page = [...renderSystemFamilies(system.latest())].join('');
    expect(sampleValue(page, 'agentswarm_swarm_scalability_coherency{swarm="s"}')).toBeCloseTo(fit?.kappa ?? Number.NaN, 12);
    expect(sampleValue(page, 'agentswarm_swarm_scalability_fit_r2{swarm="s"}')).toBeGreaterThan(0.9);
  });

  it('exposes no scalability law while the history has too few distinct agent counts', () => {
    const start = Date.UTC(2026, 0, 1);
    const rows: StateRow[] = [];
    for (let k = 0; k < 100; k++)
      for (let i = 0; i < (k % 2 === 0 ? 4 : 8); i++)
        rows.push({ agent: `a${i}`, bucketStart: start + k * 300_000, status: 'good', metrics: { throughput: 1 } });
    const { clock, registry } = liveSwarm(start + 101 * 300_000);
    registry.ingest([{ swarm: 's', agent: 'a0', metric: 'throughput', value: 1 }], 'push');
    registry.step();
    const system = new SwarmSystem(clock, { ...DEFAULT_SWARM_SYSTEM_SETTINGS, baselineMetrics: [] }, { listAgentStates: () => rows });
    system.observe(registry.agents());
    expect(system.latest().get('s')?.scalability).toBeUndefined();
    expect([...renderSystemFamilies(system.latest())].join('')).not.toContain('agentswarm_swarm_scalability');
  });

  it("learns each agent's baseline from its stored history and exposes lower < center < upper; promtool accepts the page", () => {
    const start = Date.UTC(2026, 0, 1);
    const rng = seeded(5);
    const rows: StateRow[] = [];
    for (let k = 0; k < 4 * 288; k++) {
      const hour = (k * 5) / 60;
      rows.push({
        agent: 'beta',
        bucketStart: start + k * 300_000,
        status: 'good',
        metrics: { response_time: 1 + 0.4 * Math.sin((hour / 24) * 2 * Math.PI) + 0.05 * rng.gauss() },
      });
    }
    const history: AgentStateHistory = {
      listAgentStates: (_s, agent, since) => rows.filter((r) => (agent === undefined || r.agent === agent) && r.bucketStart >= since),
    };
    const { clock, registry } = liveSwarm(start + 4 * 86_400_000 + 6 * 3_600_000);
    registry.ingest([{ swarm: 's', agent: 'beta', metric: 'response_time', value: 1.2 }], 'push');
    registry.step();
    const system = new SwarmSystem(clock, { ...DEFAULT_SWARM_SYSTEM_SETTINGS, baselineMetrics: ['response_time'] }, history);
    system.observe(registry.agents()); // queues beta's refit, fits it
    system.observe(registry.agents()); // exposes the fitted band
    const [entry] = system.latest().get('s')?.baselines ?? [];
    expect(entry?.seasonal).toBe(true);
    // 06:00 UTC is the daily peak of this sine: the band centre sits near 1.4, not the 1.0 daily mean.
    expect(entry?.center).toBeGreaterThan(1.3);
    expect((entry?.lower ?? 0) < (entry?.center ?? 0) && (entry?.center ?? 0) < (entry?.upper ?? 0)).toBe(true);
    const page = [...renderSystemFamilies(system.latest())].join('');
    for (const bound of ['lower', 'center', 'upper'])
      expect(page).toContain(`agentswarm_agent_baseline{swarm="s",agent="beta",metric="response_time",bound="${bound}"}`);
    const promtool = findBinary('promtool');
    if (promtool) expect(promtoolCheckMetrics(promtool, page).output).toBe('');
  });
});
