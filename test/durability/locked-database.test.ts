// docs/reliability.md test 23: the database locked by another process gives 503, then success once released.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { alert, notification } from '../coordination/fixtures/alertmanager.js';
import { waitFor } from '../coordination/fixtures/action-target.js';
import { ServiceHarness } from '../coordination/fixtures/service-harness.js';

const LOCKER = fileURLToPath(new URL('./fixtures/db-locker.mjs', import.meta.url));
let harness: ServiceHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('durability 23: database locked by another process', () => {
  it('answers 503 while the other process holds the write lock, then 200 with the task once it lets go', async () => {
    harness = await new ServiceHarness({ storeOptions: { busyTimeoutMs: 100 } }).start();
    const h = harness;
    const locker = spawn(process.execPath, [LOCKER, h.dbPath], { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => locker.once('exit', resolve));
    try {
      let out = '';
      locker.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      await waitFor(() => out.includes('locked'), 'the other process to take the lock', 10_000);

      const body = notification([alert({ fingerprint: 'locked-1' })]);
      const started = performance.now();
      const refused = await h.post('/api/v1/alerts', body);
      expect(refused.status).toBe(503);
      expect(refused.json.error).toMatch(/busy/);
      // The event loop waits at most about busy_timeout, not indefinitely.
      expect(performance.now() - started).toBeLessThan(2000);
      expect((await h.post('/api/v1/coordination/tasks', { type: 'performance_sync', priority: 'low' })).status).toBe(503);

      locker.stdin.write('release\n');
      expect(await exited).toBe(0);
      const accepted = await h.post('/api/v1/alerts', body);
      expect(accepted.status).toBe(200);
      expect(h.store.listTasks()).toMatchObject([{ fingerprint: 'locked-1', status: 'queued' }]);
    } finally {
      if (locker.exitCode === null) locker.kill('SIGKILL');
    }
  });
});
