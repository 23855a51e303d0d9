// docs/reliability.md test 25: the database file deleted or replaced while running: 503 within 1 s, nothing acknowledged into it.
import Database from 'better-sqlite3';
import { renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alert, notification } from '../coordination/fixtures/alertmanager.js';
import { killExporter, startSourceExporter } from './fixtures/source-exporter.js';
import { exporterScratch } from '../support/exporter-scratch.js';

const scratch = exporterScratch();

interface Answer {
  readonly n: number;
  /** performance.now() when the request was sent and when it was answered. */
  readonly sentAt: number;
  readonly answeredAt: number;
  /** HTTP status, or 0 for a connection error (the process stopped). */
  readonly status: number;
}

const body = (n: number): string =>
  JSON.stringify(notification(Array.from({ length: 3 }, (_, j) => alert({ fingerprint: `n${n}-a${j}` }))));

async function storm(url: string, until: () => boolean, answers: Answer[]): Promise<void> {
  let next = 0;
  const sender = async (): Promise<void> => {
    while (!until() && next < 5000) {
      const n = next++;
      const sentAt = performance.now();
      let status = 0;
      try {
        const res = await fetch(`${url}/api/v1/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(n) });
        await res.arrayBuffer();
        status = res.status;
      } catch {
        status = 0;
      }
      answers.push({ n, sentAt, answeredAt: performance.now(), status });
      if (status === 0) await new Promise((r) => setTimeout(r, 20));
    }
  };
  await Promise.all(Array.from({ length: 4 }, sender));
}

async function readyStatuses(url: string, until: () => boolean, out: { at: number; status: number }[]): Promise<void> {
  while (!until()) {
    let status = 0;
    try {
      const res = await fetch(`${url}/-/ready`);
      await res.arrayBuffer();
      status = res.status;
    } catch {
      status = 0;
    }
    out.push({ at: performance.now(), status });
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function scenario(damage: (dbPath: string) => void): Promise<void> {
  const dir = scratch.dir('agentswarm-vanish-');
  const dbPath = join(dir, 'agentswarm.db');
  const target = await scratch.target();
  const config = { coordination: { actions: { default: { url: target.url } } } };
  const exporter = await startSourceExporter({ dir, dbPath, config });
  scratch.track(exporter);
  const url = exporter.url ?? '';
  expect(url).not.toBe('');

  const answers: Answer[] = [];
  const ready: { at: number; status: number }[] = [];
  let done = false;
  const stopAt = { value: Infinity };
  const until = (): boolean => done || performance.now() > stopAt.value;
  const traffic = Promise.all([storm(url, until, answers), readyStatuses(url, until, ready)]);
  // Mid-storm: delete (or replace) the file.
  while (answers.filter((a) => a.status === 200).length < 40) await new Promise((r) => setTimeout(r, 10));
  damage(dbPath);
  const deletedAt = performance.now();
  stopAt.value = deletedAt + 2500;
  const exitCode = await exporter.exited;
  done = true;
  await traffic;

  // It stopped itself, non-zero, with one error line naming the cause.
  expect(exitCode).toBe(1);
  const errors = exporter.lines().filter((l) => l.includes('level=error'));
  expect(errors, errors.join('\n')).toHaveLength(1);
  expect(errors[0]).toMatch(/deleted or replaced/);

  // Within 1 s of the deletion: /-/ready and the webhook answer 503 (then the process is gone).
  const firstReady503 = ready.find((r) => r.at > deletedAt && r.status === 503);
  expect(firstReady503).toBeDefined();
  expect((firstReady503?.at ?? Infinity) - deletedAt).toBeLessThan(1000);
  expect(ready.filter((r) => r.at > deletedAt + 1000 && r.status === 200)).toEqual([]);
  const after = answers.filter((a) => a.sentAt > deletedAt);
  const first503 = after.find((a) => a.status === 503);
  expect(first503).toBeDefined();
  expect((first503?.answeredAt ?? Infinity) - deletedAt).toBeLessThan(1000);
  // Never a 500; nothing sent after the deletion was acknowledged.
  expect(answers.filter((a) => a.status >= 500 && a.status !== 503)).toEqual([]);
  const ackedAfter = after.filter((a) => a.status === 200);
  expect(ackedAfter).toEqual([]);

  // Restart on the same path: a fresh file; everything acknowledged after the deletion is in it (none was).
  const restarted = await startSourceExporter({ dir, dbPath, config });
  scratch.track(restarted);
  expect(restarted.url).toBeDefined();
  expect((await fetch(`${restarted.url ?? ''}/-/ready`)).status).toBe(200);
  await killExporter(restarted, 'SIGTERM');
  const db = new Database(dbPath, { readonly: true });
  const fingerprints = new Set((db.prepare('SELECT fingerprint FROM tasks').all() as { fingerprint: string }[]).map((r) => r.fingerprint));
  db.close();
  for (const a of ackedAfter) expect(fingerprints.has(`n${a.n}-a0`)).toBe(true);
}

describe('durability 25: the database file vanishes while running', () => {
  it('deleted mid-storm: 503 and not ready within 1 s, nothing acknowledged after, then it stops (exit 1)', async () => {
    await scenario((dbPath) => {
      for (const suffix of ['', '-wal', '-shm']) unlinkSync(`${dbPath}${suffix}`);
    });
  }, 90_000);

  it('replaced mid-storm by another file: the same', async () => {
    await scenario((dbPath) => {
      const other = `${dbPath}.other`;
      new Database(other).close();
      renameSync(other, dbPath);
    });
  }, 90_000);
});
