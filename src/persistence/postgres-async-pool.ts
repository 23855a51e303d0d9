// PostgreSQL sessions that do not block the event loop: for the work that must not wait behind the database (the webhook's notifications).
import {
  PgClosedError,
  PgQueryError,
  PgTimeoutError,
  startSessionWorker,
  type PgQueryResult,
  type PgSessionOptions,
  type Reply,
  type SessionWorker,
  type StatementOptions,
} from './postgres-session-worker.js';

// Why beside the synchronous client: a notification of 100 new alerts holds the database for
// ~15-20 ms (three round trips, ~10 ms of server work). Blocked on it, the event loop can take
// at most ~50 a second, parsing and logging included, and a storm queues for seconds. Awaited
// instead, the event loop parses the next notifications meanwhile, and two sessions commit two
// notifications at once (their fingerprint locks serialise only those that share an alert).
//
// Sessions here never run what the synchronous client runs: a transaction stays open across
// awaits, and a statement of another caller on its session would land inside it.

interface Pending {
  readonly resolve: (reply: Reply) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** One session on its own worker; calls are answered in order. */
export class AsyncPgSession {
  private channel: SessionWorker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  constructor(private readonly options: PgSessionOptions) {}

  async query(sql: string, params: readonly unknown[] = [], options: StatementOptions = {}): Promise<PgQueryResult> {
    const reply = await this.call({ op: 'query', sql, params, ...options });
    return { rows: reply.rows ?? [], rowCount: reply.rowCount ?? 0 };
  }

  /** `;`-separated statements without parameters, one round trip; one result per statement. */
  async queryMany(sql: string): Promise<PgQueryResult[]> {
    return (await this.call({ op: 'many', sql, params: [] })).results ?? [];
  }

  /** Ends the session and its worker; calls in flight fail as closed. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.drop(new PgClosedError('connection closed'));
  }

  private call(message: { op: 'query' | 'many'; sql: string; params: readonly unknown[] } & StatementOptions): Promise<Reply> {
    if (this.closed) return Promise.reject(new PgClosedError('connection closed'));
    const channel = this.open();
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        // The worker may be stuck on a dead connection: replace it (the next call opens a new session).
        this.drop(new PgTimeoutError(`no answer from PostgreSQL within ${this.options.replyTimeoutMs} ms`));
      }, this.options.replyTimeoutMs);
      timer.unref();
      this.pending.set(id, { resolve, reject, timer });
      channel.port.postMessage({ ...message, id });
    });
  }

  private open(): SessionWorker {
    if (this.channel !== undefined) return this.channel;
    const channel = startSessionWorker(this.options);
    channel.port.on('message', (reply: Reply) => {
      const waiting = this.pending.get(reply.id);
      if (waiting === undefined) return;
      this.pending.delete(reply.id);
      clearTimeout(waiting.timer);
      if (reply.error === undefined) waiting.resolve(reply);
      else waiting.reject(new PgQueryError(reply.error.message, reply.error.code, reply.error.constraint));
    });
    // A listening port keeps the process alive; the worker is unref'd, so is the port.
    channel.port.unref();
    channel.worker.on('error', (error) => {
      if (this.channel === channel) this.drop(new PgClosedError(`PostgreSQL session worker failed: ${error.message}`));
    });
    this.channel = channel;
    return channel;
  }

  private drop(error: Error): void {
    const channel = this.channel;
    this.channel = undefined;
    for (const [id, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      this.pending.delete(id);
      waiting.reject(error);
    }
    if (channel === undefined) return;
    channel.port.close();
    void channel.worker.terminate();
  }
}

/** A few AsyncPgSessions, each lent to one transaction at a time. */
export class AsyncPgPool {
  private readonly idle: AsyncPgSession[];
  private readonly all: AsyncPgSession[];
  private readonly waiting: ((session: AsyncPgSession) => void)[] = [];

  constructor(options: PgSessionOptions, size: number) {
    this.all = Array.from({ length: Math.max(1, size) }, () => new AsyncPgSession(options));
    this.idle = [...this.all];
  }

  /**
   * Opens every session now, in the background (a failure is left for the first real call to
   * meet and report): the first notifications of a storm then do not wait for connections.
   */
  warm(): void {
    for (const session of this.all) void session.query('SELECT 1').catch(() => undefined);
  }

  /** Runs `fn` with a session of its own; the session goes back to the pool when `fn` settles. */
  async with<T>(fn: (session: AsyncPgSession) => Promise<T>): Promise<T> {
    const session = this.idle.pop() ?? (await new Promise<AsyncPgSession>((resolve) => this.waiting.push(resolve)));
    try {
      return await fn(session);
    } finally {
      const next = this.waiting.shift();
      if (next === undefined) this.idle.push(session);
      else next(session);
    }
  }

  close(): void {
    for (const session of this.all) session.close();
  }
}
