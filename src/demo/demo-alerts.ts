// The demo's stand-in for Prometheus + Alertmanager: evaluates the rules pack's acting alerts on the
// registry and the latest analysis (with hold times scaled to the demo's minute-long phases) and
// posts Alertmanager v4 webhook notifications to the exporter's own POST /api/v1/alerts, so the
// whole loop — metrics, analysis, alert, task, recovery — runs without extra processes. Production
// uses the real rules in alerts/*.yml and a real Alertmanager.
import { createHash } from 'node:crypto';
import type { SwarmAnalysis } from '../analysis-cycle/swarm-analysis.js';
import type { AgentRegistry } from '../store/agent-registry.js';

export interface DemoAlertSourceOptions {
  readonly registry: AgentRegistry;
  readonly analysis: () => ReadonlyMap<string, SwarmAnalysis>;
  /** The exporter's own base URL. */
  readonly target: string;
  /** web.auth.webhook_token_file contents, when set. */
  readonly token?: string;
  /** How long a condition must hold before the alert fires, ms. */
  readonly holdMs: number;
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

/** Thresholds mirror alerts/*.yml (documented there); only the hold times are shorter. */
export const DEMO_THRESHOLDS = { bottleneckScore: 0.5, clusterSize: 3, balanceIndex: 0.7 } as const;

function fingerprint(labels: Readonly<Record<string, string>>): string {
  const text = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k] ?? ''}`)
    .join('\u0000');
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** The acting conditions true now. */
export function demoConditions(registry: AgentRegistry, analysis: ReadonlyMap<string, SwarmAnalysis>): Candidate[] {
  const out: Candidate[] = [];
  for (const agent of registry.agents()) {
    if (!agent.up) {
      out.push({
        labels: { alertname: 'AgentSwarmAgentDown', swarm: agent.swarm, agent: agent.id, severity: 'critical', coordination_type: 'cross_system_healing', priority: 'emergency' },
        summary: 'An agent stopped sending heartbeats and samples.',
      });
    }
  }
  for (const s of analysis.values()) {
    const top = s.bottlenecks[0];
    if (top && top.score > DEMO_THRESHOLDS.bottleneckScore) {
      out.push({
        labels: { alertname: 'AgentSwarmBottleneck', swarm: s.swarm, agent: top.agent, severity: 'warning', coordination_type: 'resource_balancing', priority: 'high' },
        summary: 'An agent is the likely constraint of its swarm.',
      });
    }
    const largest = s.clusters.reduce((max, c) => Math.max(max, c.agents.length), 0);
    if (largest >= DEMO_THRESHOLDS.clusterSize) {
      out.push({
        labels: { alertname: 'AgentSwarmCorrelatedAnomaly', swarm: s.swarm, severity: 'warning', coordination_type: 'anomaly_correlation', priority: 'high' },
        summary: 'Several correlated agents are anomalous at the same time.',
      });
    }
    if (s.load_balance.index !== null && s.load_balance.index < DEMO_THRESHOLDS.balanceIndex) {
      out.push({
        labels: { alertname: 'AgentSwarmLoadImbalance', swarm: s.swarm, severity: 'warning', coordination_type: 'resource_balancing', priority: 'medium' },
        summary: 'Load is unevenly spread across the agents of a swarm.',
      });
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
      if (!t.firing && now - t.since >= this.options.holdMs) {
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

  private alert(fp: string, t: Tracked, status: 'firing' | 'resolved', now: number): Record<string, unknown> {
    return {
      status,
      labels: t.labels,
      annotations: { summary: t.summary, description: `${t.labels.alertname} for ${t.labels.agent ?? t.labels.swarm} (embedded demo alerting).` },
      startsAt: new Date(t.since).toISOString(),
      endsAt: status === 'resolved' ? new Date(now).toISOString() : '0001-01-01T00:00:00Z',
      generatorURL: `${this.options.target}/`,
      fingerprint: fp,
    };
  }
}
