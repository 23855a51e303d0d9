// The agent-side reporter: heartbeats, direct and batched metric pushes to the exporter's HTTP API (docs/design.md#http-routes),
// with bounded buffering, bounded concurrency, retry with backoff, and a flushing stop. Runtime-dependency-free.
import type { Clock } from '../model/clock.js';
import { DEFAULT_SWARM } from '../model/canonical-metrics.js';
import { ownerShard } from '../model/shard.js';
import { ConcurrencyLimiter } from './concurrency-limiter.js';
import { postJson } from './post-json.js';
import type { AttemptOutcome } from './post-json.js';
import { DEFAULT_RETRY_POLICY, backoffDelayMs } from './retry-policy.js';
import type { RetryPolicy } from './retry-policy.js';
import { sleep, systemTimers } from './timers.js';
import type { CancelTimer, Timers } from './timers.js';

/** What a heartbeat tells the exporter about an agent (docs/design.md#http-routes); every field optional. */
export interface AgentInfo {
  readonly type?: string;
  readonly variant?: string;
  /** Concurrent task slots, > 0. */
  readonly capacity?: number;
  /** Free labels, bounded by the exporter (<= 32, values <= 1 KiB). */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Metric name -> value in the metric's base unit (ratios 0..1, seconds, tasks, tasks/s). */
export type MetricValues = Readonly<Record<string, number>>;

/** One rejected sample as the exporter reports it. */
export interface IngestError {
  readonly index: number;
  readonly reason: string;
}

export type Route = 'heartbeat' | 'metrics' | 'samples';

/** The final result of one logical send, after retries. */
export type DeliveryResult =
  | {
      readonly ok: true;
      readonly status: number;
      readonly accepted?: number;
      readonly rejected?: number;
      readonly errors?: readonly IngestError[];
    }
  | { readonly ok: false; readonly status?: number; readonly message: string; readonly attempts: number };

/** Things worth a log line; the reporter itself never logs. */
export type ReporterEvent =
  | { readonly type: 'retry'; readonly route: Route; readonly attempt: number; readonly delayMs: number; readonly message: string }
  | {
      readonly type: 'gave_up';
      readonly route: Route;
      readonly attempts: number;
      readonly status?: number;
      readonly message: string;
      readonly samples: number;
    }
  | { readonly type: 'rejected'; readonly route: Route; readonly rejected: number; readonly errors: readonly IngestError[] }
  | { readonly type: 'dropped'; readonly samples: number; readonly reason: 'buffer_full' | 'stopped' | 'not_finite' };

export interface ReporterStats {
  /** HTTP attempts made, retries included. */
  readonly requests: number;
  readonly retries: number;
  /** Logical sends that ended with a 2xx. */
  readonly delivered: number;
  /** Logical sends that ended without a 2xx. */
  readonly failures: number;
  readonly heartbeats: number;
  /** Samples the exporter accepted (its 202 `accepted`). */
  readonly samplesAccepted: number;
  /** Samples the exporter rejected (its 202 `rejected`, or the whole request on a 4xx). */
  readonly samplesRejected: number;
  /** Samples never delivered: buffer overflow, given up after retries, stopped, not finite. */
  readonly samplesDropped: number;
  /** Samples waiting in the batch buffer right now. */
  readonly buffered: number;
}

export interface BatchOptions {
  /** Samples per `POST /api/v1/samples`, >= 1. Default 1000. */
  readonly maxSamples?: number;
  /** Longest a recorded sample waits before its batch is sent, ms. Default 1000. */
  readonly maxDelayMs?: number;
  /** Samples held while the exporter is slow or down; the oldest are dropped beyond. Default 100 000. */
  readonly maxBufferedSamples?: number;
}

export interface ReporterOptions {
  /** Base URL of the exporter, e.g. "http://127.0.0.1:10464" (required unless `shardTargets` is set). */
  readonly target?: string;
  /**
   * Sharded exporters: the replica URLs in shard order (`--shard=0/n` first). The reporter sends
   * to the one owning its swarm, hashmod(swarm, n) as Prometheus' relabeling computes it, so it
   * never meets a 421. Takes precedence over `target`.
   */
  readonly shardTargets?: readonly string[];
  /** Swarm put on every request; absent = the exporter's default swarm. */
  readonly swarm?: string;
  /** Bearer token for `web.auth.ingest_token_file`. */
  readonly token?: string;
  readonly batch?: BatchOptions;
  readonly retry?: Partial<RetryPolicy>;
  /** Requests in flight at once across every route, >= 1. Default 4. */
  readonly maxConcurrentRequests?: number;
  /** Deadline of one HTTP attempt, ms. Default 10 000. */
  readonly requestTimeoutMs?: number;
  /** How long `stop()` keeps flushing and retrying before it aborts and drops the rest, ms. Default 5000. */
  readonly stopTimeoutMs?: number;
  /** Put the recording time on batched samples (default true); false lets the exporter stamp them on arrival. */
  readonly timestamps?: boolean;
  readonly clock?: Pick<Clock, 'now'>;
  readonly timers?: Timers;
  /** Uniform in [0, 1), for backoff jitter. */
  readonly random?: () => number;
  readonly fetch?: typeof fetch;
  readonly onEvent?: (event: ReporterEvent) => void;
}

/** A running heartbeat loop. */
export interface HeartbeatLoop {
  stop(): void;
}

interface BufferedSample {
  readonly swarm?: string;
  readonly agent: string;
  readonly metric: string;
  readonly value: number;
  readonly timestamp?: number;
}

interface MutableStats {
  requests: number;
  retries: number;
  delivered: number;
  failures: number;
  heartbeats: number;
  samplesAccepted: number;
  samplesRejected: number;
  samplesDropped: number;
}

/**
 * Pushes one or many agents' data to an exporter.
 *
 * - `heartbeat()` / `startHeartbeat()`: `POST /api/v1/agents/{agent}/heartbeat`.
 * - `sendMetrics()`: one agent's sample now, `POST /api/v1/agents/{agent}/metrics`.
 * - `record()`: buffered; sent in batches through `POST /api/v1/samples` when `maxSamples` are
 *   waiting or `maxDelayMs` after the oldest arrived, whichever comes first.
 *
 * 5xx, 408, 425 and network errors are retried with jittered exponential backoff while the request
 * keeps its concurrency slot (so an exporter in trouble sees less traffic, not more); other 4xx
 * are final. `stop()` ends the loops, flushes the buffer and waits for in-flight requests, for at
 * most `stopTimeoutMs`.
 */
export class AgentReporter {
  private readonly base: string;
  private readonly swarm: string | undefined;
  private readonly token: string | undefined;
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  private readonly maxBuffered: number;
  private readonly policy: RetryPolicy;
  private readonly requestTimeoutMs: number;
  private readonly stopTimeoutMs: number;
  private readonly stampSamples: boolean;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly fetchImpl: typeof fetch;
  private readonly emit: (event: ReporterEvent) => void;
  private readonly limiter: ConcurrencyLimiter;

