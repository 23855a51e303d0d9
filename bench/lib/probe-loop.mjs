// A prober in its own process (so the bench's pushing and scraping do not delay it): GET <url>
// every <intervalMs> ms for <durationMs> ms, each probe sent on time even while earlier ones wait,
// then prints one JSON object: [wall-clock send time ms, latency ms, status] per probe.
// usage: node probe-loop.mjs <url> <intervalMs> <durationMs>
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

const [url, intervalMs, durationMs] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const probes = [];
const pending = [];

function probe() {
  const sentAt = Date.now();
  const t0 = performance.now();
  pending.push(
    new Promise((resolve) => {
      const req = request(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          probes.push([sentAt, performance.now() - t0, res.statusCode]);
          resolve();
        });
      });
      req.on('error', () => {
        probes.push([sentAt, performance.now() - t0, 0]);
        resolve();
      });
      req.end();
    }),
  );
}

const started = performance.now();
// Scheduled against the start, not the last tick, so a late tick does not shift the later ones.
let next = 0;
while (performance.now() - started < durationMs) {
  probe();
  next += intervalMs;
  const wait = started + next - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
await Promise.all(pending);
agent.destroy();
process.stdout.write(`${JSON.stringify(probes)}\n`);
