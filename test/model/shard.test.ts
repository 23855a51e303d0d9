// hashmod against an independent reference (Python's hashlib) and against a real Prometheus' relabeling.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashmod, ownerShard, ownsSwarm } from '../../src/model/shard.js';
import { findBinary } from '../support/promtool.js';
import { freePort } from '../support/free-port.js';

interface Row {
  readonly value: string;
  readonly mods: Readonly<Record<string, number>>;
}
const FIXTURE = JSON.parse(readFileSync(new URL('../fixtures/sharding/hashmod.json', import.meta.url), 'utf8')) as Row[];

describe('hashmod', () => {
  it("matches md5's last 8 bytes (big-endian) mod n, as computed by Python for every value and modulus", () => {
    for (const row of FIXTURE)
      for (const [m, expected] of Object.entries(row.mods))
        expect([row.value, m, hashmod(row.value, Number(m))]).toEqual([row.value, m, expected]);
  });

  it('gives every swarm exactly one owner among n shards, and spreads swarms over all of them', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 400; i += 1) {
      const swarm = `swarm-${i}`;
      const owners = [0, 1, 2, 3].filter((index) => ownsSwarm({ index, count: 4 }, swarm));
      expect(owners).toEqual([ownerShard(swarm, 4)]);
      counts[ownerShard(swarm, 4)] = (counts[ownerShard(swarm, 4)] ?? 0) + 1;
    }
    for (const c of counts) expect(c).toBeGreaterThan(60);
    expect(ownsSwarm(undefined, 'anything')).toBe(true);
    expect(() => hashmod('x', 0)).toThrow(/modulus/);
  });
});

const prometheus = findBinary('prometheus');

describe.skipIf(prometheus === undefined)('hashmod in a real Prometheus', () => {
  it('puts each swarm on the shard the exporter computes, with the relabel rule of docs/high-availability.md', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentswarm-hashmod-'));
    const swarms = FIXTURE.map((r) => r.value)
      .filter((v) => v !== '' && !v.includes(';'))
      .slice(0, 30);
    const port = await freePort();
    // One unreachable target per swarm: only the relabeled labels matter.
    const config = {
      global: { scrape_interval: '1h' },
      scrape_configs: [
        {
          job_name: 'shards',
          static_configs: swarms.map((swarm, i) => ({ targets: [`127.0.0.1:${9 + i}`], labels: { swarm } })),
          relabel_configs: [{ source_labels: ['swarm'], modulus: 4, target_label: 'shard', action: 'hashmod' }],
        },
      ],
    };
    writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(config));
    const child = spawn(
      prometheus ?? 'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      {
        stdio: 'ignore',
      },
    );
    try {
      let targets: { labels: Record<string, string> }[] = [];
      const deadline = Date.now() + 20_000;
      while (targets.length < swarms.length && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        try {
          const res = await fetch(`http://127.0.0.1:${port}/api/v1/targets`);
          targets = ((await res.json()) as { data: { activeTargets: { labels: Record<string, string> }[] } }).data.activeTargets;
        } catch {
          // not up yet
        }
      }
      expect(targets).toHaveLength(swarms.length);
      for (const target of targets)
        expect([target.labels.swarm, Number(target.labels.shard)]).toEqual([target.labels.swarm, ownerShard(target.labels.swarm ?? '', 4)]);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);
});
