// An impact measurement due while the exporter restarts (kill -9 inside coordination.impact_delay) is measured after it.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSourceExporter } from './fixtures/source-exporter.js';
import { exporterScratch } from '../support/exporter-scratch.js';

const scratch = exporterScratch();

/** Polls `read` (sync or async) until it gives a value; a read that throws counts as no value yet. */
async function until<T>(read: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs: number): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve()
      .then(read)
      .catch(() => undefined);
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface TaskJson {
  status: string;
  impact: { score: string; before: number; after: number; ratio: number; measured_at: string | null } | null;
}

describe('impact measurements survive a restart', () => {
  it('measures after a kill -9 an impact that was due during the restart', async () => {
    const dir = scratch.dir('agentswarm-impact-');
    const dbPath = join(dir, 'agentswarm.db');
    const target = await scratch.target();
    const config = { analysis: { step: '1s' }, coordination: { impact_delay: '6s', actions: { default: { url: target.url } } } };
    let exporter = await startSourceExporter({ dir, dbPath, config });
    scratch.track(exporter);
    let url = exporter.url ?? '';

    // The agent the task heals pushes throughout, to whichever process is up: unhealthy before, healthy after.
    let healthy = false;
    let pushing = true;
    const pusher = (async () => {
      while (pushing) {
        const metrics = healthy
          ? { error_rate: 0, cpu_usage: 0.3, response_time: 0.5 }
          : { error_rate: 0.6, cpu_usage: 0.97, response_time: 0.5 };
        await fetch(`${url}/api/v1/agents/alpha/metrics`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ swarm: 'demo', metrics }),
        }).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const healthOf = async (): Promise<number | undefined> => {
      const res = await fetch(`${url}/api/v1/agents`);
      const body = (await res.json()) as { agents?: { id?: string; agent?: string; health?: { score?: number }; health_score?: number }[] };
      const alpha = body.agents?.find((a) => a.id === 'alpha' || a.agent === 'alpha');
      const score = alpha?.health?.score ?? alpha?.health_score;
      return typeof score === 'number' ? score : undefined;
    };
    await until(healthOf, 'a health score for alpha', 20_000);

    const created = await fetch(`${url}/api/v1/coordination/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'cross_system_healing', priority: 'high', swarm: 'demo', agents: ['alpha'] }),
    });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { id: string }).id;
    // Delivered and succeeded; the due time is on disk (read through a second, read-only connection).
    const dueAt = await until(
      () => {
        const db = new Database(dbPath, { readonly: true });
        try {
          const row = db.prepare("SELECT impact_due_at FROM tasks WHERE id = ? AND status = 'succeeded'").get(id) as
            { impact_due_at: number | null } | undefined;
          return row?.impact_due_at ?? undefined;
        } finally {
          db.close();
        }
      },
      'the task to succeed with an impact due',
      20_000,
    );
    healthy = true;
    exporter.process.kill('SIGKILL');
    await exporter.exited;

    exporter = await startSourceExporter({ dir, dbPath, config });
    scratch.track(exporter);
    url = exporter.url ?? '';
    const task = await until(
      async () => {
        const res = await fetch(`${url}/api/v1/coordination/tasks/${id}`);
        const json = (await res.json()) as TaskJson;
        return json.impact === null ? undefined : json;
      },
      'the impact measured after the restart',
      30_000,
    );
    pushing = false;
    await pusher;

    expect(task.status).toBe('succeeded');
    expect(task.impact?.score).toBe('health');
    expect(task.impact?.after).toBeGreaterThan(task.impact?.before ?? Infinity);
    expect(task.impact?.ratio).toBeGreaterThan(0);
    expect(Date.parse(task.impact?.measured_at ?? '')).toBeGreaterThanOrEqual(dueAt);
    const db = new Database(dbPath, { readonly: true });
    expect(db.prepare('SELECT impact_due_at FROM tasks WHERE id = ?').get(id)).toEqual({ impact_due_at: null });
    db.close();
  }, 90_000);
});
