// docs/reliability.md test 26: a page-corrupted database: refuse to start (quick_check), or 503 while not ready — never 500, never a log storm.
import Database from 'better-sqlite3';
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/demo/prng.js';
import { SqliteTaskStore } from '../../src/persistence/sqlite-task-store.js';
import { alert, notification } from '../coordination/fixtures/alertmanager.js';
import { startSourceExporter, type SourceExporter } from './fixtures/source-exporter.js';
import { exporterScratch } from '../support/exporter-scratch.js';

const PAGE = 4096;
const scratch = exporterScratch();

/** A valid exporter database of `tasks` rows (migrated by the store itself), WAL checkpointed into the file. */
function buildDatabase(path: string, tasks: number): void {
  SqliteTaskStore.open(path, { backgroundCheckpointMs: 0 }).close();
  const db = new Database(path);
  const insert = db.prepare(
    `INSERT INTO tasks (id, type, priority, priority_rank, status, source, swarm, agents, reason, alerts, created_at, updated_at, next_attempt_at, finished_at)
     VALUES (?, 'performance_sync', 'low', 3, 'succeeded', 'api', 'demo', '[]', ?, '[]', ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (let i = 0; i < tasks; i += 1)
      insert.run(`task-${i}`, `reason ${i} `.padEnd(800, 'x'), Date.now(), Date.now(), Date.now(), Date.now());
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/** Overwrites `count` distinct pages (never page 1, the header) with seeded noise: what a bad disk or a stray writer leaves. */
function corruptPages(path: string, count: number, seed: number, firstPage = 2): number[] {
  const pages = Math.floor(statSync(path).size / PAGE);
  const random = mulberry32(seed);
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(firstPage + Math.floor(random() * (pages - firstPage)));
  const fd = openSync(path, 'r+');
  const noise = Buffer.alloc(PAGE);
  for (const page of chosen) {
    for (let i = 0; i < PAGE; i += 1) noise[i] = Math.floor(random() * 256);
    writeSync(fd, noise, 0, PAGE, (page - 1) * PAGE);
  }
  closeSync(fd);
  return [...chosen];
}

const nonWarnLines = (e: SourceExporter): string[] => e.lines().filter((l) => !l.includes('level=warn'));

describe('durability 26: a page-corrupted database', () => {
  it('refuses to start on 30 overwritten pages, with one line giving the command to inspect it', async () => {
    const dir = scratch.dir('agentswarm-corrupt-');
    const dbPath = join(dir, 'agentswarm.db');
    buildDatabase(dbPath, 3000);
    corruptPages(dbPath, 30, 7);
    const exporter = await startSourceExporter({ dir, dbPath });
    scratch.track(exporter);
    expect(exporter.url).toBeUndefined();
    expect(await exporter.exited).toBe(1);
    const lines = nonWarnLines(exporter);
    expect(lines, lines.join('\n')).toHaveLength(1);
    expect(lines[0]).toMatch(/is damaged \(quick_check: /);
    expect(lines[0]).toContain(`sqlite3 "${dbPath}" 'PRAGMA integrity_check'`);
  }, 60_000);

  it('refuses to start when the header page is overwritten (not a database)', async () => {
    const dir = scratch.dir('agentswarm-corrupt-');
    const dbPath = join(dir, 'agentswarm.db');
    buildDatabase(dbPath, 100);
    corruptPages(dbPath, 1, 3, 1);
    const fd = openSync(dbPath, 'r+');
    writeSync(fd, Buffer.alloc(100, 0x41), 0, 100, 0);
    closeSync(fd);
    const exporter = await startSourceExporter({ dir, dbPath });
    scratch.track(exporter);
    expect(await exporter.exited).toBe(1);
    const lines = nonWarnLines(exporter);
    expect(lines, lines.join('\n')).toHaveLength(1);
    expect(lines[0]).toMatch(/is damaged \(SQLITE_NOTADB\)/);
  }, 60_000);

  it('corrupted while running: 503 (never 500), not ready, one error line however many requests', async () => {
    const dir = scratch.dir('agentswarm-corrupt-');
    const dbPath = join(dir, 'agentswarm.db');
    // ~40 MB: larger than the 16 MiB page cache, so reads go to the (damaged) file.
    buildDatabase(dbPath, 40_000);
    const exporter = await startSourceExporter({ dir, dbPath });
    scratch.track(exporter);
    const url = exporter.url ?? '';
    expect((await fetch(`${url}/-/ready`)).status).toBe(200);
    corruptPages(dbPath, 30, 11);

    const statuses = new Map<number, number>();
    const count = (status: number): void => void statuses.set(status, (statuses.get(status) ?? 0) + 1);
    // Walk the whole task table through the API (cursor pages of 1000), with notifications in between.
    for (let round = 0; round < 3; round += 1) {
      for (let before = 41_000; before > 0; before -= 1000) {
        const res = await fetch(`${url}/api/v1/coordination/tasks?limit=1000&before=${before}`);
        await res.arrayBuffer();
        count(res.status);
        const post = await fetch(`${url}/api/v1/alerts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(notification([alert({ fingerprint: `r${round}-b${before}`, type: null })])),
        });
        await post.arrayBuffer();
        count(post.status);
      }
    }
    const ready = await fetch(`${url}/-/ready`);
    expect(ready.status).toBe(503);
    expect([...statuses.keys()].filter((s) => s !== 200 && s !== 503)).toEqual([]);
    expect(statuses.get(503) ?? 0).toBeGreaterThan(100);
    // One error line for the fault, whatever the number of refused requests and runner ticks since.
    await new Promise((r) => setTimeout(r, 2500));
    const errors = exporter.lines().filter((l) => l.includes('level=error'));
    expect(errors, errors.join('\n')).toHaveLength(1);
    expect(errors[0]).toMatch(/database corrupt: SQLITE_CORRUPT/);
    const warnings = exporter.lines().filter((l) => l.includes('level=warn') && !l.includes('is not set'));
    expect(warnings.length, warnings.join('\n')).toBeLessThanOrEqual(2);
  }, 120_000);
});
