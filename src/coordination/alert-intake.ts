// Turns a validated Alertmanager notification into the store's IncomingAlerts (pure).
import type { IncomingAlert, TaskAlert } from '../model/task-records.js';
import type { AlertmanagerNotification, ReceivedAlert } from './alertmanager-payload.js';
import { mapAlertToTask, type MappingTable } from './alert-mapping.js';

/** The alert as a task carries it to the orchestrator (plain objects, RFC 3339 times). */
export function taskAlert(alert: ReceivedAlert): TaskAlert {
  return {
    fingerprint: alert.fingerprint,
    status: alert.status,
    labels: { ...alert.labels },
    annotations: { ...alert.annotations },
    startsAt: new Date(alert.startsAt).toISOString(),
    ...(alert.endsAt === undefined ? {} : { endsAt: new Date(alert.endsAt).toISOString() }),
    generatorURL: alert.generatorURL,
  };
}

/**
 * One IncomingAlert per alert, in order. Firing alerts that ask for a task carry it, with a
 * fresh id from `newId` (used only if the store decides to create it).
 */
export function incomingAlerts(notification: AlertmanagerNotification, mapping: MappingTable, newId: () => string): IncomingAlert[] {
  return notification.alerts.map((alert) => {
    const intent = alert.status === 'firing' ? mapAlertToTask(alert, mapping) : undefined;
    return {
      fingerprint: alert.fingerprint,
      startsAt: alert.startsAt,
      status: alert.status,
      endsAt: alert.endsAt,
      alertname: Object.hasOwn(alert.labels, 'alertname') ? (alert.labels.alertname ?? '') : '',
      task:
        intent === undefined
          ? undefined
          : {
              id: newId(),
              type: intent.type,
              priority: intent.priority,
              source: 'alert',
              swarm: intent.swarm,
              agents: intent.agents,
              reason: intent.reason,
              alerts: [taskAlert(alert)],
              receiver: notification.receiver,
              fingerprint: alert.fingerprint,
              incidentStartsAt: alert.startsAt,
            },
    };
  });
}
