// Keeps the snippets of docs/high-availability.md and the README's HA section true: configs against the schema, promtool and amtool, the hash against Python, the 421 body against the guard.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { parseConfigObject } from '../../src/config/parse-config.js';
import { refuseMisdirected } from '../../src/http/shard-guard.js';
import { ownerShard } from '../../src/model/shard.js';
import { findBinary } from '../support/promtool.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
const doc = readFileSync(join(REPO, 'docs/high-availability.md'), 'utf8');
const fullReadme = readFileSync(join(REPO, 'README.md'), 'utf8');
const readmeStart = fullReadme.indexOf('## High availability and sharding');
const readme = fullReadme.slice(readmeStart, fullReadme.indexOf('\n## ', readmeStart + 1));

function blocks(text: string, lang: string): string[] {
  return [...text.matchAll(/```(\w+)\n([\s\S]*?)```/g)].filter((m) => m[1] === lang).map((m) => m[2] ?? '');
}

const docYaml = blocks(doc, 'yaml').map((t) => parseYaml(t) as Record<string, unknown>);
const promtool = findBinary('promtool');
const amtool = findBinary('amtool');
const temp = mkdtempSync(join(tmpdir(), 'agentswarm-ha-docs-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('README: High availability and sharding', () => {
  it('exists under that heading, links the page and the shipped scrape config, and its configs validate', () => {
    expect(readmeStart).toBeGreaterThan(0);
    expect(readme).toContain('(docs/high-availability.md)');
    expect(readme).toContain('(prometheus/sharded-replicas.yml)');
    const configs = blocks(readme, 'yaml').map((t) => parseConfigObject(parseYaml(t)));
    expect(configs).toHaveLength(2);
    expect(configs[0]?.storage.url).toMatch(/^postgres:\/\//);
    expect(configs[0]?.storage.password_file).toBeDefined();
    expect(configs[1]?.shard).toEqual({ index: 0, count: 4 });
  });
});

describe('docs/high-availability.md', () => {
  it('has exporter configs (HA pair, shard) that the schema accepts', () => {
    const exporter = docYaml.filter((d) => 'storage' in d || 'shard' in d);
    expect(exporter).toHaveLength(2);
    const pair = parseConfigObject(exporter[0]);
    expect(pair.storage.url).toMatch(/^postgres:\/\//);
    expect(pair.coordination.actions['default']?.url).toBeDefined();
    expect(parseConfigObject(exporter[1]).shard).toEqual({ index: 0, count: 4 });
  });

  it('refuses a bad shard the way the page says shards are numbered (0 .. n-1)', () => {
    expect(() => parseConfigObject({ shard: { index: 4, count: 4 } })).toThrow(/index/);
    expect(parseConfigObject({ shard: '3/4' }).shard).toEqual({ index: 3, count: 4 });
  });

  it.skipIf(promtool === undefined)('has an HA-pair Prometheus snippet that promtool accepts', () => {
    const snippet = docYaml.find((d) => 'scrape_configs' in d);
    expect(snippet).toBeDefined();
    const file = join(temp, 'ha-pair-prometheus.yml');
    writeFileSync(file, stringify(snippet));
    const result = spawnSync(promtool ?? 'promtool', ['check', 'config', file], { encoding: 'utf8', timeout: 60_000 });
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/WARNING/);
  });

  it.skipIf(amtool === undefined)('has an Alertmanager receiver sending to both replicas that amtool accepts', () => {
    const snippet = docYaml.find((d) => 'receivers' in d) as { receivers: { webhook_configs: { url: string }[] }[] } | undefined;
    expect(snippet?.receivers[0]?.webhook_configs.map((w) => w.url)).toHaveLength(2);
    const file = join(temp, 'alertmanager.yml');
    writeFileSync(file, stringify({ route: { receiver: 'agentswarm-exporter' }, ...snippet }));
    const result = spawnSync(amtool ?? 'amtool', ['check-config', file], { encoding: 'utf8', timeout: 60_000 });
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
  });

  it('has a relabel rule naming the hashmod action on the swarm label', () => {
    const rule = docYaml.find((d) => 'relabel_configs' in d) as { relabel_configs: Record<string, unknown>[] } | undefined;
    expect(rule?.relabel_configs[0]).toMatchObject({ source_labels: ['swarm'], action: 'hashmod', modulus: 4 });
  });

  it("has a Python owner_shard that agrees with the exporter's, including the examples it states", () => {
    const python = blocks(doc, 'python')[0] ?? '';
    const swarms = ['ingest', 'search', 'payments', 'default', 'checkout', 'a', 'swarm-17', 'ünïcødé'];
    const script = `${python}\nimport json, sys\nprint(json.dumps([owner_shard(s, n) for s in json.loads(sys.argv[1]) for n in (2, 3, 4, 7)]))\n`;
    const result = spawnSync('/usr/bin/python3', ['-c', script, JSON.stringify(swarms)], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(swarms.flatMap((s) => [2, 3, 4, 7].map((n) => ownerShard(s, n))));
    for (const m of python.matchAll(/owner_shard\("([^"]+)", (\d+)\) == (\d+)/g))
      expect(ownerShard(m[1] ?? '', Number(m[2]))).toBe(Number(m[3]));
  });

  it('shows the 421 body the shard guard actually sends over HTTP', async () => {
    const shown = JSON.parse(blocks(doc, 'json')[0] ?? '{}') as { shard: string; owners: Record<string, string> };
    const [index, count] = shown.shard.split('/').map(Number);
    const server = createServer((_req, res) => {
      refuseMisdirected(res, { index: index ?? 0, count: count ?? 1 }, Object.keys(shown.owners));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const address = server.address();
      const res = await fetch(`http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/`);
      expect(res.status).toBe(421);
      expect(await res.json()).toEqual(shown);
    } finally {
      server.close();
    }
  });

  it('names the reporter option and the test files it cites', () => {
    expect(readFileSync(join(REPO, 'src/client/reporter.ts'), 'utf8')).toContain('readonly shardTargets?: readonly string[]');
    for (const m of doc.matchAll(/`((?:test|src|bench|prometheus|alerts)\/[\w./-]+\.(?:ts|mjs|yml))`/g)) {
      expect(() => readFileSync(join(REPO, m[1] ?? ''))).not.toThrow();
    }
  });
});
