// The rules pack's hold times (`for:` of the acting alerts in alerts/*.yml) and the demo day's phase
// lengths derived from them, so that the scripted day makes every acting alert of the pack fire.
// test/demo/pack-timing.test.ts checks this table against the rule files, so it cannot drift.

/**
 * Acting alerts of alerts/*.yml the demo's day does not aim at: the error-budget burns need hours of
 * error ratio (their long windows are 1h and 6h), and AgentAbnormal needs a learned baseline, which
 * exists once an agent has 12 points of 5-minute history (an hour of wall-clock time, several
 * days of the demo at its default time scale).
 */
export const PACK_ALERTS_OUTSIDE_THE_DAY = ['AgentSwarmErrorBudgetBurn', 'AgentSwarmAgentAbnormal'] as const;

/** `for:` of each acting alert of alerts/*.yml, ms, but PACK_ALERTS_OUTSIDE_THE_DAY. */
export const PACK_HOLD_MS = {
  AgentSwarmAgentDown: 60_000,
  AgentSwarmAgentCritical: 300_000,
  AgentSwarmAgentDegraded: 900_000,
  AgentSwarmBottleneck: 600_000,
  AgentSwarmLoadImbalance: 900_000,
  AgentSwarmCorrelatedAnomaly: 300_000,
  AgentSwarmSaturationPredicted: 300_000,
  AgentSwarmVariantOutperforms: 1_800_000,
} as const;

export type PackAlert = keyof typeof PACK_HOLD_MS;

/**
 * Time a condition needs, in pack time, before the alert it holds for can fire: the signal's own
 * rise (a queue grows, a window median moves), one scrape (15 s), one rule evaluation (30 s) and
 * Alertmanager's group_wait (10 s) of the shipped configuration, rounded up generously
 * (measured: the load index needs about 3.5 pack minutes to fall with the demo's 10 s pipeline lag).
 */
export const DETECTION_MARGIN_MS = 240_000;

/** One phase unit of the day scenario at time scale 1: one minute of pack time. */
export const PACK_UNIT_MS = 60_000;

/** Phase units (pack minutes) a phase needs so that `alert` fires within it, with `share` of the phase carrying the condition. */
export function unitsFor(alert: PackAlert, share = 1): number {
  return Math.ceil((PACK_HOLD_MS[alert] + DETECTION_MARGIN_MS) / share / PACK_UNIT_MS);
}

/** Length of a phase unit at a time scale (1 = the pack's own timing; 0.1 = ten times faster). */
export function phaseUnitMs(timeScale: number): number {
  return Math.max(1, Math.round(PACK_UNIT_MS * timeScale));
}

/** Hold time of `alert` at a time scale, ms. */
export function holdMs(alert: PackAlert, timeScale: number): number {
  return Math.round(PACK_HOLD_MS[alert] * timeScale);
}
