// A resolved scrape target (from config or file_sd) and how its samples are attributed to agents.
import { DEFAULT_SWARM } from '../../model/canonical-metrics.js';
import type { ScrapeTargetConfig } from '../../config/schema.js';

export interface ScrapeTarget {
  /** Identity and the value of the `target` label on the scrape metrics: the URL. */
  readonly url: string;
  readonly swarm: string;
  /**
   * Who the samples belong to: a fixed agent id, or the label whose value names the agent (for
   * targets that expose many agents, e.g. a gateway or a Pushgateway).
   */
  readonly agent: { readonly fixed: string } | { readonly label: string };
  /** Agent type announced for agents of this target, if configured. */
  readonly type?: string;
  /** Where the target came from, for logs: `config` or the file_sd path. */
  readonly origin: string;
}

/**
 * Default agent id for a target without `agent` or `agent_label`: its host:port, with characters
 * outside the agent-id alphabet (IPv6 brackets) replaced by `_`.
 */
export function agentIdFromUrl(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname}:${port}`.replace(/[^a-zA-Z0-9_.:-]/g, '_').replace(/^[^a-zA-Z0-9]+/, '');
}

/** Fields shared by config targets and file_sd labels. */
export interface TargetFields {
  readonly swarm?: string | undefined;
  readonly agent?: string | undefined;
  readonly agent_label?: string | undefined;
  readonly type?: string | undefined;
}

/** Resolves the agent attribution: `agent` wins over `agent_label`; else the URL's host:port. */
export function resolveTarget(url: URL, fields: TargetFields, origin: string): ScrapeTarget {
  const agent = fields.agent
    ? { fixed: fields.agent }
    : fields.agent_label
      ? { label: fields.agent_label }
      : { fixed: agentIdFromUrl(url) };
  return {
    url: url.toString(),
    swarm: fields.swarm || DEFAULT_SWARM,
    agent,
    ...(fields.type ? { type: fields.type } : {}),
    origin,
  };
}

/** Targets listed under `scrape.targets` (URLs already validated by the config schema). */
export function targetsFromConfig(targets: readonly ScrapeTargetConfig[]): ScrapeTarget[] {
  return targets.map((t) => resolveTarget(new URL(t.url), t, 'config'));
}
