import { describe, expect, it } from 'vitest';
import { decideAlert, type IncidentState } from '../../src/model/incident-rules.js';

const none: IncidentState = { incident: undefined, newerIncidentExists: false, openTaskId: undefined, incidentTask: undefined };
const firingIncident = { status: 'firing' as const, taskId: 't1' };

describe('decideAlert', () => {
  it.each<[string, 'firing' | 'resolved', boolean, IncidentState, ReturnType<typeof decideAlert>]>([
    ['new firing alert with a type', 'firing', true, none, { kind: 'open', task: 'create' }],
    ['new firing alert without a type', 'firing', false, none, { kind: 'open', task: 'none' }],
    ['new incident while a task of the same key is open', 'firing', true, { ...none, openTaskId: 't0' }, { kind: 'open', task: 'link' }],
    ['known firing incident', 'firing', true, { ...none, incident: firingIncident }, { kind: 'duplicate' }],
    [
      'firing retry of an incident already resolved',
      'firing',
      true,
      { ...none, incident: { status: 'resolved', taskId: undefined } },
      { kind: 'duplicate' },
    ],
    ['firing alert older than a known later incident', 'firing', true, { ...none, newerIncidentExists: true }, { kind: 'stale' }],
    ['resolve of an unknown incident', 'resolved', false, none, { kind: 'tombstone' }],
    [
      'resolve of a resolved incident',
      'resolved',
      false,
      { ...none, incident: { status: 'resolved', taskId: 't1' } },
      { kind: 'duplicate' },
    ],
    [
      'resolve while the task is queued',
      'resolved',
      false,
      { ...none, incident: firingIncident, incidentTask: { status: 'queued', otherFiringIncidents: 0 } },
      { kind: 'resolve', cancelTask: true },
    ],
    [
      'resolve while the task is running',
      'resolved',
      false,
      { ...none, incident: firingIncident, incidentTask: { status: 'running', otherFiringIncidents: 0 } },
      { kind: 'resolve', cancelTask: false },
    ],
    [
      'resolve while another firing incident shares the task',
      'resolved',
      false,
      { ...none, incident: firingIncident, incidentTask: { status: 'queued', otherFiringIncidents: 1 } },
      { kind: 'resolve', cancelTask: false },
    ],
    [
      'resolve of an incident without task',
      'resolved',
      false,
      { ...none, incident: { status: 'firing', taskId: undefined } },
      { kind: 'resolve', cancelTask: false },
    ],
  ])('%s', (_name, status, wantsTask, state, expected) => {
    expect(decideAlert(status, wantsTask, state)).toEqual(expected);
  });
});
