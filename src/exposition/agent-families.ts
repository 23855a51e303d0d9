// Renders the per-agent metric families straight from the registry, not from prom-client objects per
// series (at 100k series that is the difference between a fast and a slow scrape). A synchronous,
// cheap snapshot is taken first so the page is consistent; the text is then produced in slices that
// yield to the event loop, so a large page never blocks ingest for long.
import { CANONICAL_METRICS, CANONICAL_METRIC_SPECS, isCanonicalMetric } from '../model/canonical-metrics.js';
import { HEALTH_STATUSES } from '../model/health-status.js';
import { HEALTH_COMPONENTS } from '../health/health-score.js';
import type { AgentHealth, AgentRecord } from '../store/agent-record.js';
import type { AgentRegistry } from '../store/agent-registry.js';
import { CANONICAL_GAUGES, METRICS, type MetricSpec } from '../model/metric-catalogue.js';
import { NO_PAUSE, type Pause } from '../runtime/slice-pauser.js';
import { CHUNK_CHARS } from './family-chunks.js';
import { escapeLabelValue, familyHeader } from './text-writer.js';

/** What one agent contributes to the page, copied out of the mutable registry. */
interface AgentRow {
  /** `swarm="..",agent=".."` */
  readonly labels: string;
  readonly swarm: string;
  readonly type: string;
  readonly variant: string;
  readonly up: boolean;
  readonly lastSeenSeconds: number;
  /** Canonical values in CANONICAL_METRICS order, NaN when absent. */
  readonly values: Float64Array;
  readonly custom: readonly (readonly [string, number])[];
  readonly health: AgentHealth | undefined;
}

const labelCache = new WeakMap<AgentRecord, string>();

function labelsOf(agent: AgentRecord): string {
  let labels = labelCache.get(agent);
  if (labels === undefined) {
    labels = `swarm="${escapeLabelValue(agent.swarm)}",agent="${escapeLabelValue(agent.id)}"`;
    labelCache.set(agent, labels);
  }
  return labels;
}

/**
 * Copies what the page needs; O(agents x metrics). The set of agents is fixed first, so counts and
 * families always agree; each agent's row is copied at once (consistent per agent), and the copy
 * yields between slices like the rendering does.
 */
export async function snapshotAgents(registry: AgentRegistry, pause: Pause = NO_PAUSE): Promise<AgentRow[]> {
  const agents = [...registry.agents()];
  const rows: AgentRow[] = [];
  for (let i = 0; i < agents.length; i++) {
    const agent = agents[i];
    if (agent === undefined) continue;
    if (i % CHECK_EVERY === CHECK_EVERY - 1) {
      const turn = pause();
      if (turn !== undefined) await turn;
    }
    const values = new Float64Array(CANONICAL_METRICS.length);
    CANONICAL_METRICS.forEach((metric, i) => {
      values[i] = agent.value(metric);
    });
    const custom: [string, number][] = [];
    if (agent.customMetricCount > 0) {
      for (const [metric, held] of agent.latest) if (!isCanonicalMetric(metric)) custom.push([metric, held.value]);
    }
    rows.push({
      labels: labelsOf(agent),
      swarm: agent.swarm,
      type: `type="${escapeLabelValue(agent.type)}",variant="${escapeLabelValue(agent.variant)}"`,
      variant: agent.variant,
      up: agent.up,
      lastSeenSeconds: agent.lastSeen / 1000,
      values,
      custom,
      health: agent.health,
    });
  }
  return rows;
}

type LineWriter = (row: AgentRow) => string;

/** Receives the page in order; a returned promise is awaited (backpressure). */
export type ChunkWriter = (chunk: string) => void | Promise<void>;

/** Agents between two pause checks: small enough that a slice overshoots its budget by little. */
const CHECK_EVERY = 32;

