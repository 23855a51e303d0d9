// Error responses: one JSON shape, a message that names the field and the rule.
import type { Response } from 'express';

export interface ProblemBody {
  readonly error: string;
  readonly errors?: readonly { readonly index: number; readonly reason: string }[];
}

export function sendProblem(res: Response, status: number, error: string, extra?: Omit<ProblemBody, 'error'>): void {
  res.status(status).json({ error, ...extra });
}
