// Signals the exporter must survive gracefully (found by the npm-package test under load):
//  - a SIGTERM right after "listening" is logged: the handlers were installed only after start-up
//    returned, so Node's default action killed the process (exit by signal, nothing drained);
//  - a repeated SIGTERM during the drain (npx forwards the one its process group got; process
//    managers repeat theirs): the first one removed the handlers and the second killed the process
//    mid-shutdown. It keeps draining now, and says so.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ActionTarget, waitFor } from '../coordination/fixtures/action-target.js';
import { alert, notification } from '../coordination/fixtures/alertmanager.js';
import { ensureStopped, startExporter, type Child } from '../durability/fixtures/child.js';

let child: Child | undefined;
let target: ActionTarget | undefined;
let dir: string | undefined;

afterEach(async () => {
  await ensureStopped(child);
  await target?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  child = undefined;
  target = undefined;
});

describe('SIGTERM at the edges', () => {
  it('stops gracefully on a SIGTERM sent as soon as it says it listens', async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentswarm-early-sigterm-'));
    child = await startExporter({ dir, dbPath: join(dir, 'agentswarm.db'), coordination: {} });
    expect(child.kind).toBe('binary');
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    expect(child.process.signalCode).toBeNull();
    expect(child.stderr.join('')).toMatch(/msg=stopped/);
  }, 60_000);

  it('keeps draining on a second SIGTERM and exits 0 after "stopped"', async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentswarm-repeated-sigterm-'));
    target = await new ActionTarget().start();
    target.respond = () => 'hang';
    child = await startExporter({ dir, dbPath: join(dir, 'agentswarm.db'), coordination: { actions: { default: { url: target.url } } } });
    const running = child;
    const res = await fetch(`${running.url}/api/v1/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(notification([alert({ fingerprint: 'hangs' })])) });
    expect(res.status).toBe(200);
    // A delivery hangs, so the drain lasts the grace period: time for a second signal.
    await waitFor(() => target?.hangingCount === 1, 'the delivery in flight');
    running.process.kill('SIGTERM');
    const deadline = Date.now() + 10_000;
    while (!/shutting down/.test(running.stderr.join('')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    running.process.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    expect(running.process.signalCode).toBeNull();
    const log = running.stderr.join('');
    expect(log).toMatch(/already shutting down/);
    expect(log).toMatch(/msg=stopped/);
  }, 90_000);
});