async function family(spec: MetricSpec, rows: readonly AgentRow[], line: LineWriter, pause: Pause, write: ChunkWriter): Promise<void> {
  let body = '';
  let started = false;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (row !== undefined) body += line(row);
    if (body.length >= CHUNK_CHARS) {
      await write(started ? body : familyHeader(spec) + body);
      started = true;
      body = '';
    }
    // Awaited only when the loop is due a turn: an `await` of nothing still costs a microtask, and
    // this runs every CHECK_EVERY rows of every family.
    if (i % CHECK_EVERY === CHECK_EVERY - 1) {
      const turn = pause();
      if (turn !== undefined) await turn;
    }
  }
  if (body !== '') await write(started ? body : familyHeader(spec) + body);
}

/**
 * Writes every per-agent family plus agents-per-status counts, from one snapshot, in chunks of about
 * 64 KiB, yielding to the event loop between slices.
 */
export async function renderAgentFamilies(registry: AgentRegistry, write: ChunkWriter, pause: Pause = NO_PAUSE): Promise<void> {
  const rows = await snapshotAgents(registry, pause);
  const add = (spec: MetricSpec, line: LineWriter): Promise<void> => family(spec, rows, line, pause, write);

  const info = METRICS.agentInfo.name;
  await add(METRICS.agentInfo, (r) => `${info}{${r.labels},${r.type}} 1\n`);
  const up = METRICS.agentUp.name;
  await add(METRICS.agentUp, (r) => `${up}{${r.labels}} ${r.up ? 1 : 0}\n`);
  const seen = METRICS.agentLastSeen.name;
  await add(METRICS.agentLastSeen, (r) => `${seen}{${r.labels}} ${r.lastSeenSeconds}\n`);
  for (let m = 0; m < CANONICAL_METRICS.length; m++) {
    const metric = CANONICAL_METRICS[m];
    const spec = CANONICAL_GAUGES[m];
    if (metric === undefined || spec === undefined) continue;
    const name = CANONICAL_METRIC_SPECS[metric].gauge;
    await add(spec, (r) => {
      const v = r.values[m] ?? Number.NaN;
      return Number.isFinite(v) ? `${name}{${r.labels}} ${v}\n` : '';
    });
  }
  const custom = METRICS.agentCustomMetric.name;
  await add(METRICS.agentCustomMetric, (r) => {
    let text = '';
    for (const [metric, v] of r.custom)
      if (Number.isFinite(v)) text += `${custom}{${r.labels},metric="${escapeLabelValue(metric)}"} ${v}\n`;
    return text;
  });
  const score = METRICS.agentHealthScore.name;
  await add(METRICS.agentHealthScore, (r) =>
    r.health && Number.isFinite(r.health.score) ? `${score}{${r.labels}} ${r.health.score}\n` : '',
  );
  const component = METRICS.agentHealthComponent.name;
  await add(METRICS.agentHealthComponent, (r) => {
    if (!r.health) return '';
    let text = '';
    for (const c of HEALTH_COMPONENTS) {
      const v = r.health.components[c];
      if (Number.isFinite(v)) text += `${component}{${r.labels},component="${c}"} ${v}\n`;
    }
    return text;
  });
  const status = METRICS.agentHealthStatus.name;
  await add(METRICS.agentHealthStatus, (r) => {
    if (!r.health) return '';
    let text = '';
    for (const s of HEALTH_STATUSES) text += `${status}{${r.labels},status="${s}"} ${r.health.status === s ? 1 : 0}\n`;
    return text;
  });
  const counts = renderStatusCounts(rows);
  if (counts !== '') await write(counts);
}

/** agentswarm_agents{swarm,status}: every status of every swarm, zeros included, from the same snapshot. */
function renderStatusCounts(rows: readonly AgentRow[]): string {
  const bySwarm = new Map<string, Map<string, number>>();
  for (const row of rows) {
    let counts = bySwarm.get(row.swarm);
    if (!counts) {
      counts = new Map(HEALTH_STATUSES.map((s) => [s, 0]));
      bySwarm.set(row.swarm, counts);
    }
    const s = row.health?.status;
    if (s !== undefined) counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  let body = '';
  for (const [swarm, counts] of bySwarm) {
    const swarmLabel = escapeLabelValue(swarm);
    for (const [s, n] of counts) body += `${METRICS.agents.name}{swarm="${swarmLabel}",status="${s}"} ${n}\n`;
  }
  return body === '' ? '' : familyHeader(METRICS.agents) + body;
}
