// Keeps the worked examples of docs/ingest.md's ingest-modes section (all three modes) valid against the schemas.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseConfigObject } from '../../../src/config/parse-config.js';
import { parseOtlpMapping } from '../../../src/config/otlp-mapping.js';
import { parseQueryConfig } from '../../../src/config/query-config.js';
import { parseFileSd } from '../../../src/ingest/scrape/file-sd.js';
import { scraperOptionsFromConfig } from '../../../src/ingest/scrape/scraper.js';
import { MappingState, applyMapping } from '../../../src/ingest/scrape/apply-mapping.js';
import { parseExposition } from '../../../src/ingest/text-format/parse-exposition.js';

const fullReadme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../../docs/ingest.md'), 'utf8');
const sectionStart = fullReadme.indexOf('## Ingest modes beyond push');
const readme = fullReadme.slice(sectionStart, fullReadme.indexOf('\n## ', sectionStart + 1));
const blocks = [...readme.matchAll(/```(yaml|json)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], text: m[2] ?? '' }));
const yamlDocs = blocks.filter((b) => b.lang === 'yaml').map((b) => parseYaml(b.text) as Record<string, unknown>);

describe('docs/ingest.md ingest-mode examples', () => {
  it('has a scrape config that validates, with every mapping entry', () => {
    const doc = yamlDocs.find((d) => 'scrape' in d);
    const built = scraperOptionsFromConfig(parseConfigObject({ scrape: doc?.['scrape'] }).scrape);
    if (!built.ok) throw new Error(built.problems.join('\n'));
    expect(Object.keys(built.options.mapping)).toEqual([
      'throughput',
      'error_rate',
      'response_time',
      'queue_depth',
      'memory_usage',
      'tool_calls_per_second',
    ]);
    expect(built.options.mapping['memory_usage']?.scale).toBe(1 / 2 ** 30);
    expect(built.options.targets[2]?.agent).toEqual({ label: 'agent' });

    // The worked example: 1200/30 then 1290/33 fifteen seconds later.
    const page = (ok: number, err: number) => {
      const parsed = parseExposition(
        `# TYPE agent_tasks_completed_total counter\nagent_tasks_completed_total{outcome="ok"} ${ok}\nagent_tasks_completed_total{outcome="error"} ${err}\n`,
      );
      if (!parsed.ok) throw new Error('bad page');
      return parsed.families;
    };
    const target = built.options.targets[0]!;
    const state = new MappingState();
    applyMapping(page(1200, 30), target, built.options.mapping, state, 0);
    const values = Object.fromEntries(
      applyMapping(page(1290, 33), target, built.options.mapping, state, 15_000).samples.map((x) => [x.metric, x.value]),
    );
    expect(values['throughput']).toBeCloseTo(6.2, 12);
    expect(values['error_rate']).toBeCloseTo(3 / 93, 12);
    expect(target).toMatchObject({ swarm: 'research', agent: { fixed: 'planner-1' } });
  });

  it('has a file_sd example that parses', () => {
    const json = blocks.find((b) => b.lang === 'json');
    expect(parseFileSd(json?.text ?? '', 'targets.json')).toMatchObject({
      ok: true,
      targets: [{ url: 'http://coder-1:9000/metrics', swarm: 'research' }, { url: 'http://coder-2:9000/metrics' }],
    });
  });

  it('has a query config that validates, multi-line PromQL included', () => {
    const parsed = parseQueryConfig(yamlDocs.find((d) => 'query' in d)?.['query']);
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    expect(parsed.config.queries['error_rate']).toContain('/ sum by (swarm, agent)');
    expect(parsed.config.headers).toEqual({ 'X-Scope-OrgID': 'team-research' });
  });

  it('has an otlp mapping that validates', () => {
    const parsed = parseOtlpMapping(yamlDocs.find((d) => 'otlp' in d)?.['otlp']);
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    expect(parsed.mapping.metrics.map((m) => m.source)).toEqual([
      'gen_ai.client.operation.duration',
      'worker.queue.size',
      'worker.tasks.completed',
    ]);
  });
});