  private buffer: BufferedSample[] = [];
  private flushRequested = false;
  private cancelFlushTimer: CancelTimer | undefined;
  private pumping: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly loops = new Set<HeartbeatLoop>();
  private readonly hardStop = new AbortController();
  private stopping: Promise<void> | undefined;
  private readonly counters: MutableStats = {
    requests: 0,
    retries: 0,
    delivered: 0,
    failures: 0,
    heartbeats: 0,
    samplesAccepted: 0,
    samplesRejected: 0,
    samplesDropped: 0,
  };

  constructor(options: ReporterOptions) {
    this.base = shardTarget(
      options.swarm ?? DEFAULT_SWARM,
      options.shardTargets ?? (options.target === undefined ? [] : [options.target]),
    ).replace(/\/+$/, '');
    this.swarm = options.swarm;
    this.token = options.token;
    this.maxBatch = positiveInt('batch.maxSamples', options.batch?.maxSamples ?? 1000);
    this.maxDelayMs = nonNegative('batch.maxDelayMs', options.batch?.maxDelayMs ?? 1000);
    this.maxBuffered = positiveInt('batch.maxBufferedSamples', options.batch?.maxBufferedSamples ?? 100_000);
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    positiveInt('retry.maxAttempts', this.policy.maxAttempts);
    this.requestTimeoutMs = nonNegative('requestTimeoutMs', options.requestTimeoutMs ?? 10_000);
    this.stopTimeoutMs = nonNegative('stopTimeoutMs', options.stopTimeoutMs ?? 5000);
    this.stampSamples = options.timestamps ?? true;
    this.clock = options.clock ?? { now: () => Date.now() };
    this.timers = options.timers ?? systemTimers;
    this.random = options.random ?? Math.random;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.emit = options.onEvent ?? (() => undefined);
    this.limiter = new ConcurrencyLimiter(options.maxConcurrentRequests ?? 4);
  }

