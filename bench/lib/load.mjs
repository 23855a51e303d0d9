// Keep-alive HTTP load: `connections` parallel loops sending prepared bodies for `durationMs`.
// `weights` (optional, one per body, e.g. its sample count) are summed over the bodies sent, for
// bodies of unequal size.
import { Agent, request } from 'node:http';

export async function sendLoad({ url, method = 'POST', contentType, bodies, connections = 4, durationMs = 4000, expectStatus, weights }) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url);
  let requests = 0;
  let failures = 0;
  let weight = 0;
  const deadline = Date.now() + durationMs;
  const one = (body) =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method,
          headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: connections }, async (_, c) => {
      let i = c;
      while (Date.now() < deadline) {
        const status = await one(bodies[i % bodies.length]);
        if (status !== expectStatus) failures += 1;
        requests += 1;
        weight += weights ? weights[i % bodies.length] : 1;
        i += connections;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  return { requests, failures, seconds, weight };
}
