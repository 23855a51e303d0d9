// JSON request bodies: content type check (415), size limit before the body is read whole (413),
// parse errors (400). JSON.parse keeps "__proto__" as a plain own key; handlers never merge bodies
// into objects, so it cannot change a prototype.
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { sendProblem } from './problem.js';

/** RELIABILITY: ingest bodies are at most 1 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Requires application/json when a body is present; an empty body is allowed where `optional`. */
export function requireJson(options: { optional?: boolean } = {}): RequestHandler {
  return (req, res, next) => {
    const length = req.get('content-length');
    const hasBody = req.get('transfer-encoding') !== undefined || (length !== undefined && length !== '0');
    if (!hasBody) {
      if (options.optional) {
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
    next();
  };
}

export const parseJson: RequestHandler = express.json({ limit: MAX_BODY_BYTES, strict: false, type: () => true });

interface BodyParserError {
  readonly type?: string;
  readonly status?: number;
}

/** Maps body-parser failures to clear 4xx answers; anything else is a 500 without details. */
export function bodyErrorHandler(onUnexpected: (error: unknown) => void): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const e = (error ?? {}) as BodyParserError;
    switch (e.type) {
      case 'entity.too.large':
        sendProblem(res, 413, `body: expected at most ${MAX_BODY_BYTES} bytes`);
        return;
      case 'entity.parse.failed':
        sendProblem(res, 400, 'body: expected valid JSON');
        return;
      case 'encoding.unsupported':
      case 'charset.unsupported':
        sendProblem(res, 415, 'content-type: expected UTF-8 JSON without content encoding');
        return;
      case 'request.aborted':
      case 'request.size.invalid':
        sendProblem(res, 400, 'body: the request body was incomplete');
        return;
      default:
        if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
          sendProblem(res, e.status, 'request: rejected');
          return;
        }
        onUnexpected(error);
        sendProblem(res, 500, 'internal error');
    }
  };
}