  /** Registers or keeps alive `agent`. Never throws; the result says how it ended. */
  heartbeat(agent: string, info: AgentInfo = {}): Promise<DeliveryResult> {
    if (this.stopping !== undefined) return Promise.resolve(stoppedResult());
    this.counters.heartbeats += 1;
    const body = { ...(this.swarm === undefined ? {} : { swarm: this.swarm }), ...info };
    return this.track(this.withSlot(() => this.deliver('heartbeat', this.agentUrl(agent, 'heartbeat'), body, 0)));
  }

  /**
   * Heartbeats `agent` now and every `intervalMs` until stopped (by the handle or by `stop()`).
   * A beat is skipped while the previous one is still in flight, so beats never pile up.
   */
  startHeartbeat(agent: string, info: AgentInfo, intervalMs: number): HeartbeatLoop {
    positiveInt('intervalMs', Math.ceil(intervalMs));
    let cancel: CancelTimer | undefined;
    let busy = false;
    let stopped = false;
    const loop: HeartbeatLoop = {
      stop: () => {
        stopped = true;
        cancel?.();
        this.loops.delete(loop);
      },
    };
    const beat = (): void => {
      if (stopped) return;
      cancel = this.timers.schedule(intervalMs, beat);
      if (busy) return;
      busy = true;
      void this.heartbeat(agent, info).finally(() => {
        busy = false;
      });
    };
    this.loops.add(loop);
    beat();
    return loop;
  }

  /** Sends one agent's sample at once (unbatched); `timestampMs` defaults to arrival time at the exporter. */
  sendMetrics(agent: string, metrics: MetricValues, timestampMs?: number): Promise<DeliveryResult> {
    if (this.stopping !== undefined) return Promise.resolve(stoppedResult());
    const finite = this.finiteOnly(metrics);
    const body = {
      ...(this.swarm === undefined ? {} : { swarm: this.swarm }),
      ...(timestampMs === undefined ? {} : { timestamp: timestampMs }),
      metrics: finite,
    };
    const count = Object.keys(finite).length;
    // The exporter refuses an empty `metrics` with a 400: say so here instead of asking.
    if (count === 0) return Promise.resolve({ ok: false, message: 'metrics: no finite value to send', attempts: 0 });
    return this.track(this.withSlot(() => this.deliver('metrics', this.agentUrl(agent, 'metrics'), body, count)));
  }

  /**
   * Buffers `metrics` of `agent` for the next batch. Non-finite values are dropped here (JSON has
   * no NaN). When the buffer is full the oldest samples are dropped: fresh data matters more.
   */
  record(agent: string, metrics: MetricValues, timestampMs?: number): void {
    if (this.stopping !== undefined) {
      this.drop(Object.keys(metrics).length, 'stopped');
      return;
    }
    const stamp = timestampMs ?? (this.stampSamples ? this.clock.now() : undefined);
    for (const [metric, value] of Object.entries(metrics)) {
      if (!Number.isFinite(value)) {
        this.drop(1, 'not_finite');
        continue;
      }
      this.buffer.push({
        ...(this.swarm === undefined ? {} : { swarm: this.swarm }),
        agent,
        metric,
        value,
        ...(stamp === undefined ? {} : { timestamp: stamp }),
      });
    }
    const excess = this.buffer.length - this.maxBuffered;
    if (excess > 0) {
      this.buffer.splice(0, excess);
      this.drop(excess, 'buffer_full');
    }
    this.pump();
    // Also when a pump is running: whatever it leaves behind still leaves within maxDelayMs.
    if (this.buffer.length > 0) this.armFlushTimer();
  }

