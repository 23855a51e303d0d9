// The coordination and alert metrics of docs/design.md#metrics, on the Registry passed in (names from the catalogue).
import { Counter, Gauge, Histogram, type Registry } from '../runtime/prom.js';
import { METRICS } from '../model/metric-catalogue.js';
import { COORDINATION_TYPES, PRIORITIES, type CoordinationType, type Priority } from '../model/coordination-vocabulary.js';

/** `outcome` label values of agentswarm_coordination_tasks_total. */
export const TASK_OUTCOMES = ['created', 'succeeded', 'failed', 'cancelled'] as const;
export type TaskOutcome = (typeof TASK_OUTCOMES)[number];

/** `result` label values of agentswarm_alerts_received_total. */
export const ALERT_RESULTS = ['accepted', 'duplicate', 'invalid', 'unauthorized'] as const;
export type AlertResult = (typeof ALERT_RESULTS)[number];
/** `status` label values: the alert's status, "unknown" when the request was refused before parsing. */
export const ALERT_STATUSES = ['firing', 'resolved', 'unknown'] as const;
export type AlertStatusLabel = (typeof ALERT_STATUSES)[number];

// From a quick local POST (50 ms) to a slow receiver retried for an hour.
const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60, 120, 300, 900, 1800, 3600];

export class CoordinationMetrics {
  private readonly tasks: Counter<'coordination_type' | 'priority' | 'outcome'>;
  private readonly duration: Histogram<'coordination_type'>;
  private readonly impact: Gauge<'coordination_type'>;
  private readonly alerts: Counter<'status' | 'result'>;

  /**
   * @param queueDepth read at scrape time (the store is the truth, so the gauge matches the task
   *   API exactly); undefined (store unavailable) keeps the previous values.
   */
  constructor(registry: Registry, queueDepth: () => Record<Priority, number> | undefined) {
    const spec = METRICS;
    this.tasks = new Counter({
      name: spec.coordinationTasks.name,
      help: spec.coordinationTasks.help,
      labelNames: ['coordination_type', 'priority', 'outcome'],
      registers: [registry],
    });
    const depth: Gauge<'priority'> = new Gauge({
      name: spec.coordinationQueueDepth.name,
      help: spec.coordinationQueueDepth.help,
      labelNames: ['priority'],
      registers: [registry],
      collect: () => {
        const counts = queueDepth();
        if (counts !== undefined) for (const priority of PRIORITIES) depth.set({ priority }, counts[priority]);
      },
    });
    this.duration = new Histogram({
      name: spec.coordinationTaskDuration.name,
      help: spec.coordinationTaskDuration.help,
      labelNames: ['coordination_type'],
      buckets: DURATION_BUCKETS,
      registers: [registry],
    });
    this.impact = new Gauge({
      name: spec.coordinationImpact.name,
      help: spec.coordinationImpact.help,
      labelNames: ['coordination_type'],
      registers: [registry],
    });
    this.alerts = new Counter({
      name: spec.alertsReceived.name,
      help: spec.alertsReceived.help,
      labelNames: ['status', 'result'],
      registers: [registry],
    });
    // Known label values start at 0, so rate() and increase() see the first event.
    for (const coordination_type of COORDINATION_TYPES) {
      for (const priority of PRIORITIES) for (const outcome of TASK_OUTCOMES) this.tasks.inc({ coordination_type, priority, outcome }, 0);
    }
    for (const priority of PRIORITIES) depth.set({ priority }, 0);
    for (const status of ALERT_STATUSES) for (const result of ALERT_RESULTS) this.alerts.inc({ status, result }, 0);
  }

  task(type: CoordinationType, priority: Priority, outcome: TaskOutcome, count = 1): void {
    this.tasks.inc({ coordination_type: type, priority, outcome }, count);
  }

  /** Seconds from a task's first start to its final outcome. */
  taskDuration(type: CoordinationType, seconds: number): void {
    if (Number.isFinite(seconds) && seconds >= 0) this.duration.observe({ coordination_type: type }, seconds);
  }

  /** Latest impact ratio of a succeeded task of the type; non-finite values are never exposed. */
  impactRatio(type: CoordinationType, ratio: number): void {
    if (Number.isFinite(ratio)) this.impact.set({ coordination_type: type }, ratio);
  }

  alert(status: AlertStatusLabel, result: AlertResult, count = 1): void {
    if (count > 0) this.alerts.inc({ status, result }, count);
  }
}
