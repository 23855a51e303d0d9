// The demo's stand-in for Prometheus + Alertmanager: evaluates the rules pack's acting alerts on the
// registry and the latest analysis (with the pack's hold times scaled by demo.time_scale) and
// posts Alertmanager v4 webhook notifications to the exporter's own POST /api/v1/alerts, so the
// whole loop — metrics, analysis, alert, task, recovery — runs without extra processes. Production
// uses the real rules in alerts/*.yml and a real Alertmanager.
import { createHash } from 'node:crypto';
import type { SwarmAnalysis } from '../analysis-cycle/swarm-analysis.js';
import type { AgentRegistry } from '../store/agent-registry.js';
import type { PackAlert } from './pack-timing.js';

export interface DemoAlertSourceOptions {
  readonly registry: AgentRegistry;
  readonly analysis: () => ReadonlyMap<string, SwarmAnalysis>;
  /** The exporter's own base URL. */
  readonly target: string;
  /** web.auth.webhook_token_file contents, when set. */
  readonly token?: string;
  /** How long a condition must hold before the alert fires, ms: one for all, or per alert name (others: 0). */
  readonly holdMs: number | Readonly<Partial<Record<string, number>>>;
  readonly now: () => number;
  readonly fetch?: typeof fetch;
  readonly log?: (message: string) => void;
}

interface Candidate {
  readonly labels: Readonly<Record<string, string>>;
  readonly summary: string;
}

interface Tracked {
  readonly labels: Readonly<Record<string, string>>;
  readonly summary: string;
  readonly since: number;
  firing: boolean;
}

/** Thresholds mirror alerts/*.yml (documented there); the hold times are the pack's, scaled (pack-timing.ts). */
export const DEMO_THRESHOLDS = {
  bottleneckScore: 0.5,
  clusterSize: 3,
  balanceIndex: 0.7,
  saturationSeconds: 1800,
  variantEffect: 0.1,
  variantPValue: 0.01,
} as const;

