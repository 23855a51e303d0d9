// JSON request bodies: content type (415), size limit enforced before the body is read whole (413),
// parse errors (400). JSON.parse keeps "__proto__" as a plain own key and handlers never merge bodies
// into objects, so a body cannot change a prototype.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { TurnQueue } from '../runtime/turn-queue.js';
import { sendProblem } from './problem.js';

/** docs/reliability.md#the-figures: ingest bodies are at most 1 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Refuses the request and closes the connection so the rest of an oversized body is never read. */
function refuseTooLarge(req: IncomingMessage, res: ServerResponse, limit: number): void {
  res.setHeader('Connection', 'close');
  sendProblem(res, 413, `body: expected at most ${limit} bytes`);
  req.unpipe();
  res.on('finish', () => req.socket.destroy());
}

export interface JsonBodyOptions {
  /** An empty body is allowed (the body is then undefined). */
  readonly optional?: boolean;
  readonly limit?: number;
  /** Parse in this queue's turn (runtime/turn-queue.ts) instead of in the 'end' event: large bodies one per turn. */
  readonly turns?: TurnQueue;
}

/** The parsed body, or `handled` when a 4xx was already sent (or the request broke off). */
export type JsonBodyOutcome = { readonly ok: true; readonly body: unknown } | { readonly ok: false };

const HANDLED: JsonBodyOutcome = { ok: false };

/**
 * Reads and parses a JSON body with plain node:http calls, answering 400/413/415 itself. Shared by
 * the express middleware and the ingest fast lane.
 */
export function readJsonBody(req: IncomingMessage, res: ServerResponse, options: JsonBodyOptions = {}): Promise<JsonBodyOutcome> {
  const limit = options.limit ?? MAX_BODY_BYTES;
  const declared = req.headers['content-length'];
  const chunked = req.headers['transfer-encoding'] !== undefined;
  if (!chunked && (declared === undefined || declared === '0')) {
    if (options.optional) return Promise.resolve({ ok: true, body: undefined });
    sendProblem(res, 400, 'body: expected a JSON object, got an empty body');
    return Promise.resolve(HANDLED);
  }
  const contentType = req.headers['content-type'] ?? '';
  const semicolon = contentType.indexOf(';');
  const mediaType = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  if (mediaType !== 'application/json') {
    sendProblem(res, 415, `content-type: expected application/json, got ${JSON.stringify(contentType === '' ? 'none' : contentType)}`);
    return Promise.resolve(HANDLED);
  }
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  const charset = /charset=([^;\s]+)/i.exec(contentType)?.[1]?.toLowerCase() ?? 'utf-8';
  if (encoding !== 'identity' || (charset !== 'utf-8' && charset !== 'utf8')) {
    sendProblem(res, 415, 'content-type: expected UTF-8 JSON without content encoding');
    return Promise.resolve(HANDLED);
  }
  if (declared !== undefined && Number(declared) > limit) {
    refuseTooLarge(req, res, limit);
    return Promise.resolve(HANDLED);
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        refuseTooLarge(req, res, limit);
        resolve(HANDLED);
        return;
      }
      chunks.push(chunk);
    });
    const parse = (): void => {
      let parsed: unknown;
      try {
        parsed = JSON.parse((chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size)).toString('utf8'));
      } catch {
        sendProblem(res, 400, 'body: expected valid JSON');
        resolve(HANDLED);
        return;
      }
      resolve({ ok: true, body: parsed });
    };
    req.on('end', () => {
      if (done) return;
      done = true;
      if (!options.turns) parse();
      else
        options.turns
          .turn()
          .then(parse)
          .catch(() => {
            // parse answers every bad body itself; this is a fault of ours, and the request must not hang.
            if (!res.headersSent) sendProblem(res, 500, 'internal error');
            resolve(HANDLED);
          });
    });
    req.on('error', () => {
      done = true;
      resolve(HANDLED);
    });
  });
}

/** Express middleware: reads the JSON body into req.body, answering 400/413/415 itself. */
export function jsonBody(options: JsonBodyOptions = {}): RequestHandler {
  return (req, res, next) => {
    void readJsonBody(req, res, options).then((outcome) => {
      if (!outcome.ok) return;
      req.body = outcome.body;
      next();
    });
  };
}

/** Last-resort handler: a 500 without details, logged through `onUnexpected`. */
export function errorHandler(onUnexpected: (error: unknown) => void): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const status = (error as { status?: unknown } | null)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      sendProblem(res, status, 'request: rejected');
      return;
    }
    onUnexpected(error);
    sendProblem(res, 500, 'internal error');
  };
}
