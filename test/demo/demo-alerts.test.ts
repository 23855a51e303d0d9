import { afterEach, describe, expect, it } from 'vitest';
import { DemoAlertSource, demoConditions } from '../../src/demo/demo-alerts.js';
import { startTestExporter, type TestExporter } from '../support/test-exporter.js';

describe('embedded demo alerting', () => {
  let exporter: TestExporter | undefined;
  afterEach(async () => {
    await exporter?.stop();
  });

  it('fires AgentSwarmAgentDown after the hold time, creates one healing task, and resolves it when the agent returns', async () => {
    exporter = await startTestExporter({ agents: { heartbeat_timeout: '5s', expire_after: '10m' } });
    const ex = exporter;
    await ex.post('/api/v1/agents/delta/metrics', { swarm: 'demo', metrics: { cpu_usage: 0.3 } });
    const source = new DemoAlertSource({
      registry: ex.registry,
      analysis: () => ex.engine.latest(),
      target: ex.url,
      holdMs: 2000,
      now: () => ex.clock.now(),
    });

    const step = async (): Promise<void> => {
      ex.clock.advance(1000);
      await ex.engine.cycle();
      await source.evaluate();
    };
    for (let i = 0; i < 6; i++) await step();
    expect(demoConditions(ex.registry, ex.engine.latest()).map((c) => c.labels.alertname)).toEqual(['AgentSwarmAgentDown']);
    // Pending for the hold time: nothing sent yet.
    let tasks = (await (await fetch(`${ex.url}/api/v1/coordination/tasks`)).json()) as {
      tasks: { type: string; priority: string; status: string; agents: string[] }[];
    };
    expect(tasks.tasks).toHaveLength(0);

    for (let i = 0; i < 3; i++) await step();
    tasks = (await (await fetch(`${ex.url}/api/v1/coordination/tasks`)).json()) as typeof tasks;
    expect(tasks.tasks).toHaveLength(1);
    expect(tasks.tasks[0]).toMatchObject({ type: 'cross_system_healing', priority: 'emergency', agents: ['delta'] });

    // Repeated evaluations while firing are duplicates, not new tasks.
    for (let i = 0; i < 3; i++) await step();
    await ex.post('/api/v1/agents/delta/metrics', { swarm: 'demo', metrics: { cpu_usage: 0.3 } });
    await step();
    tasks = (await (await fetch(`${ex.url}/api/v1/coordination/tasks`)).json()) as typeof tasks;
    expect(tasks.tasks).toHaveLength(1);
    const page = await ex.metricsText();
    expect(page).toMatch(/agentswarm_alerts_received_total\{status="resolved",result="accepted"\} 1/);
    expect(page).toMatch(/agentswarm_alerts_received_total\{status="firing",result="duplicate"\} [1-9]/);
  });
});
