// Renders the per-agent metric families straight from the registry (no prom-client objects per series:
// at 100k series that is the difference between a fast and a slow scrape).
import { CANONICAL_METRICS, CANONICAL_METRIC_SPECS, isCanonicalMetric } from '../model/canonical-metrics.js';
import { HEALTH_STATUSES } from '../model/health-status.js';
import { HEALTH_COMPONENTS } from '../health/health-score.js';
import type { AgentRecord } from '../store/agent-record.js';
import type { AgentRegistry } from '../store/agent-registry.js';
import { CANONICAL_GAUGES, METRICS, type MetricSpec } from './metric-catalogue.js';
import { escapeLabelValue, familyHeader } from './text-format.js';

/** `swarm="..",agent=".."`, escaped once per agent and reused by every family. */
function agentLabels(agent: AgentRecord): string {
  return `swarm="${escapeLabelValue(agent.swarm)}",agent="${escapeLabelValue(agent.id)}"`;
}

/** Renders a family with one line per agent; agents for which `line` returns undefined are left out. */
function family(spec: MetricSpec, agents: readonly AgentRecord[], labels: readonly string[], line: (agent: AgentRecord, labels: string) => string | undefined): string {
  let body = '';
  for (let i = 0; i < agents.length; i++) {
    const agent = agents[i];
    const l = labels[i];
    if (agent === undefined || l === undefined) continue;
    const text = line(agent, l);
    if (text !== undefined) body += text;
  }
  return body === '' ? '' : familyHeader(spec) + body;
}

function finite(name: string, labels: string, value: number): string | undefined {
  return Number.isFinite(value) ? `${name}{${labels}} ${value}\n` : undefined;
}

/** The text of every per-agent family, plus agents-per-status counts. */
export function renderAgentFamilies(registry: AgentRegistry): string {
  const agents = [...registry.agents()];
  const labels = agents.map(agentLabels);
  const parts: string[] = [];

  parts.push(
    family(METRICS.agentInfo, agents, labels, (a, l) => `${METRICS.agentInfo.name}{${l},type="${escapeLabelValue(a.type)}",variant="${escapeLabelValue(a.variant)}"} 1\n`),
    family(METRICS.agentUp, agents, labels, (a, l) => `${METRICS.agentUp.name}{${l}} ${a.up ? 1 : 0}\n`),
    family(METRICS.agentLastSeen, agents, labels, (a, l) => `${METRICS.agentLastSeen.name}{${l}} ${a.lastSeen / 1000}\n`),
  );
  CANONICAL_METRICS.forEach((metric, i) => {
    const spec = CANONICAL_GAUGES[i];
    if (spec === undefined) return;
    const name = CANONICAL_METRIC_SPECS[metric].gauge;
    parts.push(family(spec, agents, labels, (a, l) => finite(name, l, a.value(metric))));
  });
  parts.push(
    family(METRICS.agentCustomMetric, agents, labels, (a, l) => {
      if (a.customMetricCount === 0) return undefined;
      let text = '';
      for (const [metric, held] of a.latest) {
        if (!isCanonicalMetric(metric) && Number.isFinite(held.value)) {
          text += `${METRICS.agentCustomMetric.name}{${l},metric="${escapeLabelValue(metric)}"} ${held.value}\n`;
        }
      }
      return text;
    }),
    family(METRICS.agentHealthScore, agents, labels, (a, l) => (a.health ? finite(METRICS.agentHealthScore.name, l, a.health.score) : undefined)),
    family(METRICS.agentHealthComponent, agents, labels, (a, l) => {
      if (!a.health) return undefined;
      let text = '';
      for (const c of HEALTH_COMPONENTS) {
        const v = a.health.components[c];
        if (Number.isFinite(v)) text += `${METRICS.agentHealthComponent.name}{${l},component="${c}"} ${v}\n`;
      }
      return text;
    }),
    family(METRICS.agentHealthStatus, agents, labels, (a, l) => {
      if (!a.health) return undefined;
      let text = '';
      for (const s of HEALTH_STATUSES) text += `${METRICS.agentHealthStatus.name}{${l},status="${s}"} ${a.health.status === s ? 1 : 0}\n`;
      return text;
    }),
  );
  parts.push(renderStatusCounts(registry));
  return parts.join('');
}

function renderStatusCounts(registry: AgentRegistry): string {
  let body = '';
  for (const swarm of registry.swarms()) {
    const counts = new Map<string, number>(HEALTH_STATUSES.map((s) => [s, 0]));
    for (const agent of swarm.agents.values()) {
      const s = agent.health?.status;
      if (s !== undefined) counts.set(s, (counts.get(s) ?? 0) + 1);
    }
    const swarmLabel = escapeLabelValue(swarm.name);
    for (const [status, n] of counts) body += `${METRICS.agents.name}{swarm="${swarmLabel}",status="${status}"} ${n}\n`;
  }
  return body === '' ? '' : familyHeader(METRICS.agents) + body;
}
