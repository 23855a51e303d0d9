import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestExporter, type TestExporter } from '../support/test-exporter.js';

describe('agent liveness and expiry', () => {
  let exporter: TestExporter;
  beforeEach(async () => {
    exporter = await startTestExporter({ agents: { heartbeat_timeout: '45s', expire_after: '10m' } });
  });
  afterEach(async () => {
    await exporter.stop();
  });

  const stepFor = (ms: number): void => {
    for (let t = 0; t < ms; t += 1000) {
      exporter.clock.advance(1000);
      exporter.registry.step();
    }
  };

  it('marks an agent that stops failed after the heartbeat timeout, keeps agent_up 0 until expiry, then drops its series', async () => {
    await exporter.post('/api/v1/agents/quiet/metrics', { metrics: { cpu_usage: 0.3, error_rate: 0 } });
    stepFor(44_000);
    expect(exporter.registry.get('default', 'quiet')?.health?.status).not.toBe('failed');
    expect(await exporter.metricsText()).toContain('agentswarm_agent_up{swarm="default",agent="quiet"} 1');

    stepFor(2_000);
    expect(exporter.registry.get('default', 'quiet')?.health?.status).toBe('failed');
    const failedPage = await exporter.metricsText();
    expect(failedPage).toContain('agentswarm_agent_up{swarm="default",agent="quiet"} 0');
    expect(failedPage).toContain('agentswarm_agent_health_status{swarm="default",agent="quiet",status="failed"} 1');
    expect(failedPage).toContain('agentswarm_agents{swarm="default",status="failed"} 1');

    stepFor(600_000 - 46_000);
    expect(await exporter.metricsText()).toContain('agentswarm_agent_up{swarm="default",agent="quiet"} 0');
    stepFor(2_000);
    const expiredPage = await exporter.metricsText();
    expect(expiredPage).not.toContain('agent="quiet"');
    expect(exporter.registry.size).toBe(0);
  });

  it('keeps an agent alive with heartbeats alone and revives a failed one on its next sample', async () => {
    await exporter.post('/api/v1/agents/beating/heartbeat', { type: 'worker' });
    for (let i = 0; i < 5; i++) {
      stepFor(30_000);
      await exporter.post('/api/v1/agents/beating/heartbeat', {});
    }
    expect(exporter.registry.get('default', 'beating')?.up).toBe(true);

    stepFor(50_000);
    expect(exporter.registry.get('default', 'beating')?.health?.status).toBe('failed');
    await exporter.post('/api/v1/agents/beating/metrics', { metrics: { cpu_usage: 0.2 } });
    expect(exporter.registry.get('default', 'beating')?.health?.status).toBe('optimal');
    expect(await exporter.metricsText()).toContain('agentswarm_agent_up{swarm="default",agent="beating"} 1');
  });

  it('holds the latest value for analysis.carry_forward steps (default 1), then writes gaps while the agent stays up', async () => {
    await exporter.post('/api/v1/agents/w/metrics', { metrics: { throughput: 7 } });
    stepFor(3_000);
    const swarm = exporter.registry.swarm('default');
    expect([...(swarm?.windows.chronological('throughput', 'w') ?? [])]).toEqual([7, 7, Number.NaN]);
    // Liveness is independent of the hold: the agent is up until agents.heartbeat_timeout.
    expect(exporter.registry.get('default', 'w')?.up).toBe(true);
    stepFor(50_000);
    expect(Number.isNaN(swarm?.windows.latest('throughput', 'w'))).toBe(true);
  });

  it('takes the newest observation when samples arrive out of order', async () => {
    const now = exporter.clock.now();
    await exporter.post('/api/v1/samples', {
      samples: [
        { agent: 'o', metric: 'cpu_usage', value: 0.9, timestamp: now },
        { agent: 'o', metric: 'cpu_usage', value: 0.1, timestamp: now - 5000 },
      ],
    });
    expect(exporter.registry.get('default', 'o')?.value('cpu_usage')).toBe(0.9);
  });

  it('computes the latency baseline from the agent own window', async () => {
    for (let i = 0; i < 10; i++) {
      await exporter.post('/api/v1/agents/slow/metrics', { metrics: { response_time: 0.2 } });
      stepFor(1000);
    }
    await exporter.post('/api/v1/agents/slow/metrics', { metrics: { response_time: 1.0 } });
    stepFor(1000);
    const health = exporter.registry.get('default', 'slow')?.health;
    expect(health?.components.latency).toBe(0);
    expect(health?.status).not.toBe('optimal');
  });
});
