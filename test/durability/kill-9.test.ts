// docs/reliability.md test 21: kill -9 during a burst of notifications, restart, nothing acknowledged is lost.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../coordination/fixtures/action-target.js';
import { alert, notification } from '../coordination/fixtures/alertmanager.js';
import { ensureStopped, startExporter } from './fixtures/child.js';
import { exporterScratch } from '../support/exporter-scratch.js';

const NOTIFICATIONS = 400;
const ALERTS_EACH = 10;
const KILL_AFTER_ACKS = 25;

const scratch = exporterScratch();

function body(n: number): string {
  return JSON.stringify(notification(Array.from({ length: ALERTS_EACH }, (_, j) => alert({ fingerprint: `n${n}-a${j}` }))));
}

describe('durability 21: kill -9 during a burst', () => {
  it('keeps every acknowledged notification, re-queues running tasks, and finishes each task once', async () => {
    const dir = scratch.dir('agentswarm-kill9-');
    const dbPath = join(dir, 'agentswarm.db');
    const target = await scratch.target();
    target.respond = () => 'hang';
    const options = {
      dir,
      dbPath,
      coordination: { concurrency: 5, per_target_concurrency: 5, task_timeout: '60s', actions: { default: { url: target.url } } },
    };
    const first = scratch.track(await startExporter(options));

    // The burst: 8 senders in parallel, like a busy Alertmanager; kill -9 mid-way.
    const acked = new Set<number>();
    let next = 0;
    let killed = false;
    const sender = async (): Promise<void> => {
      while (next < NOTIFICATIONS && !killed) {
        const n = next++;
        try {
          const res = await fetch(`${first.url}/api/v1/alerts`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: body(n),
          });
          if (res.status === 200) acked.add(n);
          await res.arrayBuffer();
        } catch {
          // connection reset by the kill: not acknowledged
        }
        // Kill once enough is acknowledged and the runner holds tasks at the (hanging) target.
        if (acked.size >= KILL_AFTER_ACKS && target.received.length >= 5 && !killed) {
          killed = true;
          first.process.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, sender));
    expect(killed).toBe(true);
    expect(await first.exited).toBeNull();
    expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    const deliveredBeforeCrash = new Set(target.received.map((r) => String(r.headers['webhook-id'])));
    expect(deliveredBeforeCrash.size).toBe(5);

    // On disk after the crash: intact, and every acknowledged alert has its task.
    const db = new Database(dbPath, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const fingerprints = new Set(
      (db.prepare('SELECT fingerprint FROM tasks').all() as { fingerprint: string }[]).map((r) => r.fingerprint),
    );
    for (const n of acked) for (let j = 0; j < ALERTS_EACH; j += 1) expect(fingerprints.has(`n${n}-a${j}`)).toBe(true);
    const running = (db.prepare("SELECT id FROM tasks WHERE status = 'running'").all() as { id: string }[]).map((r) => r.id);
    expect(new Set(running)).toEqual(deliveredBeforeCrash);
    const total = Number((db.prepare('SELECT COUNT(*) AS n FROM tasks').get() as { n: number }).n);
    db.close();

    // Restart; the orchestrator is healthy now.
    target.respond = () => ({ status: 200 });
    target.release(200, true);
    const second = scratch.track(await startExporter(options));
    await waitFor(
      () => new Set(target.received.map((r) => String(r.headers['webhook-id']))).size === total,
      'every task delivered',
      60_000,
    );
    const finished = async (): Promise<number> => {
      const res = await fetch(`${second.url}/api/v1/coordination/tasks?status=succeeded&limit=1000`);
      return ((await res.json()) as { tasks: unknown[] }).tasks.length;
    };
    const deadline = Date.now() + 30_000;
    while ((await finished()) < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await finished()).toBe(total);

    // At most one extra delivery per task, same webhook-id; the re-queued running tasks are the ones repeated.
    const perId = new Map<string, number>();
    for (const r of target.received) perId.set(String(r.headers['webhook-id']), (perId.get(String(r.headers['webhook-id'])) ?? 0) + 1);
    expect(Math.max(...perId.values())).toBeLessThanOrEqual(2);
    expect(new Set([...perId].filter(([, n]) => n === 2).map(([id]) => id))).toEqual(deliveredBeforeCrash);

    await ensureStopped(second);
    const after = new Database(dbPath, { readonly: true });
    expect(after.pragma('integrity_check', { simple: true })).toBe('ok');
    // No fingerprint has two tasks; each task has exactly one succeeded attempt.
    expect(after.prepare('SELECT fingerprint FROM tasks GROUP BY fingerprint HAVING COUNT(*) > 1').all()).toEqual([]);
    expect(after.prepare("SELECT task_id FROM attempts WHERE outcome = 'succeeded' GROUP BY task_id HAVING COUNT(*) <> 1").all()).toEqual(
      [],
    );
    expect(Number((after.prepare("SELECT COUNT(*) AS n FROM attempts WHERE outcome = 'succeeded'").get() as { n: number }).n)).toBe(total);
    after.close();
  }, 120_000);
});
