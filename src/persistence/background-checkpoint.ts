// WAL checkpoints on a worker thread, so copying the WAL into the database and its fsync never block the event loop.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// Plain CommonJS so it runs the same from dist/ and from TypeScript sources under tests.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    // PASSIVE: copies what it can without waiting for the writer or readers; never blocks them.
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
}, workerData.intervalMs);
const done = new Int32Array(workerData.done);
parentPort.on('message', (message) => {
  if (message !== 'close') return;
  clearInterval(timer);
  try {
    db.close();
  } finally {
    Atomics.store(done, 0, 1);
    Atomics.notify(done, 0);
    parentPort.close();
  }
});
`;

/** Longest close() waits for the worker to close its connection (it is normally a few ms). */
const CLOSE_WAIT_MS = 5000;

export interface BackgroundCheckpoint {
  /**
   * Stops the worker and waits (synchronously, bounded) until its connection is closed, so that
   * when the owner's close() returns no other thread touches the database files any more.
   */
  close(): void;
}

/**
 * Starts a worker with its own connection to `path` that runs a passive WAL checkpoint every
 * `intervalMs`. The writer connection keeps a large wal_autocheckpoint as a safety net should the
 * worker fall behind or die. `onError` receives checkpoint failures (logged by the owner).
 */
export function startBackgroundCheckpoint(
  path: string,
  intervalMs: number,
  onError: (message: string) => void = () => undefined,
): BackgroundCheckpoint {
  const modulePath = createRequire(import.meta.url).resolve('better-sqlite3');
  const done = new SharedArrayBuffer(4);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, intervalMs, module: modulePath, done } });
  let alive = true;
  worker.on('message', (message: { error?: string }) => {
    if (typeof message.error === 'string') onError(message.error);
  });
  worker.on('error', (error) => {
    alive = false;
    onError(error.message);
  });
  worker.on('exit', () => {
    alive = false;
  });
  // Never what keeps a process alive.
  worker.unref();
  let closed = false;
  return {
    close: () => {
      if (closed) return;
      closed = true;
      if (!alive) return;
      worker.postMessage('close');
      Atomics.wait(new Int32Array(done), 0, 0, CLOSE_WAIT_MS);
    },
  };
}
