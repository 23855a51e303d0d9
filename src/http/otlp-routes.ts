// OTLP/HTTP metrics receiver: POST /v1/metrics (protobuf or JSON, optionally gzip) onto agent samples.
import { createGunzip } from 'node:zlib';
import { Router, type Request, type Response } from 'express';
import type { Logger } from '../runtime/logger.js';
import type { SampleSink } from '../model/sample.js';
import { decodeJsonRequest } from '../ingest/otlp/decode-json.js';
import { decodeProtobufRequest } from '../ingest/otlp/decode-protobuf.js';
import { encodeExportResponse, encodeStatus, exportResponseJson, type ExportOutcome } from '../ingest/otlp/encode-response.js';
import { OtlpDeltaState, mapOtlpRequest } from '../ingest/otlp/otlp-to-samples.js';
import { defaultOtlpMapping, type OtlpMapping } from '../config/otlp-mapping.js';
import type { DecodeResult } from '../ingest/otlp/otlp-model.js';
import { bearerAuth, type TokenSource } from './bearer-auth.js';
import type { TurnQueue } from '../runtime/turn-queue.js';

/** docs/reliability.md#the-figures: ingest bodies are at most 1 MiB — after decompression, so a gzip bomb stops there. */
export const OTLP_MAX_BODY_BYTES = 1024 * 1024;

export interface OtlpRouteDeps {
  readonly sink: SampleSink;
  /** Defaults to the GenAI mapping (see otlp-mapping.ts). */
  readonly mapping?: OtlpMapping;
  /** Ingest bearer token (`web.auth.ingest_token_file`); undefined = open. */
  readonly token?: TokenSource;
  readonly maxBodyBytes?: number;
  readonly logger?: Logger;
  /**
   * Registers an agent named by an export, even one that yields no sample yet (a first cumulative
   * export that only primes the delta state): the agent is then listed and up from its first export.
   */
  readonly announce?: (swarm: string, agent: string) => void;
  /** ns since the epoch: a new agent's first cumulative point that started at or after it is data (see otlp-to-samples.ts). */
  readonly firstCumulativeSinceNs?: () => bigint;
  /** Where a body waits for its turn before it is decoded and ingested (runtime/turn-queue.ts); none: at once. */
  readonly turns?: TurnQueue;
}

type Encoding = 'protobuf' | 'json';

/** google.rpc.Code values used in error bodies. */
const INVALID_ARGUMENT = 3;

class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function encodingOf(req: Request): Encoding | undefined {
  const type = (req.get('content-type') ?? '').split(';', 1)[0]?.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

/** Reads the body (gunzipping when asked) up to `limit` bytes of content; rejects with a BodyError. */
function readBody(req: Request, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const contentEncoding = (req.get('content-encoding') ?? 'identity').toLowerCase();
    if (contentEncoding !== 'identity' && contentEncoding !== 'gzip') {
      reject(new BodyError(415, `content-encoding: expected gzip or none, got ${JSON.stringify(contentEncoding)}`));
      return;
    }
    const declared = Number(req.get('content-length') ?? 'NaN');
    if (contentEncoding === 'identity' && declared > limit) {
      reject(new BodyError(413, `body: expected at most ${limit} bytes`));
      return;
    }
    const source = contentEncoding === 'gzip' ? req.pipe(createGunzip()) : req;
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (error: BodyError): void => {
      if (settled) return;
      settled = true;
      if (source !== req) source.destroy();
      req.unpipe();
      reject(error);
    };
    source.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) {
        fail(new BodyError(413, `body: expected at most ${limit} bytes${contentEncoding === 'gzip' ? ' after decompression' : ''}`));
        return;
      }
      chunks.push(chunk);
    });
    source.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks, size));
    });
    source.on('error', () => fail(new BodyError(400, 'body: invalid gzip data')));
    req.on('error', () => fail(new BodyError(400, 'body: request aborted')));
  });
}

function sendError(res: Response, encoding: Encoding, status: number, message: string, closeAfter = false): void {
  if (closeAfter) res.set('Connection', 'close');
  if (encoding === 'protobuf')
    res
      .status(status)
      .type('application/x-protobuf')
      .send(Buffer.from(encodeStatus(INVALID_ARGUMENT, message)));
  else res.status(status).json({ code: INVALID_ARGUMENT, message });
}

function sendOutcome(res: Response, encoding: Encoding, outcome: ExportOutcome): void {
  if (encoding === 'protobuf')
    res
      .status(200)
      .type('application/x-protobuf')
      .send(Buffer.from(encodeExportResponse(outcome)));
  else res.status(200).json(exportResponseJson(outcome));
}

/**
 * `POST /v1/metrics` per the OTLP/HTTP spec: 200 with an ExportMetricsServiceResponse (partial
 * success names dropped points: unattributed points and samples the registry refused), 400 with a
 * google.rpc.Status for an undecodable body, 413/415 for size and media type. Never 429/5xx for
 * bad input, so exporters do not retry garbage. Delta state lives in the router (one per receiver).
 */
export function createOtlpRoutes(deps: OtlpRouteDeps): Router {
  const mapping = deps.mapping ?? defaultOtlpMapping();
  const limit = deps.maxBodyBytes ?? OTLP_MAX_BODY_BYTES;
  const state = new OtlpDeltaState(mapping.max_series);
  const log = deps.logger?.child({ component: 'otlp' });
  const router = Router();

  router.post('/v1/metrics', bearerAuth(deps.token), async (req, res) => {
    const encoding = encodingOf(req);
    if (encoding === undefined) {
      res.status(415).json({
        code: INVALID_ARGUMENT,
        message: `content-type: expected application/x-protobuf or application/json, got ${JSON.stringify(req.get('content-type') ?? 'none')}`,
      });
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(req, limit);
    } catch (error) {
      const status = error instanceof BodyError ? error.status : 400;
      sendError(res, encoding, status, (error as Error).message, status === 413);
      if (status === 413) res.on('finish', () => req.socket.destroy());
      return;
    }
    // One body per turn of the event loop, behind the pushes and exports that came first: the decode
    // and ingest below run in this body's turn.
    if (deps.turns) await deps.turns.turn();
    let decoded: DecodeResult;
    if (encoding === 'protobuf') {
      decoded = decodeProtobufRequest(body);
    } else {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        sendError(res, encoding, 400, 'body: expected valid JSON');
        return;
      }
      decoded = decodeJsonRequest(parsed);
    }
    if (!decoded.ok) {
      sendError(res, encoding, 400, decoded.reason);
      return;
    }
    const since = deps.firstCumulativeSinceNs?.();
    const mapped = mapOtlpRequest(decoded.request, mapping, state, since === undefined ? {} : { firstCumulativeSinceNs: since });
    const ingested = mapped.samples.length > 0 ? deps.sink.ingest(mapped.samples, 'otlp') : { accepted: 0, rejected: 0, errors: [] };
    if (deps.announce) for (const { swarm, agent } of mapped.agents) deps.announce(swarm, agent);
    const messages: string[] = [];
    if (mapped.unattributed > 0)
      messages.push(`${mapped.unattributed} data points name no agent (looked for ${mapping.agent_attributes.join(', ')})`);
    if (ingested.rejected > 0) messages.push(`${ingested.rejected} samples rejected: ${ingested.errors[0]?.reason ?? ''}`);
    const outcome = { rejected: mapped.unattributed + ingested.rejected, message: messages.join('; ') };
    if (outcome.rejected > 0) log?.debug({ rejected: outcome.rejected, reason: outcome.message }, 'otlp partial success');
    sendOutcome(res, encoding, outcome);
  });
  return router;
}
