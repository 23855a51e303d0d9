import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestExporter, type TestExporter } from '../support/test-exporter.js';
import { advanceStep, SwarmDriver } from '../support/swarm-driver.js';

const AGENTS = ['b1', 'b2', 'b3', 'b4', 'b5'];
const CAPACITY = 10;

describe("load balance (Jain's index of utilisation)", () => {
  let exporter: TestExporter;
  let even: SwarmDriver;
  let skewed: SwarmDriver;
  let cpuOnly: SwarmDriver;
  beforeAll(async () => {
    exporter = await startTestExporter();
    even = new SwarmDriver(exporter, 'even');
    skewed = new SwarmDriver(exporter, 'skewed');
    cpuOnly = new SwarmDriver(exporter, 'cpu-only');
    const declared = Object.fromEntries(AGENTS.map((a) => [a, { capacity: CAPACITY }]));
    await even.heartbeat(declared);
    await skewed.heartbeat(declared);
    for (let t = 0; t < 3; t += 1) {
      await even.push(Object.fromEntries(AGENTS.map((a) => [a, { active_tasks: 6 }])));
      await skewed.push(Object.fromEntries(AGENTS.map((a, i) => [a, { active_tasks: i === 0 ? CAPACITY : 0 }])));
      // No capacity declared: utilisation falls back to cpu_usage.
      await cpuOnly.push(Object.fromEntries(AGENTS.map((a, i) => [a, { cpu_usage: 0.2 * (i + 1) }])));
      await advanceStep(exporter);
    }
  });
  afterAll(async () => {
    await exporter.stop();
  });

  it('is 1 for a swarm whose agents carry the same load', async () => {
    expect((await even.series('agentswarm_load_balance_index'))[0]?.value).toBeCloseTo(1, 12);
    const analysis = await even.analysis();
    expect(analysis.load_balance.mean_utilization).toBeCloseTo(0.6, 12);
    for (const a of analysis.load_balance.agents) expect(a.deviation).toBeCloseTo(0, 12);
  });

  it('is 1/n when one agent carries all the load, and names its deviation', async () => {
    expect((await skewed.series('agentswarm_load_balance_index'))[0]?.value).toBeCloseTo(1 / AGENTS.length, 12);
    const analysis = await skewed.analysis();
    const b1 = analysis.load_balance.agents.find((a) => a.agent === 'b1');
    expect(b1?.utilization).toBe(1);
    expect(b1?.deviation).toBeCloseTo(1 - 1 / AGENTS.length, 12);
    const utilisation = new Map((await skewed.series('agentswarm_agent_utilization_ratio')).map((s) => [s.labels.agent, s.value]));
    expect(Object.fromEntries(utilisation)).toEqual({ b1: 1, b2: 0, b3: 0, b4: 0, b5: 0 });
  });

  it('uses cpu_usage as utilisation for agents without a declared capacity', async () => {
    // Loads 0.2, 0.4, …, 1.0: (Σx)²/(n·Σx²) = 9/(5·2.2).
    expect((await cpuOnly.series('agentswarm_load_balance_index'))[0]?.value).toBeCloseTo(9 / 11, 12);
  });
});
