// Signals the exporter must survive gracefully (found by the npm-package test under load):
//  - a SIGTERM right after "listening" is logged: the handlers were installed only after start-up
//    returned, so Node's default action killed the process (exit by signal, nothing drained);
//  - a repeated SIGTERM during the drain (npx forwards the one its process group got; process
//    managers repeat theirs): the first one removed the handlers and the second killed the process
//    mid-shutdown. It keeps draining now, and says so.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../coordination/fixtures/action-target.js';
import { alert, notification } from '../coordination/fixtures/alertmanager.js';
import { startExporter } from '../durability/fixtures/child.js';
import { exporterScratch } from '../support/exporter-scratch.js';

const scratch = exporterScratch();

describe('SIGTERM at the edges', () => {
  it('stops gracefully on a SIGTERM sent as soon as it says it listens', async () => {
    const dir = scratch.dir('agentswarm-early-sigterm-');
    const child = scratch.track(await startExporter({ dir, dbPath: join(dir, 'agentswarm.db'), coordination: {} }));
    expect(child.kind).toBe('binary');
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    expect(child.process.signalCode).toBeNull();
    expect(child.stderr.join('')).toMatch(/msg=stopped/);
  }, 60_000);

  it('keeps draining on a second SIGTERM and exits 0 after "stopped"', async () => {
    const dir = scratch.dir('agentswarm-repeated-sigterm-');
    const target = await scratch.target();
    target.respond = () => 'hang';
    const running = scratch.track(
      await startExporter({ dir, dbPath: join(dir, 'agentswarm.db'), coordination: { actions: { default: { url: target.url } } } }),
    );
    const res = await fetch(`${running.url}/api/v1/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(notification([alert({ fingerprint: 'hangs' })])),
    });
    expect(res.status).toBe(200);
    // A delivery hangs, so the drain lasts the grace period: time for a second signal.
    await waitFor(() => target.hangingCount === 1, 'the delivery in flight');
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
