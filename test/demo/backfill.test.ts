// The demo starts with a full window: the simulator backfills one window of its scripted history
// through the public push API with timestamps, as any agent that buffered its samples could.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulatedSwarm, type SimulatedSwarm } from '../../src/demo/simulated-swarm.js';
import { FakeExporter } from '../client/fake-exporter.js';
import { ManualTimers } from '../client/manual-timers.js';
import { CANONICAL_METRICS } from '../../src/model/canonical-metrics.js';
import { DEMO_AGENT_IDS } from '../../src/demo/topology.js';
import { freePort } from '../support/free-port.js';

describe('backfill', () => {
  let server: FakeExporter | undefined;
  let sim: SimulatedSwarm | undefined;
  let timers: ManualTimers | undefined;
  afterEach(async () => {
    const stopped = sim?.stop();
    timers?.advance(60_000);
    await stopped;
    await server?.close();
  });

  it('pushes the end of the previous day with one timestamp per step, ending now, then plays the day live from its first phase', async () => {
    server = await new FakeExporter().start();
    timers = new ManualTimers();
    const logs: string[] = [];
    const t0 = timers.now();
    sim = await startSimulatedSwarm({
      target: server.url,
      scenario: 'day',
      swarm: 'demo',
      stepMs: 1000,
      phaseMs: 2000,
      clock: timers,
      timers,
      backfillMs: 60_000,
      log: (l) => logs.push(l),
    });

    const backfilled = server.batchedSamples().filter((s) => (s['timestamp'] as number) < t0);
    const stamps = [...new Set(backfilled.map((s) => s['timestamp'] as number))].sort((a, b) => a - b);
    expect(stamps).toEqual(Array.from({ length: 60 }, (_, k) => t0 - (60 - k) * 1000));
    // Twelve agents, every canonical metric a step, except delta during the day's failure phase
    // (6 units of 2 s = 12 steps, inside the last minute of the day): as a live run would send.
    const failureSteps = 6 * 2;
    const perStep = CANONICAL_METRICS.length;
    expect(backfilled).toHaveLength(60 * DEMO_AGENT_IDS.length * perStep - failureSteps * perStep);
    expect(new Set(backfilled.filter((s) => s['agent'] === 'delta').map((s) => s['timestamp'])).size).toBe(60 - failureSteps);
    expect(
      logs.some((l) =>
        /^simulator: backfilled 60 steps \(60 s of the scenario, up to phase recovery\) with timestamps: 6372 samples accepted, 0 rejected$/.test(
          l,
        ),
      ),
    ).toBe(true);
    expect(sim.status().phase).toBe('calm');
    expect(logs).toContain('simulator: phase calm (cycle 1): night shift: light, even load');
  });
});

/** The families of `/metrics` that carry at least one sample, and whether the forecast is valid. */
function families(page: string): { present: Set<string>; forecastValid: boolean } {
  const present = new Set<string>();
  for (const line of page.split('\n')) {
    const m = /^(agentswarm_[a-z_]+)[{ ]/.exec(line);
    if (m?.[1] !== undefined) present.add(m[1]);
  }
  return { present, forecastValid: /^agentswarm_forecast_valid\{[^}]*\} 1$/m.test(page) };
}

describe('--demo', () => {
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((done) => child?.once('exit', done));
    }
  });

  // Time-keyed windows keep every backfilled step, so the analysis has a full window at once.
  it('has correlation, anomaly and forecast data on /metrics within 10 s of /-/ready', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/bin/exporter.ts', '--demo', '--web.listen-address', `127.0.0.1:${port}`, '--log.level', 'warn'],
      { cwd: process.cwd(), stdio: 'ignore' },
    );
    const deadline = Date.now() + 20_000;
    for (;;) {
      const ok = await fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) throw new Error('the demo did not get ready within 20 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    const readyAt = Date.now();
    let last = { present: new Set<string>(), forecastValid: false };
    while (Date.now() - readyAt < 10_000) {
      last = families(await (await fetch(`${url}/metrics`)).text());
      if (
        ['agentswarm_agent_correlation', 'agentswarm_agent_anomaly_score', 'agentswarm_forecast_load'].every((f) => last.present.has(f)) &&
        last.forecastValid
      )
        break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(
      [...last.present]
        .filter((f) => ['agentswarm_agent_correlation', 'agentswarm_agent_anomaly_score', 'agentswarm_forecast_load'].includes(f))
        .sort(),
    ).toEqual(['agentswarm_agent_anomaly_score', 'agentswarm_agent_correlation', 'agentswarm_forecast_load']);
    expect(last.forecastValid).toBe(true);
  }, 40_000);
});
