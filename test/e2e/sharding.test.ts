// 4 sharded replicas × 1,000 agents fed through the reporter's shard routing vs one unsharded exporter on the same data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentReporter } from '../../src/client/reporter.js';
import { renderAnalysisFamilies } from '../../src/exposition/analysis-families.js';
import { ownerShard } from '../../src/model/shard.js';
import { startTestExporter, type TestExporter } from '../support/test-exporter.js';

const SHARDS = 4;
const SWARMS_PER_SHARD = 10;
const AGENTS_PER_SWARM = 100; // 10 swarms × 100 agents = 1,000 agents per replica
const STEPS = 40;

/** Seeded PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The first names of `swarm-k` that fall on each shard: exactly SWARMS_PER_SHARD per shard. */
function swarmsByShard(): string[][] {
  const out: string[][] = Array.from({ length: SHARDS }, () => []);
  for (let k = 0; out.some((s) => s.length < SWARMS_PER_SHARD); k += 1) {
    const name = `swarm-${k}`;
    const bucket = out[ownerShard(name, SHARDS)];
    if (bucket !== undefined && bucket.length < SWARMS_PER_SHARD) bucket.push(name);
  }
  return out;
}

interface AgentPlan {
  readonly id: string;
  /** Late joiners start after step 0; churned agents stop and expire. */
  readonly joinAt: number;
  readonly leaveAt: number;
  readonly base: number;
  readonly trend: number;
  readonly phase: number;
  readonly variant: 'a' | 'b';
}

function planSwarm(random: () => number): AgentPlan[] {
  return Array.from({ length: AGENTS_PER_SWARM }, (_, i) => ({
    id: `agent-${i}`,
    joinAt: random() < 0.1 ? 5 + Math.floor(random() * 15) : 0,
    leaveAt: random() < 0.08 ? 10 + Math.floor(random() * 15) : STEPS,
    base: 0.2 + random() * 0.4,
    trend: random() < 0.3 ? (random() - 0.3) * 0.01 : 0,
    phase: random() * Math.PI * 2,
    variant: random() < 0.5 ? 'a' : 'b',
  }));
}

/** One step's metrics of one agent: a load wave shared by the swarm, per-agent trend and noise. */
function values(plan: AgentPlan, step: number, wave: number, random: () => number): Record<string, number> {
  const load = Math.min(1, Math.max(0, plan.base + plan.trend * step + 0.15 * Math.sin(wave + plan.phase * 0.1) + (random() - 0.5) * 0.05));
  return {
    cpu_usage: load,
    memory_usage: Math.min(1, 0.3 + 0.5 * load + (random() - 0.5) * 0.02),
    response_time: 0.05 + load * (plan.variant === 'b' ? 0.3 : 0.2) + random() * 0.01,
    throughput: 5 + 20 * load + random(),
    queue_depth: Math.round(10 * load + random() * 2),
  };
}

