// Error responses: one JSON shape, a message that names the field and the rule. Written with plain
// node:http calls so both express routes and the ingest fast lane share it.
import type { ServerResponse } from 'node:http';

export interface ProblemBody {
  readonly error: string;
  readonly errors?: readonly { readonly index: number; readonly reason: string }[];
}

/** Sends a JSON body with a status; works on an express Response too (it is a ServerResponse). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

export function sendProblem(res: ServerResponse, status: number, error: string, extra?: Omit<ProblemBody, 'error'>): void {
  sendJson(res, status, { error, ...extra });
}
