import { describe, expect, it } from 'vitest';
import { parseAlertmanagerPayload, type ReceivedAlert } from '../../src/coordination/alertmanager-payload.js';
import { DEFAULT_MAPPING, mapAlertToTask, type MappingTable } from '../../src/coordination/alert-mapping.js';
import { alert, notification } from './fixtures/alertmanager.js';

function received(labels: Record<string, string>, summary?: string): ReceivedAlert {
  const json = alert({ fingerprint: 'f', type: null, labels: {} });
  json.labels = labels;
  json.annotations = summary === undefined ? {} : { summary };
  const result = parseAlertmanagerPayload(notification([json]));
  if (!result.ok || !result.notification.alerts[0]) throw new Error('bad fixture');
  return result.notification.alerts[0];
}

describe('mapAlertToTask', () => {
  it.each([
    [
      'labels decide type and priority',
      { alertname: 'X', coordination_type: 'resource_balancing', priority: 'low', severity: 'critical' },
      'resource_balancing',
      'low',
    ],
    ['the alertname table fills a missing type and priority', { alertname: 'AgentSwarmAgentDown' }, 'cross_system_healing', 'emergency'],
    [
      'a priority label beats the alertname table',
      { alertname: 'AgentSwarmAgentDown', priority: 'maintenance' },
      'cross_system_healing',
      'maintenance',
    ],
    [
      'severity gives the priority when nothing else does',
      { alertname: 'X', coordination_type: 'performance_sync', severity: 'critical' },
      'performance_sync',
      'high',
    ],
    ['the default priority is medium', { alertname: 'X', coordination_type: 'performance_sync' }, 'performance_sync', 'medium'],
    [
      'an unknown priority label falls back',
      { alertname: 'X', coordination_type: 'performance_sync', priority: 'urgent!', severity: 'info' },
      'performance_sync',
      'low',
    ],
    [
      'an unknown type label falls back to the table',
      { alertname: 'AgentSwarmBottleneck', coordination_type: 'teleport' },
      'resource_balancing',
      'high',
    ],
  ])('%s', (_name, labels, type, priority) => {
    const intent = mapAlertToTask(received(labels));
    expect(intent?.type).toBe(type);
    expect(intent?.priority).toBe(priority);
  });

  it('asks for no task when neither a label nor the table names a type', () => {
    expect(mapAlertToTask(received({ alertname: 'AgentSwarmExporterDown', severity: 'critical' }))).toBeUndefined();
    expect(mapAlertToTask(received({ alertname: 'X', coordination_type: 'teleport' }))).toBeUndefined();
  });

  it('takes the target from swarm, agent and agents labels, de-duplicated', () => {
    const intent = mapAlertToTask(received({ alertname: 'AgentSwarmAgentDown', swarm: 's1', agent: 'a', agents: 'b, a c' }, 'Agent down.'));
    expect(intent).toMatchObject({ swarm: 's1', agents: ['a', 'b', 'c'], reason: 'Agent down.' });
  });

  it('targets the default swarm and uses the alertname as reason when labels are missing', () => {
    const intent = mapAlertToTask(received({ alertname: 'AgentSwarmAgentDown' }));
    expect(intent).toMatchObject({ swarm: 'default', agents: [], reason: 'AgentSwarmAgentDown' });
  });

  it('uses a custom table', () => {
    const table: MappingTable = {
      ...DEFAULT_MAPPING,
      byAlertname: { MyAlert: { type: 'predictive_scaling' } },
      bySeverity: { page: 'emergency' },
    };
    expect(mapAlertToTask(received({ alertname: 'MyAlert', severity: 'page' }), table)).toMatchObject({
      type: 'predictive_scaling',
      priority: 'emergency',
    });
    expect(mapAlertToTask(received({ alertname: 'AgentSwarmAgentDown' }), table)).toBeUndefined();
  });

  it('does not read inherited properties as table entries', () => {
    expect(mapAlertToTask(received({ alertname: 'toString' }))).toBeUndefined();
    expect(mapAlertToTask(received({ alertname: 'X', coordination_type: 'performance_sync', severity: 'constructor' }))?.priority).toBe(
      'medium',
    );
  });
});
