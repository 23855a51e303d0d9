import { describe, expect, it } from 'vitest';
import { fingerprintOfLabels, parseAlertmanagerPayload } from '../../src/coordination/alertmanager-payload.js';
import { alert, fixture, notification } from './fixtures/alertmanager.js';

function ok(raw: unknown) {
  const result = parseAlertmanagerPayload(raw);
  if (!result.ok) throw new Error(`expected a valid payload, got: ${result.error}`);
  return result.notification;
}

function error(raw: unknown): string {
  const result = parseAlertmanagerPayload(raw);
  if (result.ok) throw new Error('expected a rejection');
  return result.error;
}

describe('parseAlertmanagerPayload', () => {
  it('reads a current Alertmanager payload, ignoring fields it does not know', () => {
    const n = ok(fixture('alertmanager-v4-current.json'));
    expect(n.receiver).toBe('agentswarm-coordination');
    expect(n.truncatedAlerts).toBe(0);
    expect(n.alerts).toHaveLength(3);
    const [down] = n.alerts;
    expect(down?.fingerprint).toBe('c3a1b2d4e5f60718');
    expect(down?.startsAt).toBe(Date.UTC(2026, 0, 1, 10, 0, 0, 123));
    expect(down?.endsAt).toBeUndefined();
    expect(down?.labels.agent).toBe('gamma');
  });

  it('reads a legacy payload without fingerprint, groupKey or truncatedAlerts', () => {
    const n = ok(fixture('alertmanager-v4-legacy.json'));
    expect(n.groupKey).toBe('');
    expect(n.truncatedAlerts).toBe(0);
    const [only] = n.alerts;
    expect(only?.fingerprint).toMatch(/^sha256:[0-9a-f]{32}$/);
    expect(only?.startsAt).toBe(Date.UTC(2026, 0, 1, 10, 0, 0));
  });

  it('derives the same fingerprint for the same labels in any order', () => {
    expect(fingerprintOfLabels({ a: '1', b: '2' })).toBe(fingerprintOfLabels({ b: '2', a: '1' }));
    expect(fingerprintOfLabels({ a: '1', b: '2' })).not.toBe(fingerprintOfLabels({ a: '1', b: '3' }));
    // The separator keeps {"ab": "c"} and {"a": "bc"} apart.
    expect(fingerprintOfLabels({ ab: 'c' })).not.toBe(fingerprintOfLabels({ a: 'bc' }));
  });

  it('keeps the end time of resolved alerts', () => {
    const n = ok(notification([alert({ fingerprint: 'f', status: 'resolved', endsAt: '2026-01-01T00:05:00Z' })]));
    expect(n.alerts[0]?.endsAt).toBe(Date.UTC(2026, 0, 1, 0, 5));
  });

  it('treats __proto__ keys as data and never touches a prototype', () => {
    const body = JSON.parse(
      '{"receiver":"r","status":"firing","__proto__":{"polluted":"yes"},"alerts":[{"status":"firing","startsAt":"2026-01-01T00:00:00Z",' +
        '"labels":{"__proto__":"x","constructor":"y","alertname":"A"},"annotations":{"__proto__":{"polluted":"yes"}}}]}',
    ) as unknown;
    const n = ok(body);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    const labels = n.alerts[0]?.labels ?? {};
    expect(Object.getPrototypeOf(labels)).toBeNull();
    expect(labels.constructor).toBe('y');
    expect(labels.alertname).toBe('A');
  });

  it.each([
    ['a body that is not an object', [], '(body): expected object, got a list'],
    ['a missing receiver', { status: 'firing', alerts: [] }, 'receiver: expected string, got nothing'],
    ['an unknown status', { receiver: 'r', status: 'burning', alerts: [] }, 'status: expected one of "firing", "resolved", got "burning"'],
    ['alerts that are not a list', { receiver: 'r', status: 'firing', alerts: {} }, 'alerts: expected array, got an object'],
    [
      'a label value that is not a string',
      { receiver: 'r', status: 'firing', alerts: [{ status: 'firing', labels: { a: 1 }, startsAt: '2026-01-01T00:00:00Z' }] },
      'alerts[0].labels.a: expected string, got 1',
    ],
    [
      'a startsAt that is not a timestamp',
      { receiver: 'r', status: 'firing', alerts: [{ status: 'firing', labels: {}, startsAt: 'yesterday' }] },
      'alerts[0].startsAt: expected an RFC 3339 timestamp such as "2026-01-01T00:00:00Z", got "yesterday"',
    ],
    [
      'a zero startsAt',
      { receiver: 'r', status: 'firing', alerts: [{ status: 'firing', labels: {}, startsAt: '0001-01-01T00:00:00Z' }] },
      'alerts[0].startsAt: expected a time after 1971, got "0001-01-01T00:00:00Z"',
    ],
    ['another payload version', { version: '5', receiver: 'r', status: 'firing', alerts: [] }, 'version: expected "4", got "5"'],
    ['a negative truncatedAlerts', { receiver: 'r', status: 'firing', alerts: [], truncatedAlerts: -1 }, 'truncatedAlerts:'],
  ])('rejects %s, naming the field and the rule', (_name, body, message) => {
    expect(error(body)).toContain(message);
  });
});