function fingerprint(labels: Readonly<Record<string, string>>): string {
  const text = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k] ?? ''}`)
    .join('\u0000');
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** How each acting alert of the pack acts: its labels in alerts/*.yml. */
const ACTS: Readonly<
  Record<PackAlert, { readonly severity: string; readonly coordination_type: string; readonly priority: string; readonly summary: string }>
> = {
  AgentSwarmAgentDown: {
    severity: 'critical',
    coordination_type: 'cross_system_healing',
    priority: 'emergency',
    summary: 'An agent stopped sending heartbeats and samples.',
  },
  AgentSwarmAgentCritical: {
    severity: 'critical',
    coordination_type: 'cross_system_healing',
    priority: 'high',
    summary: 'An agent has been in critical health.',
  },
  AgentSwarmAgentDegraded: {
    severity: 'warning',
    coordination_type: 'performance_sync',
    priority: 'medium',
    summary: 'An agent has been in degraded health.',
  },
  AgentSwarmBottleneck: {
    severity: 'warning',
    coordination_type: 'resource_balancing',
    priority: 'high',
    summary: 'An agent is the likely constraint of its swarm.',
  },
  AgentSwarmLoadImbalance: {
    severity: 'warning',
    coordination_type: 'resource_balancing',
    priority: 'medium',
    summary: 'Load is unevenly spread across the agents of a swarm.',
  },
  AgentSwarmCorrelatedAnomaly: {
    severity: 'warning',
    coordination_type: 'anomaly_correlation',
    priority: 'high',
    summary: 'Several correlated agents are anomalous at the same time.',
  },
  AgentSwarmSaturationPredicted: {
    severity: 'warning',
    coordination_type: 'predictive_scaling',
    priority: 'high',
    summary: 'A swarm is forecast to run out of capacity within 30 minutes.',
  },
  AgentSwarmVariantOutperforms: {
    severity: 'info',
    coordination_type: 'optimization_sharing',
    priority: 'low',
    summary: 'An agent variant performs significantly better than the baseline.',
  },
};

function candidate(alertname: PackAlert, labels: Readonly<Record<string, string>>): Candidate {
  const act = ACTS[alertname];
  return {
    labels: { alertname, ...labels, severity: act.severity, coordination_type: act.coordination_type, priority: act.priority },
    summary: act.summary,
  };
}

/** The acting conditions true now: the exprs of alerts/*.yml, evaluated on the registry and the latest analysis. */
export function demoConditions(registry: AgentRegistry, analysis: ReadonlyMap<string, SwarmAnalysis>): Candidate[] {
  const out: Candidate[] = [];
  const t = DEMO_THRESHOLDS;
  for (const agent of registry.agents()) {
    const where = { swarm: agent.swarm, agent: agent.id };
    if (!agent.up) out.push(candidate('AgentSwarmAgentDown', where));
    else if (agent.health?.status === 'critical') out.push(candidate('AgentSwarmAgentCritical', where));
    else if (agent.health?.status === 'degraded') out.push(candidate('AgentSwarmAgentDegraded', where));
  }
  for (const s of analysis.values()) {
    for (const b of s.bottlenecks)
      if (b.score > t.bottleneckScore) out.push(candidate('AgentSwarmBottleneck', { swarm: s.swarm, agent: b.agent }));
    const largest = s.clusters.reduce((max, c) => Math.max(max, c.agents.length), 0);
    if (largest >= t.clusterSize) out.push(candidate('AgentSwarmCorrelatedAnomaly', { swarm: s.swarm }));
    if (s.load_balance.index !== null && s.load_balance.index < t.balanceIndex)
      out.push(candidate('AgentSwarmLoadImbalance', { swarm: s.swarm }));
    const f = s.forecast;
    if (f.valid && f.saturation_seconds !== null && f.saturation_seconds < t.saturationSeconds)
      out.push(candidate('AgentSwarmSaturationPredicted', { swarm: s.swarm }));
    for (const v of s.variants) {
      const better =
        v.metric === 'throughput'
          ? v.effect_ratio >= t.variantEffect
          : (v.metric === 'response_time' || v.metric === 'error_rate') && v.effect_ratio <= -t.variantEffect;
      if (better && v.p_value !== null && v.p_value < t.variantPValue)
        out.push(candidate('AgentSwarmVariantOutperforms', { swarm: s.swarm, metric: v.metric, variant: v.variant }));
    }
  }
  return out;
}

export class DemoAlertSource {
  private readonly tracked = new Map<string, Tracked>();

  constructor(private readonly options: DemoAlertSourceOptions) {}

  /** One evaluation: update pending/firing state and notify firing and newly resolved alerts. */
  async evaluate(): Promise<void> {
    const now = this.options.now();
    const current = new Map(demoConditions(this.options.registry, this.options.analysis()).map((c) => [fingerprint(c.labels), c]));
    const alerts: Record<string, unknown>[] = [];
    for (const [fp, c] of current) {
      let t = this.tracked.get(fp);
      if (!t) {
        t = { labels: c.labels, summary: c.summary, since: now, firing: false };
        this.tracked.set(fp, t);
      }
      if (!t.firing && now - t.since >= this.hold(c.labels.alertname ?? '')) {
        t.firing = true;
        this.options.log?.(`demo alert firing: ${c.labels.alertname} ${c.labels.agent ?? c.labels.swarm}`);
      }
      if (t.firing) alerts.push(this.alert(fp, t, 'firing', now));
    }
    for (const [fp, t] of this.tracked) {
      if (current.has(fp)) continue;
      this.tracked.delete(fp);
      if (t.firing) {
        alerts.push(this.alert(fp, t, 'resolved', now));
        this.options.log?.(`demo alert resolved: ${t.labels.alertname} ${t.labels.agent ?? t.labels.swarm}`);
      }
    }
    if (alerts.length === 0) return;
    const firing = alerts.some((a) => a.status === 'firing');
    const body = {
      version: '4',
      groupKey: '{}:{demo="true"}',
      truncatedAlerts: 0,
      status: firing ? 'firing' : 'resolved',
      receiver: 'agentswarm-exporter',
      groupLabels: {},
      commonLabels: {},
      commonAnnotations: {},
      externalURL: `${this.options.target}/`,
      alerts,
    };
    const res = await (this.options.fetch ?? fetch)(`${this.options.target}/api/v1/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}) },
      body: JSON.stringify(body),
    });
    await res.arrayBuffer();
    if (!res.ok) this.options.log?.(`demo alert notification answered ${res.status}`);
  }

  private hold(alertname: string): number {
    const hold = this.options.holdMs;
    return typeof hold === 'number' ? hold : (hold[alertname] ?? 0);
  }

  private alert(fp: string, t: Tracked, status: 'firing' | 'resolved', now: number): Record<string, unknown> {
    return {
      status,
      labels: t.labels,
      annotations: {
        summary: t.summary,
        description: `${t.labels.alertname} for ${t.labels.agent ?? t.labels.swarm} (embedded demo alerting).`,
      },
      startsAt: new Date(t.since).toISOString(),
      endsAt: status === 'resolved' ? new Date(now).toISOString() : '0001-01-01T00:00:00Z',
      generatorURL: `${this.options.target}/`,
      fingerprint: fp,
    };
  }
}
