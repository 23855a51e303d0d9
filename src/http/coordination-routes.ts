// Task API: GET /api/v1/coordination/tasks[?status=&type=], GET .../tasks/{id}, POST .../tasks.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { TaskApi } from '../coordination/coordination-api.js';
import { attemptJson, incidentJson, taskJson } from '../coordination/task-json.js';
import { AGENT_ID_PATTERN, SWARM_NAME_PATTERN } from '../model/canonical-metrics.js';
import { COORDINATION_TYPES, PRIORITIES, TASK_STATUSES } from '../model/coordination-vocabulary.js';
import { isStoreUnavailable } from '../persistence/store-errors.js';
import { bearerAuth, type TokenSource } from './bearer-auth.js';
import { jsonBody } from './json-body.js';
import { sendProblem } from './problem.js';

export interface CoordinationRouteDeps {
  readonly api: TaskApi;
  /** Contents of web.auth.api_token_file; undefined = open. */
  readonly token: TokenSource;
}

export const TASKS_PATH = '/api/v1/coordination/tasks';

const listQuery = z
  .object({
    status: z.enum(TASK_STATUSES).optional(),
    type: z.enum(COORDINATION_TYPES).optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
    before: z.coerce.number().int().min(1).optional(),
  })
  .strict();

const createBody = z
  .object({
    type: z.enum(COORDINATION_TYPES),
    priority: z.enum(PRIORITIES),
    swarm: z.string().regex(SWARM_NAME_PATTERN, 'expected a swarm name').optional(),
    agents: z.array(z.string().regex(AGENT_ID_PATTERN, 'expected an agent id')).max(1000).optional(),
    reason: z.string().max(1024).optional(),
  })
  .strict();

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function firstIssue(error: z.ZodError, root: string): string {
  const issue = error.issues[0];
  if (issue === undefined) return `${root}: invalid`;
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  const where = `${root}${path}`;
  if (issue.code === 'unrecognized_keys') return `${where}: unknown field ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  if (issue.code === 'invalid_value')
    return `${where}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describe(issue.input)}`;
  if (issue.code === 'invalid_type') return `${where}: expected ${issue.expected}, got ${describe(issue.input)}`;
  return `${where}: ${issue.message.replace(/^Invalid input: /, '')}, got ${describe(issue.input)}`;
}

function unavailable(res: Response, error: unknown): void {
  if (!isStoreUnavailable(error)) throw error;
  res.set('Retry-After', '5');
  sendProblem(res, 503, `store: ${error.message}; retry`);
}

export function createCoordinationRoutes(deps: CoordinationRouteDeps): Router {
  const { api } = deps;
  const router = Router();
  const auth = bearerAuth(deps.token);

  router.get(TASKS_PATH, auth, (req: Request, res: Response) => {
    const query = listQuery.safeParse(req.query, { reportInput: true });
    if (!query.success) {
      sendProblem(res, 400, firstIssue(query.error, 'query'));
      return;
    }
    const { status, type, limit, before } = query.data;
    try {
      const tasks = api.listTasks({ status, type, limit: limit ?? 100, beforeSeq: before });
      const last = tasks.at(-1);
      res.json({
        tasks: tasks.map(taskJson),
        // Cursor for the next (older) page: pass it as ?before=.
        next_before: last !== undefined && tasks.length === (limit ?? 100) ? last.seq : null,
      });
    } catch (error) {
      unavailable(res, error);
    }
  });

  router.get(`${TASKS_PATH}/:id`, auth, (req: Request, res: Response) => {
    const id = String(req.params.id ?? '');
    try {
      const detail = api.taskDetail(id);
      if (detail === undefined) {
        sendProblem(res, 404, `id: no task ${JSON.stringify(id.slice(0, 128))}`);
        return;
      }
      res.json({ ...taskJson(detail.task), attempts: detail.attempts.map(attemptJson), incidents: detail.incidents.map(incidentJson) });
    } catch (error) {
      unavailable(res, error);
    }
  });

  router.post(TASKS_PATH, auth, jsonBody(), (req: Request, res: Response) => {
    if (!api.accepting) {
      res.set('Retry-After', '5');
      sendProblem(res, 503, 'coordination: shutting down or not started; retry');
      return;
    }
    const body = createBody.safeParse(req.body, { reportInput: true });
    if (!body.success) {
      sendProblem(res, 422, firstIssue(body.error, 'body'));
      return;
    }
    try {
      const task = api.createTask(body.data);
      res
        .status(201)
        .location(`${TASKS_PATH}/${encodeURIComponent(task.id)}`)
        .json(taskJson(task));
    } catch (error) {
      unavailable(res, error);
    }
  });

  return router;
}
