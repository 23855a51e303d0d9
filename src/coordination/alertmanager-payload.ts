// Validation of Alertmanager webhook notifications (payload version 4) into typed, normalised alerts.
import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * One alert of a notification, normalised: times in ms since the epoch, label maps with a null
 * prototype (a `__proto__` label is an ordinary key, never a prototype), a fingerprint always present.
 */
export interface ReceivedAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** When the alert started, ms since the epoch. Together with the fingerprint, the incident key. */
  readonly startsAt: number;
  /** When it ended, ms since the epoch; undefined for firing alerts (Alertmanager sends year 1). */
  readonly endsAt: number | undefined;
  readonly generatorURL: string;
  /**
   * Alertmanager's fingerprint of the label set. Alertmanager before 0.19 omits it: we then derive a
   * stable one from the sorted labels (prefix `sha256:`), so dedup still works across resends.
   */
  readonly fingerprint: string;
}

export interface AlertmanagerNotification {
  /** Receiver name in the Alertmanager config: part of the dedup key. */
  readonly receiver: string;
  readonly status: 'firing' | 'resolved';
  readonly groupKey: string;
  /** Alerts left out by Alertmanager's `max_alerts`; they did NOT resolve (docs/reliability.md#facts-the-design-rests-on). */
  readonly truncatedAlerts: number;
  readonly alerts: readonly ReceivedAlert[];
}

export type PayloadResult =
  { readonly ok: true; readonly notification: AlertmanagerNotification } | { readonly ok: false; readonly error: string };

/** Upper bound on alerts per notification; the 1 MiB body limit keeps real payloads far below it. */
export const MAX_ALERTS_PER_NOTIFICATION = 10_000;

// Anything before 1971 is "no time": Alertmanager sends Go's zero time.Time ("0001-01-01T00:00:00Z")
// as endsAt of firing alerts, and clock-less senders send the epoch.
const EARLIEST_REAL_TIME_MS = Date.UTC(1971, 0, 1);

const labelMap = z.record(z.string(), z.string());

const rfc3339 = z.string().refine((text) => Number.isFinite(Date.parse(text)) && /^\d{4}-\d{2}-\d{2}T/.test(text), {
  message: 'expected an RFC 3339 timestamp such as "2026-01-01T00:00:00Z"',
});

// Every field older or newer Alertmanagers may omit is optional; unknown fields are ignored (not
// `.strict()`): tolerance is the contract with a sender we do not control.
const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: labelMap,
  annotations: labelMap.optional(),
  startsAt: rfc3339,
  endsAt: rfc3339.optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().min(1).max(128).optional(),
});

const notificationSchema = z.object({
  version: z.string().optional(),
  groupKey: z.string().optional(),
  truncatedAlerts: z.number().int().min(0).optional(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().min(1).max(512),
  groupLabels: labelMap.optional(),
  commonLabels: labelMap.optional(),
  commonAnnotations: labelMap.optional(),
  externalURL: z.string().optional(),
  alerts: z.array(alertSchema).max(MAX_ALERTS_PER_NOTIFICATION),
});

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(body)' : out;
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path);
  switch (issue.code) {
    case 'invalid_type':
      return `${where}: expected ${issue.expected}, got ${describe(issue.input)}`;
    case 'invalid_value':
      return `${where}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describe(issue.input)}`;
    default:
      return `${where}: ${issue.message.replace(/^Invalid input: /, '')}${issue.input === undefined ? '' : `, got ${describe(issue.input)}`}`;
  }
}

/** Copies a validated label map into a null-prototype object so no key can reach a prototype. */
function safeMap(source: Readonly<Record<string, string>> | undefined): Readonly<Record<string, string>> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  if (source) for (const [k, v] of Object.entries(source)) out[k] = v;
  return Object.freeze(out);
}

/** Stable fingerprint of a label set for senders that do not send one: sha256 of the sorted pairs. */
export function fingerprintOfLabels(labels: Readonly<Record<string, string>>): string {
  const hash = createHash('sha256');
  for (const key of Object.keys(labels).sort()) hash.update(`${key}\u0000${labels[key] ?? ''}\u0000`);
  return `sha256:${hash.digest('hex').slice(0, 32)}`;
}

function parseTime(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  return ms >= EARLIEST_REAL_TIME_MS ? ms : undefined;
}

/**
 * Validates a parsed JSON body as an Alertmanager v4 notification. Tolerant of missing newer
 * fields (fingerprint, truncatedAlerts, groupKey, version) and of extra fields; strict on what we
 * rely on. The error names the first offending field and the rule, e.g.
 * `alerts[2].startsAt: expected an RFC 3339 timestamp ..., got "yesterday"`.
 */
export function parseAlertmanagerPayload(raw: unknown): PayloadResult {
  const parsed = notificationSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { ok: false, error: first ? formatIssue(first) : 'invalid payload' };
  }
  const body = parsed.data;
  if (body.version !== undefined && body.version !== '4') {
    return { ok: false, error: `version: expected "4", got ${describe(body.version)}` };
  }
  const alerts: ReceivedAlert[] = [];
  for (const [index, alert] of body.alerts.entries()) {
    const startsAt = parseTime(alert.startsAt);
    if (startsAt === undefined) {
      return { ok: false, error: `alerts[${index}].startsAt: expected a time after 1971, got ${describe(alert.startsAt)}` };
    }
    const labels = safeMap(alert.labels);
    const endsAt = parseTime(alert.endsAt);
    alerts.push({
      status: alert.status,
      labels,
      annotations: safeMap(alert.annotations),
      startsAt,
      // Firing alerts carry Go's zero time or a future "expected end": neither is an end.
      endsAt: alert.status === 'resolved' ? (endsAt ?? startsAt) : undefined,
      generatorURL: alert.generatorURL ?? '',
      fingerprint: alert.fingerprint ?? fingerprintOfLabels(labels),
    });
  }
  return {
    ok: true,
    notification: {
      receiver: body.receiver,
      status: body.status,
      groupKey: body.groupKey ?? '',
      truncatedAlerts: body.truncatedAlerts ?? 0,
      alerts,
    },
  };
}