  /** Sends everything buffered now and resolves when every batch and request in flight has ended. */
  async flush(): Promise<void> {
    for (;;) {
      if (this.buffer.length > 0) {
        this.flushRequested = true;
        this.pump();
      }
      const pending = [...this.inFlight, ...(this.pumping === undefined ? [] : [this.pumping])];
      if (pending.length === 0 && this.buffer.length === 0) return;
      await Promise.all(pending);
    }
  }

  /**
   * Stops heartbeat loops and timers, flushes the buffer and waits for requests in flight. After
   * `stopTimeoutMs` the rest is aborted and counted as dropped, so stop always ends. Idempotent.
   */
  stop(): Promise<void> {
    if (this.stopping !== undefined) return this.stopping;
    for (const loop of [...this.loops]) loop.stop();
    this.cancelFlushTimer?.();
    this.cancelFlushTimer = undefined;
    const cancelDeadline = this.timers.schedule(this.stopTimeoutMs, () => this.hardStop.abort());
    this.stopping = this.flush().finally(cancelDeadline);
    return this.stopping;
  }

  stats(): ReporterStats {
    return { ...this.counters, buffered: this.buffer.length };
  }

  // --- batching -------------------------------------------------------------------------------

  private armFlushTimer(): void {
    if (this.cancelFlushTimer !== undefined || this.stopping !== undefined) return;
    this.cancelFlushTimer = this.timers.schedule(this.maxDelayMs, () => {
      this.cancelFlushTimer = undefined;
      this.flushRequested = true;
      this.pump();
    });
  }

  private shouldCut(): boolean {
    return this.buffer.length >= this.maxBatch || (this.flushRequested && this.buffer.length > 0);
  }

  /** Starts cutting batches unless a pump is already running; batches leave in recording order. */
  private pump(): void {
    // runPump always awaits before it ends, so its `finally` runs after this assignment.
    if (this.pumping !== undefined || !this.shouldCut()) return;
    this.pumping = this.runPump();
  }

  /** Cuts batches while there is something to cut, each as soon as a concurrency slot is free. */
  private async runPump(): Promise<void> {
    try {
      while (this.shouldCut()) {
        const release = await this.limiter.acquire(true);
        if (this.hardStop.signal.aborted) {
          release();
          this.drop(this.buffer.length, 'stopped');
          this.buffer = [];
          break;
        }
        if (!this.shouldCut()) {
          release();
          break;
        }
        const batch = this.buffer.splice(0, this.maxBatch);
        // Not awaited: the pump goes on cutting while this batch is sent. deliver() resolves with its outcome
        // rather than rejecting, and flush() and stop() wait for it through inFlight.
        void this.track(this.deliver('samples', `${this.base}/api/v1/samples`, { samples: batch }, batch.length).finally(release));
      }
      if (this.buffer.length === 0) this.flushRequested = false;
      else this.armFlushTimer();
    } finally {
      this.pumping = undefined;
    }
  }

  // --- delivery -------------------------------------------------------------------------------

  private async withSlot(send: () => Promise<DeliveryResult>): Promise<DeliveryResult> {
    const release = await this.limiter.acquire();
    try {
      return await send();
    } finally {
      release();
    }
  }

