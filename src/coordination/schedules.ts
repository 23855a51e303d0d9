// coordination.schedules: node-cron jobs that create tasks (e.g. a periodic performance_sync).
import cron from 'node-cron';
import type { CoordinationType, Priority } from '../model/coordination-vocabulary.js';

export interface ScheduleSpec {
  readonly cron: string;
  readonly type: CoordinationType;
  readonly priority: Priority;
  /** One swarm; undefined = every swarm known when the schedule fires. */
  readonly swarm?: string | undefined;
}

export interface CronJob {
  stop(): void;
}

/**
 * Starts `run` on a cron expression; tests pass a fake to fire schedules by hand. `run` gets the
 * slot's nominal time (ms), the same on every replica whatever its timer jitter: the key under
 * which a shared store lets one replica fire the slot.
 */
export type CronFactory = (expression: string, run: (slotAt?: number) => void) => CronJob;

/** node-cron 4: no overlapping runs, timers unref'd so a schedule never keeps the process alive. */
export const nodeCronFactory: CronFactory = (expression, run) => {
  // The nominal time, rounded to the second: node-cron's context date is the matched second.
  const task = cron.schedule(expression, (context) => run(Math.round(context.date.getTime() / 1000) * 1000), {
    noOverlap: true,
    unref: true,
  });
  return { stop: () => void task.destroy() };
};

/** Errors naming each bad schedule (`coordination.schedules[1].cron: ...`), empty when all are valid. */
export function validateSchedules(schedules: readonly ScheduleSpec[]): string[] {
  const errors: string[] = [];
  schedules.forEach((schedule, index) => {
    const result = cron.validateDetailed(schedule.cron);
    if (!result.valid) {
      const detail = result.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
      errors.push(
        `coordination.schedules[${index}].cron: expected a cron expression such as "*/5 * * * *", got ${JSON.stringify(schedule.cron)}${detail === '' ? '' : ` (${detail})`}`,
      );
    }
  });
  return errors;
}

/** Starts every schedule; `fire(spec, index)` is called on each tick and must not throw. */
export function startSchedules(
  schedules: readonly ScheduleSpec[],
  factory: CronFactory,
  fire: (spec: ScheduleSpec, index: number, slotAt: number | undefined) => void,
): CronJob[] {
  const errors = validateSchedules(schedules);
  if (errors.length > 0) throw new Error(errors.join('\n'));
  return schedules.map((spec, index) => factory(spec.cron, (slotAt) => fire(spec, index, slotAt)));
}
