// docs/reliability.md test 24: a second exporter on the same SQLite file refuses to start, naming the holder's pid.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../coordination/fixtures/action-target.js';
import { alert, notification } from '../coordination/fixtures/alertmanager.js';
import { killExporter, startSourceExporter } from './fixtures/source-exporter.js';
import { exporterScratch } from '../support/exporter-scratch.js';

const scratch = exporterScratch();

async function post(url: string, n: number): Promise<number> {
  const body = JSON.stringify(notification(Array.from({ length: 4 }, (_, j) => alert({ fingerprint: `n${n}-a${j}` }))));
  const res = await fetch(`${url}/api/v1/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await res.arrayBuffer();
  return res.status;
}

describe('durability 24: one exporter per database file', () => {
  it('refuses a second process with one line naming the holder pid, while the first keeps delivering each task once', async () => {
    const dir = scratch.dir('agentswarm-second-');
    const dbPath = join(dir, 'agentswarm.db');
    const target = await scratch.target();
    // Deliveries hang at first: the first process holds tasks "running" when the second one starts,
    // which is exactly what a second process would wrongly "recover" and deliver again.
    target.respond = () => 'hang';
    const config = { coordination: { concurrency: 4, per_target_concurrency: 4, actions: { default: { url: target.url } } } };
    const first = await startSourceExporter({ dir, dbPath, config });
    scratch.track(first);
    expect(first.url).toBeDefined();
    const url = first.url ?? '';
    for (let n = 0; n < 6; n += 1) expect(await post(url, n)).toBe(200);
    await waitFor(() => target.hangingCount === 4, 'four deliveries running at the target', 15_000);

    const second = await startSourceExporter({ dir, dbPath, config });
    scratch.track(second);
    expect(second.url).toBeUndefined();
    const code = await second.exited;
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    // Besides the start-up warnings about open APIs (no token files in this test): one line.
    const lines = second.lines().filter((l) => !l.includes('level=warn'));
    expect(lines, lines.join('\n')).toHaveLength(1);
    expect(lines[0]).toContain(`pid ${String(first.process.pid)}`);
    expect(lines[0]).toMatch(/in use by/);

    // The first keeps taking notifications and delivering; every task exactly once.
    for (let n = 6; n < 12; n += 1) expect(await post(url, n)).toBe(200);
    target.respond = () => ({ status: 200 });
    target.release(200, true);
    await waitFor(() => new Set(target.received.map((r) => String(r.headers['webhook-id']))).size === 48, 'all 48 tasks delivered', 30_000);
    // Give a wrongly recovering process time to deliver again (it re-delivered 0.18 s after the start in the attack run).
    await new Promise((r) => setTimeout(r, 1500));
    const perId = new Map<string, number>();
    for (const r of target.received) perId.set(String(r.headers['webhook-id']), (perId.get(String(r.headers['webhook-id'])) ?? 0) + 1);
    expect(perId.size).toBe(48);
    expect(Math.max(...perId.values())).toBe(1);
    const ready = await fetch(`${url}/-/ready`);
    expect(ready.status).toBe(200);
  }, 90_000);

  it('takes over once the holder is killed with -9: the kernel releases the lock, no stale lock to clear', async () => {
    const dir = scratch.dir('agentswarm-second-');
    const dbPath = join(dir, 'agentswarm.db');
    const first = await startSourceExporter({ dir, dbPath });
    scratch.track(first);
    expect(first.url).toBeDefined();
    await killExporter(first, 'SIGKILL');
    const second = await startSourceExporter({ dir, dbPath });
    scratch.track(second);
    expect(second.url).toBeDefined();
    expect((await fetch(`${second.url ?? ''}/-/ready`)).status).toBe(200);
  }, 60_000);
});
