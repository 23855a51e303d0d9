// A free TCP port on 127.0.0.1, for child processes (Prometheus, PostgreSQL, Alertmanager) that take a port, not port 0.
import { createServer } from 'node:net';

/** Bound on port 0 and released, so the caller binds it right away (unref'd: never keeps the test process alive). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}
