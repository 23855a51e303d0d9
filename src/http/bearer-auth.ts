// Bearer-token check with a constant-time comparison; the token is never logged or echoed.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendProblem } from './problem.js';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Compares in constant time, whatever the lengths (both sides are hashed to 32 bytes first). */
export function tokensMatch(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** Middleware requiring `Authorization: Bearer <token>` when a token is configured; open otherwise. */
export function bearerAuth(expected: string | undefined, onUnauthorized?: (req: Request) => void): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (expected === undefined) {
      next();
      return;
    }
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match?.[1] !== undefined && tokensMatch(match[1], expected)) {
      next();
      return;
    }
    onUnauthorized?.(req);
    res.set('WWW-Authenticate', 'Bearer realm="agentswarm-exporter"');
    sendProblem(res, 401, 'authorization: expected a valid bearer token');
  };
}
