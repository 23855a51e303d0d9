// A synchronous PostgreSQL connection: node-postgres on a worker thread, the caller blocked (bounded) until each answer.
import { createRequire } from 'node:module';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

// Why synchronous: the TaskStore contract is synchronous (a commit is durable when the call
// returns, before the webhook answers 200), and the SQLite store and every caller rely on it.
// A loopback round trip is ~0.1-0.3 ms, which is what one blocked call costs the event loop.
//
// Plain CommonJS so it runs the same from dist/ and from TypeScript sources under tests.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const pg = require(workerData.module);
const signal = new Int32Array(workerData.signal);
const port = workerData.port;
// int8 (times in ms, seq) as numbers: every value this store keeps is below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));
let client;
let session = 0;
let connecting;
async function connect() {
  const next = new pg.Client(workerData.config);
  // A broken connection is dropped here; the next query reconnects (a new session).
  next.on('error', () => { if (client === next) client = undefined; });
  next.on('end', () => { if (client === next) client = undefined; });
  await next.connect();
  for (const sql of workerData.sessionSql) await next.query(sql);
  session += 1;
  client = next;
}
function answer(reply) {
  port.postMessage(reply);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}
let chain = Promise.resolve();
port.on('message', (msg) => {
  chain = chain.then(async () => {
    if (msg.op === 'close') {
      const c = client;
      client = undefined;
      try { if (c) await c.end(); } catch {}
      answer({ id: msg.id, rows: [], rowCount: 0, session });
      port.close();
      return;
    }
    try {
      if (!client) {
        if (!connecting) connecting = connect().finally(() => { connecting = undefined; });
        await connecting;
      }
      if (msg.op === 'many') {
        // Several statements in one simple-protocol message: one round trip.
        const result = await client.query(msg.sql);
        const list = Array.isArray(result) ? result : [result];
        answer({ id: msg.id, results: list.map((r) => ({ rows: r.rows || [], rowCount: r.rowCount || 0 })), session });
        return;
      }
      const result = await client.query({ text: msg.sql, values: msg.params });
      answer({ id: msg.id, rows: result.rows || [], rowCount: result.rowCount || 0, session });
    } catch (error) {
      const e = error || {};
      // A connection-level failure leaves the session unusable: drop it.
      if (client && (!e.code || String(e.code).startsWith('08') || String(e.code).startsWith('57P'))) {
        const c = client;
        client = undefined;
        c.end().catch(() => {});
      }
      answer({ id: msg.id, error: { message: String(e.message || e), code: e.code === undefined ? undefined : String(e.code), constraint: e.constraint }, session });
    }
  });
});
`;

export type PgRow = Record<string, unknown>;

/** A string as an SQL literal (standard_conforming_strings, the default since PostgreSQL 9.1). */
export function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

export interface PgQueryResult {
  readonly rows: PgRow[];
  readonly rowCount: number;
}

/** A server or connection error as node-postgres reported it (`code` is the SQLSTATE or a Node errno). */
export class PgQueryError extends Error {
  override readonly name = 'PgQueryError';
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly constraint: string | undefined,
  ) {
    super(message);
  }
}

/** The call waited longer than `replyTimeoutMs`: the connection is abandoned and reopened. */
export class PgTimeoutError extends Error {
  override readonly name = 'PgTimeoutError';
}

export class PgClosedError extends Error {
  override readonly name = 'PgClosedError';
}

export interface SyncPgClientOptions {
  /** postgres://user@host:port/db?… */
  readonly connectionString: string;
  /** Overrides any password in the URL (read from `storage.password_file`). */
  readonly password?: string | undefined;
  /** Statements run on every new session, before anything else (SET …). */
  readonly sessionSql?: readonly string[];
  /** How long one call may block the caller, ms: beyond it the worker is replaced. */
  readonly replyTimeoutMs: number;
  readonly connectTimeoutMs: number;
}

interface Reply {
  readonly id: number;
  readonly rows?: PgRow[];
  readonly rowCount?: number;
  readonly results?: PgQueryResult[];
  readonly session: number;
  readonly error?: { readonly message: string; readonly code: string | undefined; readonly constraint: string | undefined };
}

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

  constructor(private readonly options: SyncPgClientOptions) {}

  /** Identity of the session that answered the last call ("" before the first). */
  get session(): string {
    return this.lastSession;
  }

  query(sql: string, params: readonly unknown[] = []): PgQueryResult {
    const reply = this.call({ op: 'query', sql, params });
    return { rows: reply.rows ?? [], rowCount: reply.rowCount ?? 0 };
  }

  /**
   * Runs `;`-separated statements without parameters (values inlined with `literal`) in one round
   * trip; one result per statement.
   */
  queryMany(sql: string): PgQueryResult[] {
    return this.call({ op: 'many', sql, params: [] }).results ?? [];
  }

  private call(message: { op: 'query' | 'many'; sql: string; params: readonly unknown[] }): Reply {
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
    const { port1, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    const config = {
      connectionString: this.options.connectionString,
      ...(this.options.password === undefined ? {} : { password: this.options.password }),
      connectionTimeoutMillis: this.options.connectTimeoutMs,
      keepAlive: true,
      application_name: 'agentswarm-exporter',
    };
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        module: createRequire(import.meta.url).resolve('pg'),
        config,
        sessionSql: this.options.sessionSql ?? [],
        signal,
        port: port2,
      },
      transferList: [port2],
    });
    // Never what keeps a process alive; a crashed worker is replaced on the next call.
    worker.unref();
    worker.on('error', () => {
      if (this.channel?.worker === worker) this.channel = undefined;
    });
    this.generations += 1;
    this.channel = { worker, port: port1, signal: new Int32Array(signal), generation: this.generations };
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
