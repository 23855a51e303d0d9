// Health score of one agent from explainable components (pure). Formula documented in docs/analysis.md#health-model.
//
// Each component is in [0, 1], 1 = nominal; a component without data is 1 (absence of evidence of
// trouble is not trouble; liveness covers an agent that sends nothing).
//   errors    = 1 - clamp(error_rate / 0.25)                       (0 at 25 % failed tasks)
//   latency   = 1 - clamp((r - 1.5) / 3.5), r = response_time / own baseline (median of the window):
//               1 up to 1.5x the baseline, 0 at 5x
//   resources = 1 - clamp((max(cpu, memory) - 0.8) / 0.2)         (headroom: 1 below 80 %, 0 at 100 %)
//   liveness  = 1 - clamp((age - timeout / 3) / (2 * timeout / 3)) (1 while seen in the first third of the
//               heartbeat timeout, falling to 0 at the timeout)
// score = weighted mean (errors 0.4, latency 0.25, resources 0.2, liveness 0.15) * (1 + min component) / 2
// The second factor makes one failing ingredient sink the score instead of being averaged away:
// all nominal -> 1; error_rate 0.5 alone -> 0.6 * 0.5 = 0.3 (critical).

export const HEALTH_COMPONENTS = ['errors', 'latency', 'resources', 'liveness'] as const;
export type HealthComponent = (typeof HEALTH_COMPONENTS)[number];
export type HealthComponents = Readonly<Record<HealthComponent, number>>;

export const HEALTH_WEIGHTS: HealthComponents = { errors: 0.4, latency: 0.25, resources: 0.2, liveness: 0.15 };

export interface HealthInputs {
  /** Latest error ratio in [0, 1], NaN when unknown. */
  readonly errorRate: number;
  /** Latest response time in seconds, NaN when unknown. */
  readonly responseTime: number;
  /** The agent's own baseline response time in seconds (median over the window), NaN when unknown. */
  readonly baselineResponseTime: number;
  /** Latest CPU and memory ratios, NaN when unknown. */
  readonly cpuUsage: number;
  readonly memoryUsage: number;
  /** Milliseconds since the agent was last seen (heartbeat or sample). */
  readonly ageMs: number;
  /** agents.heartbeat_timeout in milliseconds. */
  readonly heartbeatTimeoutMs: number;
}

export interface HealthScore {
  /** In [0, 1], 1 = healthy. */
  readonly score: number;
  readonly components: HealthComponents;
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/** Component value, 1 when the input is unknown. */
function known(x: number, f: (v: number) => number): number {
  return Number.isFinite(x) ? clamp01(f(x)) : 1;
}

export function healthComponents(input: HealthInputs): HealthComponents {
  const errors = known(input.errorRate, (e) => 1 - e / 0.25);
  const ratio = input.baselineResponseTime > 0 ? input.responseTime / input.baselineResponseTime : Number.NaN;
  const latency = known(ratio, (r) => 1 - (r - 1.5) / 3.5);
  const load = Math.max(Number.isFinite(input.cpuUsage) ? input.cpuUsage : 0, Number.isFinite(input.memoryUsage) ? input.memoryUsage : 0);
  const resources = clamp01(1 - (load - 0.8) / 0.2);
  const t = input.heartbeatTimeoutMs;
  const liveness = clamp01(1 - (input.ageMs - t / 3) / ((2 * t) / 3));
  return { errors, latency, resources, liveness };
}

export function healthScore(input: HealthInputs): HealthScore {
  const components = healthComponents(input);
  let mean = 0;
  let weakest = 1;
  for (const name of HEALTH_COMPONENTS) {
    mean += HEALTH_WEIGHTS[name] * components[name];
    weakest = Math.min(weakest, components[name]);
  }
  const score = clamp01(mean * ((1 + weakest) / 2));
  return { score, components };
}