  /** Tries `body` up to `maxAttempts` times; accounts samples exactly once whatever the ending. */
  private async deliver(route: Route, url: string, body: unknown, samples: number): Promise<DeliveryResult> {
    let last: AttemptOutcome | undefined;
    let attempts = 0;
    while (attempts < this.policy.maxAttempts && !this.hardStop.signal.aborted) {
      attempts += 1;
      this.counters.requests += 1;
      last = await postJson(url, body, {
        fetch: this.fetchImpl,
        timers: this.timers,
        now: () => this.clock.now(),
        timeoutMs: this.requestTimeoutMs,
        signal: this.hardStop.signal,
        ...(this.token === undefined ? {} : { token: this.token }),
      });
      if (last.kind === 'ok') return this.accepted(route, last.status, last.body, samples);
      if (last.kind === 'fail') break;
      if (attempts >= this.policy.maxAttempts || this.hardStop.signal.aborted) break;
      const delayMs = backoffDelayMs(attempts, this.policy, this.random, last.retryAfterMs);
      this.counters.retries += 1;
      this.emit({ type: 'retry', route, attempt: attempts, delayMs, message: last.message });
      await sleep(this.timers, delayMs, this.hardStop.signal);
    }
    this.counters.failures += 1;
    const failed = last !== undefined && last.kind !== 'ok' ? last : undefined;
    const message = failed?.message ?? 'reporter stopped before the first attempt';
    const status = failed?.status;
    if (last?.kind === 'fail') this.counters.samplesRejected += samples;
    else this.counters.samplesDropped += samples;
    this.emit({ type: 'gave_up', route, attempts, message, samples, ...(status === undefined ? {} : { status }) });
    return { ok: false, message, attempts, ...(status === undefined ? {} : { status }) };
  }

  private accepted(route: Route, status: number, body: unknown, samples: number): DeliveryResult {
    this.counters.delivered += 1;
    // The exporter answers a heartbeat with `accepted: 1` too; that is an agent, not a sample.
    const answer = route === 'heartbeat' ? undefined : readIngestAnswer(body);
    if (answer === undefined) {
      this.counters.samplesAccepted += samples;
      return { ok: true, status };
    }
    this.counters.samplesAccepted += answer.accepted;
    this.counters.samplesRejected += answer.rejected;
    if (answer.rejected > 0) this.emit({ type: 'rejected', route, rejected: answer.rejected, errors: answer.errors });
    return { ok: true, status, ...answer };
  }

  private drop(samples: number, reason: 'buffer_full' | 'stopped' | 'not_finite'): void {
    if (samples <= 0) return;
    this.counters.samplesDropped += samples;
    this.emit({ type: 'dropped', samples, reason });
  }

  private finiteOnly(metrics: MetricValues): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [metric, value] of Object.entries(metrics)) {
      if (Number.isFinite(value)) out[metric] = value;
      else this.drop(1, 'not_finite');
    }
    return out;
  }

  private agentUrl(agent: string, action: 'heartbeat' | 'metrics'): string {
    return `${this.base}/api/v1/agents/${encodeURIComponent(agent)}/${action}`;
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
    return promise;
  }
}

/** The URL of the replica owning `swarm` among `urls` (shard order); the only URL when there is one. */
export function shardTarget(swarm: string, urls: readonly string[]): string {
  if (urls.length === 0) throw new RangeError('target: expected an exporter URL (target or shardTargets)');
  return urls[ownerShard(swarm, urls.length)] ?? '';
}

function stoppedResult(): DeliveryResult {
  return { ok: false, message: 'reporter stopped', attempts: 0 };
}

/** Reads the exporter's `{accepted, rejected, errors}` answer; undefined for any other body. */
function readIngestAnswer(body: unknown): { accepted: number; rejected: number; errors: IngestError[] } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const accepted = record['accepted'];
  const rejected = record['rejected'];
  if (typeof accepted !== 'number' || typeof rejected !== 'number') return undefined;
  const rawErrors = Array.isArray(record['errors']) ? (record['errors'] as unknown[]) : [];
  const errors: IngestError[] = [];
  for (const item of rawErrors) {
    if (typeof item !== 'object' || item === null) continue;
    const error = item as Record<string, unknown>;
    if (typeof error['index'] === 'number' && typeof error['reason'] === 'string')
      errors.push({ index: error['index'], reason: error['reason'] });
  }
  return { accepted, rejected, errors };
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name}: expected an integer >= 1, got ${value}`);
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name}: expected a finite number >= 0, got ${value}`);
  return value;
}
