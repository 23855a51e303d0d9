// docs/reliability.md test 22: SIGTERM drains: ready 503, in-flight work finishes or is released, no duplicate after restart.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../coordination/fixtures/action-target.js';
import { alert, notification } from '../coordination/fixtures/alertmanager.js';
import { startExporter } from './fixtures/child.js';
import { exporterScratch } from '../support/exporter-scratch.js';

const scratch = exporterScratch();

async function postAlerts(url: string, body: unknown): Promise<Response> {
  return fetch(`${url}/api/v1/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('durability 22: SIGTERM', () => {
  it('turns ready to 503, finishes or releases in-flight work within the grace period, and duplicates nothing after restart', async () => {
    const dir = scratch.dir('agentswarm-sigterm-');
    const dbPath = join(dir, 'agentswarm.db');
    const target = await scratch.target();
    target.respond = () => 'hang';
    const options = {
      dir,
      dbPath,
      coordination: { concurrency: 5, per_target_concurrency: 5, task_timeout: '60s', actions: { default: { url: target.url } } },
    };
    const first = scratch.track(await startExporter(options));
    const graceMs = first.graceMs;
    const body = notification([alert({ fingerprint: 'finishes' }), alert({ fingerprint: 'released' })]);
    expect((await postAlerts(first.url, body)).status).toBe(200);
    await waitFor(() => target.hangingCount === 2, 'both deliveries in flight');
    const idOf = (fingerprint: string): string =>
      String(
        target.received.find((r) => (r.json.alerts as { fingerprint: string }[])[0]?.fingerprint === fingerprint)?.headers['webhook-id'],
      );
    const finishesId = idOf('finishes');
    const releasedId = idOf('released');

    const signalledAt = performance.now();
    first.process.kill('SIGTERM');
    let ready = 200;
    const deadline = performance.now() + 5000;
    while (ready !== 503 && performance.now() < deadline) {
      ready = (await fetch(`${first.url}/-/ready`)).status;
      if (ready !== 503) await new Promise((r) => setTimeout(r, 10));
    }
    expect(ready).toBe(503);
    const refused = await postAlerts(first.url, notification([alert({ fingerprint: 'during-drain' })]));
    expect(refused.status).toBe(503);

    // One delivery completes within the grace period; the other hangs past it.
    target.respond = () => ({ status: 200 });
    expect(target.releaseWhere((r) => r.headers['webhook-id'] === finishesId)).toBe(1);
    expect(await first.exited).toBe(0);
    const took = performance.now() - signalledAt;
    expect(took).toBeGreaterThanOrEqual(graceMs - 50);
    expect(took).toBeLessThan(graceMs + 5000);

    const db = new Database(dbPath, { readonly: true });
    const statusOf = (id: string) => (db.prepare('SELECT status FROM tasks WHERE id = ?').get(id) as { status: string }).status;
    expect(statusOf(finishesId)).toBe('succeeded');
    expect(statusOf(releasedId)).toBe('queued');
    expect(db.prepare('SELECT outcome FROM attempts WHERE task_id = ?').all(releasedId)).toEqual([{ outcome: 'released' }]);
    expect(db.prepare("SELECT COUNT(*) AS n FROM incidents WHERE fingerprint = 'during-drain'").get()).toEqual({ n: 0 });
    db.close();

    // Restart: the released task is delivered again with the same webhook-id; resends create nothing new.
    target.release(200, true);
    const second = scratch.track(await startExporter(options));
    await waitFor(
      () => target.received.filter((r) => r.headers['webhook-id'] === releasedId).length === 2,
      'the released task delivered again',
      10_000,
    );
    const resend = await postAlerts(second.url, body);
    expect(((await resend.json()) as { duplicates: number }).duplicates).toBe(2);
    const tasks = (await (await fetch(`${second.url}/api/v1/coordination/tasks`)).json()) as { tasks: { id: string }[] };
    expect(tasks.tasks.map((t) => t.id).sort()).toEqual([finishesId, releasedId].sort());
    expect(target.received.filter((r) => r.headers['webhook-id'] === finishesId)).toHaveLength(1);
  }, 60_000);
});
