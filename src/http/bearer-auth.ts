// Bearer-token check with a constant-time comparison; the token is never logged or echoed, and may rotate.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendProblem } from './problem.js';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Compares in constant time, whatever the lengths (both sides are hashed to 32 bytes first). */
export function tokensMatch(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/**
 * The expected token: fixed, or read on every request (a WatchedFile's current value, so a
 * rotated token file takes effect without a restart); undefined = open.
 */
export type TokenSource = string | (() => string) | undefined;

function expectedToken(source: TokenSource): string | undefined {
  return typeof source === 'function' ? source() : source;
}

/**
 * True when no token is configured or the request carries `Authorization: Bearer <token>`; otherwise
 * answers 401 itself and returns false.
 */
export function authorize(req: IncomingMessage, res: ServerResponse, source: TokenSource): boolean {
  const expected = expectedToken(source);
  if (expected === undefined) return true;
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match?.[1] !== undefined && tokensMatch(match[1], expected)) return true;
  res.setHeader('WWW-Authenticate', 'Bearer realm="agentswarm-exporter"');
  sendProblem(res, 401, 'authorization: expected a valid bearer token');
  return false;
}

/** Middleware requiring `Authorization: Bearer <token>` when a token is configured; open otherwise. */
export function bearerAuth(expected: TokenSource, onUnauthorized?: (req: Request) => void): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (authorize(req, res, expected)) {
      next();
      return;
    }
    onUnauthorized?.(req);
  };
}
