// A synchronous PostgreSQL connection: node-postgres on a worker thread, the caller blocked (bounded) until each answer.
import { receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import {
  PgClosedError,
  PgQueryError,
  PgTimeoutError,
  startSessionWorker,
  type PgQueryResult,
  type PgSessionOptions,
  type Reply,
  type StatementOptions,
} from './postgres-session-worker.js';

// Why synchronous: the TaskStore contract is synchronous (a commit is durable when the call
// returns, before the webhook answers 200), and the SQLite store and every caller rely on it.
// A loopback round trip is ~0.1-0.3 ms, which is what one blocked call costs the event loop.
//

interface Channel {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly signal: Int32Array;
  /** Distinguishes sessions across worker replacements: a new worker is a new generation. */
  readonly generation: number;
}

/**
 * One session at a time on a worker thread. `query` blocks until the worker answers or
 * `replyTimeoutMs` passes. `session` changes whenever a new database session was opened
 * (after a connection loss or a timeout), which tells callers that session state (advisory
 * locks, LISTEN) is gone.
 */
export class SyncPgClient {
  private channel: Channel | undefined;
  private nextId = 1;
  private generations = 0;
  private lastSession = '';
  private closed = false;

  constructor(private readonly options: PgSessionOptions) {}

  /** Identity of the session that answered the last call ("" before the first). */
  get session(): string {
    return this.lastSession;
  }

  query(sql: string, params: readonly unknown[] = [], options: StatementOptions = {}): PgQueryResult {
    const reply = this.call({ op: 'query', sql, params, ...options });
    return { rows: reply.rows ?? [], rowCount: reply.rowCount ?? 0 };
  }

  /**
   * Runs `;`-separated statements without parameters (values inlined with `literal`) in one round
   * trip; one result per statement.
   */
  queryMany(sql: string): PgQueryResult[] {
    return this.call({ op: 'many', sql, params: [] }).results ?? [];
  }

  private call(message: { op: 'query' | 'many'; sql: string; params: readonly unknown[] } & StatementOptions): Reply {
    if (this.closed) throw new PgClosedError('connection closed');
    const channel = this.open();
    const id = this.nextId++;
    const seen = Atomics.load(channel.signal, 0);
    channel.port.postMessage({ ...message, id });
    const reply = this.await(channel, id, seen, this.options.replyTimeoutMs);
    if (reply === undefined) {
      this.drop();
      throw new PgTimeoutError(`no answer from PostgreSQL within ${this.options.replyTimeoutMs} ms`);
    }
    this.lastSession = `${channel.generation}.${reply.session}`;
    if (reply.error !== undefined) throw new PgQueryError(reply.error.message, reply.error.code, reply.error.constraint);
    return reply;
  }

  /** Ends the session (bounded wait) and the worker. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const channel = this.channel;
    if (channel === undefined) return;
    const id = this.nextId++;
    const seen = Atomics.load(channel.signal, 0);
    channel.port.postMessage({ op: 'close', id });
    this.await(channel, id, seen, 2000);
    this.drop();
  }

  private open(): Channel {
    if (this.channel !== undefined) return this.channel;
    const { worker, port, signal } = startSessionWorker(this.options);
    worker.on('error', () => {
      if (this.channel?.worker === worker) this.channel = undefined;
    });
    this.generations += 1;
    this.channel = { worker, port, signal, generation: this.generations };
    return this.channel;
  }

  private await(channel: Channel, id: number, seen: number, timeoutMs: number): Reply | undefined {
    const deadline = Date.now() + timeoutMs;
    let observed = seen;
    for (;;) {
      for (let message = receiveMessageOnPort(channel.port); message !== undefined; message = receiveMessageOnPort(channel.port)) {
        const reply = message.message as Reply;
        // Answers to calls that timed out earlier are dropped here.
        if (reply.id === id) return reply;
      }
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      Atomics.wait(channel.signal, 0, observed, left);
      observed = Atomics.load(channel.signal, 0);
    }
  }

  private drop(): void {
    const channel = this.channel;
    this.channel = undefined;
    if (channel === undefined) return;
    channel.port.close();
    void channel.worker.terminate();
  }
}
