// The demo's copy of the pack's hold times matches alerts/*.yml, and the day gives each alert its time.
import { describe, expect, it } from 'vitest';
import { alertRules, durationMs } from '../rules-pack/support/pack.js';
import {
  DETECTION_MARGIN_MS,
  PACK_ALERTS_OUTSIDE_THE_DAY,
  PACK_HOLD_MS,
  PACK_UNIT_MS,
  phaseUnitMs,
  type PackAlert,
} from '../../src/demo/pack-timing.js';
import { SwarmModel } from '../../src/demo/swarm-model.js';

/** The phase of the day whose incident each alert answers. */
const PHASE_OF: Readonly<Record<PackAlert, string>> = {
  AgentSwarmAgentDown: 'failure',
  AgentSwarmAgentCritical: 'bottleneck',
  AgentSwarmAgentDegraded: 'hot_spot',
  AgentSwarmBottleneck: 'bottleneck',
  AgentSwarmLoadImbalance: 'hot_spot',
  AgentSwarmCorrelatedAnomaly: 'correlated_anomaly',
  AgentSwarmSaturationPredicted: 'load_wave',
  AgentSwarmVariantOutperforms: 'calm',
};

describe('pack timing', () => {
  it('has the for: of every acting alert of alerts/*.yml but those outside the day (error-budget burns, AgentAbnormal)', () => {
    const outside: readonly string[] = PACK_ALERTS_OUTSIDE_THE_DAY;
    const acting = alertRules().filter((r) => r.labels?.coordination_type !== undefined && !outside.includes(r.alert));
    expect(Object.fromEntries(acting.map((r) => [r.alert, durationMs(r.for ?? '0s')]))).toEqual(PACK_HOLD_MS);
  });

  it.each([1, 0.1, 1 / 15])("gives every incident phase more than its alert's for: plus the detection margin at time scale %d", (scale) => {
    const model = new SwarmModel({ scenario: 'day', stepMs: 1000, phaseMs: phaseUnitMs(scale) });
    for (const [alert, phase] of Object.entries(PHASE_OF) as [PackAlert, string][]) {
      if (alert === 'AgentSwarmVariantOutperforms') {
        // The canary is better all day: the day itself must outlast the hold.
        expect(model.stepsPerCycle * 1000).toBeGreaterThan((PACK_HOLD_MS[alert] + DETECTION_MARGIN_MS) * scale);
        continue;
      }
      const slot = model.schedule.find((s) => s.phase === phase);
      expect(slot, phase).toBeDefined();
      expect((slot?.length ?? 0) * 1000, `${alert} in ${phase}`).toBeGreaterThanOrEqual(
        Math.floor((PACK_HOLD_MS[alert] + DETECTION_MARGIN_MS) * scale),
      );
    }
    expect(PACK_UNIT_MS).toBe(60_000);
  });
});
