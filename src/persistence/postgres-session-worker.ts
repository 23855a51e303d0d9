// One PostgreSQL session on a worker thread (node-postgres), and what its clients share: the
// worker's source, the message shapes, the errors, literal quoting.
import { createRequire } from 'node:module';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';

// The worker answers each message on its port and bumps `signal`, so a client may either block on
// the signal (SyncPgClient) or listen on the port (AsyncPgSession).
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
const names = new Map();
function statementName(sql) {
  let name = names.get(sql);
  if (name === undefined) { name = 'agentswarm_' + (names.size + 1); names.set(sql, name); }
  return name;
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
      // A named statement is parsed and planned once per session (node-postgres prepares it again on a new one).
      const result = await client.query(msg.prepare ? { name: statementName(msg.sql), text: msg.sql, values: msg.params } : { text: msg.sql, values: msg.params });
      // The transaction's last statement may carry its COMMIT: sent from here, it saves the caller a
      // hop through its event loop, which is busy when notifications arrive fast.
      if (msg.commit) await client.query('COMMIT');
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

/** How one statement is sent. */
export interface StatementOptions {
  /**
   * Name it after its text, so the server parses and plans it once per session instead of on
   * every call: for hot statements whose text takes few shapes.
   */
  readonly prepare?: boolean;
  /** Send COMMIT right after it succeeds (the end of a transaction the caller began). */
  readonly commit?: boolean;
}

export interface PgSessionOptions {
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

export interface Reply {
  readonly id: number;
  readonly rows?: PgRow[];
  readonly rowCount?: number;
  readonly results?: PgQueryResult[];
  readonly session: number;
  readonly error?: { readonly message: string; readonly code: string | undefined; readonly constraint: string | undefined };
}

export interface SessionWorker {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly signal: Int32Array;
}

/** Starts a worker that opens its session on the first message (and again after a loss). */
export function startSessionWorker(options: PgSessionOptions): SessionWorker {
  const { port1, port2 } = new MessageChannel();
  const signal = new SharedArrayBuffer(4);
  const config = {
    connectionString: options.connectionString,
    ...(options.password === undefined ? {} : { password: options.password }),
    connectionTimeoutMillis: options.connectTimeoutMs,
    keepAlive: true,
    application_name: 'agentswarm-exporter',
  };
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      module: createRequire(import.meta.url).resolve('pg'),
      config,
      sessionSql: options.sessionSql ?? [],
      signal,
      port: port2,
    },
    transferList: [port2],
  });
  // Never what keeps a process alive; a crashed worker is replaced on the next call.
  worker.unref();
  return { worker, port: port1, signal: new Int32Array(signal) };
}
