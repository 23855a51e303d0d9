// JSON request bodies: content type (415), size limit enforced before the body is read whole (413),
// parse errors (400). JSON.parse keeps "__proto__" as a plain own key and handlers never merge bodies
// into objects, so a body cannot change a prototype.
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { sendProblem } from './problem.js';

/** RELIABILITY: ingest bodies are at most 1 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Refuses the request and closes the connection so the rest of an oversized body is never read. */
function refuseTooLarge(req: Request, res: Response, limit: number): void {
  res.set('Connection', 'close');
  sendProblem(res, 413, `body: expected at most ${limit} bytes`);
  req.unpipe();
  res.on('finish', () => req.socket.destroy());
}

export interface JsonBodyOptions {
  /** An empty body is allowed (req.body stays undefined). */
  readonly optional?: boolean;
  readonly limit?: number;
}

/** Reads and parses a JSON body into req.body, answering 400/413/415 itself. */
export function jsonBody(options: JsonBodyOptions = {}): RequestHandler {
  const limit = options.limit ?? MAX_BODY_BYTES;
  return (req, res, next) => {
    const declared = req.get('content-length');
    const chunked = req.get('transfer-encoding') !== undefined;
    if (!chunked && (declared === undefined || declared === '0')) {
      if (options.optional) {
        req.body = undefined;
        next();
        return;
      }
      sendProblem(res, 400, 'body: expected a JSON object, got an empty body');
      return;
    }
    if (!req.is('application/json')) {
      sendProblem(res, 415, `content-type: expected application/json, got ${JSON.stringify(req.get('content-type') ?? 'none')}`);
      return;
    }
    const encoding = (req.get('content-encoding') ?? 'identity').toLowerCase();
    const charset = /charset=([^;\s]+)/i.exec(req.get('content-type') ?? '')?.[1]?.toLowerCase() ?? 'utf-8';
    if (encoding !== 'identity' || (charset !== 'utf-8' && charset !== 'utf8')) {
      sendProblem(res, 415, 'content-type: expected UTF-8 JSON without content encoding');
      return;
    }
    if (declared !== undefined && Number(declared) > limit) {
      refuseTooLarge(req, res, limit);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        refuseTooLarge(req, res, limit);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.concat(chunks, size).toString('utf8'));
      } catch {
        sendProblem(res, 400, 'body: expected valid JSON');
        return;
      }
      req.body = parsed;
      next();
    });
    req.on('error', () => {
      done = true;
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
