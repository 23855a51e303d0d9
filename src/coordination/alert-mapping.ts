// Maps one Alertmanager alert to the coordination task it asks for (pure): type, priority, target.
import { DEFAULT_SWARM } from '../model/canonical-metrics.js';
import { COORDINATION_TYPES, PRIORITIES, type CoordinationType, type Priority } from '../model/coordination-vocabulary.js';
import type { ReceivedAlert } from './alertmanager-payload.js';

/** What a firing alert asks the swarm to do. */
export interface TaskIntent {
  readonly type: CoordinationType;
  readonly priority: Priority;
  readonly swarm: string;
  /** Targeted agents, possibly empty (the whole swarm). */
  readonly agents: readonly string[];
  /** One human sentence: the alert's summary annotation, else its name. */
  readonly reason: string;
}

/**
 * Fallbacks for alerts without `coordination_type` / `priority` labels. The labels always win;
 * the table is consulted only for what they leave out.
 */
export interface MappingTable {
  /** alertname -> type (and optionally priority). */
  readonly byAlertname: Readonly<Record<string, { readonly type: CoordinationType; readonly priority?: Priority }>>;
  /** severity label -> priority. */
  readonly bySeverity: Readonly<Record<string, Priority>>;
  /** Priority when neither the label, the alertname entry nor the severity gives one. */
  readonly defaultPriority: Priority;
}

/**
 * Defaults that match the rules pack (alerts/*.yml, issue 5), so an Alertmanager that strips or
 * never had the labels still produces the intended tasks.
 */
export const DEFAULT_MAPPING: MappingTable = {
  byAlertname: {
    AgentSwarmAgentDown: { type: 'cross_system_healing', priority: 'emergency' },
    AgentSwarmAgentCritical: { type: 'cross_system_healing', priority: 'high' },
    AgentSwarmAgentDegraded: { type: 'performance_sync', priority: 'medium' },
    AgentSwarmBottleneck: { type: 'resource_balancing', priority: 'high' },
    AgentSwarmLoadImbalance: { type: 'resource_balancing', priority: 'medium' },
    AgentSwarmCorrelatedAnomaly: { type: 'anomaly_correlation', priority: 'high' },
    AgentSwarmSaturationPredicted: { type: 'predictive_scaling', priority: 'high' },
    AgentSwarmVariantOutperforms: { type: 'optimization_sharing', priority: 'low' },
    AgentSwarmErrorBudgetBurn: { type: 'cross_system_healing', priority: 'high' },
  },
  bySeverity: { critical: 'high', warning: 'medium', info: 'low' },
  defaultPriority: 'medium',
};

const TYPE_SET: ReadonlySet<string> = new Set(COORDINATION_TYPES);
const PRIORITY_SET: ReadonlySet<string> = new Set(PRIORITIES);
const MAX_AGENTS_PER_TASK = 1000;
const MAX_REASON_LENGTH = 1024;

function isType(value: string | undefined): value is CoordinationType {
  return value !== undefined && TYPE_SET.has(value);
}
function isPriority(value: string | undefined): value is Priority {
  return value !== undefined && PRIORITY_SET.has(value);
}

function label(labels: Readonly<Record<string, string>>, name: string): string | undefined {
  return Object.hasOwn(labels, name) ? labels[name] : undefined;
}

/** `agent="a"` and/or `agents="a,b c"` (comma or space separated), de-duplicated, order kept. */
function targetAgents(labels: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (id: string): void => {
    if (id !== '' && !seen.has(id) && out.length < MAX_AGENTS_PER_TASK) {
      seen.add(id);
      out.push(id);
    }
  };
  const single = label(labels, 'agent');
  if (single !== undefined) add(single.trim());
  const many = label(labels, 'agents');
  if (many !== undefined) for (const id of many.split(/[\s,]+/)) add(id);
  return out;
}

/**
 * The task an alert asks for, or undefined when it asks for none (no usable `coordination_type`
 * label and no alertname entry): such alerts are still recorded as incidents.
 */
export function mapAlertToTask(alert: ReceivedAlert, table: MappingTable = DEFAULT_MAPPING): TaskIntent | undefined {
  const { labels } = alert;
  const alertname = label(labels, 'alertname') ?? '';
  const entry = Object.hasOwn(table.byAlertname, alertname) ? table.byAlertname[alertname] : undefined;
  const typeLabel = label(labels, 'coordination_type');
  const type = isType(typeLabel) ? typeLabel : entry?.type;
  if (type === undefined) return undefined;

  const priorityLabel = label(labels, 'priority');
  const severity = label(labels, 'severity');
  const bySeverity = severity !== undefined && Object.hasOwn(table.bySeverity, severity) ? table.bySeverity[severity] : undefined;
  const priority = isPriority(priorityLabel) ? priorityLabel : (entry?.priority ?? bySeverity ?? table.defaultPriority);

  const summary = label(alert.annotations, 'summary');
  const reasonText = summary !== undefined && summary !== '' ? summary : alertname !== '' ? alertname : `alert ${alert.fingerprint}`;
  return {
    type,
    priority,
    swarm: label(labels, 'swarm') || DEFAULT_SWARM,
    agents: targetAgents(labels),
    reason: reasonText.slice(0, MAX_REASON_LENGTH),
  };
}