function analysisLines(page: string, names: ReadonlySet<string>): string[] {
  return page.split('\n').filter((line) => line !== '' && !line.startsWith('#') && names.has(line.slice(0, line.search(/[{ ]/))));
}

describe('sharding across 4 replicas', () => {
  const replicas: TestExporter[] = [];
  let single: TestExporter | undefined;
  const overrides = { agents: { heartbeat_timeout: '5s', expire_after: '10s', max_agents: 5000 } };

  beforeAll(async () => {
    for (let index = 0; index < SHARDS; index += 1)
      replicas.push(await startTestExporter({ ...overrides, shard: { index, count: SHARDS } }));
    single = await startTestExporter(overrides);
  });
  afterAll(async () => {
    for (const exporter of [...replicas, ...(single ? [single] : [])]) await exporter.stop();
  });

  it('holds exactly its swarms on each replica, and the union of their analysis families equals one unsharded exporter', async () => {
    if (single === undefined) throw new Error('no exporter');
    const unsharded = single;
    const shards = swarmsByShard();
    const swarms = shards.flat();
    const urls = replicas.map((r) => r.url);
    const random = prng(4);
    const plans = new Map(swarms.map((swarm) => [swarm, planSwarm(random)]));
    // One reporter per swarm and destination, one request at a time: both sides see the same order.
    const routed = new Map(
      swarms.map((swarm) => [
        swarm,
        new AgentReporter({ shardTargets: urls, swarm, maxConcurrentRequests: 1, batch: { maxDelayMs: 60_000 } }),
      ]),
    );
    const direct = new Map(
      swarms.map((swarm) => [
        swarm,
        new AgentReporter({ target: unsharded.url, swarm, maxConcurrentRequests: 1, batch: { maxDelayMs: 60_000 } }),
      ]),
    );
    const delayed: { swarm: string; agent: string; metrics: Record<string, number>; at: number }[] = [];

    for (let step = 0; step < STEPS; step += 1) {
      const now = unsharded.clock.now();
      const wave = step * 0.4;
      const beats: Promise<unknown>[] = [];
      const late = delayed.splice(0);
      for (const [swarm, plan] of plans) {
        const a = routed.get(swarm) as AgentReporter;
        const b = direct.get(swarm) as AgentReporter;
        for (const agent of plan) {
          if (step < agent.joinAt || step >= agent.leaveAt) continue;
          if (step === agent.joinAt) {
            const info = { type: 'worker', variant: agent.variant, capacity: 4 };
            beats.push(a.heartbeat(agent.id, info), b.heartbeat(agent.id, info));
          }
          const roll = random();
          if (roll < 0.03) continue; // a missed step
          const metrics = values(agent, step, wave, random);
          // A few samples arrive one step late, with their own timestamp (out of order).
          if (roll < 0.06) delayed.push({ swarm, agent: agent.id, metrics, at: now });
          else {
            a.record(agent.id, metrics, now);
            b.record(agent.id, metrics, now);
          }
        }
      }
      for (const l of late) {
        routed.get(l.swarm)?.record(l.agent, l.metrics, l.at);
        direct.get(l.swarm)?.record(l.agent, l.metrics, l.at);
      }
      await Promise.all(beats);
      await Promise.all([...routed.values(), ...direct.values()].map((r) => r.flush()));
      for (const exporter of [...replicas, unsharded]) await exporter.engine.cycle();
      for (const exporter of [...replicas, unsharded]) exporter.clock.advance(1000);
    }
    const stats = [...routed.values()].map((r) => r.stats());
    expect(stats.reduce((n, s) => n + s.samplesDropped + s.samplesRejected + s.failures, 0)).toBe(0);

    // Each replica holds exactly its own swarms (1,000 agents at the peak).
    replicas.forEach((replica, index) => {
      expect(new Set([...replica.registry.swarms()].map((s) => s.name))).toEqual(new Set(shards[index]));
    });

    // Union of the 4 replicas' analysis families == the unsharded exporter's, line for line.
    const names = new Set(
      [...renderAnalysisFamilies(unsharded.engine.latest())]
        .join('')
        .split('\n')
        .filter((l) => l.startsWith('# TYPE '))
        .map((l) => l.split(' ')[2] ?? ''),
    );
    expect(names.size).toBeGreaterThan(5);
    const union = (await Promise.all(replicas.map((r) => r.metricsText()))).flatMap((page) => analysisLines(page, names)).sort();
    const whole = analysisLines(await unsharded.metricsText(), names).sort();
    expect(whole.length).toBeGreaterThan(1000);
    console.info(
      JSON.stringify({
        replicas: SHARDS,
        agentsPerReplica: SWARMS_PER_SHARD * AGENTS_PER_SWARM,
        families: names.size,
        analysisLines: whole.length,
      }),
    );
    // The same series with the same values; a value may differ in its last bits (the replicas'
    // incremental states met the swarm's agents in another order, so sums ran in another order).
    const split = (lines: string[]): [string, number][] =>
      lines.map((l) => [l.slice(0, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))]);
    const unionSeries = split(union);
    const wholeSeries = split(whole);
    expect(unionSeries.map(([series]) => series)).toEqual(wholeSeries.map(([series]) => series));
    const apart = wholeSeries.filter(([series, v], i) => {
      const u = unionSeries[i]?.[1] ?? Number.NaN;
      return !(Object.is(u, v) || Math.abs(u - v) <= 1e-9 * Math.max(1, Math.abs(v))) && series !== '';
    });
    expect(apart).toEqual([]);

    // A push to the wrong replica is refused, naming the owner.
    const foreign = shards[1]?.[0] ?? '';
    const refused = await replicas[0]?.post('/api/v1/samples', {
      samples: [{ swarm: foreign, agent: 'x', metric: 'cpu_usage', value: 0.5 }],
    });
    expect(refused?.status).toBe(421);
    expect(refused?.json).toMatchObject({ shard: '0/4', owners: { [foreign]: '1/4' } });
    const beat = await replicas[0]?.post('/api/v1/agents/x/heartbeat', { swarm: foreign });
    expect(beat?.status).toBe(421);
    for (const r of [...routed.values(), ...direct.values()]) await r.stop();
  }, 300_000);
});
