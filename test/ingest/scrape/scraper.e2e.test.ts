import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from '../../../src/runtime/prom.js';
import { parseScrapeMapping } from '../../../src/ingest/scrape/mapping-schema.js';
import { Scraper, type ScraperOptions, scraperOptionsFromConfig } from '../../../src/ingest/scrape/scraper.js';
import { targetsFromConfig } from '../../../src/ingest/scrape/scrape-target.js';
import { parseConfigObject } from '../../../src/config/parse-config.js';
import { systemClock } from '../../../src/model/clock.js';
import { ManualClock } from '../../fakes/manual-clock.js';
import { CollectingSink } from '../../fakes/collecting-sink.js';
import { type FakeServer, hanging, startFakeServer, textPage } from './fake-agent-server.js';

const silent = pino({ level: 'silent' });
const servers: FakeServer[] = [];
const scrapers: Scraper[] = [];
afterEach(async () => {
  await Promise.all(scrapers.splice(0).map((s) => s.stop()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: Parameters<typeof startFakeServer>[0]): Promise<FakeServer> {
  const server = await startFakeServer(handler);
  servers.push(server);
  return server;
}

const MAPPING = parseScrapeMapping({
  throughput: { metric: 'agent_tasks_completed_total' },
  queue_depth: { metric: 'agent_queue_depth' },
});
if (!MAPPING.ok) throw new Error(MAPPING.problems.join('\n'));

/** A counter page whose counter follows `counts` (one value per scrape), plus a gauge. */
function counterAgent(counts: readonly number[]) {
  let i = 0;
  return textPage(() => {
    const n = counts[Math.min(i, counts.length - 1)] ?? 0;
    i += 1;
    return `# HELP agent_tasks_completed_total Tasks done.\n# TYPE agent_tasks_completed_total counter\nagent_tasks_completed_total ${n}\n# TYPE agent_queue_depth gauge\nagent_queue_depth ${i}\n`;
  });
}

async function upByTarget(registry: Registry): Promise<Record<string, number>> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'agentswarm_scrape_target_up');
  return Object.fromEntries((metric?.values ?? []).map((v) => [String(v.labels['target']), v.value]));
}

describe('Scraper against fake agents on loopback', () => {
  it('ingests healthy agents, flags hanging and garbage ones, and keeps rates right across a counter reset', async () => {
    const healthy = await serve(counterAgent([0, 100, 200, 300]));
    const restarting = await serve(counterAgent([1000, 1150, 30, 180]));
    const hang = await serve(hanging());
    const garbage = await serve(textPage(() => '<html>502 Bad Gateway</html>\n', 'text/html'));
    const gateway = await serve(textPage(() => 'agent_queue_depth{agent="gw-a"} 4\nagent_queue_depth{agent="gw-b"} 6\n'));

    const clock = new ManualClock();
    const sink = new CollectingSink();
    const registry = new Registry();
    const announced: string[] = [];
    const options: ScraperOptions = {
      intervalMs: 10_000,
      timeoutMs: 400,
      fileSd: [],
      mapping: MAPPING.mapping,
      targets: targetsFromConfig([
        { url: healthy.url, swarm: 's1', agent: 'healthy', type: 'planner' },
        { url: restarting.url, swarm: 's1', agent: 'restarting' },
        { url: hang.url, swarm: 's1', agent: 'hanging' },
        { url: garbage.url, swarm: 's1', agent: 'garbage' },
        { url: gateway.url, swarm: 's2', agent_label: 'agent' },
      ]),
    };
    const scraper = new Scraper(options, {
      sink,
      metricsRegistry: registry,
      clock,
      logger: silent,
      announceAgent: (swarm, agent, update) => announced.push(`${swarm}/${agent}/${update.type ?? '-'}`),
    });
    scrapers.push(scraper);

    for (let round = 0; round < 4; round += 1) {
      const started = performance.now();
      await scraper.scrapeOnce();
      // The hanging target is abandoned at its timeout; the round never waits longer.
      expect(performance.now() - started).toBeLessThan(3000);
      clock.advance(10_000);
    }

    // 100 tasks per 10 s = 10/s on every interval.
    expect(sink.series('healthy', 'throughput').map((s) => s.value)).toEqual([10, 10, 10]);
    // 1000 → 1150: 15/s; restart to 30: 30 tasks since the restart = 3/s (never negative); 30 → 180: 15/s.
    expect(sink.series('restarting', 'throughput').map((s) => s.value)).toEqual([15, 3, 15]);
    expect(sink.series('healthy', 'queue_depth').map((s) => s.value)).toEqual([1, 2, 3, 4]);
    expect(sink.series('gw-a', 'queue_depth', 's2').map((s) => s.value)).toEqual([4, 4, 4, 4]);
    expect(sink.series('gw-b', 'queue_depth', 's2')).toHaveLength(4);
    expect(sink.samples.some((s) => s.agent === 'hanging' || s.agent === 'garbage')).toBe(false);
    expect(sink.samples.every((s) => Number.isFinite(s.value))).toBe(true);
    expect(sink.batches.every((b) => b.source === 'scrape')).toBe(true);
    // Samples carry the scrape time of the manual clock.
    expect(sink.series('healthy', 'queue_depth').map((s) => s.timestamp)).toEqual(
      [0, 1, 2, 3].map((i) => Date.UTC(2026, 0, 1) + i * 10_000),
    );

    expect(await upByTarget(registry)).toEqual({
      [healthy.url]: 1,
      [restarting.url]: 1,
      [hang.url]: 0,
      [garbage.url]: 0,
      [gateway.url]: 1,
    });
    expect(announced).toContain('s1/healthy/planner');
    expect(announced).toContain('s2/gw-b/-');
    expect(announced.some((a) => a.includes('hanging'))).toBe(false);
    // /metrics of the exporter still renders with the scrape metrics in it.
    expect(await registry.metrics()).toContain('agentswarm_scrape_duration_seconds{target=');
  });

  it('keeps scraping healthy targets on schedule while another hangs, never overlapping a target', async () => {
    let open = 0;
    let maxOpen = 0;
    const hang = await serve((req) => {
      open += 1;
      maxOpen = Math.max(maxOpen, open);
      req.socket.once('close', () => (open -= 1));
    });
    const healthy = await serve(counterAgent([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]));
    const sink = new CollectingSink();
    const scraper = new Scraper(
      {
        intervalMs: 100,
        timeoutMs: 5000, // clamped to the interval
        fileSd: [],
        mapping: MAPPING.mapping,
        targets: targetsFromConfig([
          { url: hang.url, agent: 'hang' },
          { url: healthy.url, agent: 'ok' },
        ]),
      },
      { sink, metricsRegistry: new Registry(), clock: systemClock, logger: silent },
    );
    scrapers.push(scraper);
    scraper.start();
    await new Promise((r) => setTimeout(r, 1000));
    await scraper.stop();
    expect(healthy.hits()).toBeGreaterThanOrEqual(5);
    expect(hang.hits()).toBeGreaterThanOrEqual(3);
    expect(maxOpen).toBe(1);
    // stop() aborts the scrape in flight (documented), so the last hit may have been
    // counted by the agent without its body reaching the sink; every earlier one did.
    const delivered = sink.series('ok', 'queue_depth').length;
    expect(delivered).toBeGreaterThanOrEqual(healthy.hits() - 1);
    expect(delivered).toBeLessThanOrEqual(healthy.hits());
  });

  it('picks up targets from a file_sd file and forgets removed ones', async () => {
    const a = await serve(counterAgent([0]));
    const b = await serve(counterAgent([0]));
    const dir = mkdtempSync(join(tmpdir(), 'scrape-sd-'));
    try {
      const file = join(dir, 'targets.json');
      const hostOf = (url: string) => new URL(url).host;
      writeFileSync(file, JSON.stringify([{ targets: [hostOf(a.url)], labels: { swarm: 'sd', agent: 'from-file' } }]));
      const registry = new Registry();
      const sink = new CollectingSink();
      const scraper = new Scraper(
        { intervalMs: 10_000, timeoutMs: 1000, fileSd: [file], mapping: MAPPING.mapping, targets: [] },
        { sink, metricsRegistry: registry, clock: new ManualClock(), logger: silent },
      );
      scrapers.push(scraper);
      await scraper.scrapeOnce();
      expect(sink.series('from-file', 'queue_depth', 'sd')).toHaveLength(1);
      writeFileSync(file, JSON.stringify([{ targets: [hostOf(b.url)], labels: { swarm: 'sd', agent: 'other' } }, { targets: ['x:1'] }]));
      // An explicit newer mtime: the test must not depend on the filesystem's timestamp resolution.
      utimesSync(file, new Date(Date.now() + 5000), new Date(Date.now() + 5000));
      await scraper.scrapeOnce();
      expect(scraper.targets().map((t) => t.url)).toEqual([b.url, 'http://x:1/metrics']);
      expect(Object.keys(await upByTarget(registry))).not.toContain(a.url);
      expect(sink.series('other', 'queue_depth', 'sd')).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('scraperOptionsFromConfig', () => {
  it('builds options from the scrape section, with the mapping validated', () => {
    const config = parseConfigObject({
      scrape: {
        interval: '5s',
        timeout: '2s',
        targets: [{ url: 'http://a:1/metrics', agent: 'a' }],
        mapping: { throughput: { metric: 'done_total', kind: 'counter' } },
      },
    });
    const built = scraperOptionsFromConfig(config.scrape);
    expect(built).toMatchObject({
      ok: true,
      options: { intervalMs: 5000, timeoutMs: 2000, targets: [{ url: 'http://a:1/metrics', agent: { fixed: 'a' } }] },
    });
  });

  it('lists every problem of the mapping and targets', () => {
    const config = parseConfigObject({
      scrape: {
        targets: [{ url: 'http://a:1/metrics', agent: 'a', agent_label: 'x' }],
        mapping: { throughput: { metric: 'x', kind: 'nope' } },
      },
    });
    const built = scraperOptionsFromConfig(config.scrape);
    expect(built.ok).toBe(false);
    if (!built.ok) expect(built.problems[0]).toContain('scrape.mapping.throughput.kind');
    const both = scraperOptionsFromConfig(
      parseConfigObject({ scrape: { targets: [{ url: 'http://a:1/metrics', agent: 'a', agent_label: 'x' }] } }).scrape,
    );
    expect(both).toEqual({ ok: false, problems: ['scrape.targets.0: expected either agent or agent_label, got both'] });
  });
});
