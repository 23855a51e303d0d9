import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestExporter, type TestExporter } from '../support/test-exporter.js';
import { findBinary, promtoolCheckMetrics } from '../support/promtool.js';

const promtool = findBinary('promtool');

function count(page: string, pattern: RegExp): number {
  return page.match(pattern)?.length ?? 0;
}

describe('concurrent scrapes during heavy pushes', () => {
  let exporter: TestExporter;
  beforeAll(async () => {
    exporter = await startTestExporter({ agents: { max_agents: 10_000 } });
  });
  afterAll(async () => {
    await exporter.stop();
  });

  it('answers twenty concurrent scrapes with pages that each parse and are self-consistent', async () => {
    let pushing = true;
    const pusher = (async () => {
      let round = 0;
      while (pushing && round < 200) {
        const samples = Array.from({ length: 500 }, (_, i) => ({
          swarm: `s${i % 3}`,
          agent: `agent-${round}-${i % 50}`,
          metric: i % 2 ? 'cpu_usage' : 'custom_x',
          value: (i % 10) / 10,
        }));
        await exporter.post('/api/v1/samples', { samples });
        if (round % 5 === 0) exporter.registry.step();
        round += 1;
      }
    })();
    // Let pushes land first, then fire the scrapes staggered across the push storm.
    while (exporter.registry.size < 100) await new Promise((resolve) => setTimeout(resolve, 5));
    const pages = await Promise.all(
      Array.from({ length: 20 }, (_, i) => new Promise<string>((resolve) => setTimeout(() => resolve(exporter.metricsText()), i * 3))),
    );
    pushing = false;
    await pusher;
    for (const page of pages) {
      // Every agent in agent_info is counted exactly once in agentswarm_agents.
      const infos = count(page, /^agentswarm_agent_info\{/gm);
      const counted = [...page.matchAll(/^agentswarm_agents\{[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
      expect(counted).toBe(infos);
      expect(count(page, /^agentswarm_agent_up\{/gm)).toBe(infos);
      if (promtool) {
        const check = promtoolCheckMetrics(promtool, page);
        expect(check.status, check.output).toBe(0);
      }
    }
    expect(pages.some((p) => p.includes('agentswarm_agent_info'))).toBe(true);
  });
});
