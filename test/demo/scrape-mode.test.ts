import { describe, expect, it } from 'vitest';
import { renderSwarmPage } from '../../src/demo/exposition-page.js';
import { SwarmModel } from '../../src/demo/swarm-model.js';
import { parseExposition } from '../../src/ingest/text-format/parse-exposition.js';
import { startTestExporter } from '../support/test-exporter.js';
import { DEMO_AGENT_IDS } from '../../src/demo/topology.js';

describe('demo in scrape mode', () => {
  it('renders the swarm as a valid exposition page with one series per up agent and metric', () => {
    const model = new SwarmModel({ scenario: 'day', seed: 7, stepMs: 1000, phaseMs: 45_000 });
    const frame = model.step();
    const parsed = parseExposition(renderSwarmPage(frame));
    if (!parsed.ok) throw new Error('page did not parse');
    const up = frame.agents.filter((a) => a.up).length;
    expect(parsed.families.map((f) => f.name).sort()).toEqual([
      'active_tasks',
      'coordination_load',
      'cpu_usage',
      'error_rate',
      'memory_usage',
      'messages_per_second',
      'queue_depth',
      'response_time',
      'throughput',
    ]);
    for (const family of parsed.families) expect(family.samples).toHaveLength(up);
    expect(renderSwarmPage(undefined)).toBe('');
  });

  it('feeds the exporter through its scraper instead of pushes', async () => {
    const exporter = await startTestExporter({ demo: { enabled: true, mode: 'scrape' } });
    try {
      const deadline = Date.now() + 15_000;
      let page = '';
      while (Date.now() < deadline) {
        page = await exporter.metricsText();
        if (
          (exporter.registry.swarm('demo')?.agents.size ?? 0) === DEMO_AGENT_IDS.length &&
          /agentswarm_ingest_samples_total\{source="scrape",result="accepted"\} [1-9]/.test(page)
        )
          break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect([...(exporter.registry.swarm('demo')?.agents.keys() ?? [])].sort()).toEqual([...DEMO_AGENT_IDS].sort());
      expect(page).toMatch(/agentswarm_ingest_samples_total\{source="scrape",result="accepted"\} [1-9]/);
      expect(page).toMatch(/agentswarm_ingest_samples_total\{source="push",result="accepted"\} 0/);
      expect(page).toMatch(/agentswarm_scrape_target_up\{target="http:\/\/127\.0\.0\.1:\d+\/metrics"\} 1/);
    } finally {
      await exporter.stop();
    }
  });
});
